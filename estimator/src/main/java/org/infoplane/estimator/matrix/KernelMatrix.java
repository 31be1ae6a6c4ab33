package org.infoplane.estimator.matrix;

import java.util.Arrays;
import java.util.Objects;

/**
 * A symmetric positive semi-definite N×N Gram matrix K_ij = κ(x_i, x_j) of one batch, row-major,
 * double precision. Immutable.
 *
 * <p>The kernels built here are infinitely divisible with K_ii = 1, the condition under which the
 * matrix-based Rényi entropy of Sanchez Giraldo et al. (2015) is defined; Hadamard products of such
 * kernels keep both properties.
 */
public final class KernelMatrix {

  private final int n;
  private final double[] k;

  private KernelMatrix(int n, double[] k) {
    this.n = n;
    this.k = k;
  }

  /**
   * The Gaussian (tensor) kernel κ(x_i, x_j) = exp(−‖x_i − x_j‖² / σ²): no factor 2 in the
   * denominator, the convention of Wickstrøm et al. that every σ of this project follows.
   *
   * @param distances squared distances of the batch
   * @param sigma kernel width, &gt; 0 and finite
   */
  public static KernelMatrix gaussian(DistanceMatrix distances, double sigma) {
    requireWidth(sigma, "sigma");
    int n = distances.size();
    double[] d = distances.raw();
    double[] k = new double[n * n];
    double inv = 1.0 / (sigma * sigma);
    for (int i = 0; i < n; i++) {
      k[i * n + i] = 1.0;
      for (int j = i + 1; j < n; j++) {
        double v = Math.exp(-d[i * n + j] * inv);
        k[i * n + j] = v;
        k[j * n + i] = v;
      }
    }
    return new KernelMatrix(n, k);
  }

  /**
   * The label kernel: the Gaussian kernel on one-hot encodings. Two one-hot vectors are at squared
   * distance 0 (same class) or 2 (different classes), so K_ij = 1 or exp(−2/σ_Y²); with the default
   * σ_Y = 0.1 the latter is e^−200, and K is the same-class indicator.
   *
   * @param labels class of each sample, each in [0, numClasses)
   * @param numClasses number of classes, ≥ 1
   * @param sigmaY label-kernel width, &gt; 0
   */
  public static KernelMatrix labels(int[] labels, int numClasses, double sigmaY) {
    Objects.requireNonNull(labels, "labels");
    requireWidth(sigmaY, "sigmaY");
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
    }
    int n = labels.length;
    if (n < 2) {
      throw new IllegalArgumentException("at least 2 samples are needed, got " + n);
    }
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " of sample " + i + " is outside [0, " + numClasses + ")");
      }
    }
    double off = Math.exp(-2.0 / (sigmaY * sigmaY));
    double[] k = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        k[i * n + j] = labels[i] == labels[j] ? 1.0 : off;
      }
    }
    return new KernelMatrix(n, k);
  }

  /**
   * Wraps explicit Gram values (row-major n·n), copied and checked for symmetry, finiteness and a
   * positive diagonal.
   */
  public static KernelMatrix of(int n, double[] values) {
    if (n < 1 || values.length != (long) n * n) {
      throw new IllegalArgumentException("kernel matrix of " + n + " samples needs " + ((long) n * n)
          + " values, got " + values.length);
    }
    double[] k = values.clone();
    for (int i = 0; i < n; i++) {
      if (!(k[i * n + i] > 0.0) || Double.isInfinite(k[i * n + i])) {
        throw new IllegalArgumentException("kernel diagonal must be finite and > 0, got " + k[i * n + i] + " at " + i);
      }
      for (int j = i + 1; j < n; j++) {
        if (!Double.isFinite(k[i * n + j]) || k[i * n + j] != k[j * n + i]) {
          throw new IllegalArgumentException("kernel matrix must be finite and symmetric, entry (" + i + ", " + j
              + ") is " + k[i * n + j] + " and (" + j + ", " + i + ") is " + k[j * n + i]);
        }
      }
    }
    return new KernelMatrix(n, k);
  }

  /** The matrix of all ones: the kernel of a constant representation. */
  public static KernelMatrix ones(int n) {
    double[] k = new double[n * n];
    Arrays.fill(k, 1.0);
    return new KernelMatrix(n, k);
  }

  /** Element-wise (Hadamard) product K ∘ L, the kernel of the joint variable. */
  public KernelMatrix hadamard(KernelMatrix other) {
    if (other.n != n) {
      throw new IllegalArgumentException("kernels of different sample counts: " + n + " and " + other.n);
    }
    double[] h = new double[k.length];
    for (int i = 0; i < h.length; i++) {
      h[i] = k[i] * other.k[i];
    }
    return new KernelMatrix(n, h);
  }

  /** Number of samples N. */
  public int size() {
    return n;
  }

  /** Entry K_ij. */
  public double get(int i, int j) {
    return k[i * n + j];
  }

  /** Trace Σ K_ii. */
  public double trace() {
    double t = 0.0;
    for (int i = 0; i < n; i++) {
      t += k[i * n + i];
    }
    return t;
  }

  /** Frobenius inner product ⟨K, L⟩_F = Σ_ij K_ij L_ij. */
  public double frobeniusInner(KernelMatrix other) {
    if (other.n != n) {
      throw new IllegalArgumentException("kernels of different sample counts: " + n + " and " + other.n);
    }
    double s = 0.0;
    for (int i = 0; i < k.length; i++) {
      s += k[i] * other.k[i];
    }
    return s;
  }

  /** A copy of the n·n values, row-major. */
  public double[] toArray() {
    return k.clone();
  }

  /** Read-only access without a copy, for this library's own hot paths. */
  double[] raw() {
    return k;
  }

  static void requireWidth(double sigma, String name) {
    if (!(sigma > 0.0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException(name + " must be > 0 and finite, got " + sigma);
    }
  }

  @Override
  public String toString() {
    return "KernelMatrix[n=" + n + "]";
  }
}
