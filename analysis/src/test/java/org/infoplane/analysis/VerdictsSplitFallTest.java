package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Verdicts#of}'s comparison of the splits' falls on a small synthetic experiment built point by
 * point (no Spark): five runs, ten checkpoints, ten batches, three layers whose answer is planted.
 *
 * <ul>
 *   <li>layer 0 fits 2.0 → 2.4 bits by checkpoint 4 on both splits, then falls to 2.1 bits on the
 *       train split only (batch noise sd 0.01 bits): "train falls more" in every run and over the
 *       runs;
 *   <li>layer 1 has the same values on both splits (a fit, then a fall): the falls are equal batch by
 *       batch, the difference is exactly 0, "no difference";
 *   <li>layer 2 rises to the last checkpoint: no trough, "undecided".
 * </ul>
 */
class VerdictsSplitFallTest {

  static final int RUNS = 5;
  static final int CHECKPOINTS = 10;
  static final int BATCHES = 10;

  private static double trainCurve(int layer, int k) {
    return switch (layer) {
      case 0, 1 -> k <= 4 ? 2.0 + 0.1 * k : 2.4 - 0.06 * (k - 4);
      default -> 1.0 + 0.1 * k;
    };
  }

  private static double testCurve(int layer, int k) {
    return layer == 0 ? Math.min(2.0 + 0.1 * k, 2.4) : trainCurve(layer, k);
  }

  private static List<Verdicts.Point> experiment() {
    Random random = new Random(5);
    List<Verdicts.Point> points = new ArrayList<>();
    for (int r = 1; r <= RUNS; r++) {
      for (int k = 0; k < CHECKPOINTS; k++) {
        for (int layer = 0; layer < 3; layer++) {
          double[] train = new double[BATCHES];
          double[] test = new double[BATCHES];
          for (int b = 0; b < BATCHES; b++) {
            train[b] = trainCurve(layer, k) + 0.01 * random.nextGaussian();
            test[b] = layer == 0 ? testCurve(layer, k) + 0.01 * random.nextGaussian() : train[b];
          }
          points.add(point("r" + r, "train", k, layer, train));
          points.add(point("r" + r, "test", k, layer, test));
        }
      }
    }
    return points;
  }

  private static Verdicts.Point point(String run, String split, int k, int layer, double[] ixt) {
    double[] ity = new double[ixt.length];
    double[] ht = new double[ixt.length];
    for (int b = 0; b < ixt.length; b++) {
      ity[b] = 0.5;
      ht[b] = ixt[b] + 1.0;
    }
    return new Verdicts.Point(run, split, k, 100L * k, layer, "dense" + layer, ixt, ity, ht, null, null);
  }

  @Test
  void theResultHoldsOneComparisonPerRunAndLayerAndOnePerLayerOverTheRuns() {
    Verdicts.Result result = Verdicts.of(experiment(), List.of(), 0.05, List.of(1));
    List<Verdicts.FallRow> falls = result.falls();
    assertThat(falls).hasSize(RUNS * 3 + 3);

    List<Verdicts.FallRow> runRows = falls.stream().filter(f -> f.level().equals("run")).toList();
    assertThat(runRows).extracting(Verdicts.FallRow::runId).containsExactlyInAnyOrder(
        "r1", "r1", "r1", "r2", "r2", "r2", "r3", "r3", "r3", "r4", "r4", "r4", "r5", "r5", "r5");
    assertThat(runRows).allSatisfy(f -> {
      assertThat(f.nRuns()).isEqualTo(1);
      assertThat(f.nCheckpoints()).isEqualTo(CHECKPOINTS);
      assertThat(f.layerName()).isEqualTo("dense" + f.layerIndex());
    });

    List<Verdicts.FallRow> experimentRows = falls.stream().filter(f -> f.level().equals("experiment")).toList();
    assertThat(experimentRows).extracting(Verdicts.FallRow::layerIndex).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(experimentRows).allSatisfy(f -> {
      assertThat(f.runId()).isNull();
      assertThat(f.nRuns()).isEqualTo(RUNS);
    });

    for (Verdicts.FallRow f : falls) {
      switch (f.layerIndex()) {
        case 0 -> {
          assertThat(f.verdict()).as(f.level() + " " + f.runId()).isEqualTo("train falls more");
          assertThat(f.peak()).isEqualTo(new Verdicts.Checkpoint(4, 400));
          assertThat(f.trough()).isEqualTo(new Verdicts.Checkpoint(9, 900));
          assertThat(f.trainFall()).isCloseTo(0.3, within(0.03));
          assertThat(f.testFall()).isCloseTo(0.0, within(0.03));
          assertThat(f.difference().effect()).isCloseTo(0.3, within(0.03));
          assertThat(f.difference().q()).isLessThanOrEqualTo(0.05);
          // Within a run, 5 odd batches per split; over the runs, 4 test runs (the first chooses).
          assertThat(f.difference().n()).isEqualTo(f.level().equals("run") ? 10 : 4);
        }
        case 1 -> {
          assertThat(f.verdict()).as(f.level() + " " + f.runId()).isEqualTo("no difference");
          assertThat(f.difference().effect()).isZero();
          assertThat(f.trainFall()).isEqualTo(f.testFall());
        }
        default -> {
          assertThat(f.verdict()).as(f.level() + " " + f.runId()).isEqualTo("undecided");
          assertThat(f.trough()).isNull();
          assertThat(f.peak()).isEqualTo(new Verdicts.Checkpoint(CHECKPOINTS - 1, 100L * (CHECKPOINTS - 1)));
          assertThat(f.difference().q()).isNaN();
        }
      }
    }
  }

  @Test
  void withoutATestSplitThereIsNoComparison() {
    List<Verdicts.Point> trainOnly = experiment().stream().filter(p -> p.split().equals("train")).toList();
    assertThat(Verdicts.of(trainOnly, List.of(), 0.05, List.of(1)).falls()).isEmpty();
  }
}
