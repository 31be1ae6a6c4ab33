package org.infoplane.estimator.width;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.OptionalDouble;
import java.util.Random;
import org.infoplane.estimator.matrix.DistanceMatrix;
import org.infoplane.estimator.matrix.KernelMatrix;
import org.infoplane.estimator.matrix.SquaredDistances;
import org.infoplane.estimator.reference.ReferenceRenyi;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every width rule against the reference's direct computation of METHOD.md §4. */
class KernelWidthRulesTest {

  /** Relative tolerance on a width (grid points and distances differ only by round-off). */
  static final double WIDTH_REL_TOL = 1e-9;

  private static WidthInput input(double[][] t, int[] labels, int numClasses) {
    return new WidthInput(SquaredDistances.of(TestData.nd(t)), t[0].length, KernelMatrix.labels(labels, numClasses, 0.1));
  }

  private static void assertWidth(OptionalDouble got, double expected) {
    assertThat(got).isPresent();
    assertThat(got.getAsDouble()).isCloseTo(expected, within(WIDTH_REL_TOL * expected));
  }

  @ParameterizedTest
  @ValueSource(longs = {61, 62, 63})
  void alignmentIsTheArgmaxOverTheGridOfTheDoubleLoopAlignment(long seed) {
    Random random = new Random(seed);
    int n = 60;
    int[] y = TestData.labels(random, n, 4);
    double[][] t = TestData.clustered(random, y, 4, 10, 1.5);
    double[][] d = ReferenceRenyi.squaredDistances(t);
    double expected = ReferenceRenyi.alignmentWidth(d, ReferenceRenyi.labelKernel(y, 4, 0.1), 300);
    assertWidth(KernelWidthRules.alignment().select(input(t, y, 4)), expected);
    // a coarse grid too
    double coarse = ReferenceRenyi.alignmentWidth(d, ReferenceRenyi.labelKernel(y, 4, 0.1), 20);
    assertWidth(KernelWidthRules.alignment(20).select(input(t, y, 4)), coarse);
  }

  @Test
  void alignmentTiesGoToTheSmallestSigma() {
    // Samples 100 apart, each its own class: K_Y ≈ I, and every σ small enough that the layer's
    // kernel is exactly I gives the same, largest alignment (1 up to round-off). The first such grid point is 0.1.
    int n = 12;
    double[][] t = new double[n][n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      t[i][i] = 100.0;
      y[i] = i;
    }
    double[][] d = ReferenceRenyi.squaredDistances(t);
    double[] grid = ReferenceRenyi.alignmentGrid(d, 300);
    double[][] ky = ReferenceRenyi.labelKernel(y, n, 0.1);
    double tie = ReferenceRenyi.alignment(ReferenceRenyi.gaussianKernel(d, grid[0]), ky);
    assertThat(ReferenceRenyi.alignment(ReferenceRenyi.gaussianKernel(d, grid[1]), ky)).isEqualTo(tie);
    assertThat(ReferenceRenyi.alignment(ReferenceRenyi.gaussianKernel(d, grid[2]), ky)).isEqualTo(tie);
    assertThat(ReferenceRenyi.alignmentWidth(d, ky, 300)).isEqualTo(0.1);
    assertWidth(KernelWidthRules.alignment().select(input(t, y, n)), 0.1);
  }

  @Test
  void medianNearestNeighbourAndSilvermanMatchTheirDefinitions() {
    Random random = new Random(64);
    for (int n : new int[] {41, 60}) { // an odd and an even number of pairs
      int[] y = TestData.labels(random, n, 3);
      double[][] t = TestData.gaussian(random, n, 9, 2.0);
      double[][] d = ReferenceRenyi.squaredDistances(t);
      WidthInput in = input(t, y, 3);
      assertWidth(KernelWidthRules.median().select(in), ReferenceRenyi.medianWidth(d));
      assertWidth(KernelWidthRules.nearestNeighbour(1).select(in), ReferenceRenyi.nearestNeighbourWidth(d, 1));
      assertWidth(KernelWidthRules.nearestNeighbour(7).select(in), ReferenceRenyi.nearestNeighbourWidth(d, 7));
      assertWidth(KernelWidthRules.nearestNeighbour(n - 1).select(in), ReferenceRenyi.nearestNeighbourWidth(d, n - 1));
      assertWidth(KernelWidthRules.silverman(0.8).select(in), ReferenceRenyi.silvermanWidth(9, n, 0.8));
      assertWidth(KernelWidthRules.fixed(8.0).select(in), 8.0);
    }
    // median of the 3 pair distances of 0, 3, 7 on a line: {3, 4, 7} → 4
    double[][] line = {{0.0}, {3.0}, {7.0}};
    assertWidth(KernelWidthRules.median().select(input(line, new int[] {0, 0, 1}, 2)), 4.0);
    // Silverman for D = 1, N = 3: 0.8 · 3^(−1/5)
    assertWidth(KernelWidthRules.silverman(0.8).select(input(line, new int[] {0, 0, 1}, 2)), 0.8 * Math.pow(3, -0.2));
  }

  @ParameterizedTest
  @ValueSource(strings = {"alignment", "alignment:50", "fixed:8.0", "median", "knn:3", "silverman:0.8"})
  void everyRuleGivesNoWidthForAConstantLayer(String spec) {
    double[][] zeros = new double[10][4];
    int[] y = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
    KernelWidthRule rule = KernelWidthRules.parse(spec);
    assertThat(rule.select(input(zeros, y, 2))).isEmpty();
    assertThat(KernelWidthRules.parse(rule.spec()).spec()).isEqualTo(rule.spec());
  }

  @Test
  void specsReadBack() {
    assertThat(KernelWidthRules.parse("alignment").spec()).isEqualTo("alignment");
    assertThat(KernelWidthRules.parse(" Alignment:40 ").spec()).isEqualTo("alignment:40");
    assertThat(KernelWidthRules.parse("knn").spec()).isEqualTo("knn:50");
    assertThat(KernelWidthRules.parse("silverman").spec()).isEqualTo("silverman:0.8");
    assertThat(KernelWidthRules.parse("FIXED:2.5").spec()).isEqualTo("fixed:2.5");
  }

  @Test
  void badSpecsAndParametersAreRejectedWithTheValue() {
    for (String bad : new String[] {"gaussian", "fixed", "median:3", "knn:x", "alignment:1:2", ""}) {
      assertThatThrownBy(() -> KernelWidthRules.parse(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unknown kernel width rule '" + bad + "'")
          .hasMessageContaining("fixed:SIGMA");
    }
    assertThatThrownBy(() -> KernelWidthRules.fixed(-1.0))
        .hasMessage("fixed sigma must be > 0 and finite, got -1.0");
    assertThatThrownBy(() -> KernelWidthRules.fixed(0.0))
        .hasMessage("fixed sigma must be > 0 and finite, got 0.0");
    assertThatThrownBy(() -> KernelWidthRules.parse("fixed:-2"))
        .hasMessage("fixed sigma must be > 0 and finite, got -2.0");
    assertThatThrownBy(() -> KernelWidthRules.nearestNeighbour(0))
        .hasMessageContaining("must be >= 1, got 0");
    assertThatThrownBy(() -> KernelWidthRules.alignment(1))
        .hasMessageContaining("grid size must be >= 2, got 1");
  }

  @Test
  void nearestNeighbourNeedsKBelowTheBatchSize() {
    double[][] t = TestData.gaussian(new Random(65), 10, 3, 1.0);
    int[] y = new int[10];
    WidthInput in = input(t, y, 1);
    assertThatThrownBy(() -> KernelWidthRules.nearestNeighbour(10).select(in))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k=10 with 10 samples");
    assertThatThrownBy(() -> KernelWidthRules.parse("knn").select(in))
        .hasMessageContaining("k=50 with 10 samples");
  }

  @Test
  void widthInputChecksSizes() {
    DistanceMatrix d = SquaredDistances.of(TestData.nd(TestData.gaussian(new Random(66), 5, 2, 1.0)));
    assertThatThrownBy(() -> new WidthInput(d, 2, KernelMatrix.labels(new int[] {0, 1, 0}, 2, 0.1)))
        .hasMessageContaining("distances of 5 samples and a label kernel of 3 samples");
  }
}
