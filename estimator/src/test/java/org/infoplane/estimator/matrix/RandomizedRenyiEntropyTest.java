package org.infoplane.estimator.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.bytedeco.openblas.global.openblas;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The randomized entropy against closed forms (I/N, block-diagonal kernels, matrices built from a
 * chosen spectrum) and against exact eigenvalues of Gaussian kernels; its error estimate against
 * the actual errors over seeds; and its reproducibility.
 */
class RandomizedRenyiEntropyTest {

  /** Round-off tolerance in bits where the randomized method is exact (invariant subspaces). */
  static final double EXACT_TOL = 1e-8;
  /** The accuracy target of the randomized method, in bits, for the default settings on Gaussian kernels. */
  static final double TARGET_BITS = 0.01;

  private static final double LOG2 = Math.log(2.0);

  private static double closedForm(double[] spectrum, double alpha) {
    double total = 0.0;
    for (double l : spectrum) {
      total += l;
    }
    double s = 0.0;
    for (double l : spectrum) {
      double p = l / total;
      if (p > 0.0) {
        s += alpha == 1.0 ? -p * Math.log(p) : Math.pow(p, alpha);
      }
    }
    return alpha == 1.0 ? s / LOG2 : Math.log(s) / LOG2 / (1.0 - alpha);
  }

  /** K = U diag(λ) Uᵀ with U a seeded random orthogonal matrix, symmetrised exactly. */
  private static KernelMatrix withSpectrum(double[] lambda, long seed) {
    int n = lambda.length;
    Random random = new Random(seed);
    double[] u = new double[n * n];
    for (int i = 0; i < u.length; i++) {
      u[i] = random.nextGaussian();
    }
    double[] tau = new double[n];
    assertThat(openblas.LAPACKE_dgeqrf(openblas.LAPACK_ROW_MAJOR, n, n, u, n, tau)).isZero();
    assertThat(openblas.LAPACKE_dorgqr(openblas.LAPACK_ROW_MAJOR, n, n, n, u, n, tau)).isZero();
    double[] ul = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        ul[i * n + j] = u[i * n + j] * lambda[j];
      }
    }
    double[] k = new double[n * n];
    openblas.cblas_dgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasTrans, n, n, n, 1.0, ul, n,
        u, n, 0.0, k, n);
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double v = 0.5 * (k[i * n + j] + k[j * n + i]);
        k[i * n + j] = v;
        k[j * n + i] = v;
      }
    }
    return KernelMatrix.of(n, k);
  }

  /** A decaying spectrum: a few large eigenvalues and a long tail, as Gaussian kernels have. */
  private static double[] decaying(int n) {
    double[] l = new double[n];
    for (int i = 0; i < n; i++) {
      l[i] = Math.pow(i + 1.0, -1.2) + 0.02;
    }
    return l;
  }

  private static RandomizedRenyiEntropy.Estimate estimate(KernelMatrix k, double alpha, EntropyMethod m, long stream) {
    try (NativeKernel nk = NativeKernel.of(k)) {
      return new RandomizedRenyiEntropy(alpha, m).entropy(nk, stream);
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.5, 1.0, 1.01, 2.0})
  void identityGivesLog2N(double alpha) {
    int n = 400;
    double[] eye = new double[n * n];
    for (int i = 0; i < n; i++) {
      eye[i * n + i] = 1.0;
    }
    RandomizedRenyiEntropy.Estimate e = estimate(KernelMatrix.of(n, eye), alpha, EntropyMethod.randomized(10, 0, 10, 3), 0);
    assertThat(e.bits()).isCloseTo(Math.log(n) / LOG2, within(EXACT_TOL));
    assertThat(e.error()).isLessThan(EXACT_TOL);
  }

  @ParameterizedTest
  @ValueSource(doubles = {1.0, 1.01, 3.0})
  void blockDiagonalKernelGivesTheEntropyOfTheBlockSizes(double alpha) {
    // All-ones blocks of sizes 50, 100, ..., 300: eigenvalues n_k / N and zeros.
    int[] sizes = {50, 100, 150, 200, 250, 300};
    int n = 0;
    for (int s : sizes) {
      n += s;
    }
    double[] k = new double[n * n];
    int start = 0;
    for (int s : sizes) {
      for (int i = start; i < start + s; i++) {
        for (int j = start; j < start + s; j++) {
          k[i * n + j] = 1.0;
        }
      }
      start += s;
    }
    double[] spectrum = new double[sizes.length];
    for (int b = 0; b < sizes.length; b++) {
      spectrum[b] = sizes[b];
    }
    // Rank 8 ≥ 6 blocks: the deflated subspace holds the whole range, the probes see nothing.
    RandomizedRenyiEntropy.Estimate e = estimate(KernelMatrix.of(n, k), alpha, EntropyMethod.randomized(10, 8, 10, 5), 0);
    assertThat(e.bits()).isCloseTo(closedForm(spectrum, alpha), within(1e-6));
    assertThat(e.error()).isLessThan(1e-6);
  }

  @ParameterizedTest
  @ValueSource(doubles = {1.0, 1.01, 1.5})
  void knownSpectrumWithinTheReportedError(double alpha) {
    int n = 500;
    double[] lambda = decaying(n);
    double truth = closedForm(lambda, alpha);
    KernelMatrix k = withSpectrum(lambda, 17);
    int seeds = 12;
    int withinTwo = 0;
    for (int seed = 0; seed < seeds; seed++) {
      RandomizedRenyiEntropy.Estimate e = estimate(k, alpha, EntropyMethod.randomized(20, 40, 30, seed), 0);
      double err = Math.abs(e.bits() - truth);
      assertThat(e.error()).as("seed %d: error estimate", seed).isPositive().isLessThan(TARGET_BITS);
      assertThat(err).as("seed %d: error %s vs estimate %s", seed, err, e.error()).isLessThan(4 * e.error());
      if (err <= 2 * e.error()) {
        withinTwo++;
      }
    }
    // A one-sigma estimate: about 95 % of seeds within twice it; allow a margin for 12 seeds.
    assertThat(withinTwo).isGreaterThanOrEqualTo(9);
  }

  @Test
  void gaussianKernelsMatchExactEigenvaluesWithinTheTarget() {
    Random random = new Random(7);
    int n = 800;
    int[] labels = TestData.labels(random, n, 10);
    double[][] x = TestData.clustered(random, labels, 10, 20, 1.5);
    DistanceMatrix d = SquaredDistances.of(TestData.nd(x));
    double sigma = Math.sqrt(d.meanEuclidean()) * 1.5;
    RenyiEntropy exact = new RenyiEntropy(1.01);
    RandomizedRenyiEntropy rnd = new RandomizedRenyiEntropy(1.01, EntropyMethod.randomized(30, 100, 30, 1));
    double truth = exact.entropy(KernelMatrix.gaussian(d, sigma));
    double truthJoint = exact.entropy(KernelMatrix.gaussian(d, sigma).hadamard(KernelMatrix.labels(labels, 10, 0.1)));
    try (NativeKernel k = NativeKernel.gaussian(d, sigma); NativeKernel ky = k.hadamardLabels(labels, 0.1)) {
      RandomizedRenyiEntropy.Estimate e = rnd.entropy(k, 0);
      RandomizedRenyiEntropy.Estimate ej = rnd.entropy(ky, 1);
      assertThat(e.bits()).as("S(T) ± %s", e.error()).isCloseTo(truth, within(TARGET_BITS));
      assertThat(ej.bits()).as("S(T,Y) ± %s", ej.error()).isCloseTo(truthJoint, within(TARGET_BITS));
      assertThat(Math.abs(e.bits() - truth)).isLessThan(4 * e.error());
      assertThat(Math.abs(ej.bits() - truthJoint)).isLessThan(4 * ej.error());
    }
  }

  @Test
  void sameSeedSameResultOtherSeedOtherProbes() {
    KernelMatrix k = withSpectrum(decaying(300), 3);
    EntropyMethod m = EntropyMethod.randomized(10, 10, 20, 42);
    RandomizedRenyiEntropy.Estimate a = estimate(k, 1.01, m, 7);
    RandomizedRenyiEntropy.Estimate b = estimate(k, 1.01, m, 7);
    assertThat(b).isEqualTo(a);
    RandomizedRenyiEntropy.Estimate c = estimate(k, 1.01, EntropyMethod.randomized(10, 10, 20, 43), 7);
    RandomizedRenyiEntropy.Estimate d = estimate(k, 1.01, m, 8);
    assertThat(c.bits()).isNotEqualTo(a.bits());
    assertThat(d.bits()).isNotEqualTo(a.bits());
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.1, 0.8, 2.0})
  void labelEntropyClosedFormMatchesEigenvalues(double sigmaY) {
    Random random = new Random(11);
    int[] labels = TestData.labels(random, 120, 7);
    labels[0] = 6; // classes present and absent alike
    for (double alpha : new double[] {1.0, 1.01, 2.0}) {
      RenyiEntropy r = new RenyiEntropy(alpha);
      assertThat(r.labelEntropy(labels, 9, sigmaY))
          .isCloseTo(r.entropy(KernelMatrix.labels(labels, 9, sigmaY)), within(1e-10));
    }
  }

  @Test
  void nativeKernelsEqualTheHeapKernels() {
    Random random = new Random(5);
    DistanceMatrix d = SquaredDistances.of(TestData.nd(TestData.gaussian(random, 30, 4, 1.0)));
    DistanceMatrix e = SquaredDistances.of(TestData.nd(TestData.gaussian(random, 30, 6, 1.0)));
    int[] labels = TestData.labels(random, 30, 3);
    try (NativeKernel k = NativeKernel.gaussian(d, 1.7);
        NativeKernel j = NativeKernel.gaussianJoint(d, 1.7, e, 2.5);
        NativeKernel ky = k.hadamardLabels(labels, 0.5)) {
      KernelMatrix kd = KernelMatrix.gaussian(d, 1.7);
      assertThat(k.toKernelMatrix().toArray()).containsExactly(kd.toArray(), within(1e-15));
      assertThat(j.toKernelMatrix().toArray())
          .containsExactly(kd.hadamard(KernelMatrix.gaussian(e, 2.5)).toArray(), within(1e-15));
      assertThat(ky.toKernelMatrix().toArray())
          .containsExactly(kd.hadamard(KernelMatrix.labels(labels, 3, 0.5)).toArray(), within(1e-15));
    }
  }

  @Test
  void closedKernelAndBadSettingsFailClearly() {
    NativeKernel k = NativeKernel.of(KernelMatrix.ones(4));
    k.close();
    assertThatThrownBy(k::trace).hasMessageContaining("freed");
    assertThatThrownBy(() -> EntropyMethod.randomized(1, 0, 10, 0)).hasMessageContaining(">= 2 probes");
    assertThatThrownBy(() -> new RandomizedRenyiEntropy(1.01, EntropyMethod.exact()))
        .hasMessageContaining("randomized method");
  }
}
