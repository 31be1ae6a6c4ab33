package org.infoplane.estimator.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.OptionalDouble;
import java.util.Random;
import org.infoplane.estimator.batch.BatchPlan;
import org.infoplane.estimator.reference.ReferenceRenyi;
import org.infoplane.estimator.reference.TestData;
import org.infoplane.estimator.width.KernelWidthRules;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tensor-kernel estimator end to end against {@link ReferenceRenyi}, and the properties of
 * METHOD.md §6 that concern a whole information-plane point (2, 3, 7).
 */
class RenyiTensorKernelEstimatorTest extends InformationPlaneEstimatorContract {

  private static final double LOG2 = Math.log(2.0);

  @Override
  InformationPlaneEstimator estimator() {
    return InformationPlaneEstimators.tensorKernel(settings());
  }

  /** The reference's information-plane point: alignment width, then the five quantities. */
  private static IpEstimate reference(double[][] x, double[][] t, int[] y, int numClasses, RenyiSettings s, Double fixedSigma) {
    double[][] dx = ReferenceRenyi.squaredDistances(x);
    double[][] dt = ReferenceRenyi.squaredDistances(t);
    double[][] ky = ReferenceRenyi.labelKernel(y, numClasses, s.sigmaY());
    double[][] kx = ReferenceRenyi.gaussianKernel(dx, s.sigmaX());
    double sigma = fixedSigma != null ? fixedSigma : ReferenceRenyi.alignmentWidth(dt, ky, 300);
    double[][] kt = ReferenceRenyi.gaussianKernel(dt, sigma);
    double a = s.alpha();
    return new IpEstimate(ReferenceRenyi.entropy(kx, a), ReferenceRenyi.entropy(kt, a), ReferenceRenyi.entropy(ky, a),
        ReferenceRenyi.mutualInformation(kx, kt, a), ReferenceRenyi.mutualInformation(kt, ky, a), OptionalDouble.of(sigma));
  }

  @Test
  void denseBatchMatchesTheReference() {
    Random random = new Random(91);
    int n = 80;
    int[] y = TestData.labels(random, n, 5);
    double[][] x = TestData.gaussian(random, n, 30, 0.5);
    double[][] t = TestData.clustered(random, y, 5, 16, 1.5);
    IpEstimate got = run(IpBatch.of(TestData.nd(x), TestData.nd(t), y, 5));
    assertSameEstimate(got, reference(x, t, y, 5, settings(), null));
  }

  @Test
  void convolutionalBatchMatchesTheReference() {
    Random random = new Random(92);
    int n = 50;
    int[] y = TestData.labels(random, n, 4);
    double[][] x = TestData.gaussian(random, n, 2 * 4 * 4, 0.5);
    double[][] t = TestData.clustered(random, y, 4, 6 * 3 * 3, 1.0);
    IpBatch batch = IpBatch.of(TestData.nd(x, n, 2, 4, 4), TestData.nd(t, n, 6, 3, 3), y, 4);
    assertSameEstimate(run(batch), reference(x, t, y, 4, settings(), null));
    // other orders, with the width fixed
    for (double alpha : new double[] {1.0, 2.0}) {
      RenyiSettings s = settings().withAlpha(alpha);
      IpEstimate got = InformationPlaneEstimators.tensorKernel(s).estimate(batch, OptionalDouble.of(5.0));
      assertSameEstimate(got, reference(x, t, y, 4, s, 5.0));
    }
  }

  @Test
  void checkpointUsesTheMeanOfTheBatchWidthsForEveryBatch() {
    Random random = new Random(93);
    int total = 95; // three batches of 30, five samples left out
    int[] y = TestData.labels(random, total, 3);
    double[][] x = TestData.gaussian(random, total, 10, 0.5);
    double[][] t = TestData.clustered(random, y, 3, 8, 1.5);
    long[] ids = new long[total];
    int[] perm = TestData.permutation(random, total);
    for (int i = 0; i < total; i++) {
      ids[i] = 1000 + perm[i];
    }
    List<IpBatch> batches = IpBatch.cut(TestData.nd(x), TestData.nd(t), y, 3, ids, BatchPlan.sorted(30));
    assertThat(batches).hasSize(3);

    // reference: rows of batch b are the samples with ids 1000 + 30b … 1000 + 30b + 29
    double[][][] bx = new double[3][30][];
    double[][][] bt = new double[3][30][];
    int[][] by = new int[3][30];
    for (int i = 0; i < total; i++) {
      int rank = perm[i];
      if (rank < 90) {
        bx[rank / 30][rank % 30] = x[i];
        bt[rank / 30][rank % 30] = t[i];
        by[rank / 30][rank % 30] = y[i];
      }
    }
    double meanSigma = 0.0;
    for (int b = 0; b < 3; b++) {
      assertThat(batches.get(b).labels()).containsExactly(by[b]);
      meanSigma += ReferenceRenyi.alignmentWidth(
          ReferenceRenyi.squaredDistances(bt[b]), ReferenceRenyi.labelKernel(by[b], 3, 0.1), 300) / 3.0;
    }
    IpSummary summary = InformationPlane.estimateCheckpoint(estimator(), batches, OptionalDouble.empty());
    assertThat(summary.nBatches()).isEqualTo(3);
    assertThat(summary.sigmaT().getAsDouble()).isCloseTo(meanSigma, within(sigmaRelTol() * meanSigma));
    double[] hT = new double[3];
    double mean = 0.0;
    for (int b = 0; b < 3; b++) {
      hT[b] = reference(bx[b], bt[b], by[b], 3, settings(), meanSigma).hT();
      mean += hT[b] / 3.0;
    }
    double ss = 0.0;
    for (double h : hT) {
      ss += (h - mean) * (h - mean);
    }
    assertThat(summary.hT().mean()).isCloseTo(mean, within(bitsTol()));
    assertThat(summary.hT().std()).isCloseTo(Math.sqrt(ss / 2.0), within(bitsTol()));
  }

  @Test
  void deadLayerThroughACheckpointGivesZerosAndNoWidth() {
    Random random = new Random(94);
    int n = 60;
    int[] y = TestData.labels(random, n, 3);
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i;
    }
    List<IpBatch> batches = IpBatch.cut(TestData.nd(TestData.gaussian(random, n, 5, 1.0)),
        TestData.nd(new double[n][4 * 2 * 2], n, 4, 2, 2), y, 3, ids, BatchPlan.sorted(20));
    IpSummary s = InformationPlane.estimateCheckpoint(estimator(), batches, OptionalDouble.empty());
    assertThat(s.sigmaT()).isEmpty();
    assertThat(s.hT().mean()).isEqualTo(0.0);
    assertThat(s.iXT().mean()).isEqualTo(0.0);
    assertThat(s.iTY().mean()).isEqualTo(0.0);
    assertThat(s.hX().mean()).isPositive();
  }

  /** Property 3: if A_X = I/N, then I(X;T) = S(T). */
  @Test
  void inputKernelAtTheIdentityMakesIxtEqualST() {
    Random random = new Random(95);
    int n = 40;
    double[][] x = new double[n][n];
    for (int i = 0; i < n; i++) {
      x[i][i] = 1000.0; // 1000·√2 apart, σ_X = 8: every off-diagonal of K_X underflows to 0
    }
    int[] y = TestData.labels(random, n, 4);
    double[][] t = TestData.clustered(random, y, 4, 12, 1.0);
    IpEstimate e = run(IpBatch.of(TestData.nd(x), TestData.nd(t), y, 4));
    assertThat(e.hX()).isCloseTo(Math.log(n) / LOG2, within(bitsTol()));
    assertThat(e.iXT()).isCloseTo(e.hT(), within(bitsTol()));
    assertThat(e.hT()).isGreaterThan(0.5);
  }

  /** Property 7: translation and orthogonal transformation of T's features change nothing. */
  @Test
  void invariantUnderTranslationAndRotationOfFeatures() {
    Random random = new Random(96);
    int n = 60;
    int d = 10;
    int[] y = TestData.labels(random, n, 3);
    double[][] x = TestData.gaussian(random, n, 15, 0.5);
    double[][] t = TestData.clustered(random, y, 3, d, 1.5);
    double[][] shifted = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int f = 0; f < d; f++) {
        shifted[i][f] = t[i][f] + 3.0 + f;
      }
    }
    double[][] q = TestData.randomOrthogonal(random, d);
    IpEstimate base = run(IpBatch.of(TestData.nd(x), TestData.nd(t), y, 3));
    assertSameEstimate(run(IpBatch.of(TestData.nd(x), TestData.nd(shifted), y, 3)), base);
    assertSameEstimate(run(IpBatch.of(TestData.nd(x), TestData.nd(TestData.multiply(t, q)), y, 3)), base);
    // and rotating X (σ_X fixed) leaves S(X) and I(X;T) alone too
    double[][] qx = TestData.randomOrthogonal(random, 15);
    assertSameEstimate(run(IpBatch.of(TestData.nd(TestData.multiply(x, qx)), TestData.nd(t), y, 3)), base);
  }

  /** Property 7, the other side: scaling the features with σ held fixed changes the entropy. */
  @Test
  void notInvariantToScalingWithAFixedWidth() {
    Random random = new Random(97);
    int n = 60;
    int[] y = TestData.labels(random, n, 3);
    double[][] x = TestData.gaussian(random, n, 15, 0.5);
    double[][] t = TestData.clustered(random, y, 3, 10, 1.0);
    double[][] scaled = new double[n][];
    for (int i = 0; i < n; i++) {
      scaled[i] = t[i].clone();
      for (int f = 0; f < scaled[i].length; f++) {
        scaled[i][f] *= 3.0;
      }
    }
    RenyiTensorKernelEstimator e = InformationPlaneEstimators.tensorKernel(
        settings().withWidthRule(KernelWidthRules.fixed(5.0)));
    IpBatch a = IpBatch.of(TestData.nd(x), TestData.nd(t), y, 3);
    IpBatch b = IpBatch.of(TestData.nd(x), TestData.nd(scaled), y, 3);
    double hA = e.estimate(a, e.selectWidth(a)).hT();
    double hB = e.estimate(b, e.selectWidth(b)).hT();
    assertThat(hB - hA).isGreaterThan(0.5);
    assertThat(hA).isCloseTo(reference(x, t, y, 3, e.settings(), 5.0).hT(), within(bitsTol()));
    assertThat(hB).isCloseTo(reference(x, scaled, y, 3, e.settings(), 5.0).hT(), within(bitsTol()));
  }

  @Test
  void cutKeepsEachSamplesRowsTogether() {
    int n = 9;
    double[][] x = new double[n][2];
    double[][] t = new double[n][3];
    int[] y = new int[n];
    long[] ids = {8, 3, 5, 0, 7, 1, 6, 2, 4};
    for (int i = 0; i < n; i++) {
      x[i] = new double[] {ids[i], -ids[i]};
      t[i] = new double[] {10 * ids[i], 1, 2};
      y[i] = (int) (ids[i] % 2);
    }
    List<IpBatch> batches = IpBatch.cut(TestData.nd(x), TestData.nd(t), y, 2, ids, BatchPlan.sorted(4));
    assertThat(batches).hasSize(2);
    INDArray bx = batches.get(1).x();
    INDArray bt = batches.get(1).t();
    for (int k = 0; k < 4; k++) { // ids 4, 5, 6, 7
      assertThat(bx.getDouble(k, 0)).isEqualTo(4.0 + k);
      assertThat(bt.getDouble(k, 0)).isEqualTo(10.0 * (4 + k));
      assertThat(batches.get(1).labels()[k]).isEqualTo(k % 2);
    }
  }
}
