package org.infoplane.estimator.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.Arrays;
import java.util.Random;
import org.infoplane.estimator.reference.ReferenceRenyi;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The Gram-trick distances against direct summation Σ_f (a_f − b_f)² in {@link ReferenceRenyi}. */
class SquaredDistancesTest {

  /** Relative error allowed between the Gram trick and direct summation on well-scaled data. */
  static final double DISTANCE_REL_TOL = 1e-10;
  /**
   * Relative error allowed on data with a large common offset (1e4 + noise of 0.01, 50 samples ×
   * 30 features). Measured maximum over the test's pairs: 6.8e-16, because centring removes the
   * offset before the product. Without centring the error would be of order
   * ε·‖x‖²/‖x_i − x_j‖² ≈ 1e-16 · 3e9 / 6e-3 ≈ 5e-5, so this tolerance tells the two apart.
   */
  static final double OFFSET_REL_TOL = 1e-12;

  @Test
  void denseDistancesMatchDirectSummation() {
    double[][] x = TestData.gaussian(new Random(1), 60, 37, 1.0);
    assertMatches(SquaredDistances.of(TestData.nd(x)), ReferenceRenyi.squaredDistances(x), DISTANCE_REL_TOL);
  }

  @Test
  void tensorDistancesAreFrobeniusDistancesOfTheWholeSample() {
    int n = 45;
    double[][] flat = TestData.gaussian(new Random(2), n, 3 * 4 * 5, 2.0);
    INDArray t = TestData.nd(flat, n, 3, 4, 5);
    assertMatches(SquaredDistances.of(t), ReferenceRenyi.squaredDistances(flat), DISTANCE_REL_TOL);
  }

  @Test
  void floatInputIsAccumulatedInDoublePrecision() {
    int n = 40;
    double[][] x = TestData.gaussian(new Random(3), n, 64, 1.0);
    // The reference sees the values the float array holds.
    INDArray f = TestData.nd(x).castTo(DataType.FLOAT);
    double[][] asStored = f.castTo(DataType.DOUBLE).toDoubleMatrix();
    assertMatches(SquaredDistances.of(f), ReferenceRenyi.squaredDistances(asStored), DISTANCE_REL_TOL);
  }

  @Test
  void largeCommonOffsetStaysAccurate() {
    Random random = new Random(4);
    int n = 50;
    int d = 30;
    double[][] x = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int f = 0; f < d; f++) {
        x[i][f] = 1e4 + 0.01 * random.nextGaussian();
      }
    }
    assertMatches(SquaredDistances.of(TestData.nd(x)), ReferenceRenyi.squaredDistances(x), OFFSET_REL_TOL);
  }

  @Test
  void inputIsNotModified() {
    int n = 20;
    double[][] flat = TestData.gaussian(new Random(5), n, 2 * 3 * 3, 1.0);
    flat[0][0] += 50.0; // a non-zero mean, so that centring in place would show
    INDArray dense = TestData.nd(flat);
    INDArray tensor = TestData.nd(flat, n, 2, 3, 3);
    INDArray denseCopy = dense.dup();
    INDArray tensorCopy = tensor.dup();
    SquaredDistances.of(dense);
    SquaredDistances.of(tensor);
    assertThat(dense).isEqualTo(denseCopy);
    assertThat(tensor).isEqualTo(tensorCopy);
  }

  @Test
  void diagonalIsZeroAndMatrixSymmetric() {
    double[][] x = TestData.gaussian(new Random(6), 30, 10, 1.0);
    DistanceMatrix d = SquaredDistances.of(TestData.nd(x));
    for (int i = 0; i < 30; i++) {
      assertThat(d.squared(i, i)).isZero();
      for (int j = 0; j < 30; j++) {
        assertThat(d.squared(i, j)).isEqualTo(d.squared(j, i)).isGreaterThanOrEqualTo(0.0);
      }
    }
  }

  @Test
  void meanEuclideanAndSortedPairDistancesMatchTheReference() {
    double[][] x = TestData.gaussian(new Random(7), 25, 6, 1.0);
    double[][] ref = ReferenceRenyi.squaredDistances(x);
    DistanceMatrix d = SquaredDistances.of(TestData.nd(x));
    assertThat(d.meanEuclidean()).isCloseTo(ReferenceRenyi.meanDistance(ref), withinPercentage(1e-8));
    double[] pairs = ReferenceRenyi.pairDistances(ref);
    Arrays.sort(pairs);
    double[] got = d.sortedPairDistances();
    assertThat(got).hasSize(pairs.length);
    for (int k = 0; k < pairs.length; k++) {
      assertThat(Math.abs(got[k] - pairs[k])).isLessThanOrEqualTo(DISTANCE_REL_TOL * pairs[k]);
    }
  }

  @Test
  void storedMatrixIsChecked() {
    assertThatThrownBy(() -> DistanceMatrix.of(2, new double[] {0, 1, 2, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry (0, 1)")
        .hasMessageContaining("got 1.0 and 2.0");
    assertThatThrownBy(() -> DistanceMatrix.of(2, new double[] {0, 1, 1}))
        .hasMessageContaining("needs 4 values, got 3");
    assertThatThrownBy(() -> DistanceMatrix.of(2, new double[] {0, 1, 1, 0.5}))
        .hasMessageContaining("diagonal must be 0, got 0.5 at sample 1");
  }

  /** Asserts every entry within the relative tolerance; returns the largest relative error seen. */
  static double assertMatches(DistanceMatrix got, double[][] expected, double relTol) {
    int n = expected.length;
    assertThat(got.size()).isEqualTo(n);
    double maxRel = 0.0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double e = expected[i][j];
        double err = Math.abs(got.squared(i, j) - e);
        if (i == j) {
          assertThat(got.squared(i, j)).isZero();
          continue;
        }
        double rel = err / e;
        maxRel = Math.max(maxRel, rel);
        assertThat(rel).as("relative error of entry (%d, %d): %s vs %s", i, j, got.squared(i, j), e)
            .isLessThanOrEqualTo(relTol);
      }
    }
    return maxRel;
  }

  /** The accelerator path (ND4J operations) and the CPU path (OpenBLAS dsyrk) give the same Gram matrix. */
  @Test
  void deviceAndCpuPathsAgree() {
    INDArray x = TestData.nd(TestData.gaussian(new Random(11), 37, 60, 2.0), 37, 3, 5, 4);
    double[] device = SquaredDistances.centredGramNd4j(x, 37, 60);
    DistanceMatrix cpu = SquaredDistances.of(x);
    for (int i = 0; i < 37; i++) {
      for (int j = 0; j < 37; j++) {
        double d = device[i * 37 + i] + device[j * 37 + j] - 2 * device[i * 37 + j];
        org.assertj.core.api.Assertions.assertThat(cpu.squared(i, j))
            .isCloseTo(i == j ? 0.0 : Math.max(0.0, d), org.assertj.core.api.Assertions.within(1e-12));
      }
    }
  }
}
