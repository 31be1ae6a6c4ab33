package org.infoplane.snapshot;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Writes a run's data into an archive. Every write is validated against the manifest first. */
public interface RunWriter {

  /** The run's manifest. */
  RunManifest manifest();

  /**
   * Stores the inputs X (N × input shape) and labels Y of a split, once per run and split, rows in
   * the manifest's sample-id order.
   */
  void writeInputs(String split, INDArray x, int[] labels);

  /**
   * Stores one checkpoint of a split: one array per manifest layer, in manifest order, each N ×
   * the layer's shape. Atomic: readers see all layers of the checkpoint or none.
   *
   * @param replace whether an existing checkpoint may be replaced (else it is refused)
   */
  void writeCheckpoint(String split, CheckpointId checkpoint, List<INDArray> activations, boolean replace);

  /** Adds (or replaces) the training metrics of a checkpoint. */
  void appendMetrics(CheckpointMetrics metrics);
}
