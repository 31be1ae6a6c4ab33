package org.infoplane.estimator.width;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.infoplane.estimator.matrix.KernelConvention;
import org.infoplane.estimator.matrix.KernelMatrix;
import org.infoplane.estimator.matrix.SquaredDistances;
import org.infoplane.estimator.reference.ReferenceRenyi;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;

/**
 * The alignment search past the grid's edges, against a slow reference: the alignment of the
 * double-loop kernels over a dense logarithmic grid of widths, far wider than any search grid.
 */
class AlignmentGridTest {

  /** The reference grid: 4000 widths per decade is far finer than any search's spacing. */
  private static final int PER_DECADE = 4000;
  /** The search's width is within this factor of the reference's (its grid spacing, ~3 %). */
  private static final double WIDTH_FACTOR = 1.05;
  /** Its alignment is within this of the reference's maximum (the curve is flat at the top). */
  private static final double ALIGNMENT_TOL = 1e-5;

  private static WidthInput input(double[][] t, int[] y, int classes) {
    return new WidthInput(SquaredDistances.of(TestData.nd(t)), t[0].length, KernelMatrix.labels(y, classes, 0.1));
  }

  /** The reference maximum over widths from 10^lo to 10^hi: {σ, alignment}. */
  private static double[] referenceMaximum(double[][] t, int[] y, int classes, int lo, int hi) {
    double[][] d = ReferenceRenyi.squaredDistances(t);
    double[][] ky = ReferenceRenyi.labelKernel(y, classes, 0.1);
    double best = Double.NEGATIVE_INFINITY;
    double bestSigma = Double.NaN;
    for (int i = 0; i <= (hi - lo) * PER_DECADE; i++) {
      double sigma = Math.pow(10.0, lo + (double) i / PER_DECADE);
      double a = ReferenceRenyi.alignment(ReferenceRenyi.gaussianKernel(d, sigma), ky);
      if (a > best) {
        best = a;
        bestSigma = sigma;
      }
    }
    return new double[] {bestSigma, best};
  }

  private static double alignmentAt(double[][] t, int[] y, int classes, double sigma) {
    return ReferenceRenyi.alignment(ReferenceRenyi.gaussianKernel(ReferenceRenyi.squaredDistances(t), sigma),
        ReferenceRenyi.labelKernel(y, classes, 0.1));
  }

  private static double[][] scaled(double[][] t, double f) {
    double[][] s = new double[t.length][];
    for (int i = 0; i < t.length; i++) {
      s[i] = t[i].clone();
      for (int j = 0; j < s[i].length; j++) {
        s[i][j] *= f;
      }
    }
    return s;
  }

  private static void assertFindsTheReferenceMaximum(WidthChoice got, double[][] t, int[] y, int classes,
      double[] reference) {
    assertThat(got.onGridEdge()).as("maximum interior").isFalse();
    double sigma = got.sigma().getAsDouble();
    assertThat(sigma / reference[0]).isBetween(1 / WIDTH_FACTOR, WIDTH_FACTOR);
    assertThat(alignmentAt(t, y, classes, sigma)).isCloseTo(reference[1], within(ALIGNMENT_TOL));
  }

  @Test
  void tinyActivationsRunTheGridBackwardsAndTheSearchGoesBelowIt() {
    // A softmax-like scale: mean distance ~0.003, so 10·mean d < 0.1 and linspace(0.1, 10·mean d)
    // runs backwards; the alignment maximum lies far below every point of it.
    Random random = new Random(5);
    int[] y = TestData.labels(random, 60, 4);
    double[][] t = scaled(TestData.clustered(random, y, 4, 6, 1.5), 1e-3);
    WidthInput in = input(t, y, 4);
    assertThat(AlignmentGrid.paper().base(in.distances())[299]).isLessThan(0.1);

    double[] reference = referenceMaximum(t, y, 4, -6, 0);
    assertThat(reference[0]).isLessThan(0.01);
    assertFindsTheReferenceMaximum(KernelWidthRules.alignment().choose(in), t, y, 4, reference);

    // Without extension the search stops on the grid's smallest point and says so.
    AlignmentGrid keep = new AlignmentGrid(0.1, 10, 300, false, false, KernelConvention.SIGMA_SQUARED);
    WidthChoice kept = KernelWidthRules.alignment(keep).choose(in);
    assertThat(kept.onGridEdge()).isTrue();
    double[] base = keep.base(in.distances());
    assertThat(kept.sigma().getAsDouble()).isEqualTo(Math.min(base[0], base[base.length - 1]));
  }

  @Test
  void aGridWhoseEndIsBelowTheStartsRoundingStillEndsOnAPositiveWidth() {
    // 10·mean d ~ 1e-19 is below half an ulp of the start 0.1: computed as start + (end − start), the
    // grid's last point would round to 0, which is no width. Like numpy.linspace, it ends on end.
    Random random = new Random(7);
    int[] y = TestData.labels(random, 60, 4);
    double[][] t = scaled(TestData.clustered(random, y, 4, 6, 1.5), 1e-20);
    WidthInput in = input(t, y, 4);
    double[] base = AlignmentGrid.paper().base(in.distances());
    assertThat(base[base.length - 1]).isPositive().isLessThan(1e-17);

    double[] reference = referenceMaximum(t, y, 4, -23, -17);
    assertFindsTheReferenceMaximum(KernelWidthRules.alignment().choose(in), t, y, 4, reference);
  }

  @Test
  void aGridThatStartsAboveTheMaximumIsExtendedDownwards() {
    Random random = new Random(6);
    int[] y = TestData.labels(random, 60, 4);
    double[][] t = TestData.clustered(random, y, 4, 10, 1.5);
    double[] reference = referenceMaximum(t, y, 4, -3, 3);
    AlignmentGrid late = new AlignmentGrid(20 * reference[0], 10, 300, false, true, KernelConvention.SIGMA_SQUARED);
    assertFindsTheReferenceMaximum(KernelWidthRules.alignment(late).choose(input(t, y, 4)), t, y, 4, reference);
  }

  @Test
  void aGridThatEndsBelowTheMaximumIsExtendedUpwards() {
    Random random = new Random(7);
    int[] y = TestData.labels(random, 60, 4);
    double[][] t = TestData.clustered(random, y, 4, 10, 1.5);
    double[] reference = referenceMaximum(t, y, 4, -3, 3);
    WidthInput in = input(t, y, 4);
    double meanD = in.distances().meanEuclidean();
    // The grid covers only the rising flank below the maximum: from a quarter to half of its width.
    // (A grid wholly inside the flat bottom of the curve, where every kernel is the identity, ties
    // everywhere, and ties go to the smallest σ: that search goes down to its bound and reports it.)
    AlignmentGrid early = new AlignmentGrid(reference[0] / 4, reference[0] / 2 / meanD, 300, false, true,
        KernelConvention.SIGMA_SQUARED);
    assertFindsTheReferenceMaximum(KernelWidthRules.alignment(early).choose(in), t, y, 4, reference);
  }

  @Test
  void anInteriorMaximumNeedsNoExtensionAndIsNotOnAnEdge() {
    Random random = new Random(8);
    int[] y = TestData.labels(random, 60, 4);
    double[][] t = TestData.clustered(random, y, 4, 10, 1.5);
    WidthInput in = input(t, y, 4);
    double expected = ReferenceRenyi.alignmentWidth(ReferenceRenyi.squaredDistances(t),
        ReferenceRenyi.labelKernel(y, 4, 0.1), 300);
    WidthChoice c = KernelWidthRules.alignment().choose(in);
    assertThat(c.onGridEdge()).isFalse();
    assertThat(c.sigma().getAsDouble()).isCloseTo(expected, within(1e-9 * expected));
  }

  @Test
  void aMaximumAtTheIdentityKernelIsOnTheBoundAndReported() {
    // Samples 100 apart, each its own class: every σ below the distances gives the identity kernel
    // and the largest alignment; the search cannot go anywhere useful below 0.1 (the bound, a tenth
    // of the smallest distance, lies above it) and reports the edge.
    int n = 12;
    double[][] t = new double[n][n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      t[i][i] = 100.0;
      y[i] = i;
    }
    WidthChoice c = KernelWidthRules.alignment().choose(input(t, y, n));
    assertThat(c.sigma().getAsDouble()).isEqualTo(0.1);
    assertThat(c.onGridEdge()).isTrue();
  }

  @Test
  void theTwoSigmaSquaredConventionSearchesTheSameKernels() {
    // exp(-d/(2σ²)) at σ equals exp(-d/s²) at s = σ√2: the grids' kernels are the same when the
    // grid of the 2σ² convention is the paper's divided by √2.
    Random random = new Random(9);
    int[] y = TestData.labels(random, 60, 4);
    double[][] t = TestData.clustered(random, y, 4, 10, 1.5);
    WidthInput in = input(t, y, 4);
    double root2 = Math.sqrt(2);
    AlignmentGrid paper = new AlignmentGrid(0.1, 10, 300, false, false, KernelConvention.SIGMA_SQUARED);
    AlignmentGrid ipdl = new AlignmentGrid(0.1 / root2, 10 / root2, 300, false, false,
        KernelConvention.TWO_SIGMA_SQUARED);
    double s = KernelWidthRules.alignment(paper).choose(in).sigma().getAsDouble();
    double sigma = KernelWidthRules.alignment(ipdl).choose(in).sigma().getAsDouble();
    assertThat(sigma * root2).isCloseTo(s, within(1e-9 * s));
  }
}
