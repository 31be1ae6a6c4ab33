package org.infoplane.estimator.batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How an evaluation set is cut into batches (METHOD.md §5): samples ordered by sample id (or by a
 * seeded shuffle of the ids), cut into consecutive runs of B, and a last batch smaller than B left
 * out. Estimates on batches of different sizes are not comparable (the ceiling of every entropy is
 * log2 B), so B belongs to every result's key.
 *
 * @param batchSize B ≥ 2
 * @param shuffle whether to shuffle the sample ids (with {@code seed}) instead of sorting them
 * @param seed the shuffle's seed; ignored without shuffle
 */
public record BatchPlan(int batchSize, boolean shuffle, long seed) {

  /** The authors' batch size. */
  public static final int DEFAULT_BATCH_SIZE = 100;

  public BatchPlan {
    if (batchSize < 2) {
      throw new IllegalArgumentException("batch size must be >= 2, got " + batchSize);
    }
  }

  /** Consecutive batches of sorted sample ids. */
  public static BatchPlan sorted(int batchSize) {
    return new BatchPlan(batchSize, false, 0L);
  }

  /** Batches of sample ids shuffled with a seed. */
  public static BatchPlan shuffled(int batchSize, long seed) {
    return new BatchPlan(batchSize, true, seed);
  }

  /**
   * The batches, as positions into {@code sampleIds} (the row order of the stored activations).
   * The result depends only on the set of ids, never on their stored order.
   *
   * @param sampleIds the evaluation set's sample ids, unique
   * @return ⌊N/B⌋ batches of B positions each
   * @throws IllegalArgumentException if ids repeat or fewer than B samples are given
   */
  public List<int[]> batches(long[] sampleIds) {
    int n = sampleIds.length;
    if (n < batchSize) {
      throw new IllegalArgumentException(
          "batch size " + batchSize + " is larger than the evaluation set of " + n + " samples");
    }
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingLong(i -> sampleIds[i]));
    for (int k = 1; k < n; k++) {
      if (sampleIds[order[k]] == sampleIds[order[k - 1]]) {
        throw new IllegalArgumentException("sample id " + sampleIds[order[k]] + " appears more than once (positions "
            + order[k - 1] + " and " + order[k] + ")");
      }
    }
    if (shuffle) {
      Random random = new Random(seed);
      for (int k = n - 1; k > 0; k--) {
        int j = random.nextInt(k + 1);
        Integer t = order[k];
        order[k] = order[j];
        order[j] = t;
      }
    }
    List<int[]> out = new ArrayList<>(n / batchSize);
    for (int start = 0; start + batchSize <= n; start += batchSize) {
      int[] batch = new int[batchSize];
      for (int k = 0; k < batchSize; k++) {
        batch[k] = order[start + k];
      }
      out.add(batch);
    }
    return out;
  }

  /**
   * The positions of {@code 0 .. n−1} that are in none of the batches (the samples of a dropped
   * last short batch), ascending.
   */
  public static int[] unused(List<int[]> batches, int n) {
    boolean[] used = new boolean[n];
    for (int[] b : batches) {
      for (int p : b) {
        used[p] = true;
      }
    }
    return java.util.stream.IntStream.range(0, n).filter(p -> !used[p]).toArray();
  }

  /**
   * The rows of one batch: a new array of shape B × … holding {@code a}'s samples at the given
   * positions, in that order.
   */
  public static INDArray rows(INDArray a, int[] positions) {
    long n = a.size(0);
    long[] shape = a.shape().clone();
    INDArray flat = a.reshape('c', n, a.length() / n);
    INDArray picked = Nd4j.pullRows(flat, 1, positions);
    shape[0] = positions.length;
    return picked.reshape('c', shape);
  }

  /** A short spec, e.g. {@code sorted/100} or {@code shuffled(7)/100}. */
  public String spec() {
    return (shuffle ? "shuffled(" + seed + ")" : "sorted") + "/" + batchSize;
  }
}
