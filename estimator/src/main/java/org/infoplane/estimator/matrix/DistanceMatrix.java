package org.infoplane.estimator.matrix;

import java.util.Arrays;

/**
 * The N×N matrix of squared Euclidean distances ‖x_i − x_j‖² between the N samples of one batch,
 * stored row-major in double precision. Symmetric, zero diagonal, non-negative.
 *
 * <p>Instances are immutable. Build them with {@link SquaredDistances#of} from activations, or
 * with {@link #of(int, double[])} from values stored earlier.
 */
public final class DistanceMatrix {

  private final int n;
  private final double[] squared;

  private DistanceMatrix(int n, double[] squared) {
    this.n = n;
    this.squared = squared;
  }

  /**
   * Wraps stored squared distances (row-major, length n·n). The array is copied and checked:
   * symmetric, zero diagonal, finite and non-negative.
   *
   * @throws IllegalArgumentException if the values do not form a squared-distance matrix
   */
  public static DistanceMatrix of(int n, double[] squared) {
    if (n < 2) {
      throw new IllegalArgumentException("a distance matrix needs at least 2 samples, got " + n);
    }
    if (squared.length != (long) n * n) {
      throw new IllegalArgumentException(
          "distance matrix of " + n + " samples needs " + ((long) n * n) + " values, got " + squared.length);
    }
    double[] copy = squared.clone();
    for (int i = 0; i < n; i++) {
      if (copy[i * n + i] != 0.0) {
        throw new IllegalArgumentException("distance matrix diagonal must be 0, got " + copy[i * n + i] + " at sample " + i);
      }
      for (int j = i + 1; j < n; j++) {
        double a = copy[i * n + j];
        if (!(a >= 0.0) || Double.isInfinite(a) || a != copy[j * n + i]) {
          throw new IllegalArgumentException(
              "distance matrix entry (" + i + ", " + j + ") must be finite, >= 0 and symmetric, got "
                  + a + " and " + copy[j * n + i]);
        }
      }
    }
    return new DistanceMatrix(n, copy);
  }

  /** Takes ownership of a checked array: for {@link SquaredDistances} only. */
  static DistanceMatrix trusted(int n, double[] squared) {
    return new DistanceMatrix(n, squared);
  }

  /** Number of samples N. */
  public int size() {
    return n;
  }

  /** Squared distance ‖x_i − x_j‖². */
  public double squared(int i, int j) {
    return squared[i * n + j];
  }

  /** A copy of the n·n squared distances, row-major. */
  public double[] toArray() {
    return squared.clone();
  }

  /** Read-only access for the kernels of this package, without a copy. */
  double[] raw() {
    return squared;
  }

  /** True when every distance is 0: all samples are equal (for example a dead ReLU layer). */
  public boolean isConstant() {
    for (double v : squared) {
      if (v != 0.0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Mean of the Euclidean distances ‖x_i − x_j‖ over all N² ordered pairs, diagonal included (the
   * convention of METHOD.md §4 for the width grid).
   */
  public double meanEuclidean() {
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        sum += Math.sqrt(squared[i * n + j]);
      }
    }
    return 2.0 * sum / ((double) n * n);
  }

  /**
   * Mean of the Euclidean distances over the N(N−1)/2 pairs i &lt; j, diagonal left out (the
   * convention of SolidusAbi/IPDL's width grid).
   */
  public double meanEuclideanOffDiagonal() {
    return meanEuclidean() * n / (n - 1.0);
  }

  /** The smallest positive Euclidean distance of a pair, or 0 when every distance is 0. */
  public double minPositiveEuclidean() {
    double min = Double.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double v = squared[i * n + j];
        if (v > 0.0 && v < min) {
          min = v;
        }
      }
    }
    return min == Double.POSITIVE_INFINITY ? 0.0 : Math.sqrt(min);
  }

  /** The largest Euclidean distance of a pair. */
  public double maxEuclidean() {
    double max = 0.0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        max = Math.max(max, squared[i * n + j]);
      }
    }
    return Math.sqrt(max);
  }

  /** The Euclidean distances of the N(N−1)/2 pairs i &lt; j, in ascending order. */
  public double[] sortedPairDistances() {
    double[] d = new double[n * (n - 1) / 2];
    int k = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        d[k++] = Math.sqrt(squared[i * n + j]);
      }
    }
    Arrays.sort(d);
    return d;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DistanceMatrix other && other.n == n && Arrays.equals(other.squared, squared);
  }

  @Override
  public int hashCode() {
    return 31 * n + Arrays.hashCode(squared);
  }

  @Override
  public String toString() {
    return "DistanceMatrix[n=" + n + "]";
  }
}
