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
   * Draws the evaluation sets: {@code n} samples of the images the network trains on (positions in
   * {@link TrainingSplit#trainIds()} drawn by {@link EvaluationSets#choose}, mapped to their ids: never
   * a validation image) and {@code n} samples of the test images. Without a validation split the
   * training ids are 0, 1, ..., so the train split is the one runs drew before validation splits
   * existed.
   */
  public static EvaluationData draw(LabeledImages train, TrainingSplit division, LabeledImages test, int n, long seed) {
    Map<String, Split> m = new LinkedHashMap<>();
    m.put(EvaluationSets.TRAIN, split(train,
        division.idsAt(EvaluationSets.choose(EvaluationSets.TRAIN, division.trainCount(), n, seed))));
    m.put(EvaluationSets.TEST, split(test, EvaluationSets.choose(EvaluationSets.TEST, test.count(), n, seed)));
    return new EvaluationData(m);
  }

  /** One split's evaluation set: these ids' images and labels. */
  public static Split split(LabeledImages images, int[] ids) {
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
