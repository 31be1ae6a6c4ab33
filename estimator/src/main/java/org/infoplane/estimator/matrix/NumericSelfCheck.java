package org.infoplane.estimator.matrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, once per JVM and before the first estimate, that the BLAS and LAPACK routines the
 * estimator calls give right numbers on this CPU: each call, on the estimator's shapes and small
 * seeded inputs, against a plain Java loop. A kernel that computes wrong numbers is refused with
 * one line naming the call, the error, the kernel and the way out.
 *
 * <p>Why: OpenBLAS chooses its CPU kernels when it loads (or takes them from
 * {@code OPENBLAS_CORETYPE}), and a kernel family can be wrong while the others are right.
 * OpenBLAS 0.3.19's AVX-512 kernels computed {@code dtrmm} wrong, hence the blocked {@code dgeqrf}/
 * {@code dorgqr} of more than 128 columns (its forced Cooperlake kernels also {@code dgemm}); the
 * same calls under its Haswell kernels were right (docs/benchmarks.md, "The AVX-512 kernels of
 * OpenBLAS 0.3.19"). The check costs a few milliseconds once per JVM (measured in the tests).
 *
 * <p>The calls checked, with what compares them:
 *
 * <ul>
 *   <li>{@code cblas_dgemm} row-major NN, N × c × N ({@link NativeKernel}'s block products), TN
 *       r × m × N and NN N × m × r ({@link RandomizedRenyiEntropy}'s projection of the probes):
 *       against the triple loop, relative to Σ|a·b| per entry;
 *   <li>{@code cblas_dsyrk} and {@code cblas_ssyrk} row-major, upper ({@link SquaredDistances}):
 *       the same;
 *   <li>{@code LAPACKE_dgeqrf} + {@code LAPACKE_dorgqr} on N × r blocks, r below and above
 *       LAPACK's blocking crossover of 128 ({@link RandomizedRenyiEntropy}): ‖QᵀQ − I‖ and
 *       ‖QR − A‖ / ‖A‖ (max norms) by loops;
 *   <li>{@code LAPACKE_dstev} with vectors (its Lanczos quadrature): ‖T z − θ z‖ per pair;
 *   <li>{@code LAPACKE_dsyev} ({@link RenyiEntropy#labelEntropy}) and ND4J's
 *       {@code lapack().syev} ({@link RenyiEntropy#eigenvalues}): eigenvalues of H D H, with H a
 *       Householder reflection built by loops, against D.
 * </ul>
 *
 * <p>Turn it off with the system property {@value #PROPERTY}{@code =false} (on by default; any
 * value other than {@code true} or {@code false} is refused).
 */
public final class NumericSelfCheck {

  private static final Logger LOG = LoggerFactory.getLogger(NumericSelfCheck.class);

  /** The system property that turns the check off ({@code false}); default {@code true}. */
  public static final String PROPERTY = "infoplane.blas.selfcheck";
  /** Largest relative error accepted from a double-precision call (right kernels: about 1e-15). */
  static final double TOLERANCE = 1e-10;
  /** Largest relative error accepted from {@code ssyrk} (right kernels: about 1e-7). */
  static final double FLOAT_TOLERANCE = 1e-4;
  /** The kernels known to compute every checked call right, for the way out. */
  static final String WAY_OUT = "OPENBLAS_CORETYPE=Haswell";

  /**
   * The BLAS and LAPACK routines the estimator calls, as the check sees them: row-major, with the
   * estimator's arguments. {@link #OPENBLAS} is the real one; tests pass others.
   */
  interface Routines {
    /** C = α·op(A)·op(B) + β·C, row-major. */
    void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int lda,
        double[] b, int ldb, double beta, double[] c, int ldc);

    /** Upper triangle of C = A·Aᵀ, A n × k, row-major. */
    void dsyrk(int n, int k, double[] a, double[] c);

    /** Upper triangle of C = A·Aᵀ in single precision. */
    void ssyrk(int n, int k, float[] a, float[] c);

    /** QR of an m × n row-major block in place; returns LAPACK's info. */
    int dgeqrf(int m, int n, double[] a, double[] tau);

    /** The m × n Q of {@link #dgeqrf} in place; returns LAPACK's info. */
    int dorgqr(int m, int n, double[] a, double[] tau);

    /** Eigenvalues (into d) and row-major eigenvectors of a symmetric tridiagonal matrix. */
    int dstev(int n, double[] d, double[] e, double[] z);

    /** Eigenvalues only of a symmetric matrix, LAPACKE. */
    int dsyev(int n, double[] a, double[] w);

    /** Eigenvalues only of a symmetric matrix, through ND4J's LAPACK (as RenyiEntropy calls it). */
    int nd4jSyev(int n, double[] a, double[] w);
  }

  /** The routines of ND4J's OpenBLAS, as the estimator calls them. */
  static final Routines OPENBLAS = new Routines() {
    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int lda,
        double[] b, int ldb, double beta, double[] c, int ldc) {
      openblas.cblas_dgemm(openblas.CblasRowMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
          transB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    @Override
    public void dsyrk(int n, int k, double[] a, double[] c) {
      openblas.cblas_dsyrk(openblas.CblasRowMajor, openblas.CblasUpper, openblas.CblasNoTrans, n, k, 1.0, a, k,
          0.0, c, n);
    }

    @Override
    public void ssyrk(int n, int k, float[] a, float[] c) {
      openblas.cblas_ssyrk(openblas.CblasRowMajor, openblas.CblasUpper, openblas.CblasNoTrans, n, k, 1.0f, a, k,
          0.0f, c, n);
    }

    @Override
    public int dgeqrf(int m, int n, double[] a, double[] tau) {
      return openblas.LAPACKE_dgeqrf(openblas.LAPACK_ROW_MAJOR, m, n, a, n, tau);
    }

    @Override
    public int dorgqr(int m, int n, double[] a, double[] tau) {
      return openblas.LAPACKE_dorgqr(openblas.LAPACK_ROW_MAJOR, m, n, n, a, n, tau);
    }

    @Override
    public int dstev(int n, double[] d, double[] e, double[] z) {
      return openblas.LAPACKE_dstev(openblas.LAPACK_ROW_MAJOR, (byte) 'V', n, d, e, z, n);
    }

    @Override
    public int dsyev(int n, double[] a, double[] w) {
      return openblas.LAPACKE_dsyev(openblas.LAPACK_ROW_MAJOR, (byte) 'N', (byte) 'L', n, a, n, w);
    }

    @Override
    public int nd4jSyev(int n, double[] a, double[] w) {
      INDArray matrix = Nd4j.create(a.clone(), new long[] {n, n}, 'f');
      INDArray values = Nd4j.create(DataType.DOUBLE, n);
      int info = Nd4j.getBlasWrapper().lapack().syev('N', 'L', matrix, values);
      System.arraycopy(values.toDoubleVector(), 0, w, 0, n);
      return info;
    }
  };

  /** One checked call: what was called, its error against the loop, and the bound it must meet. */
  public record Result(String call, double error, double tolerance) {
    /** True when the error is within the tolerance (a NaN error is not). */
    public boolean passed() {
      return error <= tolerance;
    }
  }

  private final Routines routines;

  NumericSelfCheck(Routines routines) {
    this.routines = Objects.requireNonNull(routines, "routines");
  }

  /** Every checked call with its error, in the order run; stops at nothing. */
  List<Result> run() {
    SplittableRandom rng = new SplittableRandom(20261206L);
    List<Result> out = new ArrayList<>();
    out.add(gemm(rng, false, false, 128, 40, 128, "NativeKernel block product"));
    out.add(gemm(rng, false, false, 40, 200, 128, "a wide block product"));
    out.add(gemm(rng, true, false, 40, 20, 128, "probes' projection QᵀZ"));
    out.add(gemm(rng, false, false, 128, 20, 40, "probes' projection Z − Q(QᵀZ)"));
    out.add(dsyrk(rng, 64, 300));
    out.add(ssyrk(rng, 64, 512));
    out.add(qr(rng, 128, 40));
    out.add(qr(rng, 160, 136));
    out.add(stev(rng, 30));
    out.add(syev(rng, 12, false));
    out.add(syev(rng, 96, true));
    return out;
  }

  /** The first failed call of {@link #run()}, or null when all passed. */
  Result firstFailure(List<Result> results) {
    for (Result r : results) {
      if (!r.passed()) {
        return r;
      }
    }
    return null;
  }

  /** Runs every check: null when all passed, else the one line that refuses the kernel. */
  String verdict(String kernel) {
    Result failed = firstFailure(run());
    return failed == null ? null : message(failed, kernel);
  }

  /** The one line that refuses a wrong kernel. */
  static String message(Result failed, String kernel) {
    return String.format(Locale.ROOT,
        "wrong numbers from the BLAS: %s is off by %.3g (relative; tolerance %.0e) against a plain loop "
            + "with OpenBLAS kernel %s; run with %s in the environment (set before the JVM starts)",
        failed.call(), failed.error(), failed.tolerance(), kernel, WAY_OUT);
  }

  /** The kernel family in use, as far as the JVM can see it. */
  static String kernelInUse() {
    String forced = System.getenv("OPENBLAS_CORETYPE");
    return forced != null && !forced.isBlank()
        ? forced + " (OPENBLAS_CORETYPE)"
        : "chosen by OpenBLAS for this CPU (OPENBLAS_CORETYPE unset)";
  }

  /** Parses {@value #PROPERTY}: null or {@code true} = on, {@code false} = off, anything else refused. */
  static boolean enabled(String value) {
    if (value == null || value.equals("true")) {
      return true;
    }
    if (value.equals("false")) {
      return false;
    }
    throw new IllegalArgumentException(PROPERTY + " must be true or false, got '" + value + "'");
  }

  private static final Object LOCK = new Object();
  private static volatile boolean checked;
  private static volatile String refusal;

  /**
   * Runs the check on ND4J's OpenBLAS once per JVM (later calls only repeat its verdict). The
   * estimator's entry points call it before their first BLAS call; a caller may call it earlier.
   *
   * @throws IllegalStateException with one line naming the wrong call, its error, the kernel and
   *     the way out, when a checked call gives wrong numbers (every later call throws it again)
   */
  public static void requireRightKernels() {
    if (!checked) {
      synchronized (LOCK) {
        if (!checked) {
          if (enabled(System.getProperty(PROPERTY))) {
            long start = System.nanoTime();
            refusal = new NumericSelfCheck(OPENBLAS).verdict(kernelInUse());
            if (refusal == null) {
              LOG.debug("BLAS self-check passed in {} ms (kernel {})", (System.nanoTime() - start) / 1e6, kernelInUse());
            }
          }
          checked = true;
        }
      }
    }
    if (refusal != null) {
      throw new IllegalStateException(refusal);
    }
  }

  // ---- the checks ----

  private static double[] uniform(SplittableRandom rng, int count) {
    double[] v = new double[count];
    for (int i = 0; i < count; i++) {
      v[i] = rng.nextDouble(-1.0, 1.0);
    }
    return v;
  }

  private Result gemm(SplittableRandom rng, boolean ta, boolean tb, int m, int n, int k, String use) {
    double[] a = uniform(rng, m * k);
    double[] b = uniform(rng, k * n);
    double[] c = uniform(rng, m * n);
    double[] c0 = c.clone();
    int lda = ta ? m : k;
    int ldb = tb ? k : n;
    double alpha = -0.75;
    double beta = 0.5;
    routines.dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, n);
    double worst = 0.0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = beta * c0[i * n + j];
        double scale = Math.abs(s);
        for (int p = 0; p < k; p++) {
          double x = alpha * (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
          s += x;
          scale += Math.abs(x);
        }
        worst = worst(worst, Math.abs(c[i * n + j] - s) / scale);
      }
    }
    String call = String.format(Locale.ROOT, "cblas_dgemm (row-major %s%s, M=%d N=%d K=%d: %s)",
        ta ? "T" : "N", tb ? "T" : "N", m, n, k, use);
    return new Result(call, worst, TOLERANCE);
  }

  private Result dsyrk(SplittableRandom rng, int n, int k) {
    double[] a = uniform(rng, n * k);
    double[] c = new double[n * n];
    routines.dsyrk(n, k, a, c);
    double worst = 0.0;
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double s = 0.0;
        double scale = 0.0;
        for (int p = 0; p < k; p++) {
          double x = a[i * k + p] * a[j * k + p];
          s += x;
          scale += Math.abs(x);
        }
        worst = worst(worst, Math.abs(c[i * n + j] - s) / scale);
      }
    }
    return new Result("cblas_dsyrk (row-major upper, N=" + n + " K=" + k + ": SquaredDistances)", worst, TOLERANCE);
  }

  private Result ssyrk(SplittableRandom rng, int n, int k) {
    float[] a = new float[n * k];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rng.nextDouble(-1.0, 1.0);
    }
    float[] c = new float[n * n];
    routines.ssyrk(n, k, a, c);
    double worst = 0.0;
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double s = 0.0;
        double scale = 0.0;
        for (int p = 0; p < k; p++) {
          double x = (double) a[i * k + p] * a[j * k + p];
          s += x;
          scale += Math.abs(x);
        }
        worst = worst(worst, Math.abs(c[i * n + j] - s) / scale);
      }
    }
    return new Result("cblas_ssyrk (row-major upper, N=" + n + " K=" + k + ": SquaredDistances, float32)", worst,
        FLOAT_TOLERANCE);
  }

  private Result qr(SplittableRandom rng, int m, int n) {
    double[] a = uniform(rng, m * n);
    double[] f = a.clone();
    double[] tau = new double[n];
    String call = "LAPACKE_dgeqrf + LAPACKE_dorgqr (row-major " + m + "×" + n + ": RandomizedRenyiEntropy's subspace)";
    if (routines.dgeqrf(m, n, f, tau) != 0) {
      return new Result(call + " info != 0", Double.NaN, TOLERANCE);
    }
    double[] r = new double[n * n];
    double amax = 0.0;
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        r[i * n + j] = f[i * n + j];
      }
    }
    for (double v : a) {
      amax = Math.max(amax, Math.abs(v));
    }
    if (routines.dorgqr(m, n, f, tau) != 0) {
      return new Result(call + " info != 0", Double.NaN, TOLERANCE);
    }
    double worst = 0.0;
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double s = 0.0;
        for (int p = 0; p < m; p++) {
          s += f[p * n + i] * f[p * n + j];
        }
        worst = worst(worst, Math.abs(s - (i == j ? 1.0 : 0.0)));
      }
    }
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int p = 0; p <= j; p++) {
          s += f[i * n + p] * r[p * n + j];
        }
        worst = worst(worst, Math.abs(s - a[i * n + j]) / amax);
      }
    }
    return new Result(call, worst, TOLERANCE);
  }

  private Result stev(SplittableRandom rng, int n) {
    double[] d = new double[n];
    double[] e = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = rng.nextDouble(0.0, 1.0);
      e[i] = i < n - 1 ? rng.nextDouble(0.01, 0.5) : 0.0;
    }
    double[] theta = d.clone();
    double[] off = e.clone();
    double[] z = new double[n * n];
    String call = "LAPACKE_dstev (" + n + "×" + n + " with vectors: Lanczos quadrature)";
    if (routines.dstev(n, theta, off, z) != 0) {
      return new Result(call + " info != 0", Double.NaN, TOLERANCE);
    }
    double norm = 0.0;
    for (int i = 0; i < n; i++) {
      norm = Math.max(norm, Math.abs(d[i]) + Math.abs(e[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0.0));
    }
    double worst = 0.0;
    for (int j = 0; j < n; j++) {
      double len = 0.0;
      for (int i = 0; i < n; i++) {
        double tz = d[i] * z[i * n + j] + (i > 0 ? e[i - 1] * z[(i - 1) * n + j] : 0.0)
            + (i < n - 1 ? e[i] * z[(i + 1) * n + j] : 0.0);
        worst = worst(worst, Math.abs(tz - theta[j] * z[i * n + j]) / norm);
        len += z[i * n + j] * z[i * n + j];
      }
      worst = worst(worst, Math.abs(len - 1.0));
    }
    return new Result(call, worst, TOLERANCE);
  }

  /** Eigenvalues of H·diag(λ)·H, H = I − 2vvᵀ/vᵀv (orthogonal and symmetric), against λ. */
  private Result syev(SplittableRandom rng, int n, boolean throughNd4j) {
    double[] lambda = new double[n];
    for (int i = 0; i < n; i++) {
      lambda[i] = Math.pow(i + 1.0, -1.2) + 0.01 * rng.nextDouble();
    }
    double[] v = uniform(rng, n);
    double vv = 0.0;
    for (double x : v) {
      vv += x * x;
    }
    // H·D·H = D − (2/vᵀv)(v·(Dv)ᵀ + (Dv)·vᵀ) + (4 vᵀDv/(vᵀv)²)·v·vᵀ, entry by entry in O(n²).
    double vdv = 0.0;
    for (int i = 0; i < n; i++) {
      vdv += v[i] * lambda[i] * v[i];
    }
    double c1 = 2.0 / vv;
    double c2 = 4.0 * vdv / (vv * vv);
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        a[i * n + j] = (i == j ? lambda[i] : 0.0) - c1 * (v[i] * lambda[j] * v[j] + lambda[i] * v[i] * v[j])
            + c2 * v[i] * v[j];
      }
    }
    double[] w = new double[n];
    int info = throughNd4j ? routines.nd4jSyev(n, a, w) : routines.dsyev(n, a, w);
    String call = throughNd4j
        ? "ND4J lapack().syev (" + n + "×" + n + ", values only: RenyiEntropy.eigenvalues)"
        : "LAPACKE_dsyev (" + n + "×" + n + ", values only: RenyiEntropy.labelEntropy)";
    if (info != 0) {
      return new Result(call + " info=" + info, Double.NaN, TOLERANCE);
    }
    double[] want = lambda.clone();
    double[] got = w.clone();
    Arrays.sort(want);
    Arrays.sort(got);
    double worst = 0.0;
    for (int i = 0; i < n; i++) {
      worst = worst(worst, Math.abs(got[i] - want[i]) / want[n - 1]);
    }
    return new Result(call, worst, TOLERANCE);
  }

  /** max that keeps a NaN (a NaN result is wrong, not ignored). */
  private static double worst(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
  }
}
