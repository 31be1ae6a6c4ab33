package org.infoplane.estimator.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.infoplane.estimator.reference.ReferenceRenyi;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The entropy functional against the reference (Jacobi eigenvalues) and the properties of
 * METHOD.md §6 that concern a single kernel or a pair of kernels (1, 2, 4, 6, 9).
 */
class RenyiEntropyTest {

  /** Absolute tolerance, in bits, between LAPACK and Jacobi routes. */
  static final double ENTROPY_TOL = 1e-9;
  /** Slack for the inequalities of property 4, in bits (round-off only). */
  static final double INEQUALITY_TOL = 1e-9;
  /** |S_1 − S_{1±1e-6}|: the α → 1 limit, first order in 1e-6. */
  static final double LIMIT_TOL = 1e-5;

  private static final double LOG2 = Math.log(2.0);

  private static double[][] randomKernel(Random random, int n, int d, double sigma) {
    return ReferenceRenyi.gaussianKernel(ReferenceRenyi.squaredDistances(TestData.gaussian(random, n, d, 1.0)), sigma);
  }

  private static KernelMatrix km(double[][] k) {
    return KernelMatrix.of(k.length, TestData.flatten(k));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.5, 1.0, 1.01, 1.5, 2.0, 3.0})
  void entropyMatchesTheJacobiReference(double alpha) {
    Random random = new Random(41);
    double[][] x = TestData.gaussian(random, 70, 12, 1.0);
    double[][] k = ReferenceRenyi.gaussianKernel(ReferenceRenyi.squaredDistances(x), 4.0);
    KernelMatrix kernel = KernelMatrix.gaussian(SquaredDistances.of(TestData.nd(x)), 4.0);
    RenyiEntropy renyi = new RenyiEntropy(alpha);
    assertThat(renyi.entropy(kernel)).isCloseTo(ReferenceRenyi.entropy(k, alpha), within(ENTROPY_TOL));
  }

  @ParameterizedTest
  @ValueSource(doubles = {1.0, 1.01, 2.0})
  void jointEntropyAndMutualInformationMatchTheReference(double alpha) {
    Random random = new Random(42);
    double[][] a = randomKernel(random, 60, 5, 3.0);
    double[][] b = randomKernel(random, 60, 5, 2.0);
    RenyiEntropy renyi = new RenyiEntropy(alpha);
    assertThat(renyi.jointEntropy(km(a), km(b)))
        .isCloseTo(ReferenceRenyi.jointEntropy(a, b, alpha), within(ENTROPY_TOL));
    assertThat(renyi.mutualInformation(km(a), km(b)))
        .isCloseTo(ReferenceRenyi.mutualInformation(a, b, alpha), within(ENTROPY_TOL));
  }

  @Test
  void eigenvaluesMatchJacobi() {
    double[][] k = randomKernel(new Random(43), 50, 6, 3.0);
    double[] lapack = RenyiEntropy.eigenvalues(km(k));
    double[] jacobi = ReferenceRenyi.jacobiEigenvalues(ReferenceRenyi.normalise(k));
    assertThat(lapack).hasSize(jacobi.length);
    for (int i = 0; i < jacobi.length; i++) {
      assertThat(lapack[i]).isCloseTo(jacobi[i], within(1e-13));
    }
  }

  /** Property 1: 0 ≤ S ≤ log2 N, with the top at A = I/N. */
  @ParameterizedTest
  @ValueSource(doubles = {0.5, 1.0, 1.01, 2.0, 3.0})
  void entropyLiesBetweenZeroAndLog2NWithTheTopAtTheIdentity(double alpha) {
    int n = 64;
    RenyiEntropy renyi = new RenyiEntropy(alpha);
    // Samples 1000 apart with σ = 1: every off-diagonal entry underflows to 0, A = I/N.
    double[][] far = new double[n][n];
    for (int i = 0; i < n; i++) {
      far[i][i] = 1000.0;
    }
    KernelMatrix identity = KernelMatrix.gaussian(SquaredDistances.of(TestData.nd(far)), 1.0);
    assertThat(renyi.entropy(identity)).isCloseTo(6.0, within(ENTROPY_TOL));

    Random random = new Random(44);
    for (double sigma : new double[] {0.5, 2.0, 5.0, 50.0}) {
      double s = renyi.entropy(km(randomKernel(random, n, 4, sigma)));
      assertThat(s).isBetween(0.0, 6.0 + ENTROPY_TOL);
    }
  }

  /** Property 2: a constant representation (K all ones) has zero entropy. */
  @ParameterizedTest
  @ValueSource(doubles = {1.0, 1.01, 2.0, 3.0})
  void constantRepresentationHasZeroEntropy(double alpha) {
    RenyiEntropy renyi = new RenyiEntropy(alpha);
    assertThat(renyi.entropy(KernelMatrix.ones(50))).isCloseTo(0.0, within(ENTROPY_TOL));
    double[][] k = randomKernel(new Random(45), 50, 3, 2.0);
    assertThat(renyi.mutualInformation(KernelMatrix.ones(50), km(k))).isCloseTo(0.0, within(ENTROPY_TOL));
  }

  /** Property 4: max(S(A), S(B)) ≤ S(A, B) ≤ S(A) + S(B), so 0 ≤ I ≤ min(S(A), S(B)). */
  @ParameterizedTest
  @ValueSource(doubles = {1.0, 1.01, 2.0})
  void jointEntropyIsBoundedByTheMarginals(double alpha) {
    Random random = new Random(46);
    RenyiEntropy renyi = new RenyiEntropy(alpha);
    for (int trial = 0; trial < 10; trial++) {
      int n = 30 + random.nextInt(30);
      KernelMatrix a = km(randomKernel(random, n, 1 + random.nextInt(6), 0.5 + 4.0 * random.nextDouble()));
      KernelMatrix b = km(randomKernel(random, n, 1 + random.nextInt(6), 0.5 + 4.0 * random.nextDouble()));
      double sa = renyi.entropy(a);
      double sb = renyi.entropy(b);
      double sab = renyi.jointEntropy(a, b);
      double mi = renyi.mutualInformation(a, b);
      assertThat(sab).as("trial %d", trial).isGreaterThanOrEqualTo(Math.max(sa, sb) - INEQUALITY_TOL);
      assertThat(sab).as("trial %d", trial).isLessThanOrEqualTo(sa + sb + INEQUALITY_TOL);
      assertThat(mi).as("trial %d", trial).isBetween(-INEQUALITY_TOL, Math.min(sa, sb) + INEQUALITY_TOL);
    }
  }

  /** Property 6: label-kernel entropy = 1/(1−α) log2 Σ_c p_c^α, Shannon at α = 1. */
  @ParameterizedTest
  @ValueSource(doubles = {0.5, 1.0, 1.01, 2.0, 3.0})
  void labelKernelEntropyIsTheRenyiEntropyOfTheClassFrequencies(double alpha) {
    RenyiEntropy renyi = new RenyiEntropy(alpha);
    // Balanced: 10 classes of 10 samples: log2 10 at every order.
    int[] balanced = new int[100];
    for (int i = 0; i < 100; i++) {
      balanced[i] = i % 10;
    }
    assertThat(renyi.entropy(KernelMatrix.labels(balanced, 10, 0.1)))
        .isCloseTo(Math.log(10) / LOG2, within(ENTROPY_TOL));

    // Unbalanced: counts 40, 30, 20, 10 (one unused class 4), in a scrambled order.
    int[] counts = {40, 30, 20, 10, 0};
    int[] labels = new int[100];
    int pos = 0;
    for (int c = 0; c < counts.length; c++) {
      for (int k = 0; k < counts[c]; k++) {
        labels[pos++] = c;
      }
    }
    labels = TestData.permute(labels, TestData.permutation(new Random(47), 100));
    double sum = 0.0;
    double shannon = 0.0;
    for (int c : counts) {
      if (c > 0) {
        double p = c / 100.0;
        sum += Math.pow(p, alpha);
        shannon -= p * Math.log(p) / LOG2;
      }
    }
    double closedForm = alpha == 1.0 ? shannon : Math.log(sum) / LOG2 / (1.0 - alpha);
    assertThat(renyi.entropy(KernelMatrix.labels(labels, 5, 0.1))).isCloseTo(closedForm, within(ENTROPY_TOL));
    if (alpha == 1.0) {
      // −(0.4 log2 0.4 + 0.3 log2 0.3 + 0.2 log2 0.2 + 0.1 log2 0.1) = 1.846439344671015 bits.
      assertThat(renyi.entropy(KernelMatrix.labels(labels, 5, 0.1))).isCloseTo(1.846439344671015, within(ENTROPY_TOL));
    }
  }

  /** Property 9: the α = 2 fast path equals −log2 Σ λ² of the reference eigenvalues. */
  @Test
  void alphaTwoFastPathEqualsTheEigenvalueRoute() {
    Random random = new Random(48);
    RenyiEntropy two = new RenyiEntropy(2.0);
    for (double sigma : new double[] {0.7, 2.0, 6.0}) {
      double[][] k = randomKernel(random, 60, 5, sigma);
      double sumSquares = 0.0;
      for (double l : ReferenceRenyi.jacobiEigenvalues(ReferenceRenyi.normalise(k))) {
        sumSquares += l * l;
      }
      assertThat(two.entropy(km(k))).isCloseTo(-Math.log(sumSquares) / LOG2, within(ENTROPY_TOL));
    }
  }

  /** α = 1 is the exact von Neumann form, the limit of α → 1 from both sides. */
  @Test
  void vonNeumannIsTheLimitOfAlphaToOne() {
    double[][] k = randomKernel(new Random(49), 60, 4, 2.5);
    double s1 = new RenyiEntropy(1.0).entropy(km(k));
    double vonNeumann = 0.0;
    for (double l : ReferenceRenyi.jacobiEigenvalues(ReferenceRenyi.normalise(k))) {
      if (l > 0) {
        vonNeumann -= l * Math.log(l) / LOG2;
      }
    }
    assertThat(s1).isCloseTo(vonNeumann, within(ENTROPY_TOL));
    assertThat(new RenyiEntropy(1.0 - 1e-6).entropy(km(k))).isCloseTo(s1, within(LIMIT_TOL));
    assertThat(new RenyiEntropy(1.0 + 1e-6).entropy(km(k))).isCloseTo(s1, within(LIMIT_TOL));
    // and the order matters at all: S_α is strictly decreasing in α for a non-uniform spectrum
    assertThat(new RenyiEntropy(2.0).entropy(km(k))).isLessThan(s1 - 0.01);
  }

  @org.junit.jupiter.api.Test
  void anEigenvalueOffsetCountsEveryEigenvalue() {
    // A = I/N has N eigenvalues 1/N; with ε added to each (SolidusAbi/IPDL):
    // S_1 = −N·(1/N + ε)·log2(1/N + ε), and S_2 = −log2(N·(1/N + ε)²).
    int n = 50;
    double eps = 1e-8;
    double[] id = new double[n * n];
    for (int i = 0; i < n; i++) {
      id[i * n + i] = 1.0;
    }
    KernelMatrix k = KernelMatrix.of(n, id);
    double l = 1.0 / n + eps;
    org.assertj.core.api.Assertions.assertThat(new RenyiEntropy(1.0, eps).entropy(k))
        .isCloseTo(-n * l * Math.log(l) / Math.log(2), org.assertj.core.api.Assertions.within(1e-12));
    org.assertj.core.api.Assertions.assertThat(new RenyiEntropy(2.0, eps).entropy(k))
        .isCloseTo(-Math.log(n * l * l) / Math.log(2), org.assertj.core.api.Assertions.within(1e-12));
    // A rank-one A = 11ᵀ/N: one eigenvalue 1 and N − 1 zeros, each of which now adds −ε·log2 ε.
    double[] ones = new double[n * n];
    java.util.Arrays.fill(ones, 1.0);
    double expected = -(1 + eps) * Math.log(1 + eps) / Math.log(2) - (n - 1) * eps * Math.log(eps) / Math.log(2);
    org.assertj.core.api.Assertions.assertThat(new RenyiEntropy(1.0, eps).entropy(KernelMatrix.of(n, ones)))
        .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-9));
  }
}
