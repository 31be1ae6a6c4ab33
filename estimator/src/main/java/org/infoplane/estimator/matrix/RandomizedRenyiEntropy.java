package org.infoplane.estimator.matrix;

import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;

/**
 * The matrix-based Rényi α-entropy of {@link RenyiEntropy}, estimated from matrix-block products
 * instead of all eigenvalues: O(N²) per product and a fixed number of products, against O(N³) for
 * the eigenvalues. Bits, with an estimate of its own error.
 *
 * <p>Method: Hutch++ (Meyer, Musco, Musco &amp; Woodruff, SOSA 2021) with stochastic Lanczos
 * quadrature for the matrix function (Ubaru, Chen &amp; Saad, SIAM J. Matrix Anal. Appl. 38(4),
 * 2017), the combination that Dong, Gong, Yu et al. ("Optimal randomized approximations for
 * matrix-based Rényi's entropy", arXiv 2205.07426) and Gong et al. (arXiv 2112.13720) study for
 * this entropy. For A = K / tr(K):
 *
 * <ol>
 *   <li>a subspace of dimension r that holds A's largest eigenvalues is found by two rounds of
 *       subspace iteration from a Gaussian block, Q its orthonormal basis (N × r);
 *   <li>tr(f(A)) = tr(Qᵀ f(A) Q) + tr(P f(A) P) with P = I − QQᵀ. The first term is the sum of
 *       the r quadratic forms q_iᵀ f(A) q_i; the second is estimated by Hutchinson's estimator with
 *       m Rademacher probes z projected by P, E[(Pz)ᵀ f(A) (Pz)] = tr(P f(A) P);
 *   <li>every quadratic form vᵀ f(A) v is computed by ℓ steps of Lanczos from v: with the
 *       tridiagonal T_ℓ = V Θ Vᵀ, vᵀ f(A) v ≈ ‖v‖² Σ_j V_1j² f(θ_j) (Gauss quadrature).
 * </ol>
 *
 * For α ≠ 1 the function is g(λ) = λ^α − λ and tr(A^α) = tr(A) + tr(g(A)) = 1 + tr(g(A)): the
 * exactly known trace is taken out, so that the probes only carry the small part g (a control
 * variate; near α = 1, S_α = log2(tr A^α)/(1−α) magnifies the error of tr(A^α) by 1/|1−α|). For
 * α = 1, f(λ) = −λ ln λ (von Neumann). Eigenvalues of round-off size below 0 count as 0.
 *
 * <p>Error estimate: the standard error of the probe mean, s/√m with s the probes' sample
 * standard deviation, carried into bits (δS = δtr / (tr·|1−α|·ln 2), or δtr / ln 2 at α = 1). It
 * is a one-sigma figure: about two thirds of seeded runs fall within it, 95 % within twice it.
 * It does not include the quadrature's own error, which the defaults keep well below it (see the
 * tests against exact eigenvalues). The same matrix, parameters and stream give the same result.
 * The subspace's columns are sampled from a Gaussian with a seeded Box–Muller transform, the probes
 * from the same seeded {@link SplittableRandom}.
 *
 * <p>Costs, for N samples: (3 + 10)·r + ℓ·m matrix-vector products (3 rounds of subspace
 * iteration, 10 Lanczos steps per subspace column), in blocks (dgemm): with the defaults r = 100,
 * m = 30, ℓ = 30, 2,200 products of N² multiply-adds, against ≈ 4/3·N³ flops for the eigenvalues
 * (measured in docs/benchmarks.md). Memory: the kernel (8·N² bytes) plus a few N × max(r, m) blocks.
 */
public final class RandomizedRenyiEntropy {

  /** An entropy in bits and its estimated standard error in bits. */
  public record Estimate(double bits, double error) {}

  /** Rounds of subspace iteration for the deflated subspace. */
  private static final int POWER_ROUNDS = 2;
  /**
   * Lanczos steps for the quadratic forms of the subspace's columns: they are close to
   * eigenvectors, whose quadrature is exact in one step.
   */
  private static final int DEFLATED_STEPS = 10;
  /**
   * Least share of the trace left after deflation for the control variate: below it the rest of
   * the spectrum is round-off (the subspace holds the whole range) and is left to the probes.
   */
  private static final double CONTROL_VARIATE_SHARE = 1e-10;
  private static final double LN2 = Math.log(2.0);

  private final double alpha;
  private final EntropyMethod method;

  /**
   * @param alpha the order α &gt; 0, finite
   * @param method a randomized method
   */
  public RandomizedRenyiEntropy(double alpha, EntropyMethod method) {
    if (!(alpha > 0.0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("alpha must be > 0 and finite, got " + alpha);
    }
    this.method = Objects.requireNonNull(method, "method");
    if (!method.randomized()) {
      throw new IllegalArgumentException("RandomizedRenyiEntropy needs a randomized method, got " + method);
    }
    this.alpha = alpha;
  }

  public double alpha() {
    return alpha;
  }

  public EntropyMethod method() {
    return method;
  }

  /**
   * S_α of K / tr(K), in bits, with its error estimate.
   *
   * @param k the kernel, not modified
   * @param stream distinguishes the matrices estimated with the same seed (S(T), S(X,T), …), so
   *     that their probes are independent and the errors of a difference add in quadrature
   */
  public Estimate entropy(NativeKernel k, long stream) {
    int n = k.size();
    double trace = k.trace();
    double scale = 1.0 / trace;
    SplittableRandom rng = new SplittableRandom(method.seed() * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L + n);
    int r = Math.min(method.rank(), n / 2);
    int m = method.probes();
    int c = r + m;
    double[] q = new double[0];
    // 1. The deflated subspace: Q = orth(A (orth(A ... Ω))).
    if (r > 0) {
      double[] omega = new double[n * r];
      for (int i = 0; i < omega.length; i++) {
        omega[i] = gaussian(rng);
      }
      try (DoublePointer v = new DoublePointer((long) n * r); DoublePointer w = new DoublePointer((long) n * r)) {
        v.put(omega);
        for (int round = 0; round <= POWER_ROUNDS; round++) {
          k.multiply(scale, v, w, r);
          orthonormalize(w, n, r);
          v.put(readAll(w, n * r));
        }
        q = readAll(v, n * r);
      }
    }
    // 2. Rademacher probes, projected off the subspace: z ← z − Q(Qᵀz).
    double[] z = new double[n * m];
    for (int i = 0; i < z.length; i++) {
      z[i] = rng.nextBoolean() ? 1.0 : -1.0;
    }
    if (r > 0) {
      double[] qtz = new double[r * m];
      openblas.cblas_dgemm(openblas.CblasRowMajor, openblas.CblasTrans, openblas.CblasNoTrans, r, m, n, 1.0,
          q, r, z, m, 0.0, qtz, m);
      openblas.cblas_dgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans, n, m, r, -1.0,
          q, r, qtz, m, 1.0, z, m);
    }
    // 3. Quadratic forms by Lanczos quadrature: the subspace's columns are near eigenvectors and
    // need few steps; the probes take the full count.
    double[] firstA = new double[r];
    double[] firstB = new double[r];
    double[] top = r > 0
        ? lanczosForms(k, scale, q, n, r, Math.min(DEFLATED_STEPS, method.lanczosSteps()), this::f, firstA, firstB)
        : new double[0];
    double deflated = 0.0;
    // 4. The probes' control variate: the quadratic Taylor polynomial p of f at the mean μ of the
    // eigenvalues left after deflation, whose trace tr(P p(A) P) is exact from
    // t1 = tr(PAP) = tr(A) − Σ q_iᵀAq_i and t2 = tr(PA²P) = ‖A‖_F² − Σ ‖Aq_i‖²; the probes then
    // only carry f − p, small where the remaining spectrum is narrow (a nearly flat kernel).
    double t1 = 1.0;
    double t2 = k.frobeniusSquared() * scale * scale;
    for (int a = 0; a < r; a++) {
      deflated += top[a];
      t1 -= firstA[a];
      t2 -= firstA[a] * firstA[a] + firstB[a] * firstB[a];
    }
    double rest = n - r;
    double mu = t1 / rest;
    double p0 = 0.0;
    double p1 = 0.0;
    double p2 = 0.0;
    double exactPart = 0.0;
    if (t1 > CONTROL_VARIATE_SHARE && t2 > 0.0) {
      p0 = f(mu);
      p1 = derivative(mu);
      p2 = 0.5 * secondDerivative(mu);
      // Σ over the remaining spectrum of p0 + p1 (λ−μ) + p2 (λ−μ)²; the linear term sums to 0.
      exactPart = p0 * rest + p2 * (t2 - 2.0 * mu * t1 + mu * mu * rest);
    }
    final double c0 = p0;
    final double c1 = p1;
    final double c2 = p2;
    final double centre = mu;
    double[] forms = lanczosForms(k, scale, z, n, m, method.lanczosSteps(), theta -> {
      double d = theta - centre;
      return f(theta) - (c0 + c1 * d + c2 * d * d);
    }, null, null);
    double mean = 0.0;
    for (int b = 0; b < m; b++) {
      mean += forms[b];
    }
    mean /= m;
    double ss = 0.0;
    for (int b = 0; b < m; b++) {
      double d = forms[b] - mean;
      ss += d * d;
    }
    double total = deflated + exactPart + mean;
    double se = Math.sqrt(ss / (m - 1) / m);
    if (alpha == 1.0) {
      return new Estimate(Math.max(0.0, total / LN2), se / LN2);
    }
    double tr = 1.0 + total; // tr(A^α) = tr(A) + tr(g(A))
    if (!(tr > 0.0)) {
      throw new ArithmeticException("randomized estimate of tr(A^" + alpha + ") is " + tr
          + " for a kernel of " + n + " samples: use more probes or the exact method");
    }
    double bits = Math.log(tr) / LN2 / (1.0 - alpha);
    double err = se / (tr * Math.abs(1.0 - alpha) * LN2);
    return new Estimate(Math.max(0.0, Math.min(bits, Math.log(n) / LN2)), err);
  }

  /** f′(θ), θ &gt; 0. */
  private double derivative(double theta) {
    return alpha == 1.0 ? -Math.log(theta) - 1.0 : alpha * Math.pow(theta, alpha - 1.0) - 1.0;
  }

  /** f″(θ), θ &gt; 0. */
  private double secondDerivative(double theta) {
    return alpha == 1.0 ? -1.0 / theta : alpha * (alpha - 1.0) * Math.pow(theta, alpha - 2.0);
  }

  /** f(θ) of the quadrature: λ^α − λ (α ≠ 1) or −λ ln λ (α = 1), 0 for θ ≤ 0. */
  private double f(double theta) {
    if (!(theta > 0.0)) {
      return 0.0;
    }
    if (alpha == 1.0) {
      return -theta * Math.log(theta);
    }
    return Math.pow(theta, alpha) - theta;
  }

  /**
   * vᵀ f(A) v for each column v of a row-major N × c block, by {@code lanczosSteps} steps of
   * Lanczos on A = scale·K (no reorthogonalisation: Gauss quadrature tolerates its loss), all
   * columns advanced together so that each step is one dgemm.
   */
  private double[] lanczosForms(NativeKernel k, double scale, double[] v0, int n, int c, int maxSteps,
      java.util.function.DoubleUnaryOperator fn, double[] firstA, double[] firstB) {
    int steps = Math.min(maxSteps, n);
    double[] norm2 = new double[c];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < c; j++) {
        double x = v0[i * c + j];
        norm2[j] += x * x;
      }
    }
    double[] q = new double[n * c];
    double[] prev = new double[n * c];
    double[] inv = new double[c];
    for (int j = 0; j < c; j++) {
      inv[j] = norm2[j] > 0.0 ? 1.0 / Math.sqrt(norm2[j]) : 0.0;
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < c; j++) {
        q[i * c + j] = v0[i * c + j] * inv[j];
      }
    }
    double[][] diag = new double[c][steps];
    double[][] off = new double[c][steps];
    int[] length = new int[c];
    boolean[] done = new boolean[c];
    for (int j = 0; j < c; j++) {
      done[j] = norm2[j] == 0.0;
    }
    double[] beta = new double[c];
    double[] a = new double[c];
    double[] w = new double[n * c];
    try (DoublePointer qp = new DoublePointer((long) n * c); DoublePointer wp = new DoublePointer((long) n * c)) {
      for (int s = 0; s < steps; s++) {
        qp.put(q);
        k.multiply(scale, qp, wp, c);
        wp.get(w);
        java.util.Arrays.fill(a, 0.0);
        for (int i = 0; i < n; i++) {
          int row = i * c;
          for (int j = 0; j < c; j++) {
            w[row + j] -= beta[j] * prev[row + j];
            a[j] += w[row + j] * q[row + j];
          }
        }
        double[] b2 = new double[c];
        for (int i = 0; i < n; i++) {
          int row = i * c;
          for (int j = 0; j < c; j++) {
            double x = w[row + j] - a[j] * q[row + j];
            w[row + j] = x;
            b2[j] += x * x;
          }
        }
        for (int j = 0; j < c; j++) {
          if (done[j]) {
            continue;
          }
          diag[j][s] = a[j];
          length[j] = s + 1;
          double b = Math.sqrt(b2[j]);
          if (s == 0 && firstA != null) {
            firstA[j] = a[j]; // vᵀAv and ‖Av − (vᵀAv)v‖ of a unit v: ‖Av‖² = a² + b²
            firstB[j] = b;
          }
          // An invariant subspace reached (b at round-off level of the step): the quadrature is exact.
          if (!(b > 1e-12 * Math.max(Math.abs(a[j]), 1e-300)) || s == steps - 1) {
            done[j] = true;
            beta[j] = 0.0;
            continue;
          }
          off[j][s] = b;
          beta[j] = b;
        }
        double[] t = prev;
        prev = q;
        q = t;
        for (int i = 0; i < n; i++) {
          int row = i * c;
          for (int j = 0; j < c; j++) {
            q[row + j] = done[j] ? 0.0 : w[row + j] / beta[j];
          }
        }
        boolean all = true;
        for (boolean d : done) {
          all &= d;
        }
        if (all) {
          break;
        }
      }
    }
    double[] forms = new double[c];
    for (int j = 0; j < c; j++) {
      forms[j] = norm2[j] == 0.0 ? 0.0 : norm2[j] * gauss(diag[j], off[j], length[j], fn);
    }
    return forms;
  }

  /** Σ_j V_1j² f(θ_j) for the symmetric tridiagonal matrix of the given diagonal and off-diagonal. */
  private static double gauss(double[] diag, double[] off, int len, java.util.function.DoubleUnaryOperator fn) {
    double[] d = java.util.Arrays.copyOf(diag, len);
    double[] e = java.util.Arrays.copyOf(off, Math.max(len - 1, 1));
    double[] z = new double[len * len];
    int info = openblas.LAPACKE_dstev(openblas.LAPACK_ROW_MAJOR, (byte) 'V', len, d, e, z, len);
    if (info != 0) {
      throw new ArithmeticException("tridiagonal eigenvalues of a Lanczos quadrature failed (LAPACK dstev info=" + info + ")");
    }
    double s = 0.0;
    for (int j = 0; j < len; j++) {
      double v = z[j]; // row 0, column j: first component of eigenvector j
      s += v * v * fn.applyAsDouble(d[j]);
    }
    return s;
  }

  /** Orthonormal columns of a row-major N × r block, in place (Householder QR). */
  private static void orthonormalize(DoublePointer block, int n, int r) {
    try (DoublePointer tau = new DoublePointer(r)) {
      int info = openblas.LAPACKE_dgeqrf(openblas.LAPACK_ROW_MAJOR, n, r, block, r, tau);
      if (info == 0) {
        info = openblas.LAPACKE_dorgqr(openblas.LAPACK_ROW_MAJOR, n, r, r, block, r, tau);
      }
      if (info != 0) {
        throw new ArithmeticException("QR of a " + n + "×" + r + " block failed (LAPACK info=" + info + ")");
      }
    }
  }

  private static double[] readAll(DoublePointer p, int count) {
    double[] out = new double[count];
    p.position(0).get(out);
    return out;
  }

  private static double gaussian(SplittableRandom rng) {
    // Box–Muller on the seeded stream (java.util.Random#nextGaussian is not on SplittableRandom in Java 17).
    double u1 = rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
  }
}
