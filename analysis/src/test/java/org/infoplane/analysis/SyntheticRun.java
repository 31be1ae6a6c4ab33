package org.infoplane.analysis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.CheckpointMetrics;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.RunManifest;
import org.infoplane.snapshot.RunWriter;
import org.infoplane.snapshot.SnapshotArchive;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A synthetic run: inputs N × 1 × 6 × 6, a dense layer, a conv layer and a dead layer. */
public final class SyntheticRun {
  static final int N = 250; // 2 batches of 100, and 50 samples left out
  static final int CLASSES = 5;
  static final String[] SPLITS = {"train", "test"};

  private final Random random;
  final long[] ids;
  final INDArray x;
  final int[] y;
  final Map<String, Map<CheckpointId, List<INDArray>>> acts = new LinkedHashMap<>();
  final List<LayerInfo> layers = List.of(
      new LayerInfo(0, "dense1", "dense", new long[] {12}),
      new LayerInfo(1, "conv1", "conv", new long[] {3, 4, 4}),
      new LayerInfo(2, "dead", "dense", new long[] {7}));

  /** A run whose inputs, labels and activations all come from {@code seed}. */
  public SyntheticRun(long seed) {
    Random r = new Random(seed);
    random = r;
    ids = new long[N];
    for (int i = 0; i < N; i++) {
      ids[i] = 1000 + (7L * i) % N * 3; // unique, not sorted in row order
    }
    x = uniform(r, N, 1, 6, 6);
    y = new int[N];
    for (int i = 0; i < N; i++) {
      y[i] = r.nextInt(CLASSES);
    }
  }

  List<INDArray> checkpoint(int k) {
    // Activations drift with k and carry label information, so widths and entropies vary.
    INDArray lab = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, N, 12);
    for (int i = 0; i < N; i++) {
      lab.putScalar(i, y[i], 1.0 + k);
    }
    INDArray dense = gaussian(random, N, 12).muli(1.0 / (1 + k)).addi(lab);
    INDArray conv = gaussian(random, N, 3, 4, 4).muli(0.5 + 0.25 * k);
    INDArray dead = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, N, 7);
    return List.of(dense, conv, dead);
  }

  RunManifest manifest(String runId) {
    Map<String, long[]> splits = new LinkedHashMap<>();
    for (String s : SPLITS) {
      splits.put(s, ids);
    }
    return new RunManifest(runId, "synthetic", "random", 7L, "test", 1, layers, splits, CLASSES, Map.of());
  }

  /** Writes checkpoints k = from … to − 1 at epoch k and step 10·k. */
  public void write(SnapshotArchive archive, String runId, int fromCheckpoint, int toCheckpoint) {
    write(archive, runId, fromCheckpoint, toCheckpoint, 10L);
  }

  /**
   * Writes checkpoints k = from … to − 1 at epoch k and step k·stepsPerCheckpoint (0: every
   * checkpoint at step 0, as an import without --step leaves them).
   */
  void write(SnapshotArchive archive, String runId, int fromCheckpoint, int toCheckpoint, long stepsPerCheckpoint) {
    RunWriter w = fromCheckpoint == 0 ? archive.createRun(manifest(runId)) : archive.openRunForAppend(runId);
    if (fromCheckpoint == 0) {
      for (String s : SPLITS) {
        w.writeInputs(s, x, y);
      }
    }
    for (int k = fromCheckpoint; k < toCheckpoint; k++) {
      CheckpointId cp = new CheckpointId(k, stepsPerCheckpoint * k);
      for (String s : SPLITS) {
        List<INDArray> a = checkpoint(k * 2 + (s.equals("test") ? 1 : 0));
        acts.computeIfAbsent(s, q -> new LinkedHashMap<>()).put(cp, a);
        w.writeCheckpoint(s, cp, a, false);
      }
      w.appendMetrics(new CheckpointMetrics(cp, 1.0 / (k + 1), 0.5, 0.4));
    }
  }

  /** Seeded uniform values in [0, 1). */
  static INDArray uniform(Random r, long... shape) {
    float[] v = new float[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat();
    }
    return Nd4j.create(v, shape, 'c');
  }

  /** Seeded standard normal values. */
  static INDArray gaussian(Random r, long... shape) {
    float[] v = new float[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return Nd4j.create(v, shape, 'c');
  }
}
