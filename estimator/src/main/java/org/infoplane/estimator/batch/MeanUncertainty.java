package org.infoplane.estimator.batch;

import java.util.Arrays;
import java.util.Random;

/**
 * How uncertain a mean over batches is: its standard error and a seeded percentile-bootstrap
 * interval. A checkpoint's information-plane point is the mean of its batches' estimates (METHOD.md
 * §5); these say how far that mean could move with other batches of the same size.
 *
 * <ul>
 *   <li>Standard error: s / √n, s the standard deviation of the n batch values (n−1 denominator);
 *       0 for a single batch, where it says nothing.
 *   <li>Bootstrap: {@link #RESAMPLES} resamples of the n batch values with replacement, each
 *       summarised by its mean; the interval runs from the ⌈0.025·R⌉-th to the ⌈0.975·R⌉-th smallest
 *       of those R means (the percentile method, no interpolation). The resampled positions come
 *       from {@link java.util.Random} seeded with {@link #SEED}, a fixed constant: the same values
 *       in the same order always give the same interval, and two rows with the same number of
 *       batches are resampled with the same positions (the same batches of the same samples, a
 *       paired bootstrap across the layers and checkpoints of one evaluation set).
 * </ul>
 *
 * <p>With few batches the percentile interval is too narrow: its spread is that of the biased
 * variance (n−1)/n·s², and it ignores that s itself is estimated from n values.
 */
public final class MeanUncertainty {

  /** Bootstrap resamples per interval. */
  public static final int RESAMPLES = 10_000;

  /** The bootstrap generator's seed, the same for every interval. */
  public static final long SEED = 20_150_101L;

  /** The coverage of the interval. */
  public static final double LEVEL = 0.95;

  /** A closed interval [low, high]. */
  public record Interval(double low, double high) {}

  private MeanUncertainty() {}

  /** The standard error of the mean of {@code values}: s/√n, 0 for one value. Unmodified input. */
  public static double standardError(double[] values) {
    int n = requireValues(values);
    if (n == 1) {
      return 0.0;
    }
    double mean = mean(values);
    double ss = 0.0;
    for (double v : values) {
      double d = v - mean;
      ss += d * d;
    }
    return Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
  }

  /** The 95 % percentile-bootstrap interval of the mean of {@code values}, with the fixed seed. */
  public static Interval bootstrap(double[] values) {
    return bootstrap(values, RESAMPLES, SEED);
  }

  /**
   * The percentile-bootstrap interval of the mean at level {@link #LEVEL}.
   *
   * @param values the batch values, in batch order (not modified)
   * @param resamples R ≥ 40, so that both ends are proper order statistics
   * @param seed the seed of {@link java.util.Random}
   */
  public static Interval bootstrap(double[] values, int resamples, long seed) {
    return new Bootstrap(requireValues(values), resamples, seed).interval(values);
  }

  /**
   * The resampled positions for n values, drawn once and reused: every row with n batches is
   * resampled alike (the seed is fixed), so a caller with many rows draws them once. Immutable.
   */
  public static final class Bootstrap {
    private final int n;
    private final int resamples;
    /** Resample r's positions are {@code positions[r·n … r·n + n − 1]}. */
    private final int[] positions;

    /** The plan of {@link #bootstrap(double[])} for {@code n} values. */
    public static Bootstrap of(int n) {
      return new Bootstrap(n, RESAMPLES, SEED);
    }

    public Bootstrap(int n, int resamples, long seed) {
      if (n < 1) {
        throw new IllegalArgumentException("n must be >= 1, got " + n);
      }
      if (resamples < 40) {
        throw new IllegalArgumentException("resamples must be >= 40, got " + resamples);
      }
      this.n = n;
      this.resamples = resamples;
      this.positions = new int[Math.multiplyExact(resamples, n)];
      Random random = new Random(seed);
      for (int i = 0; i < positions.length; i++) {
        positions[i] = random.nextInt(n);
      }
    }

    /** The number of values this plan resamples. */
    public int n() {
      return n;
    }

    /** The interval of the mean of {@code values} (length n, not modified). */
    public Interval interval(double[] values) {
      if (requireValues(values) != n) {
        throw new IllegalArgumentException("this bootstrap resamples " + n + " values, got " + values.length);
      }
      double[] means = new double[resamples];
      for (int r = 0, p = 0; r < resamples; r++) {
        double sum = 0.0;
        for (int k = 0; k < n; k++) {
          sum += values[positions[p++]];
        }
        means[r] = sum / n;
      }
      Arrays.sort(means);
      double tail = (1.0 - LEVEL) / 2.0;
      return new Interval(means[orderStatistic(tail, resamples)], means[orderStatistic(1.0 - tail, resamples)]);
    }
  }

  /** The 0-based index of the ⌈p·R⌉-th smallest of R values. */
  static int orderStatistic(double p, int resamples) {
    // p·R is computed in decimal-exact steps where it is an integer (0.025·10000 = 250).
    long rank = (long) Math.ceil(Math.round(p * resamples * 1e9) / 1e9);
    return (int) Math.max(0, Math.min(resamples - 1, rank - 1));
  }

  /**
   * The mean of batch values, in batch order.
   *
   * @throws IllegalArgumentException when there are none or one is not finite
   */
  public static double mean(double[] values) {
    requireValues(values);
    double sum = 0.0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  private static int requireValues(double[] values) {
    if (values == null || values.length == 0) {
      throw new IllegalArgumentException("no batch values");
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("batch value " + i + " is not finite: " + values[i]);
      }
    }
    return values.length;
  }
}
