package org.infoplane.estimator.verdict;

import java.util.List;

/**
 * Does I(X;T) fall more on the training split than on the test split? The paper's second claim
 * ("compression happens mainly on training data", METHOD.md §10) as one test per layer: {@link
 * PhaseTests} judges each split's fall on its own, and a fall significant on train but not on test
 * is not evidence that the falls differ. This class tests the difference of the two falls. Bits
 * throughout; {@code level} is the significance level α and every interval is at 1 − α.
 *
 * <p>A fall is I(X;T)[peak] − I(X;T)[trough], and the difference is train fall − test fall. Both
 * splits are measured at the <b>same</b> peak and trough, chosen once for the layer, by the rules of
 * {@link PhaseTests} (argmax over the checkpoints, ties the earliest; argmin after it, ties the
 * earliest; no trough when the peak is the last checkpoint: undecided).
 *
 * <h2>The choice is symmetric, and on other data than the test</h2>
 *
 * The checkpoints are chosen on the mean of the two splits' curves, (train + test)/2. A choice on
 * one split's curve would sit on that split's fluctuations (its peak high, its trough low) and make
 * its fall look larger than the other's even when both splits fall alike; the mean curve favours
 * neither, so under "both splits fall alike" the two splits are exchangeable and the difference has
 * mean 0. As in {@link PhaseTests}, the data that choose the checkpoints do not test them:
 *
 * <ul>
 *   <li><b>Within one run ({@link #run})</b>: chosen on the selection half of each split's batches
 *       (even batch indices), tested on the odd ones. Per split, the per-batch falls ixt[peak][b] −
 *       ixt[trough][b] over the odd batches b (each split's batch b holds the same samples at both
 *       checkpoints); the two splits hold different samples, so their falls are compared by Welch's
 *       test ({@link Tests#welch}), df by Welch–Satterthwaite. Fewer than 2 odd batches on a split
 *       is undecided. A deviation of a checkpoint's network that both splits share (the same network
 *       evaluated on two sample sets) cancels exactly in the difference.
 *   <li><b>Across R runs ({@link #experiment})</b>: chosen on the mean curve, over all batches, of the
 *       first {@code selectionRuns} runs (default {@value PhaseTests#DEFAULT_SELECTION_RUNS}), both
 *       splits averaged; tested on the other runs. Each test run's effect d<sub>r</sub> = (its train
 *       fall) − (its test fall), each fall a difference of its means over all batches; given the
 *       choice the d<sub>r</sub> are independent, and the one-sample t test over them ({@link
 *       Tests#oneSample}) is exact, df = R − selectionRuns − 1. Fewer than 2 test runs is undecided.
 *       Give the runs in a fixed order (e.g. by name): the order picks the selection runs.
 * </ul>
 *
 * <h2>Calibration ({@code SplitFallCalibrationTest})</h2>
 *
 * Planted series (batch sd 0.07, checkpoint sd 0.03 bits, 10 batches, 10 checkpoints, a fit of 0.4
 * bits to checkpoint 4, then a fall of 0.2 bits to checkpoint 9; in the nulls the test split's curve
 * lies 0.15 bits lower and falls alike), 400 seeded trials per case, a two-sided 5 % test (a
 * calibrated rate lies within 0.05 ± 0.033, 3 binomial sd):
 *
 * <ul>
 *   <li>Null, run level: with batch noise only the difference was significant in 4.0 % of the
 *       trials; with each checkpoint's network deviation shared by the splits (one network evaluated
 *       on two sample sets: what training gives) 3.3 %, and 3.8 % when both splits reach a plateau
 *       instead of falling (15.5 % undecided there: the peak at the last checkpoint). With the
 *       deviation drawn independently per split, the run level rejected 11.0 %: Welch's test sees the
 *       batch noise only, and a split-specific deviation of a checkpoint is, for that run and those
 *       evaluation samples, a real difference of the falls. The run level answers "for these
 *       networks and these evaluation samples"; the claim about the network is the experiment
 *       level's.
 *   <li>Null, experiment level: 4.25 % (shared deviation) and 4.5 % (independent) at R = 5; 4.25 %
 *       and 4.25 % at R = 10.
 *   <li>A fall of 0.2 bits on the train split only (the test split stays at its peak): "train falls
 *       more" in 63.5 % of the trials at run level (5 odd batches per split), 76 % at R = 5 with
 *       independent deviations (90 % shared) and 97 % at R = 10 (96.5 % shared), never "test falls
 *       more"; the mirror case gave "test falls more" in 62.5 % (run) and 77 % (R = 5) of the
 *       trials, never "train falls more".
 * </ul>
 */
public final class SplitFallTests {

  private SplitFallTests() {}

  /**
   * The comparison within one run, on the batch halves of the class comment.
   *
   * @param train the run's layer on the train split
   * @param test the same run's layer on the test split, with the same checkpoints (aligned by index;
   *     the batch counts may differ)
   * @param level the significance level α in (0, 0.5]; the interval at 1 − α
   * @return a run-level comparison classified with p (attach q with {@link SplitFall#withQ} when
   *     judging many)
   * @throws IllegalArgumentException when the checkpoint counts differ
   */
  public static SplitFall run(Series train, Series test, double level) {
    double confidence = Tests.requireLevel(level);
    int c = requireSameCheckpoints(train, test);
    double[][] x = train.ixt();
    double[][] y = test.ixt();
    double[] selection = new double[c];
    for (int k = 0; k < c; k++) {
      selection[k] = (halfMean(x[k]) + halfMean(y[k])) / 2.0;
    }
    int peak = PhaseTests.argmax(selection);
    int trough = PhaseTests.argminAfter(selection, peak);
    if (trough < 0) {
      return noTrough(PhaseVerdict.RUN, 1, peak);
    }
    double[] trainFalls = oddFalls(x[peak], x[trough]);
    double[] testFalls = oddFalls(y[peak], y[trough]);
    // Welch's effect is mean(second) − mean(first): train − test.
    Effect difference = Tests.welch(testFalls, trainFalls, confidence);
    return new SplitFall(PhaseVerdict.RUN, 1, peak, trough, meanOrNaN(trainFalls), meanOrNaN(testFalls), difference,
        classify(difference, level));
  }

  /**
   * The comparison over the runs of one experiment, chosen on the first run ({@link
   * #experiment(List, List, int, double)} with {@value PhaseTests#DEFAULT_SELECTION_RUNS} selection
   * run).
   */
  public static SplitFall experiment(List<Series> train, List<Series> test, double level) {
    return experiment(train, test, PhaseTests.DEFAULT_SELECTION_RUNS, level);
  }

  /**
   * The comparison over the runs of one experiment: peak and trough chosen on the first {@code
   * selectionRuns} runs (both splits averaged), the difference tested over the others.
   *
   * @param train R series of the layer on the train split, one per run, in a fixed order
   * @param test the same R runs' series on the test split, in the same order
   * @param selectionRuns how many runs, from the start of the lists, choose the checkpoints (≥ 1)
   * @param level the significance level α in (0, 0.5]; the interval at 1 − α
   * @return an experiment-level comparison with nRuns = R; undecided with fewer than 2 test runs or
   *     no checkpoint after the peak
   * @throws IllegalArgumentException when a list is empty, the lists differ in length or in their
   *     runs, or a series' checkpoint count differs from the first's
   */
  public static SplitFall experiment(List<Series> train, List<Series> test, int selectionRuns, double level) {
    double confidence = Tests.requireLevel(level);
    if (train == null || test == null || train.isEmpty()) {
      throw new IllegalArgumentException("an experiment needs at least one run on both splits, got none");
    }
    if (train.size() != test.size()) {
      throw new IllegalArgumentException("an experiment needs every run on both splits: " + train.size()
          + " train series, " + test.size() + " test series");
    }
    if (selectionRuns < 1) {
      throw new IllegalArgumentException("selectionRuns must be >= 1, got " + selectionRuns);
    }
    int r = train.size();
    int c = train.get(0).checkpoints();
    double[][] mx = new double[r][];
    double[][] my = new double[r][];
    for (int i = 0; i < r; i++) {
      Series a = train.get(i);
      Series b = test.get(i);
      if (!a.run().equals(b.run())) {
        throw new IllegalArgumentException("run " + i + " of the lists differs between the splits: " + a.run()
            + " on train, " + b.run() + " on test");
      }
      if (requireSameCheckpoints(a, b) != c) {
        throw new IllegalArgumentException("runs of an experiment need equal checkpoint counts: run " + a.run()
            + " has " + a.checkpoints() + ", run " + train.get(0).run() + " has " + c);
      }
      mx[i] = PhaseTests.checkpointMeans(a.ixt());
      my[i] = PhaseTests.checkpointMeans(b.ixt());
    }
    int selected = Math.min(selectionRuns, r);
    double[] selection = new double[c];
    for (int i = 0; i < selected; i++) {
      for (int k = 0; k < c; k++) {
        selection[k] += (mx[i][k] + my[i][k]) / 2.0 / selected;
      }
    }
    int peak = PhaseTests.argmax(selection);
    int trough = PhaseTests.argminAfter(selection, peak);
    if (trough < 0) {
      return noTrough(PhaseVerdict.EXPERIMENT, r, peak);
    }
    int tested = r - selected;
    double[] trainFalls = new double[tested];
    double[] testFalls = new double[tested];
    double[] differences = new double[tested];
    for (int j = 0; j < tested; j++) {
      int i = selected + j;
      trainFalls[j] = mx[i][peak] - mx[i][trough];
      testFalls[j] = my[i][peak] - my[i][trough];
      differences[j] = trainFalls[j] - testFalls[j];
    }
    Effect difference = Tests.oneSample(differences, confidence);
    return new SplitFall(PhaseVerdict.EXPERIMENT, r, peak, trough, meanOrNaN(trainFalls), meanOrNaN(testFalls),
        difference, classify(difference, level));
  }

  /**
   * The verdict on a difference (train fall − test fall) at significance level α, two-sided: {@link
   * SplitFallVerdict#UNDECIDED} when the test could not judge; else {@link
   * SplitFallVerdict#TRAIN_FALLS_MORE} or {@link SplitFallVerdict#TEST_FALLS_MORE} when {@link
   * Effect#significant} (q where attached, else p) by its sign; else {@link
   * SplitFallVerdict#NO_DIFFERENCE}.
   */
  public static SplitFallVerdict classify(Effect difference, double level) {
    Tests.requireLevel(level);
    if (!difference.decided()) {
      return SplitFallVerdict.UNDECIDED;
    }
    if (!difference.significant(level) || difference.estimate() == 0.0) {
      return SplitFallVerdict.NO_DIFFERENCE;
    }
    return difference.estimate() > 0.0 ? SplitFallVerdict.TRAIN_FALLS_MORE : SplitFallVerdict.TEST_FALLS_MORE;
  }

  private static SplitFall noTrough(String level, int nRuns, int peak) {
    return new SplitFall(level, nRuns, peak, -1, Double.NaN, Double.NaN, Effect.undecided(Double.NaN, 0),
        SplitFallVerdict.UNDECIDED);
  }

  private static int requireSameCheckpoints(Series train, Series test) {
    if (train == null || test == null) {
      throw new IllegalArgumentException("a split comparison needs a train and a test series");
    }
    if (train.checkpoints() != test.checkpoints()) {
      throw new IllegalArgumentException("run " + train.run() + " has " + train.checkpoints()
          + " checkpoints on train and " + test.checkpoints() + " on test: the splits need the same checkpoints");
    }
    return train.checkpoints();
  }

  /** The mean of the even batches 0, 2, 4, … (the selection half). */
  private static double halfMean(double[] batches) {
    double sum = 0.0;
    int n = 0;
    for (int b = 0; b < batches.length; b += 2) {
      sum += batches[b];
      n++;
    }
    return sum / n;
  }

  /** peak[b] − trough[b] over the odd batches b (the test half). */
  private static double[] oddFalls(double[] peak, double[] trough) {
    double[] out = new double[peak.length / 2];
    for (int j = 0; j < out.length; j++) {
      out[j] = peak[2 * j + 1] - trough[2 * j + 1];
    }
    return out;
  }

  private static double meanOrNaN(double[] v) {
    return v.length == 0 ? Double.NaN : Tests.mean(v);
  }
}
