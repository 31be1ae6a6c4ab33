package org.infoplane.estimator.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.infoplane.estimator.reference.ReferenceRenyi;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;

/** Gaussian, label and tensor kernels against the reference's definitions. */
class KernelMatrixTest {

  /** Absolute tolerance on kernel entries (values in [0, 1]). */
  static final double KERNEL_TOL = 1e-12;

  @Test
  void gaussianKernelIsExpOfMinusDistanceOverSigmaSquared() {
    double[][] x = TestData.gaussian(new Random(21), 50, 8, 1.0);
    double sigma = 3.7;
    double[][] ref = ReferenceRenyi.gaussianKernel(ReferenceRenyi.squaredDistances(x), sigma);
    assertEntries(KernelMatrix.gaussian(SquaredDistances.of(TestData.nd(x)), sigma), ref, KERNEL_TOL);
  }

  @Test
  void labelKernelIsTheGaussianKernelOfOneHotVectors() {
    int[] y = TestData.labels(new Random(22), 40, 4);
    for (double sigmaY : new double[] {0.1, 1.0, 2.5}) {
      double[][] ref = ReferenceRenyi.labelKernel(y, 4, sigmaY);
      assertEntries(KernelMatrix.labels(y, 4, sigmaY), ref, KERNEL_TOL);
    }
  }

  /** METHOD.md §6, property 8. */
  @Test
  void tensorKernelIsTheHadamardProductOfPerChannelKernelsWithACommonSigma() {
    int n = 40;
    int c = 5;
    int hw = 3 * 2;
    double sigma = 6.0;
    double[][] flat = TestData.gaussian(new Random(23), n, c * hw, 1.0);
    KernelMatrix tensor = KernelMatrix.gaussian(SquaredDistances.of(TestData.nd(flat, n, c, 3, 2)), sigma);

    double[][] product = null;
    for (int ch = 0; ch < c; ch++) {
      double[][] channel = new double[n][hw];
      for (int i = 0; i < n; i++) {
        System.arraycopy(flat[i], ch * hw, channel[i], 0, hw);
      }
      double[][] k = ReferenceRenyi.gaussianKernel(ReferenceRenyi.squaredDistances(channel), sigma);
      product = product == null ? k : ReferenceRenyi.hadamard(product, k);
    }
    assertEntries(tensor, product, KERNEL_TOL);
  }

  @Test
  void hadamardTraceAndFrobeniusInnerMatchDoubleLoops() {
    Random random = new Random(24);
    double[][] a = ReferenceRenyi.gaussianKernel(ReferenceRenyi.squaredDistances(TestData.gaussian(random, 20, 3, 1.0)), 2.0);
    double[][] b = ReferenceRenyi.gaussianKernel(ReferenceRenyi.squaredDistances(TestData.gaussian(random, 20, 3, 1.0)), 1.5);
    KernelMatrix ka = KernelMatrix.of(20, TestData.flatten(a));
    KernelMatrix kb = KernelMatrix.of(20, TestData.flatten(b));
    assertEntries(ka.hadamard(kb), ReferenceRenyi.hadamard(a, b), 0.0);
    assertThat(ka.trace()).isEqualTo(20.0);
    double inner = 0.0;
    for (int i = 0; i < 20; i++) {
      for (int j = 0; j < 20; j++) {
        inner += a[i][j] * b[i][j];
      }
    }
    assertThat(ka.frobeniusInner(kb)).isCloseTo(inner, within(1e-12));
  }

  static void assertEntries(KernelMatrix got, double[][] expected, double tol) {
    int n = expected.length;
    assertThat(got.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        assertThat(got.get(i, j)).as("entry (%d, %d)", i, j).isCloseTo(expected[i][j], within(tol));
      }
    }
  }
}
