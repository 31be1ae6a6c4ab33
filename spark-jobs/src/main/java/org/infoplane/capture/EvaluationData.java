package org.infoplane.capture;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The evaluation sets of a run, split by split: sample ids (sorted), inputs (N × pixels, float32
 * in [0, 1]) and labels, rows in sample-id order.
 */
public final class EvaluationData {

  /** One split's evaluation set. */
  public record Split(int[] ids, INDArray x, int[] labels) {}

  private final Map<String, Split> splits;

  private EvaluationData(Map<String, Split> splits) {
    this.splits = splits;
  }

  /**
   * Draws the evaluation sets: {@code n} samples of the first {@code trainPopulation} training images
   * (those the network trains on) and {@code n} samples of the test images.
   */
  public static EvaluationData draw(LabeledImages train, int trainPopulation, LabeledImages test, int n, long seed) {
    Map<String, Split> m = new LinkedHashMap<>();
    m.put(EvaluationSets.TRAIN, split(train, EvaluationSets.choose(EvaluationSets.TRAIN, trainPopulation, n, seed)));
    m.put(EvaluationSets.TEST, split(test, EvaluationSets.choose(EvaluationSets.TEST, test.count(), n, seed)));
    return new EvaluationData(m);
  }

  private static Split split(LabeledImages images, int[] ids) {
    return new Split(ids, images.features(ids), images.labels(ids));
  }

  /** The splits in order (train, test). */
  public Map<String, Split> splits() {
    return splits;
  }

  /** The sample ids of every split, for the manifest. */
  public Map<String, long[]> sampleIds() {
    Map<String, long[]> m = new LinkedHashMap<>();
    splits.forEach((k, v) -> m.put(k, EvaluationSets.asLongs(v.ids())));
    return m;
  }

  /** Samples over all splits. */
  public long totalSamples() {
    return splits.values().stream().mapToLong(s -> s.ids().length).sum();
  }
}
