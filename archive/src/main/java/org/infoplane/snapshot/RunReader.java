package org.infoplane.snapshot;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reads one run of an archive; each read touches only the files it needs. */
public interface RunReader {

  RunManifest manifest();

  /** The committed checkpoints of a split, in training order. */
  List<CheckpointId> checkpoints(String split);

  /** The inputs X of a split: N × input shape, float32, rows in the manifest's sample-id order. */
  INDArray readInputs(String split);

  /** The labels of a split, in the same order. */
  int[] readLabels(String split);

  /** One unit: the activations of a layer at a checkpoint, N × the layer's shape, float32. */
  INDArray readActivations(String split, CheckpointId checkpoint, int layerIndex);

  /**
   * One unit's activations as {@link #readActivations}, but on the Java heap with no ND4J array:
   * the form the analysis reads, one copy from the file's pages.
   *
   * @param reuse a buffer to read into when it is large enough (its old content is overwritten), or
   *     null; the result's {@code data} is {@code reuse} or a new array
   */
  ActivationValues readActivationValues(String split, CheckpointId checkpoint, int layerIndex, float[] reuse);

  /** The inputs X of a split on the Java heap, as {@link #readActivationValues}. */
  ActivationValues readInputValues(String split, float[] reuse);

  /** The training metrics, in training order. */
  List<CheckpointMetrics> metrics();
}
