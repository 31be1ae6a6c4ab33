package org.infoplane.estimator.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.infoplane.estimator.reference.ReferenceRenyi;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Single-precision Gram products against direct summation in double ({@link ReferenceRenyi}) of
 * the values the float arrays hold: the worst-case bound stated in {@link SquaredDistances}, and the
 * typical error.
 */
class SquaredDistancesFloat32Test {

  /** The worst-case factor of the class documentation: (2 + panel)·2⁻²⁴. */
  static final double BOUND = (2 + SquaredDistances.FLOAT_PANEL) * 0x1p-24;
  /**
   * Relative error allowed on well-scaled data. Measured maxima: 4.4e-7 (100 × 784 uniform),
   * 2.0e-6 (100 × 65,536 uniform, outside the tests); random-sign roundings stay far below BOUND.
   */
  static final double TYPICAL_REL_TOL = 1e-5;

  private static final DistancePrecision F32 = DistancePrecision.FLOAT32;

  /** Checks the worst-case bound on every pair and returns the largest relative error. */
  static double assertWithinBound(DistanceMatrix got, float[][] x, double typicalRelTol) {
    int n = x.length;
    double[][] xd = new double[n][];
    for (int i = 0; i < n; i++) {
      xd[i] = new double[x[i].length];
      for (int f = 0; f < x[i].length; f++) {
        xd[i][f] = x[i][f];
      }
    }
    double[][] ref = ReferenceRenyi.squaredDistances(xd);
    double maxRel = 0.0;
    for (int i = 0; i < n; i++) {
      assertThat(got.squared(i, i)).isZero();
      double ni = ref[i][0]; // ‖x_i − x_0‖²: the shifted sample's squared norm
      for (int j = i + 1; j < n; j++) {
        double nj = ref[j][0];
        double bound = BOUND * (2 * (ni + nj) + 2 * Math.sqrt(ni * nj)) + Double.MIN_NORMAL;
        double err = Math.abs(got.squared(i, j) - ref[i][j]);
        assertThat(err).as("pair (%d, %d): %s vs %s", i, j, got.squared(i, j), ref[i][j]).isLessThanOrEqualTo(bound);
        assertThat(got.squared(j, i)).isEqualTo(got.squared(i, j));
        if (ref[i][j] > 0.0) {
          maxRel = Math.max(maxRel, err / ref[i][j]);
        }
      }
    }
    assertThat(maxRel).isLessThanOrEqualTo(typicalRelTol);
    return maxRel;
  }

  static float[][] floats(Random random, int n, int d, double offset, double scale, boolean uniform) {
    float[][] x = new float[n][d];
    for (float[] row : x) {
      for (int f = 0; f < d; f++) {
        row[f] = (float) (offset + scale * (uniform ? random.nextDouble() : random.nextGaussian()));
      }
    }
    return x;
  }

  static INDArray nd(float[][] x) {
    return Nd4j.create(x);
  }

  @Test
  void wellScaledDataStaysWithinTheBound() {
    Random random = new Random(11);
    float[][] dense = floats(random, 60, 37, 0.0, 1.0, false);
    assertWithinBound(SquaredDistances.of(nd(dense), F32), dense, TYPICAL_REL_TOL);
    // Several blocks and panels: 3000 features, ReLU-like.
    float[][] wide = floats(random, 40, 3000, 0.0, 1.0, true);
    assertWithinBound(SquaredDistances.of(nd(wide), F32), wide, TYPICAL_REL_TOL);
  }

  @Test
  void doubleInputIsShiftedInDoubleBeforeRounding() {
    double[][] x = TestData.gaussian(new Random(12), 30, 50, 3.0);
    DistanceMatrix got = SquaredDistances.of(TestData.nd(x), F32);
    double[][] ref = ReferenceRenyi.squaredDistances(x);
    for (int i = 0; i < 30; i++) {
      for (int j = i + 1; j < 30; j++) {
        assertThat(Math.abs(got.squared(i, j) - ref[i][j]) / ref[i][j]).isLessThanOrEqualTo(TYPICAL_REL_TOL);
      }
    }
  }

  @Test
  void largeCommonOffsetIsRemovedBeforeRounding() {
    // 1e4 + noise of 0.05: without the shift, float products would lose everything
    // (ε_f·‖x‖² ≈ 6e-8·3e9 ≈ 200 against distances of about 0.15).
    float[][] x = floats(new Random(13), 50, 30, 1e4, 0.05, false);
    assertWithinBound(SquaredDistances.of(nd(x), F32), x, TYPICAL_REL_TOL);
  }

  @Test
  void extremeMagnitudesNeitherOverflowNorUnderflow() {
    Random random = new Random(14);
    for (double scale : new double[] {1e38, 3e38, 1e-30, 1e-40}) {
      float[][] x = floats(random, 20, 700, 0.0, scale, true);
      for (float[] row : x) {
        for (int f = 0; f < row.length; f += 2) {
          row[f] = -row[f]; // ±scale: differences up to twice the largest value
        }
      }
      DistanceMatrix got = SquaredDistances.of(nd(x), F32);
      assertWithinBound(got, x, TYPICAL_REL_TOL);
      assertThat(got.isConstant()).isFalse();
    }
  }

  @Test
  void constantLayerGivesZeros() {
    float[][] x = new float[10][600];
    for (float[] row : x) {
      java.util.Arrays.fill(row, 0.25f);
    }
    assertThat(SquaredDistances.of(nd(x), F32).isConstant()).isTrue();
  }

  @Test
  void rowsOfAHeapArrayGiveTheSameDoublesAsTheArray() {
    Random random = new Random(15);
    int n = 30;
    int dim = 1100;
    float[] values = new float[n * dim];
    for (int k = 0; k < values.length; k++) {
      values[k] = (float) random.nextGaussian();
    }
    int[] rows = {7, 2, 29, 11, 0, 18};
    float[] copy = new float[rows.length * dim];
    for (int k = 0; k < rows.length; k++) {
      System.arraycopy(values, rows[k] * dim, copy, k * dim, dim);
    }
    DistanceMatrix d = SquaredDistances.ofRows(values, new long[] {n, dim}, rows, "T", F32);
    DistanceMatrix viaArray = SquaredDistances.of(Nd4j.create(copy, new long[] {rows.length, dim}, 'c'), F32);
    assertThat(d.raw()).containsExactly(viaArray.raw());
  }

  @Test
  void nonFiniteValuesAreNamedAsInDoublePrecision() {
    float[][] x = floats(new Random(16), 5, 40, 0.0, 1.0, false);
    x[3][17] = Float.NaN;
    assertThatThrownBy(() -> SquaredDistances.of(nd(x), F32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("non-finite value NaN at sample 3, feature 17");
    float[] values = new float[4 * 10];
    values[2 * 10 + 4] = Float.POSITIVE_INFINITY;
    assertThatThrownBy(() -> SquaredDistances.ofRows(values, new long[] {4, 10}, new int[] {0, 2}, "T", F32))
        .hasMessage("T: non-finite value Infinity at sample 2, feature 4");
  }

  @Test
  void precisionNamesParse() {
    assertThat(DistancePrecision.parse(" Float32 ")).isEqualTo(DistancePrecision.FLOAT32);
    assertThat(DistancePrecision.parse("float64")).isEqualTo(DistancePrecision.FLOAT64);
    assertThatThrownBy(() -> DistancePrecision.parse("half"))
        .hasMessage("unknown distance precision 'half': expected float32 or float64");
  }

  @Test
  void floatInputOfTheDefaultPathIsUnchanged() {
    // The default of SquaredDistances.of stays double precision.
    float[][] x = floats(new Random(17), 10, 20, 0.0, 1.0, false);
    INDArray f = nd(x);
    assertThat(f.dataType()).isEqualTo(DataType.FLOAT);
    assertThat(SquaredDistances.of(f).raw()).containsExactly(SquaredDistances.of(f, DistancePrecision.FLOAT64).raw());
  }
}
