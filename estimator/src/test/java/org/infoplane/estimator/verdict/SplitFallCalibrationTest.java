package org.infoplane.estimator.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.infoplane.estimator.verdict.PlantedSeries.curve;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A calibration of the comparison of the splits' falls ({@link SplitFallTests}): how often a 5 %
 * test finds a difference where both splits fall alike, and how often it finds a fall planted on
 * one split only. Seeded; a few seconds.
 *
 * <p>Noise as in {@link PhaseCalibrationTest}, in bits: batch sd {@value #BATCH_SD}, and per
 * checkpoint a network deviation of sd {@value #CHECKPOINT_SD}, either shared by the two splits (one
 * network evaluated on two sample sets: the realistic case, since a checkpoint that happens to sit
 * high sits high on both) or drawn for each split independently (the harder case). {@value
 * #BATCHES} batches, {@value #CHECKPOINTS} checkpoints, {@value #TRIALS} trials per rate.
 *
 * <p>Margins: a two-sided rate of α = 0.05 over 400 trials has binomial sd √(0.05·0.95/400) ≈ 0.011,
 * so a calibrated test lies within 0.05 ± 3 sd = [0.017, 0.083]; the nulls assert that band (the
 * rates measured are in {@link SplitFallTests}' comment).
 */
class SplitFallCalibrationTest {

  static final double LEVEL = 0.05;
  static final double BATCH_SD = 0.07;
  static final double CHECKPOINT_SD = 0.03;
  static final int BATCHES = 10;
  static final int CHECKPOINTS = 10;
  static final int TRIALS = 400;

  /** 3 binomial sd of a rate of α over {@link #TRIALS}. */
  static final double TWO_SIDED_MARGIN = 3 * Math.sqrt(LEVEL * (1 - LEVEL) / TRIALS);

  /** Fitting 2.0 → 2.4 bits by checkpoint 4, then a fall of 0.2 bits by checkpoint 9. */
  static final double[] FIT_THEN_COMPRESS = curve(CHECKPOINTS, 0, 2.0, 4, 2.4, 9, 2.2);
  /** The same curve 0.15 bits lower: a test split with less I(X;T) that falls alike. */
  static final double[] FIT_THEN_COMPRESS_LOWER = curve(CHECKPOINTS, 0, 1.85, 4, 2.25, 9, 2.05);
  /** Fitting, then a plateau: no fall. */
  static final double[] FIT_THEN_PLATEAU = curve(CHECKPOINTS, 0, 2.0, 4, 2.4, 9, 2.4);

  /** How often each verdict came out over the trials. */
  record Rates(double trainMore, double testMore, double undecided) {
    double significant() {
      return trainMore + testMore;
    }
  }

  private static Rates run(double[] train, double[] test, double checkpointSd, boolean shared, long seed) {
    Random random = new Random(seed);
    int[] counts = new int[SplitFallVerdict.values().length];
    for (int t = 0; t < TRIALS; t++) {
      Series[] s = PlantedSeries.splits("r", train, test, BATCHES, checkpointSd, BATCH_SD, shared, random);
      counts[SplitFallTests.run(s[0], s[1], LEVEL).verdict().ordinal()]++;
    }
    return rates(counts);
  }

  private static Rates experiment(int r, double[] train, double[] test, boolean shared, long seed) {
    Random random = new Random(seed);
    int[] counts = new int[SplitFallVerdict.values().length];
    for (int t = 0; t < TRIALS; t++) {
      List<Series> trains = new ArrayList<>();
      List<Series> tests = new ArrayList<>();
      for (int i = 0; i < r; i++) {
        Series[] s = PlantedSeries.splits("run-" + i, train, test, BATCHES, CHECKPOINT_SD, BATCH_SD, shared, random);
        trains.add(s[0]);
        tests.add(s[1]);
      }
      counts[SplitFallTests.experiment(trains, tests, LEVEL).verdict().ordinal()]++;
    }
    return rates(counts);
  }

  private static Rates rates(int[] counts) {
    return new Rates((double) counts[SplitFallVerdict.TRAIN_FALLS_MORE.ordinal()] / TRIALS,
        (double) counts[SplitFallVerdict.TEST_FALLS_MORE.ordinal()] / TRIALS,
        (double) counts[SplitFallVerdict.UNDECIDED.ordinal()] / TRIALS);
  }

  private static void print(String what, Rates r) {
    System.out.printf("split falls, %s: train falls more %.4f, test falls more %.4f, undecided %.4f%n", what,
        r.trainMore(), r.testMore(), r.undecided());
  }

  private static void assertCalibrated(String what, Rates r) {
    print(what, r);
    assertThat(r.significant()).as(what + ": a difference found where the splits fall alike")
        .isBetween(LEVEL - TWO_SIDED_MARGIN, LEVEL + TWO_SIDED_MARGIN);
  }

  @Test
  void runLevelNullIsCalibratedWhenTheCheckpointsDeviationIsShared() {
    assertCalibrated("run, batch noise only", run(FIT_THEN_COMPRESS, FIT_THEN_COMPRESS, 0.0, true, 1));
    assertCalibrated("run, shared deviation",
        run(FIT_THEN_COMPRESS, FIT_THEN_COMPRESS_LOWER, CHECKPOINT_SD, true, 2));
    assertCalibrated("run, plateau, shared deviation",
        run(FIT_THEN_PLATEAU, FIT_THEN_PLATEAU, CHECKPOINT_SD, true, 3));
  }

  @Test
  void runLevelSeesOnlyBatchNoiseSoAnIndependentDeviationIsADifference() {
    // Welch's test within a run knows the batch noise only: a deviation of one split's checkpoint
    // that the other split does not share is, for this run, a real difference of the falls.
    Rates r = run(FIT_THEN_COMPRESS, FIT_THEN_COMPRESS, CHECKPOINT_SD, false, 4);
    print("run, independent deviation", r);
    assertThat(r.significant()).as("anti-conservative for a question about the network")
        .isGreaterThan(LEVEL + TWO_SIDED_MARGIN);
  }

  @Test
  void experimentLevelNullIsCalibratedSharedOrNot() {
    for (int r : new int[] {5, 10}) {
      for (boolean shared : new boolean[] {true, false}) {
        String what = "experiment R = " + r + ", " + (shared ? "shared" : "independent") + " deviation";
        long seed = 10L * r + (shared ? 1 : 2);
        assertCalibrated(what, experiment(r, FIT_THEN_COMPRESS, FIT_THEN_COMPRESS_LOWER, shared, seed));
      }
    }
  }

  @Test
  void aFallOnTheTrainSplitOnlyIsFound() {
    Rates run = run(FIT_THEN_COMPRESS, FIT_THEN_PLATEAU, 0.0, true, 21);
    print("run, 0.2 bits on train only", run);
    assertThat(run.trainMore()).isGreaterThanOrEqualTo(0.6);
    assertThat(run.testMore()).isLessThanOrEqualTo(0.01);
    for (int r : new int[] {5, 10}) {
      Rates e = experiment(r, FIT_THEN_COMPRESS, FIT_THEN_PLATEAU, false, 22L + r);
      print("experiment R = " + r + ", independent deviation, 0.2 bits on train only", e);
      assertThat(e.trainMore()).isGreaterThanOrEqualTo(r == 5 ? 0.65 : 0.9);
      assertThat(e.testMore()).isLessThanOrEqualTo(0.01);
      Rates s = experiment(r, FIT_THEN_COMPRESS, FIT_THEN_PLATEAU, true, 32L + r);
      print("experiment R = " + r + ", shared deviation, 0.2 bits on train only", s);
      assertThat(s.trainMore()).isGreaterThanOrEqualTo(r == 5 ? 0.65 : 0.9);
    }
  }

  @Test
  void aFallOnTheTestSplitOnlyIsFoundAsSuch() {
    Rates run = run(FIT_THEN_PLATEAU, FIT_THEN_COMPRESS, 0.0, true, 41);
    print("run, 0.2 bits on test only", run);
    assertThat(run.testMore()).isGreaterThanOrEqualTo(0.6);
    assertThat(run.trainMore()).isLessThanOrEqualTo(0.01);
    Rates e = experiment(5, FIT_THEN_PLATEAU, FIT_THEN_COMPRESS, false, 42);
    print("experiment R = 5, independent deviation, 0.2 bits on test only", e);
    assertThat(e.testMore()).isGreaterThanOrEqualTo(0.65);
    assertThat(e.trainMore()).isLessThanOrEqualTo(0.01);
  }
}
