package org.infoplane.estimator.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.OptionalDouble;
import java.util.Random;
import org.infoplane.estimator.matrix.DistancePrecision;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;

/**
 * What every {@link InformationPlaneEstimator} guarantees, whatever its family: a dead layer is a
 * valid input with zero information, the information plane's bounds hold, and a common
 * permutation of X, T and Y changes nothing. One small subclass per implementation.
 */
abstract class InformationPlaneEstimatorContract {

  /** Round-off slack in bits, with double-precision distances. */
  static final double BITS_TOL = 1e-9;

  /**
   * Slack in bits with single-precision Gram products: the bound that
   * {@link DistancePrecision#FLOAT32} is held to, against the same double-precision references.
   */
  static final double FLOAT32_BITS_TOL = 1e-6;

  abstract InformationPlaneEstimator estimator();

  /** The settings of the estimator under test; subclasses for single precision override this. */
  RenyiSettings settings() {
    return RenyiSettings.defaults().withDistancePrecision(DistancePrecision.FLOAT64);
  }

  /**
   * The relative slack of a width: single-precision distances move the alignment grid (whose top is
   * 10·mean distance) by their rounding, never to another grid point.
   */
  double sigmaRelTol() {
    return settings().distancePrecision() == DistancePrecision.FLOAT32 ? 1e-6 : 1e-9;
  }

  /** The slack in bits of the settings' distance precision. */
  double bitsTol() {
    return settings().distancePrecision() == DistancePrecision.FLOAT32 ? FLOAT32_BITS_TOL : BITS_TOL;
  }

  /** Runs the two-pass lifecycle on one batch: width, then estimate. */
  IpEstimate run(IpBatch batch) {
    InformationPlaneEstimator e = estimator();
    return e.estimate(batch, e.selectWidth(batch));
  }

  private static IpBatch randomBatch(long seed, double[][] t) {
    Random random = new Random(seed);
    int n = t.length;
    int[] y = TestData.labels(random, n, 3);
    double[][] x = TestData.gaussian(random, n, 20, 1.0);
    return IpBatch.of(TestData.nd(x), TestData.nd(t, n, 8, 2, 2), y, 3);
  }

  @Test
  void deadLayerHasZeroInformationAndNoWidth() {
    int n = 40;
    IpBatch batch = randomBatch(81, new double[n][32]);
    IpEstimate e = run(batch);
    assertThat(estimator().selectWidth(batch)).isEmpty();
    assertThat(e.sigmaT()).isEmpty();
    assertThat(e.hT()).isCloseTo(0.0, within(bitsTol()));
    assertThat(e.iXT()).isCloseTo(0.0, within(bitsTol()));
    assertThat(e.iTY()).isCloseTo(0.0, within(bitsTol()));
    assertThat(e.hX()).isFinite().isGreaterThan(0.0);
    assertThat(e.hY()).isFinite().isGreaterThan(0.0);
  }

  @Test
  void informationIsBoundedByTheEntropies() {
    Random random = new Random(82);
    int n = 50;
    IpEstimate e = run(randomBatch(83, TestData.gaussian(random, n, 32, 1.0)));
    double log2n = Math.log(n) / Math.log(2.0);
    for (double h : new double[] {e.hX(), e.hT(), e.hY()}) {
      assertThat(h).isBetween(0.0, log2n + bitsTol());
    }
    assertThat(e.iXT()).isBetween(-bitsTol(), Math.min(e.hX(), e.hT()) + bitsTol());
    assertThat(e.iTY()).isBetween(-bitsTol(), Math.min(e.hT(), e.hY()) + bitsTol());
  }

  @Test
  void commonPermutationOfXTAndYChangesNothing() {
    Random random = new Random(84);
    int n = 50;
    int[] y = TestData.labels(random, n, 3);
    double[][] x = TestData.gaussian(random, n, 20, 1.0);
    double[][] t = TestData.clustered(random, y, 3, 32, 1.0);
    int[] perm = TestData.permutation(random, n);
    IpEstimate a = run(IpBatch.of(TestData.nd(x), TestData.nd(t, n, 8, 2, 2), y, 3));
    IpEstimate b = run(IpBatch.of(TestData.nd(TestData.permuteRows(x, perm)),
        TestData.nd(TestData.permuteRows(t, perm), n, 8, 2, 2), TestData.permute(y, perm), 3));
    assertSameEstimate(b, a);
  }

  void assertSameEstimate(IpEstimate got, IpEstimate expected) {
    assertThat(got.hX()).isCloseTo(expected.hX(), within(bitsTol()));
    assertThat(got.hT()).isCloseTo(expected.hT(), within(bitsTol()));
    assertThat(got.hY()).isCloseTo(expected.hY(), within(bitsTol()));
    assertThat(got.iXT()).isCloseTo(expected.iXT(), within(bitsTol()));
    assertThat(got.iTY()).isCloseTo(expected.iTY(), within(bitsTol()));
    assertThat(got.sigmaT().isPresent()).isEqualTo(expected.sigmaT().isPresent());
    if (expected.sigmaT().isPresent()) {
      assertThat(got.sigmaT().getAsDouble()).isCloseTo(expected.sigmaT().getAsDouble(),
          within(sigmaRelTol() * expected.sigmaT().getAsDouble()));
    }
  }

  static OptionalDouble none() {
    return OptionalDouble.empty();
  }
}
