package org.infoplane.estimator.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;

/**
 * The bounded search against the exhaustive scan: the whole curve by
 * {@link KernelAlignment#gaussianAlignmentCurve}, then the first maximum with ties to the smallest σ
 * (METHOD.md §4), written out here. Every case runs twice: as callers get it, and with the bounds
 * forced on where the search would otherwise scan a small case exhaustively.
 */
class AlignmentSearchTest {

  /** The exhaustive scan's choice, the oracle. */
  static int scan(DistanceMatrix d, KernelMatrix target, double[] grid) {
    double[] curve = KernelAlignment.gaussianAlignmentCurve(d, target, grid, null);
    int best = 0;
    for (int i = 1; i < grid.length; i++) {
      if (curve[i] > curve[best] || (curve[i] == curve[best] && grid[i] < grid[best])) {
        best = i;
      }
    }
    return best;
  }

  static void assertSameChoice(String what, DistanceMatrix d, KernelMatrix target, double[] grid) {
    int expected = scan(d, target, grid);
    assertThat(AlignmentSearch.argmax(d, target, grid)).as(what).isEqualTo(expected);
    assertThat(AlignmentSearch.argmax(d, target, grid, true)).as(what + " (bounds forced)").isEqualTo(expected);
  }

  /** linspace(0.1, 10·mean(d), g): the rule's grid (KernelWidthRules.alignmentGrid, restated). */
  static double[] grid(DistanceMatrix d, int g) {
    double hi = 10.0 * d.meanEuclidean();
    double[] grid = new double[g];
    for (int i = 0; i < g; i++) {
      grid[i] = 0.1 + (hi - 0.1) * i / (g - 1);
    }
    return grid;
  }

  static DistanceMatrix distances(double[][] x) {
    return SquaredDistances.of(TestData.nd(x));
  }

  @Test
  void choosesTheScansGridPointOnManySeededBatches() {
    Random random = new Random(1201);
    for (int trial = 0; trial < 200; trial++) {
      int n = 2 + random.nextInt(trial < 185 ? 60 : 250);
      int classes = 1 + random.nextInt(10);
      int dim = 1 + random.nextInt(40);
      int[] y = TestData.labels(random, n, classes);
      double scale = Math.pow(10.0, random.nextInt(7) - 3);
      double[][] x = switch (trial % 3) {
        case 0 -> TestData.gaussian(random, n, dim, scale);
        case 1 -> TestData.clustered(random, y, classes, dim, 0.5 + 3 * random.nextDouble());
        default -> uniform(random, n, dim, scale);
      };
      double sigmaY = trial % 5 == 0 ? 0.5 + random.nextDouble() : 0.1;
      DistanceMatrix d = distances(x);
      int g = trial % 7 == 0 ? 2 + random.nextInt(40) : 300;
      assertSameChoice("trial " + trial + " n=" + n + " dim=" + dim, d, KernelMatrix.labels(y, classes, sigmaY), grid(d, g));
    }
  }

  @Test
  void choosesTheScansGridPointForGeneralTargetKernels() {
    Random random = new Random(1202);
    for (int trial = 0; trial < 40; trial++) {
      int n = 2 + random.nextInt(80);
      double[][] x = TestData.gaussian(random, n, 1 + random.nextInt(10), 1.0);
      double[][] z = TestData.gaussian(random, n, 1 + random.nextInt(4), 1.0);
      DistanceMatrix d = distances(x);
      // A Gaussian kernel of other data (entries in (0, 1]) and a linear kernel (entries of any sign).
      KernelMatrix gauss = KernelMatrix.gaussian(distances(z), 0.5 + 2 * random.nextDouble());
      assertSameChoice("gaussian target, trial " + trial, d, gauss, grid(d, 300));
      assertSameChoice("linear target, trial " + trial, d, linearKernel(z), grid(d, 300));
    }
  }

  @Test
  void constantLayerTiesEverywhereAndTakesTheSmallestSigma() {
    double[][] x = new double[12][5];
    DistanceMatrix d = distances(x);
    KernelMatrix y = KernelMatrix.labels(TestData.labels(new Random(3), 12, 3), 3, 0.1);
    double[] up = {0.1, 0.5, 1.0, 2.0};
    double[] down = {2.0, 1.0, 0.5, 0.1};
    assertThat(AlignmentSearch.argmax(d, y, up, true)).isEqualTo(0);
    assertThat(AlignmentSearch.argmax(d, y, down, true)).isEqualTo(3);
    assertSameChoice("constant, increasing", d, y, up);
    assertSameChoice("constant, decreasing", d, y, down);
  }

  @Test
  void decreasingAndRepeatedGridPointsFollowTheScansTieRule() {
    Random random = new Random(1203);
    for (int trial = 0; trial < 40; trial++) {
      int n = 3 + random.nextInt(60);
      int[] labels = TestData.labels(random, n, 4);
      DistanceMatrix d = distances(TestData.clustered(random, labels, 4, 6, 2.0));
      KernelMatrix y = KernelMatrix.labels(labels, 4, 0.1);
      double[] up = grid(d, 120);
      double[] down = new double[up.length];
      for (int i = 0; i < up.length; i++) {
        down[i] = up[up.length - 1 - i];
      }
      double[] repeated = new double[2 * up.length];
      for (int i = 0; i < up.length; i++) {
        repeated[2 * i] = up[i];
        repeated[2 * i + 1] = up[i];
      }
      double[] shuffled = repeated.clone();
      for (int i = shuffled.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        double t = shuffled[i];
        shuffled[i] = shuffled[j];
        shuffled[j] = t;
      }
      assertSameChoice("decreasing " + trial, d, y, down);
      assertSameChoice("repeated " + trial, d, y, repeated);
      assertSameChoice("shuffled " + trial, d, y, shuffled);
    }
  }

  @Test
  void tinyAndHugeScales() {
    Random random = new Random(1204);
    for (double scale : new double[] {1e-150, 1e-20, 1e-3, 3e-3, 1e3, 1e20, 1e100, 1e150}) {
      int n = 40;
      int[] labels = TestData.labels(random, n, 3);
      double[][] x = TestData.clustered(random, labels, 3, 4, 2.0);
      for (double[] row : x) {
        for (int f = 0; f < row.length; f++) {
          row[f] *= scale;
        }
      }
      DistanceMatrix d = distances(x);
      KernelMatrix y = KernelMatrix.labels(labels, 3, 0.1);
      // The rule's grid (decreasing when the distances are small; below about 1e-17 its last point
      // rounds to 0, which no search accepts) and one spanning the data's scale.
      if (scale >= 1e-3) {
        assertSameChoice("scale " + scale, d, y, grid(d, 300));
      }
      double mean = d.meanEuclidean();
      assertSameChoice("scaled grid " + scale, d, y, new double[] {mean * 0.01, mean * 0.1, mean * 0.3, mean, mean * 3});
    }
  }

  @Test
  void twoSamplesOneClassAndDuplicateSamples() {
    Random random = new Random(1205);
    DistanceMatrix two = distances(TestData.gaussian(random, 2, 3, 1.0));
    assertSameChoice("two samples, two classes", two, KernelMatrix.labels(new int[] {0, 1}, 2, 0.1), grid(two, 300));
    assertSameChoice("two samples, one class", two, KernelMatrix.labels(new int[] {0, 0}, 1, 0.1), grid(two, 300));

    int n = 50;
    double[][] x = TestData.gaussian(random, n, 5, 1.0);
    DistanceMatrix d = distances(x);
    assertSameChoice("one class", d, KernelMatrix.labels(new int[n], 1, 0.1), grid(d, 300));

    double[][] dup = new double[n][];
    for (int i = 0; i < n; i++) {
      dup[i] = x[i % 7].clone(); // seven distinct samples, many zero distances
    }
    int[] labels = TestData.labels(random, n, 3);
    DistanceMatrix dd = distances(dup);
    assertSameChoice("duplicates", dd, KernelMatrix.labels(labels, 3, 0.1), grid(dd, 300));
  }

  @Test
  void outlierStretchesTheDistancesOverManyOctaves() {
    Random random = new Random(1206);
    int n = 80;
    int[] labels = TestData.labels(random, n, 5);
    double[][] x = TestData.clustered(random, labels, 5, 8, 1.0);
    x[0][0] += 1e6;
    x[1][1] -= 1e-4;
    DistanceMatrix d = distances(x);
    KernelMatrix y = KernelMatrix.labels(labels, 5, 0.1);
    assertSameChoice("outlier, rule grid", d, y, grid(d, 300));
    double[] logGrid = new double[200];
    for (int i = 0; i < logGrid.length; i++) {
      logGrid[i] = 1e-3 * Math.pow(10.0, 10.0 * i / (logGrid.length - 1));
    }
    assertSameChoice("outlier, log grid", d, y, logGrid);
  }

  @Test
  void targetsOfExtremeMagnitude() {
    Random random = new Random(1207);
    int n = 40;
    DistanceMatrix d = distances(TestData.gaussian(random, n, 6, 1.0));
    double[][] z = TestData.gaussian(random, n, 3, 1.0);
    for (double scale : new double[] {1e-300, 1e-150, 1e150, 1e300}) {
      double[] k = linearKernel(z).toArray();
      for (int i = 0; i < k.length; i++) {
        k[i] *= scale;
      }
      assertSameChoice("target scaled by " + scale, d, KernelMatrix.of(n, k), grid(d, 300));
    }
  }

  @Test
  void refusesBadGridsAndSizes() {
    DistanceMatrix d = distances(TestData.gaussian(new Random(7), 5, 2, 1.0));
    KernelMatrix y = KernelMatrix.labels(new int[] {0, 1, 0, 1, 0}, 2, 0.1);
    assertThatThrownBy(() -> AlignmentSearch.argmax(d, y, new double[0])).hasMessageContaining("empty");
    assertThatThrownBy(() -> AlignmentSearch.argmax(d, y, new double[] {1.0, -2.0}))
        .hasMessageContaining("sigma grid point 1").hasMessageContaining("-2.0");
    assertThatThrownBy(() -> AlignmentSearch.argmax(d, KernelMatrix.ones(4), new double[] {1.0}))
        .hasMessageContaining("5 samples").hasMessageContaining("4 samples");
  }

  private static double[][] uniform(Random random, int n, int dim, double scale) {
    double[][] x = new double[n][dim];
    for (double[] row : x) {
      for (int f = 0; f < dim; f++) {
        row[f] = scale * random.nextDouble();
      }
    }
    return x;
  }

  /** The linear kernel z_i·z_j of centred data: symmetric, positive diagonal, entries of both signs. */
  private static KernelMatrix linearKernel(double[][] z) {
    int n = z.length;
    int dim = z[0].length;
    double[] k = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int f = 0; f < dim; f++) {
          s += z[i][f] * z[j][f];
        }
        k[i * n + j] = s;
      }
    }
    for (int i = 0; i < n; i++) {
      if (k[i * n + i] <= 0.0) {
        k[i * n + i] = 1.0;
      }
    }
    return KernelMatrix.of(n, k);
  }
}
