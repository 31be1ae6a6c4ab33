package org.infoplane.estimator.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.infoplane.estimator.verdict.PlantedSeries.constant;
import static org.infoplane.estimator.verdict.PlantedSeries.curve;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A small calibration of the phase verdicts (METHOD.md §10): false compression under nulls whose
 * checkpoints vary as training does, and the power to find a planted compression. Under 1 s.
 *
 * <p>Noise, in bits: batch noise sd {@value #BATCH_SD} per batch (a realistic spread of a B = 100
 * batch estimate of a trained layer) and a fresh per-checkpoint, per-run offset of sd {@value
 * #CHECKPOINT_SD} (each checkpoint is another network). Experiments of {@value #RUNS} runs ×
 * {@value #BATCHES} batches × {@value #CHECKPOINTS} checkpoints; {@value #TRIALS} seeded trials per
 * rate.
 *
 * <p>Margins: a drop that is significantly <em>positive</em> at two-sided α = 0.05 has a nominal rate
 * of α/2 = 0.025 under the null; with 400 trials its binomial sd is √(0.025·0.975/400) ≈ 0.0078, so
 * a calibrated test stays below 0.025 + 3 sd ≈ 0.048. A false compression needs a significant
 * fitting as well, so its rate is at most that, and the same bound is asserted. A two-sided
 * rate of 0.05 has sd √(0.05·0.95/400) ≈ 0.011, so a calibrated test lies in 0.05 ± 3 sd.
 */
class PhaseCalibrationTest {

  static final double LEVEL = 0.05;
  static final double BATCH_SD = 0.07;
  static final double CHECKPOINT_SD = 0.03;
  static final int RUNS = 5;
  static final int BATCHES = 10;
  static final int CHECKPOINTS = 10;
  static final int TRIALS = 400;

  /** 3 binomial sd of a rate of α/2 over {@link #TRIALS}, added to α/2. */
  static final double ONE_SIDED_BOUND = LEVEL / 2 + 3 * Math.sqrt(LEVEL / 2 * (1 - LEVEL / 2) / TRIALS);

  /** 3 binomial sd of a rate of α over {@link #TRIALS}. */
  static final double TWO_SIDED_MARGIN = 3 * Math.sqrt(LEVEL * (1 - LEVEL) / TRIALS);

  @Test
  void experimentLevelNullWithCheckpointNoiseIsCalibrated() {
    Random random = new Random(2024);
    double[] ixt = constant(CHECKPOINTS, 2.5);
    double[] ity = constant(CHECKPOINTS, 1.0);
    int compression = 0;
    int dropPositive = 0;
    int dropEitherWay = 0;
    int fittingPositive = 0;
    int leaveOneOutEitherWay = 0;
    int ownCurvePositive = 0;
    for (int t = 0; t < TRIALS; t++) {
      List<Series> runs = PlantedSeries.runs(RUNS, ixt, ity, BATCHES, CHECKPOINT_SD, BATCH_SD, random);
      PhaseVerdict v = PhaseTests.experiment(runs, LEVEL);
      compression += v.phase() == Phase.FITTING_THEN_COMPRESSION ? 1 : 0;
      dropPositive += v.drop().significantlyPositive(LEVEL) ? 1 : 0;
      dropEitherWay += v.drop().significant(LEVEL) ? 1 : 0;
      fittingPositive += v.fitting().significantlyPositive(LEVEL) ? 1 : 0;
      leaveOneOutEitherWay += drop(runs, true).significant(LEVEL) ? 1 : 0;
      ownCurvePositive += drop(runs, false).significantlyPositive(LEVEL) ? 1 : 0;
    }
    assertThat(rate(compression)).as("false compression").isLessThanOrEqualTo(ONE_SIDED_BOUND);
    assertThat(rate(dropPositive)).as("drop significantly positive").isLessThanOrEqualTo(ONE_SIDED_BOUND);
    assertThat(rate(fittingPositive)).as("fitting significantly positive").isLessThanOrEqualTo(ONE_SIDED_BOUND);
    assertThat(rate(dropEitherWay)).as("drop significant either way: calibrated, not just conservative")
        .isBetween(LEVEL - TWO_SIDED_MARGIN, LEVEL + TWO_SIDED_MARGIN);
    // The designs PhaseTests does not use, on the same nulls. Leave-one-out (each run tested at the
    // other runs' peak) rejected 12 % of the time here; each run's own peak, nearly always.
    assertThat(rate(leaveOneOutEitherWay)).as("leave-one-out: anti-conservative")
        .isGreaterThan(LEVEL + TWO_SIDED_MARGIN);
    assertThat(rate(ownCurvePositive)).as("own-curve peak: biased").isGreaterThan(0.5);
  }

  @Test
  void fittingThenAPlateauIsNotCompression() {
    // The null that matters most: a real fitting phase, then checkpoints that only fluctuate.
    double[] ixt = curve(CHECKPOINTS, 0, 2.0, 4, 2.4, 9, 2.4);
    double[] ity = curve(CHECKPOINTS, 0, 0.5, 4, 1.5, 9, 1.5);
    Random random = new Random(31);
    int compression = 0;
    int fitting = 0;
    for (int t = 0; t < TRIALS; t++) {
      PhaseVerdict v = PhaseTests.experiment(
          PlantedSeries.runs(RUNS, ixt, ity, BATCHES, CHECKPOINT_SD, BATCH_SD, random), LEVEL);
      compression += v.phase() == Phase.FITTING_THEN_COMPRESSION ? 1 : 0;
      fitting += v.fitting().significantlyPositive(LEVEL) ? 1 : 0;
    }
    assertThat(rate(fitting)).as("the fitting is found").isGreaterThanOrEqualTo(0.95);
    assertThat(rate(compression)).as("false compression after a plateau").isLessThanOrEqualTo(ONE_SIDED_BOUND);
  }

  @Test
  void runLevelNullWithBatchNoiseRarelyCompresses() {
    // Within one run the checkpoints are fixed networks: only batch noise is sampling noise.
    Random random = new Random(7);
    double[] ixt = constant(CHECKPOINTS, 2.5);
    double[] ity = constant(CHECKPOINTS, 1.0);
    int compression = 0;
    int dropPositive = 0;
    for (int t = 0; t < TRIALS; t++) {
      PhaseVerdict v = PhaseTests.run(PlantedSeries.series("r", ixt, ity, BATCHES, 0.0, BATCH_SD, random), LEVEL);
      compression += v.phase() == Phase.FITTING_THEN_COMPRESSION ? 1 : 0;
      dropPositive += v.drop().significantlyPositive(LEVEL) ? 1 : 0;
    }
    assertThat(rate(compression)).as("false compression").isLessThanOrEqualTo(LEVEL);
    assertThat(rate(dropPositive)).as("drop significantly positive").isLessThanOrEqualTo(ONE_SIDED_BOUND);
  }

  @Test
  void aPlantedCompressionOfFifthOfABitIsFound() {
    // I(X;T): 2.0 → 2.4 bits by checkpoint 4 (fitting 0.4), then → 2.2 bits by checkpoint 9
    // (compression 0.2); I(T;Y): 0.5 → 1.5 bits by checkpoint 4, then flat.
    double[] ixt = curve(CHECKPOINTS, 0, 2.0, 4, 2.4, 9, 2.2);
    double[] ity = curve(CHECKPOINTS, 0, 0.5, 4, 1.5, 9, 1.5);
    Random random = new Random(11);
    int compression = 0;
    int initialTransient = 0;
    for (int t = 0; t < TRIALS; t++) {
      PhaseVerdict v = PhaseTests.experiment(
          PlantedSeries.runs(RUNS, ixt, ity, BATCHES, CHECKPOINT_SD, BATCH_SD, random), LEVEL);
      compression += v.phase() == Phase.FITTING_THEN_COMPRESSION ? 1 : 0;
      initialTransient += v.phase() == Phase.INITIAL_TRANSIENT ? 1 : 0;
    }
    assertThat(rate(compression)).as("power at 5 runs × 10 batches").isGreaterThanOrEqualTo(0.80);
    assertThat(initialTransient).isZero();
  }

  /**
   * The experiment's drop by a design PhaseTests does not use: each run tested at the peak and trough
   * of the other runs' mean curve (leave-one-out), or of its own (biased). Runs whose curve has no
   * trough are left out.
   */
  private static Effect drop(List<Series> runs, boolean leaveOneOut) {
    int r = runs.size();
    double[][] m = new double[r][];
    for (int i = 0; i < r; i++) {
      double[][] x = runs.get(i).ixt();
      m[i] = new double[x.length];
      for (int k = 0; k < x.length; k++) {
        m[i][k] = Tests.mean(x[k]);
      }
    }
    double[] drops = new double[r];
    int n = 0;
    for (int i = 0; i < r; i++) {
      double[] chooser = new double[m[i].length];
      for (int j = 0; j < r; j++) {
        if (leaveOneOut ? j != i : j == i) {
          for (int k = 0; k < chooser.length; k++) {
            chooser[k] += m[j][k];
          }
        }
      }
      int peak = PhaseTests.argmax(chooser);
      int trough = PhaseTests.argminAfter(chooser, peak);
      if (trough >= 0) {
        drops[n++] = m[i][peak] - m[i][trough];
      }
    }
    return Tests.oneSample(java.util.Arrays.copyOf(drops, n), 1 - LEVEL);
  }

  private static double rate(int count) {
    return (double) count / TRIALS;
  }
}
