package org.infoplane.estimator.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.OptionalDouble;
import java.util.Random;
import org.infoplane.estimator.reference.ReferenceRenyi;
import org.infoplane.estimator.reference.TestData;
import org.infoplane.estimator.width.KernelWidthRules;
import org.junit.jupiter.api.Test;

/**
 * The multivariate per-channel estimator: equal to the tensor kernel with a common width (property
 * 8), equal to the reference's product of per-channel kernels with per-channel widths, and
 * saturating at log2 N with many channels (METHOD.md §3).
 */
class RenyiMultivariateEstimatorTest extends InformationPlaneEstimatorContract {

  /** How close to log2 N the saturated entropy gets with 256 channels. */
  static final double SATURATION_TOL = 1e-3;

  private static final double LOG2 = Math.log(2.0);

  @Override
  InformationPlaneEstimator estimator() {
    return InformationPlaneEstimators.multivariate(settings());
  }

  /** Channel c of each sample: entries c·hw … c·hw + hw − 1 of the flattened C × H × W tensor. */
  private static double[][] channel(double[][] flat, int c, int hw) {
    double[][] out = new double[flat.length][hw];
    for (int i = 0; i < flat.length; i++) {
      System.arraycopy(flat[i], c * hw, out[i], 0, hw);
    }
    return out;
  }

  @Test
  void commonWidthGivesExactlyTheTensorKernelEstimate() {
    Random random = new Random(101);
    int n = 40;
    int[] y = TestData.labels(random, n, 3);
    double[][] x = TestData.gaussian(random, n, 12, 0.5);
    double[][] t = TestData.clustered(random, y, 3, 6 * 2 * 2, 1.0);
    IpBatch batch = IpBatch.of(TestData.nd(x), TestData.nd(t, n, 6, 2, 2), y, 3);
    for (double sigma : new double[] {2.0, 4.5, 9.0}) {
      IpEstimate multi = estimator().estimate(batch, OptionalDouble.of(sigma));
      IpEstimate tensor = InformationPlaneEstimators.tensorKernel(settings())
          .estimate(batch, OptionalDouble.of(sigma));
      assertSameEstimate(multi, tensor);
    }
  }

  @Test
  void perChannelWidthsMatchTheReferenceProductOfChannelKernels() {
    Random random = new Random(102);
    int n = 40;
    int c = 5;
    int hw = 3 * 3;
    int[] y = TestData.labels(random, n, 3);
    double[][] x = TestData.gaussian(random, n, 12, 0.5);
    double[][] t = TestData.clustered(random, y, 3, c * hw, 1.0);
    RenyiSettings s = settings();
    IpEstimate got = InformationPlaneEstimators.multivariate(s, KernelWidthRules.median())
        .estimate(IpBatch.of(TestData.nd(x), TestData.nd(t, n, c, 3, 3), y, 3), OptionalDouble.empty());

    double[][] kt = null;
    for (int ch = 0; ch < c; ch++) {
      double[][] d = ReferenceRenyi.squaredDistances(channel(t, ch, hw));
      double[][] k = ReferenceRenyi.gaussianKernel(d, ReferenceRenyi.medianWidth(d));
      kt = kt == null ? k : ReferenceRenyi.hadamard(kt, k);
    }
    double[][] kx = ReferenceRenyi.gaussianKernel(ReferenceRenyi.squaredDistances(x), s.sigmaX());
    double[][] ky = ReferenceRenyi.labelKernel(y, 3, s.sigmaY());
    double a = s.alpha();
    assertThat(got.hT()).isCloseTo(ReferenceRenyi.entropy(kt, a), within(bitsTol()));
    assertThat(got.iXT()).isCloseTo(ReferenceRenyi.mutualInformation(kx, kt, a), within(bitsTol()));
    assertThat(got.iTY()).isCloseTo(ReferenceRenyi.mutualInformation(kt, ky, a), within(bitsTol()));
  }

  @Test
  void denseLayerUnitsAreOneDimensionalChannels() {
    Random random = new Random(103);
    int n = 30;
    int d = 4;
    int[] y = TestData.labels(random, n, 2);
    double[][] x = TestData.gaussian(random, n, 5, 0.5);
    double[][] t = TestData.gaussian(random, n, d, 1.0);
    IpEstimate got = InformationPlaneEstimators.multivariate(settings(), KernelWidthRules.silverman(0.8))
        .estimate(IpBatch.of(TestData.nd(x), TestData.nd(t), y, 2), OptionalDouble.empty());
    double[][] kt = null;
    for (int f = 0; f < d; f++) {
      double[][] k = ReferenceRenyi.gaussianKernel(ReferenceRenyi.squaredDistances(channel(t, f, 1)),
          ReferenceRenyi.silvermanWidth(1, n, 0.8));
      kt = kt == null ? k : ReferenceRenyi.hadamard(kt, k);
    }
    assertThat(got.hT()).isCloseTo(ReferenceRenyi.entropy(kt, settings().alpha()), within(bitsTol()));
  }

  /** With hundreds of per-channel widths A → I/N and S(T) → log2 N; the tensor kernel does not. */
  @Test
  void manyChannelsSaturateWhereTheTensorKernelDoesNot() {
    Random random = new Random(104);
    int n = 50;
    int c = 256;
    int[] y = TestData.labels(random, n, 5);
    double[][] x = TestData.gaussian(random, n, 20, 0.5);
    double[][] t = TestData.clustered(random, y, 5, c * 2 * 2, 3.0);
    IpBatch batch = IpBatch.of(TestData.nd(x), TestData.nd(t, n, c, 2, 2), y, 5);
    double log2n = Math.log(n) / LOG2;

    IpEstimate multi = run(batch);
    assertThat(multi.hT()).isCloseTo(log2n, within(SATURATION_TOL));

    InformationPlaneEstimator tensor = InformationPlaneEstimators.tensorKernel(settings());
    IpEstimate single = tensor.estimate(batch, tensor.selectWidth(batch));
    assertThat(single.hT()).isLessThan(log2n - 1.0);
    double[][] dt = ReferenceRenyi.squaredDistances(t);
    double sigma = ReferenceRenyi.alignmentWidth(dt, ReferenceRenyi.labelKernel(y, 5, 0.1), 300);
    assertThat(single.hT()).isCloseTo(
        ReferenceRenyi.entropy(ReferenceRenyi.gaussianKernel(dt, sigma), settings().alpha()), within(bitsTol()));
  }
}
