package org.infoplane.estimator.matrix;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The matrix-based Rényi α-entropy functional of Sanchez Giraldo, Rao &amp; Príncipe (IEEE Trans.
 * Inf. Theory 61(1), 2015), in bits.
 *
 * <p>For a Gram matrix K of N samples, A = K / tr(K) and
 *
 * <pre>
 *   S_α(A) = 1/(1−α) · log2 Σ_i λ_i(A)^α         (α ≠ 1)
 *   S_1(A) = −Σ_i λ_i(A) log2 λ_i(A)              (α = 1, the von Neumann limit, computed exactly)
 *   S_2(A) = −log2 Σ_ij A_ij²                     (α = 2, no eigendecomposition: tr(A²) = ‖A‖_F²)
 * </pre>
 *
 * with λ_i the eigenvalues of A. Eigenvalues with |λ| ≤ N·ε·max|λ| (ε = 2⁻⁵², the round-off
 * level of a symmetric eigensolver) are taken as 0: for α &lt; 1 the terms |λ|^α of round-off
 * eigenvalues of order 10⁻¹⁷ would otherwise add up to errors of 10⁻⁷ bits. The joint
 * entropy of two variables measured on the same samples is S_α(A ∘ B / tr(A ∘ B)) and the mutual
 * information I_α(A;B) = S_α(A) + S_α(B) − S_α(A, B). Every result lies in [0, log2 N]; a value
 * below 0 by round-off is returned as 0.
 *
 * <p>Eigenvalues come from LAPACK {@code dsyev} with {@code jobz = 'N'} (values only) through ND4J.
 * Instances are immutable and thread-safe.
 */
public final class RenyiEntropy {

  /** The default order α = 1.01: close to Shannon's entropy and numerically stable. */
  public static final double DEFAULT_ALPHA = 1.01;

  private static final double LN2 = Math.log(2.0);
  /** Relative round-off level of the eigenvalues, ε = 2⁻⁵². */
  private static final double ROUND_OFF = Math.ulp(1.0);

  private final double alpha;
  private final double eigenvalueOffset;

  /**
   * @param alpha the order α, &gt; 0 and finite; α = 1 selects the von Neumann form
   * @throws IllegalArgumentException if α ≤ 0 or not finite
   */
  public RenyiEntropy(double alpha) {
    this(alpha, 0.0);
  }

  /**
   * An entropy that adds {@code eigenvalueOffset} to every |λ_i| before the formula, as
   * SolidusAbi/IPDL does (1e-8) to keep log2 away from 0. With an offset &gt; 0 no eigenvalue is
   * taken as 0 and α = 2 goes through the eigenvalues too; the result is then no longer bounded by
   * log2 N exactly (each of N eigenvalues adds about −ε·log2 ε).
   *
   * @param eigenvalueOffset ε ≥ 0 (0: the plain functional)
   */
  public RenyiEntropy(double alpha, double eigenvalueOffset) {
    if (!(alpha > 0.0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("alpha must be > 0 and finite, got " + alpha);
    }
    if (!(eigenvalueOffset >= 0.0) || Double.isInfinite(eigenvalueOffset)) {
      throw new IllegalArgumentException("eigenvalue offset must be >= 0 and finite, got " + eigenvalueOffset);
    }
    this.alpha = alpha;
    this.eigenvalueOffset = eigenvalueOffset;
  }

  /** The offset ε added to every eigenvalue (0 unless asked for). */
  public double eigenvalueOffset() {
    return eigenvalueOffset;
  }

  /** The order α. */
  public double alpha() {
    return alpha;
  }

  /** S_α of the normalised Gram matrix K / tr(K), in bits. */
  public double entropy(KernelMatrix k) {
    double trace = k.trace();
    if (alpha == 2.0 && eigenvalueOffset == 0.0) {
      double[] v = k.raw();
      double s = 0.0;
      for (double x : v) {
        double a = x / trace;
        s += a * a;
      }
      return clamp(-Math.log(s) / LN2);
    }
    return entropyOfEigenvalues(eigenvalues(k, trace));
  }

  /** The joint entropy S_α(A, B) = S_α(A ∘ B / tr(A ∘ B)), in bits. */
  public double jointEntropy(KernelMatrix a, KernelMatrix b) {
    return entropy(a.hadamard(b));
  }

  /** The mutual information I_α(A; B) = S_α(A) + S_α(B) − S_α(A, B), in bits. */
  public double mutualInformation(KernelMatrix a, KernelMatrix b) {
    return entropy(a) + entropy(b) - jointEntropy(a, b);
  }

  /**
   * S_α of the label kernel (K_ij = 1 for samples of the same class, c = exp(−2/σ_Y²) otherwise;
   * see {@link KernelMatrix#labels}) in closed form, without an N × N matrix: K = c·11ᵀ + (1−c)·Σ_k
   * 1_k 1_kᵀ has rank ≤ C, and its non-zero eigenvalues are those of the C × C matrix
   * (1−c)·diag(n_k) + c·√n √nᵀ (n_k the class counts, over the classes present). With c ≈ 0 this is
   * the Rényi entropy of the class frequencies (METHOD.md §6, property 6). Equal, to round-off, to
   * {@code entropy(KernelMatrix.labels(labels, numClasses, sigmaY))}.
   */
  public double labelEntropy(int[] labels, int numClasses, double sigmaY) {
    KernelMatrix.requireWidth(sigmaY, "sigmaY");
    int[] counts = new int[numClasses];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " of sample " + i + " is outside [0, " + numClasses + ")");
      }
      counts[labels[i]]++;
    }
    int present = 0;
    for (int cnt : counts) {
      present += cnt > 0 ? 1 : 0;
    }
    double[] root = new double[present];
    int p = 0;
    for (int cnt : counts) {
      if (cnt > 0) {
        root[p++] = Math.sqrt(cnt);
      }
    }
    double c = Math.exp(-2.0 / (sigmaY * sigmaY));
    double n = labels.length;
    double[] m = new double[present * present];
    for (int a = 0; a < present; a++) {
      for (int b = 0; b < present; b++) {
        m[a * present + b] = (c * root[a] * root[b] + (a == b ? (1.0 - c) * root[a] * root[a] : 0.0)) / n;
      }
    }
    double[] values = new double[present];
    NumericSelfCheck.requireRightKernels();
    int info = org.bytedeco.openblas.global.openblas.LAPACKE_dsyev(
        org.bytedeco.openblas.global.openblas.LAPACK_ROW_MAJOR, (byte) 'N', (byte) 'L', present, m, present, values);
    if (info != 0) {
      throw new ArithmeticException("eigenvalues of the " + present + "×" + present
          + " class matrix of a label kernel failed (LAPACK dsyev info=" + info + ")");
    }
    return entropyOfEigenvalues(values);
  }

  /**
   * The entropy S_α of a spectrum: a probability vector of eigenvalues (absolute values are
   * taken). Exposed so that callers holding eigenvalues, and reference implementations in tests,
   * share the exact formula.
   */
  public double entropyOfEigenvalues(double[] lambda) {
    double max = 0.0;
    for (double l : lambda) {
      max = Math.max(max, Math.abs(l));
    }
    if (eigenvalueOffset > 0.0) {
      return entropyWithOffset(lambda);
    }
    double cutoff = lambda.length * ROUND_OFF * max;
    if (alpha == 1.0) {
      double s = 0.0;
      for (double l : lambda) {
        double a = Math.abs(l);
        if (a > cutoff) {
          s -= a * Math.log(a);
        }
      }
      return clamp(s / LN2);
    }
    double sum = 0.0;
    for (double l : lambda) {
      double a = Math.abs(l);
      if (a > cutoff) {
        sum += Math.pow(a, alpha);
      }
    }
    return clamp(Math.log(sum) / LN2 / (1.0 - alpha));
  }

  /** S_α of the eigenvalues |λ_i| + ε, every one of them counted. */
  private double entropyWithOffset(double[] lambda) {
    if (alpha == 1.0) {
      double s = 0.0;
      for (double l : lambda) {
        double a = Math.abs(l) + eigenvalueOffset;
        s -= a * Math.log(a);
      }
      return clamp(s / LN2);
    }
    double sum = 0.0;
    for (double l : lambda) {
      sum += Math.pow(Math.abs(l) + eigenvalueOffset, alpha);
    }
    return clamp(Math.log(sum) / LN2 / (1.0 - alpha));
  }

  /**
   * The eigenvalues of A = K / tr(K), in ascending order.
   *
   * @throws ArithmeticException if LAPACK reports that the eigenvalue iteration did not converge
   */
  public static double[] eigenvalues(KernelMatrix k) {
    return eigenvalues(k, k.trace());
  }

  private static double[] eigenvalues(KernelMatrix k, double trace) {
    NumericSelfCheck.requireRightKernels();
    int n = k.size();
    double[] v = k.raw();
    double[] a = new double[v.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = v[i] / trace;
    }
    // A is symmetric, so its row-major and column-major layouts are the same matrix.
    INDArray matrix = Nd4j.create(a, new long[] {n, n}, 'f');
    INDArray values = Nd4j.create(DataType.DOUBLE, n);
    int info = Nd4j.getBlasWrapper().lapack().syev('N', 'L', matrix, values);
    if (info != 0) {
      throw new ArithmeticException(
          "symmetric eigenvalue decomposition of a " + n + "×" + n + " kernel matrix failed (LAPACK dsyev info=" + info + ")");
    }
    return values.toDoubleVector();
  }

  private static double clamp(double s) {
    return s < 0.0 ? 0.0 : s;
  }

  @Override
  public String toString() {
    return "RenyiEntropy[alpha=" + alpha + (eigenvalueOffset > 0.0 ? ", eigenvalueOffset=" + eigenvalueOffset : "") + "]";
  }
}
