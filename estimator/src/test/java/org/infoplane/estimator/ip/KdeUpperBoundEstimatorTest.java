package org.infoplane.estimator.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel-density upper bound on cases whose value is known in closed form, against a slow
 * direct reference, and on the bounds the construction guarantees.
 */
class KdeUpperBoundEstimatorTest extends InformationPlaneEstimatorContract {

  private static final double LOG2 = Math.log(2.0);
  private static final double S2 = KdeUpperBoundEstimator.DEFAULT_NOISE_VARIANCE;

  @Override
  InformationPlaneEstimator estimator() {
    return InformationPlaneEstimators.kdeUpperBound(S2);
  }

  private static double log2(double v) {
    return Math.log(v) / LOG2;
  }

  /** Shannon entropy in bits of the distribution proportional to the counts (zeros allowed). */
  private static double entropyOfCounts(int... counts) {
    double n = 0;
    for (int c : counts) {
      n += c;
    }
    double h = 0.0;
    for (int c : counts) {
      if (c > 0) {
        h -= c / n * log2(c / n);
      }
    }
    return h;
  }

  /** Distinct one-dimensional inputs 0 … n−1: H(X) = log2 n. */
  private static double[][] distinctInputs(int n) {
    double[][] x = new double[n][1];
    for (int i = 0; i < n; i++) {
      x[i][0] = i;
    }
    return x;
  }

  private static IpEstimate estimate(double variance, double[][] t, int[] y, int classes) {
    return InformationPlaneEstimators.kdeUpperBound(variance)
        .estimate(IpBatch.of(TestData.nd(distinctInputs(t.length)), TestData.nd(t), y, classes), none());
  }

  // ---- 1. one point: a single Gaussian --------------------------------------------------------

  @Test
  void identicalPointsCarryNoInformationAndHaveTheNoisesEntropy() {
    int n = 20;
    int d = 5;
    double[][] t = new double[n][d];
    for (double[] row : t) {
      for (int f = 0; f < d; f++) {
        row[f] = 0.3 * f - 1.7;
      }
    }
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 4;
    }
    IpBatch batch = IpBatch.of(TestData.nd(distinctInputs(n)), TestData.nd(t), y, 4);
    KdeUpperBoundEstimator kde = InformationPlaneEstimators.kdeUpperBound(S2);
    IpEstimate e = kde.estimate(batch, none());
    // every row sum is exactly N (and N_y within a class): the bounds are exactly 0
    assertThat(e.iXT()).isZero();
    assertThat(e.hT()).isZero();
    assertThat(e.iTY()).isZero();
    assertThat(e.hY()).isCloseTo(2.0, within(BITS_TOL));
    assertThat(e.hX()).isCloseTo(log2(n), within(BITS_TOL));
    assertThat(e.sigmaT()).isEmpty();
    // The mixture is one Gaussian N(t, s²·I) in d dimensions: h = d/2·log2(2πe·s²).
    double gaussian = d / 2.0 * log2(2.0 * Math.PI * Math.E * S2);
    assertThat(kde.entropyUpperBound(batch)).isCloseTo(gaussian, within(BITS_TOL));
    assertThat(kde.noiseEntropy(d)).isCloseTo(gaussian, within(BITS_TOL));
  }

  // ---- 2. far apart: log2 N -------------------------------------------------------------------

  @Test
  void pointsFarApartGiveLog2NAndTheLabelsWholeEntropy() {
    // Pairwise distances ≥ 7 > 20·s (s = 0.316): each cross term is below exp(−245) ≈ 1e−107.
    int n = 16;
    double[][] t = new double[n][3];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      t[i][0] = 7.0 * i;
      t[i][1] = 7.0 * (i % 3);
      t[i][2] = -3.0;
      y[i] = i < 9 ? 0 : (i < 13 ? 1 : 2);
    }
    IpEstimate e = estimate(S2, t, y, 3);
    assertThat(e.iXT()).isCloseTo(4.0, within(BITS_TOL));
    assertThat(e.hT()).isCloseTo(4.0, within(BITS_TOL));
    // Each class's samples are far apart too: Ĥ(T|y) = log2 N_y, so I(T;Y) = log2 N − Σ p_y log2 N_y = H(Y).
    assertThat(e.iTY()).isCloseTo(entropyOfCounts(9, 4, 3), within(BITS_TOL));
    assertThat(e.hY()).isCloseTo(entropyOfCounts(9, 4, 3), within(BITS_TOL));
  }

  // ---- 3. separated clusters: the plug-in entropies of the clusters ---------------------------

  /** Cluster c's points all sit at one centre, the centres 10 apart (≫ s), in 3 dimensions. */
  private static double[][] clusters(int[] cluster) {
    double[][] t = new double[cluster.length][3];
    for (int i = 0; i < cluster.length; i++) {
      t[i][0] = 10.0 * cluster[i];
      t[i][1] = 0.5;
      t[i][2] = 10.0 * (cluster[i] % 2);
    }
    return t;
  }

  private static int[] clusterOfEachSample(int[] sizes) {
    int n = 0;
    for (int s : sizes) {
      n += s;
    }
    int[] c = new int[n];
    int pos = 0;
    for (int k = 0; k < sizes.length; k++) {
      for (int m = 0; m < sizes[k]; m++) {
        c[pos++] = k;
      }
    }
    return c;
  }

  @Test
  void separatedClustersGiveTheEntropyOfTheirSizes() {
    int[] sizes = {5, 3, 8, 2, 6};
    int[] cluster = clusterOfEachSample(sizes);
    double hC = entropyOfCounts(sizes);
    // Labels = clusters: I(T;Y) = H(Y) = H(C).
    IpEstimate e = estimate(S2, clusters(cluster), cluster, sizes.length);
    assertThat(e.iXT()).isCloseTo(hC, within(BITS_TOL));
    assertThat(e.hT()).isCloseTo(hC, within(BITS_TOL));
    assertThat(e.iTY()).isCloseTo(hC, within(BITS_TOL));
    assertThat(e.hY()).isCloseTo(hC, within(BITS_TOL));
  }

  @Test
  void labelsBalancedWithinEveryClusterCarryNothing() {
    // Every cluster holds equal numbers of the two classes: within class y the clusters have the
    // same proportions as overall, so Ĥ(T|y) = H(C) for both classes and I(T;Y) = H(C) − H(C) = 0.
    int[] sizes = {4, 6, 2, 8};
    int[] cluster = clusterOfEachSample(sizes);
    int[] y = new int[cluster.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = i % 2; // clusters start at even positions and have even sizes
    }
    IpEstimate e = estimate(S2, clusters(cluster), y, 2);
    assertThat(e.iXT()).isCloseTo(entropyOfCounts(sizes), within(BITS_TOL));
    assertThat(e.iTY()).isCloseTo(0.0, within(BITS_TOL));
    assertThat(e.hY()).isCloseTo(1.0, within(BITS_TOL));
  }

  @Test
  void separatedClustersGiveThePlugInInformationOfClusterAndLabel() {
    // counts[c][y]: with the clusters far apart, Ĥ(T) = H(C) and Ĥ(T|y) = H(C | Y = y), so
    // I(T;Y) = H(C) − Σ_y p(y)·H(C | Y = y), the plug-in I(C;Y) of the table.
    int[][] counts = {{3, 1, 0}, {0, 4, 2}, {2, 2, 2}, {1, 0, 5}};
    int n = 0;
    for (int[] row : counts) {
      for (int v : row) {
        n += v;
      }
    }
    int[] cluster = new int[n];
    int[] y = new int[n];
    int pos = 0;
    for (int c = 0; c < counts.length; c++) {
      for (int k = 0; k < 3; k++) {
        for (int m = 0; m < counts[c][k]; m++) {
          cluster[pos] = c;
          y[pos++] = k;
        }
      }
    }
    int[] clusterSizes = new int[counts.length];
    int[] classSizes = new int[3];
    for (int c = 0; c < counts.length; c++) {
      for (int k = 0; k < 3; k++) {
        clusterSizes[c] += counts[c][k];
        classSizes[k] += counts[c][k];
      }
    }
    double conditional = 0.0;
    for (int k = 0; k < 3; k++) {
      int[] column = new int[counts.length];
      for (int c = 0; c < counts.length; c++) {
        column[c] = counts[c][k];
      }
      conditional += classSizes[k] / (double) n * entropyOfCounts(column);
    }
    double hC = entropyOfCounts(clusterSizes);
    // The inputs are the cluster ids, so equal inputs have equal activations: H(X) = H(C).
    double[][] x = new double[n][1];
    for (int i = 0; i < n; i++) {
      x[i][0] = cluster[i];
    }
    IpEstimate e = estimator().estimate(IpBatch.of(TestData.nd(x), TestData.nd(clusters(cluster)), y, 3), none());
    assertThat(e.iXT()).isCloseTo(hC, within(BITS_TOL));
    assertThat(e.hX()).isCloseTo(hC, within(BITS_TOL));
    assertThat(e.iTY()).isCloseTo(hC - conditional, within(BITS_TOL));
    assertThat(e.hY()).isCloseTo(entropyOfCounts(classSizes), within(BITS_TOL));
  }

  // ---- 4. two points --------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(doubles = {0.0, 0.05, 0.2, 0.447, 0.8, 1.5, 3.0})
  void twoPointsAtDistanceD(double dist) {
    // Each row sum is 1 + k with k = exp(−D²/(2s²)): I(X;T) = −(1/2)·2·ln((1 + k)/2) nats,
    // that is 1 − log2(1 + k) bits.
    double k = Math.exp(-dist * dist / (2.0 * S2));
    double expected = 1.0 - log2(1.0 + k);
    double[][] t = {{0.25, -dist / Math.sqrt(2.0)}, {0.25 + dist / Math.sqrt(2.0), 0.0}};
    IpEstimate apart = estimate(S2, t, new int[] {0, 1}, 2);
    assertThat(apart.iXT()).isCloseTo(expected, within(BITS_TOL));
    // one sample per class: Ĥ(T|y) = 0, so I(T;Y) = I(X;T)
    assertThat(apart.iTY()).isCloseTo(expected, within(BITS_TOL));
    IpEstimate together = estimate(S2, t, new int[] {1, 1}, 2);
    assertThat(together.iXT()).isCloseTo(expected, within(BITS_TOL));
    // one class: Ĥ(T|y) = Ĥ(T)
    assertThat(together.iTY()).isCloseTo(0.0, within(BITS_TOL));
  }

  @Test
  void theNoiseVarianceSetsTheScale() {
    // D = 0.1 with s² = 0.01: k = exp(−0.5).
    double[][] t = {{0.0}, {0.1}};
    double expected = 1.0 - log2(1.0 + Math.exp(-0.5));
    IpEstimate e = InformationPlaneEstimators.byName("kde-upper-0.01", RenyiSettings.defaults())
        .estimate(IpBatch.of(TestData.nd(distinctInputs(2)), TestData.nd(t), new int[] {0, 1}, 2), none());
    assertThat(e.iXT()).isCloseTo(expected, within(BITS_TOL));
  }

  // ---- 5. a slow reference, and the bounds ----------------------------------------------------

  /**
   * The bound on h(T + Z) in nats, written out: direct differences, plain sums of exponentials, no
   * log-sum-exp.
   */
  private static double slowEntropyNats(double[][] t, double s2) {
    int n = t.length;
    int d = t[0].length;
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
      double mean = 0.0;
      for (int j = 0; j < n; j++) {
        double sq = 0.0;
        for (int f = 0; f < d; f++) {
          double diff = t[i][f] - t[j][f];
          sq += diff * diff;
        }
        mean += Math.exp(-sq / (2.0 * s2)) / n;
      }
      sum += Math.log(mean);
    }
    return d / 2.0 * Math.log(2.0 * Math.PI * Math.E * s2) - sum / n;
  }

  private static double[][] rowsOfClass(double[][] t, int[] y, int c) {
    return java.util.stream.IntStream.range(0, y.length).filter(i -> y[i] == c).mapToObj(i -> t[i])
        .toArray(double[][]::new);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.01, 0.1, 1.0})
  void agreesWithTheSlowReference(double s2) {
    Random random = new Random(7001);
    for (int trial = 0; trial < 4; trial++) {
      int n = 30 + 7 * trial;
      int[] y = TestData.labels(random, n, 3);
      double[][] t = TestData.clustered(random, y, 3, 12, 1.0);
      for (double[] row : t) {
        for (int f = 0; f < row.length; f++) {
          row[f] *= 0.15 * (trial + 1); // from heavy overlap to almost none at s² = 0.01
        }
      }
      double hT = slowEntropyNats(t, s2);
      double noise = 12 / 2.0 * Math.log(2.0 * Math.PI * Math.E * s2);
      double conditional = 0.0;
      for (int c = 0; c < 3; c++) {
        double[][] tc = rowsOfClass(t, y, c);
        if (tc.length > 0) {
          conditional += tc.length / (double) n * slowEntropyNats(tc, s2);
        }
      }
      // T as a 3 × 2 × 2 convolutional tensor: the bound sees the flattened samples
      IpBatch batch = IpBatch.of(TestData.nd(TestData.gaussian(random, n, 4, 1.0)), TestData.nd(t, n, 3, 2, 2), y, 3);
      KdeUpperBoundEstimator kde = InformationPlaneEstimators.kdeUpperBound(s2);
      IpEstimate e = kde.estimate(batch, none());
      String what = "s2 " + s2 + " trial " + trial;
      assertThat(e.iXT()).as(what).isCloseTo((hT - noise) / LOG2, within(BITS_TOL));
      assertThat(e.hT()).as(what).isCloseTo((hT - noise) / LOG2, within(BITS_TOL));
      assertThat(e.iTY()).as(what).isCloseTo((hT - conditional) / LOG2, within(BITS_TOL));
      assertThat(kde.entropyUpperBound(batch)).as(what).isCloseTo(hT / LOG2, within(BITS_TOL));
    }
  }

  @Test
  void boundsTheConstructionGuarantees() {
    // Every row sum lies in [1, N]: 0 ≤ I(X;T) ≤ log2 N. Each class's row sum is part of the
    // whole row's: I(T;Y) ≤ H(Y) and I(T;Y) ≤ I(X;T). Equal inputs have equal activations here, so
    // I(X;T) ≤ H(X). (I(T;Y) ≥ 0 is not implied by the construction, and not asserted here.)
    Random random = new Random(7002);
    for (int trial = 0; trial < 20; trial++) {
      int n = 10 + random.nextInt(50);
      int classes = 1 + random.nextInt(4);
      int[] y = TestData.labels(random, n, classes);
      int inputs = 1 + random.nextInt(n);
      int[] input = TestData.labels(random, n, inputs);
      double[][] means = TestData.gaussian(random, inputs, 6, 0.2 + random.nextDouble());
      double[][] x = new double[n][1];
      double[][] t = new double[n][];
      for (int i = 0; i < n; i++) {
        x[i][0] = input[i];
        t[i] = means[input[i]];
      }
      IpEstimate e = estimator().estimate(IpBatch.of(TestData.nd(x), TestData.nd(t), y, classes), none());
      String what = "trial " + trial;
      assertThat(e.iXT()).as(what).isBetween(0.0, log2(n) + BITS_TOL);
      assertThat(e.iXT()).as(what).isLessThanOrEqualTo(e.hX() + BITS_TOL);
      assertThat(e.iTY()).as(what).isLessThanOrEqualTo(e.hY() + BITS_TOL);
      assertThat(e.iTY()).as(what).isLessThanOrEqualTo(e.iXT() + BITS_TOL);
      assertThat(e.hT()).as(what).isEqualTo(e.iXT());
    }
  }

  // ---- 6. names -------------------------------------------------------------------------------

  @Test
  void namesCarryTheNoiseVarianceAndReadBack() {
    InformationPlaneEstimator plain = InformationPlaneEstimators.byName("kde-upper", RenyiSettings.defaults());
    assertThat(plain.name()).isEqualTo("kde-upper-0.1");
    assertThat(((KdeUpperBoundEstimator) plain).noiseVariance()).isEqualTo(0.1);
    InformationPlaneEstimator small = InformationPlaneEstimators.byName(" KDE-Upper-0.01 ", RenyiSettings.defaults());
    assertThat(((KdeUpperBoundEstimator) small).noiseVariance()).isEqualTo(0.01);
    assertThat(small.name()).isEqualTo("kde-upper-0.01");
    assertThat(InformationPlaneEstimators.byName("kde-upper-1e-3", RenyiSettings.defaults()).name())
        .isEqualTo("kde-upper-0.001");
    assertThat(InformationPlaneEstimators.kdeUpperBound(2.0).name()).isEqualTo("kde-upper-2");
    for (String name : new String[] {"kde-upper-0.1", "kde-upper-0.001", "kde-upper-2", "kde-upper-0.25"}) {
      assertThat(InformationPlaneEstimators.byName(name, RenyiSettings.defaults()).name()).isEqualTo(name);
    }
  }

  @Test
  void badVariancesAreNamed() {
    assertThatThrownBy(() -> InformationPlaneEstimators.byName("kde-upper-0", RenyiSettings.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("estimator 'kde-upper-0': the noise variance must be finite and > 0, got 0");
    assertThatThrownBy(() -> InformationPlaneEstimators.byName("kde-upper--1", RenyiSettings.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("estimator 'kde-upper--1': the noise variance must be finite and > 0, got -1");
    assertThatThrownBy(() -> InformationPlaneEstimators.byName("kde-upper-abc", RenyiSettings.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("estimator 'kde-upper-abc': the noise variance 'abc' is not a number"
            + " (expected kde-upper-VARIANCE, e.g. kde-upper-0.1)");
    assertThatThrownBy(() -> InformationPlaneEstimators.byName("kde-upper-", RenyiSettings.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the noise variance '' is not a number");
    assertThatThrownBy(() -> InformationPlaneEstimators.byName("kde-upper-1e999", RenyiSettings.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("estimator 'kde-upper-1e999': the noise variance must be finite and > 0, got 1e999");
    assertThatThrownBy(() -> InformationPlaneEstimators.byName("kde-lower", RenyiSettings.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown estimator 'kde-lower'")
        .hasMessageContaining("kde-upper or kde-upper-VARIANCE");
    assertThatThrownBy(() -> InformationPlaneEstimators.kdeUpperBound(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the kde-upper estimator needs a noise variance that is finite and > 0, got NaN");
  }
}
