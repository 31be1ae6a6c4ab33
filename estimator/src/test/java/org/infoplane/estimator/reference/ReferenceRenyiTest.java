package org.infoplane.estimator.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks of the oracle itself against closed forms, so that a wrong reference cannot make a wrong
 * estimator look right: Jacobi eigenvalues of matrices with known spectra, and entropies of known
 * distributions.
 */
class ReferenceRenyiTest {

  private static final double EIGEN_TOL = 1e-12;

  @Test
  void jacobiFindsTheClosedFormEigenvaluesOfA2x2Matrix() {
    double a = 2.0;
    double b = 0.7;
    double c = -1.3;
    double mid = (a + c) / 2.0;
    double rad = Math.sqrt((a - c) * (a - c) / 4.0 + b * b);
    double[] lambda = ReferenceRenyi.jacobiEigenvalues(new double[][] {{a, b}, {b, c}});
    assertThat(lambda[0]).isCloseTo(mid - rad, within(EIGEN_TOL));
    assertThat(lambda[1]).isCloseTo(mid + rad, within(EIGEN_TOL));
  }

  @Test
  void jacobiRecoversTheSpectrumOfQDiagQTransposed() {
    Random random = new Random(11);
    int n = 30;
    double[] spectrum = new double[n];
    for (int i = 0; i < n; i++) {
      spectrum[i] = random.nextDouble() * 3.0 - 1.0;
    }
    double[][] q = TestData.randomOrthogonal(random, n);
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int k = 0; k < n; k++) {
          s += q[i][k] * spectrum[k] * q[j][k];
        }
        m[i][j] = s;
      }
    }
    for (int i = 0; i < n; i++) { // exact symmetry
      for (int j = 0; j < i; j++) {
        m[i][j] = m[j][i];
      }
    }
    double[] expected = spectrum.clone();
    Arrays.sort(expected);
    double[] lambda = ReferenceRenyi.jacobiEigenvalues(m);
    for (int i = 0; i < n; i++) {
      assertThat(lambda[i]).isCloseTo(expected[i], within(1e-12));
    }
  }

  @Test
  void randomOrthogonalMatrixIsOrthogonal() {
    double[][] q = TestData.randomOrthogonal(new Random(3), 12);
    for (int a = 0; a < 12; a++) {
      for (int b = 0; b < 12; b++) {
        double dot = 0.0;
        for (int r = 0; r < 12; r++) {
          dot += q[r][a] * q[r][b];
        }
        assertThat(dot).isCloseTo(a == b ? 1.0 : 0.0, within(1e-14));
      }
    }
  }

  @Test
  void entropyOfAUniformSpectrumIsLog2N() {
    double[] p = new double[8];
    Arrays.fill(p, 1.0 / 8);
    for (double alpha : new double[] {0.5, 1.0, 1.01, 2.0}) {
      assertThat(ReferenceRenyi.entropyOfSpectrum(p, alpha)).isCloseTo(3.0, within(1e-12));
    }
    // Shannon entropy of (1/2, 1/4, 1/4) is 1.5 bits; collision entropy is −log2(3/8).
    double[] q = {0.5, 0.25, 0.25};
    assertThat(ReferenceRenyi.entropyOfSpectrum(q, 1.0)).isCloseTo(1.5, within(1e-15));
    assertThat(ReferenceRenyi.entropyOfSpectrum(q, 2.0)).isCloseTo(-Math.log(0.375) / Math.log(2), within(1e-15));
  }
}
