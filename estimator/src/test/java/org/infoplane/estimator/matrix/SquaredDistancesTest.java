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
import org.nd4j.linalg.factory.Nd4j;

/** The Gram-trick distances against direct summation Σ_f (a_f − b_f)² in {@link ReferenceRenyi}. */
class SquaredDistancesTest {

  /** Relative error allowed between the Gram trick and direct summation on well-scaled data. */
  static final double DISTANCE_REL_TOL = 1e-10;
  /**
   * Relative error allowed on data with a large common offset (1e4 + noise of 0.01, 50 samples ×
   * 30 features). Measured maximum over the test's pairs: 1.1e-15 (6.8e-16 when the samples were
   * centred on their mean instead of shifted by the first one), because the shift removes the offset
   * before the product. Without it the error would be of order
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

  /**
   * Rows of a heap array, picked in any order: the same distances as direct summation over the
   * picked samples, and bit for bit those of {@link SquaredDistances#of} on the same rows copied
   * into an array (the same arithmetic in the same order).
   */
  @Test
  void rowsOfAHeapArrayMatchTheReferenceAndTheArrayPath() {
    int n = 50;
    int[] shape = {3, 4, 5};
    double[][] x = TestData.gaussian(new Random(12), n, 60, 1.5);
    float[] values = new float[n * 60 + 7]; // a reused buffer may be longer than the samples
    for (int i = 0; i < n; i++) {
      for (int f = 0; f < 60; f++) {
        values[i * 60 + f] = (float) x[i][f];
      }
    }
    int[] rows = {41, 3, 17, 0, 49, 8, 22, 30, 11, 5, 36};
    double[][] picked = new double[rows.length][];
    float[] copy = new float[rows.length * 60];
    for (int k = 0; k < rows.length; k++) {
      picked[k] = new double[60];
      for (int f = 0; f < 60; f++) {
        picked[k][f] = values[rows[k] * 60 + f];
      }
      System.arraycopy(values, rows[k] * 60, copy, k * 60, 60);
    }
    DistanceMatrix d = SquaredDistances.ofRows(values, new long[] {n, shape[0], shape[1], shape[2]}, rows, "T");
    assertMatches(d, ReferenceRenyi.squaredDistances(picked), DISTANCE_REL_TOL);
    DistanceMatrix viaArray = SquaredDistances.of(org.nd4j.linalg.factory.Nd4j.create(copy,
        new long[] {rows.length, 3, 4, 5}, 'c'));
    assertThat(d.raw()).containsExactly(viaArray.raw());
  }

  @Test
  void rowsOfAHeapArrayNameTheNonFiniteValueAndItsPlace() {
    float[] values = new float[6 * 24];
    values[4 * 24 + 14] = Float.NEGATIVE_INFINITY;
    long[] shape = {6, 2, 3, 4};
    assertThatThrownBy(() -> SquaredDistances.ofRows(values, shape, new int[] {1, 4, 2}, "T"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("T: non-finite value -Infinity at sample 4, feature 14 (position [1, 0, 2] of a sample of shape [2, 3, 4])");
    // Rows without it pass, and the check alone finds it too.
    assertThat(SquaredDistances.ofRows(values, shape, new int[] {1, 2}, "T").size()).isEqualTo(2);
    values[5 * 24] = Float.NaN;
    assertThatThrownBy(() -> SquaredDistances.requireFinite(values, new long[] {6, 24}, new int[] {0, 5}, ""))
        .hasMessage("non-finite value NaN at sample 5, feature 0");
    assertThatThrownBy(() -> SquaredDistances.ofRows(values, shape, new int[] {1, 6}, "T"))
        .hasMessageContaining("row 6 is outside the 6 samples");
    assertThatThrownBy(() -> SquaredDistances.ofRows(values, shape, new int[] {1}, "T"))
        .hasMessageContaining("at least 2 samples");
  }

  /**
   * Finite float32 values near the top of the float range (their float32 sum overflows) are valid
   * samples: the distances, computed in double, equal (a − b)² of the values taken as doubles.
   */
  @Test
  void valuesNearTheFloat32LimitGiveDoublePrecisionDistances() {
    float[] v = {3e38f, 3e38f, -3e38f, 2e38f, 3.4e38f, 1e38f}; // float32 sum: +inf
    INDArray x = Nd4j.create(v, new long[] {3, 2}, 'c');
    SquaredDistances.requireFinite(x, "T");
    DistanceMatrix d = SquaredDistances.of(x);
    DistanceMatrix rows = SquaredDistances.ofRows(v, new long[] {3, 2}, new int[] {0, 1, 2}, "T");
    DistanceMatrix f32 = SquaredDistances.of(x, DistancePrecision.FLOAT32);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        double want = 0;
        for (int f = 0; f < 2; f++) {
          double diff = (double) v[i * 2 + f] - (double) v[j * 2 + f];
          want += diff * diff;
        }
        assertThat(d.squared(i, j)).as("of(%d, %d)", i, j).isCloseTo(want, withinPercentage(1e-10));
        assertThat(rows.squared(i, j)).as("ofRows(%d, %d)", i, j).isCloseTo(want, withinPercentage(1e-10));
        // single precision: panels that would overflow float are scaled by powers of two
        assertThat(f32.squared(i, j)).as("float32 (%d, %d)", i, j).isCloseTo(want, withinPercentage(1e-3));
      }
    }
  }

  @Test
  void theFinitenessCheckOfAWholeArrayHasNoBatchSizeLimit() {
    INDArray many = Nd4j.zeros(DataType.FLOAT, 50_000, 1);
    SquaredDistances.requireFinite(many, "X");
    many.putScalar(new long[] {49_999, 0}, Float.NaN);
    assertThatThrownBy(() -> SquaredDistances.requireFinite(many, "X"))
        .hasMessage("X: non-finite value NaN at sample 49999, feature 0");
  }
}
