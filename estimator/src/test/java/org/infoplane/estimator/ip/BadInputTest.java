package org.infoplane.estimator.ip;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalDouble;
import java.util.Random;
import org.infoplane.estimator.batch.BatchPlan;
import org.infoplane.estimator.matrix.KernelMatrix;
import org.infoplane.estimator.matrix.RenyiEntropy;
import org.infoplane.estimator.matrix.SquaredDistances;
import org.infoplane.estimator.reference.TestData;
import org.infoplane.estimator.width.KernelWidthRules;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Misuse fails at the boundary with a message that says what is wrong and where. */
class BadInputTest {

  private static final Random RANDOM = new Random(111);

  private static INDArray dense(int n, int d) {
    return TestData.nd(TestData.gaussian(RANDOM, n, d, 1.0));
  }

  @Test
  void fewerThanTwoSamples() {
    assertThatThrownBy(() -> SquaredDistances.of(dense(1, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("at least 2 samples are needed, got 1");
    assertThatThrownBy(() -> IpBatch.of(dense(1, 3), dense(1, 2), new int[] {0}, 2))
        .hasMessage("at least 2 samples are needed, got 1");
    assertThatThrownBy(() -> KernelMatrix.labels(new int[] {0}, 2, 0.1))
        .hasMessage("at least 2 samples are needed, got 1");
  }

  @Test
  void sampleCountsThatDifferAreNamed() {
    assertThatThrownBy(() -> IpBatch.of(dense(10, 3), dense(9, 3), new int[10], 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sample counts differ: X has 10, T has 9, Y has 10");
    assertThatThrownBy(() -> IpBatch.of(dense(10, 3), dense(10, 3), new int[12], 2))
        .hasMessage("sample counts differ: X has 10, T has 10, Y has 12");
    RenyiTensorKernelEstimator e = InformationPlaneEstimators.tensorKernel(RenyiSettings.defaults());
    assertThatThrownBy(() -> e.prepareInputs(SquaredDistances.of(dense(8, 2)), new int[7], 2))
        .hasMessage("sample counts differ: X has 8, Y has 7");
    RenyiTensorKernelEstimator.InputTerms in = e.prepareInputs(SquaredDistances.of(dense(8, 2)), new int[8], 2);
    assertThatThrownBy(() -> e.estimate(in, SquaredDistances.of(dense(6, 2)), OptionalDouble.of(1.0)))
        .hasMessage("sample counts differ: X has 8, T has 6");
    assertThatThrownBy(() -> IpBatch.cut(dense(6, 2), dense(6, 2), new int[6], 2, new long[5],
        BatchPlan.sorted(2)))
        .hasMessage("sample counts differ: 5 sample ids for 6 samples");
  }

  @Test
  void nonFiniteValuesNameTheArraySampleAndFeature() {
    double[][] x = TestData.gaussian(RANDOM, 6, 9, 1.0);
    x[3][7] = Double.NaN;
    assertThatThrownBy(() -> SquaredDistances.of(TestData.nd(x)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("non-finite value NaN at sample 3, feature 7");
    assertThatThrownBy(() -> IpBatch.of(TestData.nd(x), dense(6, 2), new int[6], 2))
        .hasMessage("X: non-finite value NaN at sample 3, feature 7");

    // A 4-D T of shape 5 × 2 × 3 × 4: channel 1, row 0, column 2 is flat feature 1·12 + 0·4 + 2 = 14.
    double[][] t = TestData.gaussian(RANDOM, 5, 24, 1.0);
    t[2][14] = Double.NEGATIVE_INFINITY;
    INDArray t4 = TestData.nd(t, 5, 2, 3, 4);
    assertThatThrownBy(() -> IpBatch.of(dense(5, 3), t4, new int[5], 2))
        .hasMessage("T: non-finite value -Infinity at sample 2, feature 14 (position [1, 0, 2] of a sample of shape [2, 3, 4])");
    // the same in single precision
    assertThatThrownBy(() -> SquaredDistances.of(t4.castTo(DataType.FLOAT)))
        .hasMessageContaining("non-finite value -Infinity at sample 2, feature 14 (position [1, 0, 2]");
    double[][] inf = TestData.gaussian(RANDOM, 4, 3, 1.0);
    inf[0][0] = Double.POSITIVE_INFINITY;
    assertThatThrownBy(() -> SquaredDistances.of(TestData.nd(inf)))
        .hasMessage("non-finite value Infinity at sample 0, feature 0");
  }

  @Test
  void labelsOutsideTheClassRange() {
    assertThatThrownBy(() -> IpBatch.of(dense(5, 2), dense(5, 2), new int[] {0, 1, 2, 0, -1}, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Y: label -1 of sample 4 is outside [0, 3)");
    assertThatThrownBy(() -> IpBatch.of(dense(5, 2), dense(5, 2), new int[] {0, 3, 2, 0, 1}, 3))
        .hasMessage("Y: label 3 of sample 1 is outside [0, 3)");
    assertThatThrownBy(() -> KernelMatrix.labels(new int[] {0, 1, 10}, 10, 0.1))
        .hasMessage("label 10 of sample 2 is outside [0, 10)");
    assertThatThrownBy(() -> IpBatch.of(dense(2, 2), dense(2, 2), new int[] {0, 0}, 0))
        .hasMessage("the number of classes must be >= 1, got 0");
  }

  @Test
  void alphaMustBePositive() {
    assertThatThrownBy(() -> new RenyiEntropy(0.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("alpha must be > 0 and finite, got 0.0");
    assertThatThrownBy(() -> new RenyiEntropy(-1.5)).hasMessage("alpha must be > 0 and finite, got -1.5");
    assertThatThrownBy(() -> new RenyiEntropy(Double.NaN)).hasMessage("alpha must be > 0 and finite, got NaN");
    assertThatThrownBy(() -> RenyiSettings.defaults().withAlpha(0.0)).hasMessage("alpha must be > 0 and finite, got 0.0");
  }

  @Test
  void sigmaMustBePositive() {
    assertThatThrownBy(() -> KernelMatrix.gaussian(SquaredDistances.of(dense(4, 2)), 0.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sigma must be > 0 and finite, got 0.0");
    assertThatThrownBy(() -> KernelMatrix.gaussian(SquaredDistances.of(dense(4, 2)), -2.0))
        .hasMessage("sigma must be > 0 and finite, got -2.0");
    assertThatThrownBy(() -> KernelMatrix.labels(new int[] {0, 1}, 2, 0.0))
        .hasMessage("sigmaY must be > 0 and finite, got 0.0");
    assertThatThrownBy(() -> RenyiSettings.defaults().withSigmaX(-1.0))
        .hasMessage("sigmaX must be > 0 and finite, got -1.0");
    assertThatThrownBy(() -> RenyiSettings.defaults().withSigmaY(0.0))
        .hasMessage("sigmaY must be > 0 and finite, got 0.0");
    assertThatThrownBy(() -> KernelWidthRules.fixed(-3.0))
        .hasMessage("fixed sigma must be > 0 and finite, got -3.0");
  }

  @Test
  void unknownNames() {
    assertThatThrownBy(() -> KernelWidthRules.parse("silvermann"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown kernel width rule 'silvermann': expected alignment[:GRID], fixed:SIGMA, median, knn[:K] or silverman[:GAMMA]");
    assertThatThrownBy(() -> InformationPlaneEstimators.byName("renyi-tensr", RenyiSettings.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown estimator 'renyi-tensr': expected renyi-tensor, renyi-multivariate, binning, binning-BINS, kde-upper or kde-upper-VARIANCE");
    assertThatThrownBy(() -> InformationPlaneEstimators.byName("binning-x", RenyiSettings.defaults()))
        .hasMessageContaining("unknown estimator 'binning-x'");
    assertThatThrownBy(() -> InformationPlaneEstimators.byName("binning-1", RenyiSettings.defaults()))
        .hasMessage("the binning estimator needs >= 2 bins, got 1");
  }

  @Test
  void nearestNeighbourRuleNeedsKBelowN() {
    IpBatch batch = IpBatch.of(dense(10, 3), dense(10, 3), new int[10], 1);
    InformationPlaneEstimator e = InformationPlaneEstimators.tensorKernel(
        RenyiSettings.defaults().withWidthRule(KernelWidthRules.nearestNeighbour(10)));
    assertThatThrownBy(() -> e.selectWidth(batch))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the k-th nearest neighbour width rule needs k < batch size, got k=10 with 10 samples");
  }

  @Test
  void aNonConstantLayerNeedsAWidth() {
    IpBatch batch = IpBatch.of(dense(10, 3), dense(10, 3), new int[10], 1);
    assertThatThrownBy(() -> InformationPlaneEstimators.tensorKernel(RenyiSettings.defaults())
        .estimate(batch, OptionalDouble.empty()))
        .hasMessage("a kernel width for T is needed: the layer is not constant");
  }
}
