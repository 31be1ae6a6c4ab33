package org.infoplane.estimator.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The DPI chain: pairs, signs and the run and experiment levels, on small worked arrays. */
class DpiTestsTest {

  static final double TOL = 1e-12;
  static final double LEVEL = 0.05;

  // Four batches; S(X) = log2 100 ≈ 6.64 bits is the ceiling for B = 100; three layers.
  static final double[] HX = {6.64, 6.64, 6.64, 6.64};
  static final double[] IXY = {3.30, 3.31, 3.29, 3.30};
  static final double[][] IXT = {
    {6.10, 6.20, 6.00, 6.15}, // T1 below S(X)
    {5.00, 5.10, 4.95, 5.05}, // T2 below T1
    {5.40, 5.52, 5.33, 5.46}, // T3 above T2 on every batch: a violation
  };
  static final double[][] ITY = {
    {3.20, 3.22, 3.18, 3.21},
    {3.10, 3.12, 3.09, 3.11},
    {3.05, 3.15, 3.02, 3.13}, // around T2: no violation
  };

  @Test
  void pairsRunAlongTheChainFromTheInput() {
    List<DpiTests.DpiPair> pairs = DpiTests.run(HX, IXY, IXT, ITY, LEVEL);
    assertThat(pairs).hasSize(3);
    assertThat(pairs.get(0).fromIndex()).isEqualTo(-1);
    assertThat(pairs.get(0).toIndex()).isZero();
    assertThat(pairs.get(2).fromIndex()).isEqualTo(1);
    assertThat(pairs.get(2).toIndex()).isEqualTo(2);
    double confidence = 1 - LEVEL;
    assertThat(pairs.get(0).xt()).isEqualTo(Tests.paired(HX, IXT[0], confidence));
    assertThat(pairs.get(0).ty()).isEqualTo(Tests.paired(IXY, ITY[0], confidence));
    assertThat(pairs.get(2).xt()).isEqualTo(Tests.paired(IXT[1], IXT[2], confidence));
    // Later − earlier: T3 − T2 = {0.40, 0.42, 0.38, 0.41}, mean 0.4025.
    assertThat(pairs.get(2).xt().estimate()).isCloseTo(0.4025, within(TOL));
    assertThat(pairs.get(0).xt().estimate()).as("T1 − S(X)").isCloseTo(6.1125 - 6.64, within(TOL));
  }

  @Test
  void aLaterLayerSignificantlyAboveIsAViolationAndOnlyThat() {
    List<DpiTests.DpiPair> pairs = DpiTests.run(HX, IXY, IXT, ITY, LEVEL);
    assertThat(pairs.get(0).xtViolation(LEVEL)).isFalse();
    assertThat(pairs.get(1).xtViolation(LEVEL)).as("a significant fall is no violation").isFalse();
    assertThat(pairs.get(1).xt().significant(LEVEL)).isTrue();
    assertThat(pairs.get(2).xtViolation(LEVEL)).isTrue();
    assertThat(pairs.get(2).tyViolation(LEVEL)).isFalse();
    DpiTests.DpiPair adjusted = pairs.get(2).withQ(0.3, 0.9);
    assertThat(adjusted.xt().q()).isEqualTo(0.3);
    assertThat(adjusted.xtViolation(LEVEL)).as("judged on q once attached").isFalse();
  }

  @Test
  void theExperimentTestsPerRunMeanDifferencesOverRuns() {
    Random random = new Random(3);
    List<List<DpiTests.DpiPair>> runs = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      double[][] ixt = new double[3][4];
      double[][] ity = new double[3][4];
      for (int l = 0; l < 3; l++) {
        for (int b = 0; b < 4; b++) {
          ixt[l][b] = IXT[l][b] + 0.05 * random.nextGaussian();
          ity[l][b] = ITY[l][b] + 0.05 * random.nextGaussian();
        }
      }
      runs.add(DpiTests.run(HX, IXY, ixt, ity, LEVEL));
    }
    List<DpiTests.DpiPair> experiment = DpiTests.experiment(runs, LEVEL);
    assertThat(experiment).hasSize(3);
    double[] xt2 = new double[4];
    double[][] xtDiffs = new double[4][3];
    double[][] tyDiffs = new double[4][3];
    for (int r = 0; r < 4; r++) {
      xt2[r] = runs.get(r).get(2).xt().estimate();
      for (int k = 0; k < 3; k++) {
        xtDiffs[r][k] = runs.get(r).get(k).xt().estimate();
        tyDiffs[r][k] = runs.get(r).get(k).ty().estimate();
      }
    }
    assertThat(experiment.get(2).xt()).isEqualTo(Tests.oneSample(xt2, 1 - LEVEL));
    assertThat(experiment.get(2).xt().df()).isEqualTo(3.0);
    assertThat(experiment.get(0).fromIndex()).isEqualTo(-1);
    assertThat(DpiTests.experiment(xtDiffs, tyDiffs, LEVEL)).isEqualTo(experiment);
    assertThat(experiment.get(2).xtViolation(LEVEL)).isTrue();
    assertThat(DpiTests.experiment(List.of(runs.get(0)), LEVEL).get(2).xt().decided()).as("one run").isFalse();
  }

  @Test
  void misuseIsNamed() {
    double[][] shortLayer = {IXT[0], {1.0, 2.0, 3.0}, IXT[2]};
    assertThatThrownBy(() -> DpiTests.run(HX, IXY, shortLayer, ITY, LEVEL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ixt of layer 1 has 3 values, expected 4");
    assertThatThrownBy(() -> DpiTests.run(HX, IXY, IXT, new double[2][4], LEVEL))
        .hasMessageContaining("got 3 and 2");
    assertThatThrownBy(() -> DpiTests.experiment(new double[][] {{1, 2}, {1}}, new double[][] {{1, 2}, {1, 2}}, LEVEL))
        .hasMessageContaining("I(X;T) differences of run 1 has 1 values, expected 2");
    assertThatThrownBy(() -> new DpiTests.DpiPair(0, 2, Effect.undecided(0, 1), Effect.undecided(0, 1)))
        .hasMessageContaining("consecutive elements, got 0 -> 2");
  }
}
