package org.infoplane.estimator.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.infoplane.estimator.reference.ReferenceRenyi;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;

/** Kernel alignment against the reference's double loop over all N² entries. */
class KernelAlignmentTest {

  static final double ALIGNMENT_TOL = 1e-12;

  @Test
  void alignmentCurveMatchesTheDoubleLoopAtEveryGridPoint() {
    Random random = new Random(31);
    int n = 50;
    int[] y = TestData.labels(random, n, 3);
    double[][] t = TestData.clustered(random, y, 3, 7, 2.0);
    double[][] d = ReferenceRenyi.squaredDistances(t);
    double[][] ky = ReferenceRenyi.labelKernel(y, 3, 0.1);
    double[] sigmas = {0.3, 1.0, 2.5, 4.0, 11.0, 40.0};
    double[] out = new double[sigmas.length + 2];
    double[] curve = KernelAlignment.gaussianAlignmentCurve(
        SquaredDistances.of(TestData.nd(t)), KernelMatrix.labels(y, 3, 0.1), sigmas, out);
    assertThat(curve).isSameAs(out);
    for (int s = 0; s < sigmas.length; s++) {
      double expected = ReferenceRenyi.alignment(ReferenceRenyi.gaussianKernel(d, sigmas[s]), ky);
      assertThat(curve[s]).as("sigma %s", sigmas[s]).isCloseTo(expected, within(ALIGNMENT_TOL));
    }
  }

  @Test
  void alignmentOfTwoKernelsMatchesTheDoubleLoop() {
    Random random = new Random(32);
    double[][] a = ReferenceRenyi.gaussianKernel(ReferenceRenyi.squaredDistances(TestData.gaussian(random, 30, 4, 1.0)), 2.0);
    double[][] b = ReferenceRenyi.gaussianKernel(ReferenceRenyi.squaredDistances(TestData.gaussian(random, 30, 4, 1.0)), 3.0);
    double got = KernelAlignment.of(KernelMatrix.of(30, TestData.flatten(a)), KernelMatrix.of(30, TestData.flatten(b)));
    assertThat(got).isCloseTo(ReferenceRenyi.alignment(a, b), within(ALIGNMENT_TOL));
  }
}
