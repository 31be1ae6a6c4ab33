package org.infoplane.capture;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The fixed evaluation sets of a run: the sample ids whose activations every checkpoint records.
 * The ids of a split are a uniform sample without replacement, drawn from the seed and the split
 * name only, so that a training run and a later {@code extract} agree; they are returned sorted.
 */
public final class EvaluationSets {

  /** The split drawn from the training set. */
  public static final String TRAIN = "train";
  /** The split drawn from the test set. */
  public static final String TEST = "test";

  private EvaluationSets() {}

  /**
   * {@code n} distinct ids in [0, population), sorted; all of them when n >= population.
   *
   * @throws IllegalArgumentException when n < 2 or population < 2
   */
  public static int[] choose(String split, int population, int n, long seed) {
    if (n < 2) {
      throw new IllegalArgumentException("the evaluation set of split " + split + " needs at least 2 samples, got " + n);
    }
    if (population < 2) {
      throw new IllegalArgumentException("split " + split + " draws from " + population + " samples; needs at least 2");
    }
    return draw(split, population, n, seed);
  }

  /**
   * The draw behind {@link #choose}, without its minimum sizes: min(n, population) distinct ids in
   * [0, population), sorted, from a partial Fisher–Yates shuffle seeded by {@code seed} and {@code name}
   * only. {@link TrainingSplit} draws the validation split with it under the name
   * {@link TrainingSplit#VALIDATION}.
   */
  static int[] draw(String name, int population, int n, long seed) {
    int[] ids = new int[population];
    for (int i = 0; i < population; i++) {
      ids[i] = i;
    }
    int k = Math.max(0, Math.min(n, population));
    SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (name.hashCode() + 1L)));
    for (int i = 0; i < k; i++) { // partial Fisher–Yates
      int j = i + rng.nextInt(population - i);
      int t = ids[i];
      ids[i] = ids[j];
      ids[j] = t;
    }
    int[] out = Arrays.copyOf(ids, k);
    Arrays.sort(out);
    return out;
  }

  /** The same ids as longs (the archive's sample-id type). */
  public static long[] asLongs(int[] ids) {
    long[] out = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = ids[i];
    }
    return out;
  }
}
