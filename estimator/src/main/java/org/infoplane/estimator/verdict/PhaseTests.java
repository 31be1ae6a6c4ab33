package org.infoplane.estimator.verdict;

import java.util.List;

/**
 * Fitting, compression and the initial transient of one layer on one split, as tests (METHOD.md
 * §10). Bits throughout; {@code level} is the significance level α (e.g. 0.05) and every interval
 * is at confidence 1 − α.
 *
 * <h2>Within one run ({@link #run})</h2>
 *
 * The peak is the maximum of noisy values, so the batches that choose it must not test it. The
 * batches are split in two halves: the <b>selection half</b> is the even batch indices (0, 2, 4, …)
 * and the <b>test half</b> the odd ones (1, 3, 5, …). On the selection half's mean I(X;T) per
 * checkpoint, the peak is the argmax over all checkpoints (ties: the earliest) and the trough the
 * argmin over the checkpoints after the peak (ties: the earliest; none when the peak is the last
 * checkpoint). The effects are paired t tests on the test half only (df = ⌊B/2⌋ − 1): a test half
 * of fewer than 2 batches (B &lt; 4) is undecided.
 *
 * <h2>Across R runs ({@link #experiment})</h2>
 *
 * Checkpoints of one run differ by more than batch noise (each is another network), so a peak chosen
 * on a run's own curve sits on that run's upward fluctuation whichever batches test it. The
 * experiment level therefore splits the runs: the peak and trough are chosen (as above: argmax, then
 * argmin after it, ties earliest) on the mean curve over all batches of the first {@code
 * selectionRuns} runs of the list (default {@value #DEFAULT_SELECTION_RUNS}), and tested on the
 * other runs only. Each test run's effect is the difference of its own means over all batches at
 * those indices; given the choice these effects are independent, so the one-sample t test over
 * them is exact (df = R − selectionRuns − 1). The list's order picks the selection runs: give the
 * runs in a fixed order (e.g. by name).
 *
 * <p>Why not leave-one-out (each run tested at the peak of the other R − 1 runs)? Its per-run
 * effects are positively correlated (runs r and s that are both high at checkpoint k pull each
 * other's peak to k), so the t test over them is anti-conservative: on nulls whose checkpoints vary
 * as training does (METHOD.md §10; batch sd 0.07, checkpoint sd 0.03 bits, 10 batches, 10
 * checkpoints, 2,000 seeded trials per case), a two-sided 5 % test of the drop rejected 12.6 % of
 * the time at R = 5 and 18.8 % at R = 10, and "fitting, then a plateau" was called compression
 * 6.1 % (R = 5) and 6.6 % (R = 10) of the time instead of at most 2.5 %. Choosing on one run and
 * testing on R − 1 measured 5.0 %, 4.9 %, 2.7 % and 2.0 %, and found a planted 0.2-bit compression
 * in 93 % of the trials at R = 5 (98 % with leave-one-out, whose extra power is that bias). At R = 3
 * only 2 runs test, and power is low (18 % on the same case). {@code PhaseCalibrationTest} keeps
 * the contrast.
 *
 * <p>Fewer than 2 test runs (R ≤ selectionRuns + 1) is undecided. The verdict's {@code
 * peakIndex}/{@code troughIndex} are the tested ones, chosen on the selection runs.
 *
 * <h2>Classification ({@link #classify})</h2>
 *
 * "Significant" means {@link Effect#significantlyPositive}: decided, positive and q ≤ α (p where no
 * q is attached: a single verdict judged alone). In order:
 *
 * <ol>
 *   <li>{@link Phase#CONSTANT} when S(T) = 0 on every batch of every checkpoint (of every run);
 *   <li>{@link Phase#UNDECIDED} when the fitting test is undecided (too few batches, runs or
 *       checkpoints), or when a later test the verdict needs is undecided;
 *   <li>fitting significant: {@link Phase#FITTING} when there is no checkpoint after the peak or the
 *       drop is not significant; else {@link Phase#FITTING_THEN_BOTH_FALL} when the I(T;Y) drop is
 *       significant too, else {@link Phase#FITTING_THEN_COMPRESSION};
 *   <li>no significant fitting (including a peak at the first checkpoint): {@link
 *       Phase#INITIAL_TRANSIENT} when I(X;T) falls significantly from the first checkpoint to the
 *       trough ({@code transientDrop}), else {@link Phase#FLAT}. Without a fitting phase a fall is
 *       never compression.
 * </ol>
 *
 * A drop effect with n = 0 means there was no checkpoint after the peak to compare with (the peak
 * is the last checkpoint).
 */
public final class PhaseTests {

  /** METHOD.md §10's default significance level (and BH q). */
  public static final double DEFAULT_LEVEL = 0.05;

  /** How many runs choose the experiment's peak by default: one, leaving R − 1 to test it. */
  public static final int DEFAULT_SELECTION_RUNS = 1;

  private PhaseTests() {}

  /**
   * The verdict within one run, on the batch halves of the class comment.
   *
   * @param s one run's layer on one split
   * @param level the significance level α in (0, 0.5]; intervals at 1 − α
   * @return a run-level verdict (nRuns 1), classified with p-values (attach q with {@link
   *     PhaseVerdict#withQ} when judging many)
   */
  public static PhaseVerdict run(Series s, double level) {
    double confidence = Tests.requireLevel(level);
    int c = s.checkpoints();
    double[][] ixt = s.ixt();
    double[][] ity = s.ity();
    double[] selection = new double[c];
    for (int k = 0; k < c; k++) {
      selection[k] = halfMean(ixt[k], 0);
    }
    int peak = argmax(selection);
    int trough = argminAfter(selection, peak);
    double[][] testIxt = testHalf(ixt);
    double[][] testIty = testHalf(ity);
    int nTest = testIxt[0].length;

    Effect fitting = c < 2 ? Effect.undecided(Double.NaN, nTest) : Tests.paired(testIxt[0], testIxt[peak], confidence);
    Effect drop = noTrough();
    Effect tyDrop = noTrough();
    Effect transientDrop = noTrough();
    if (trough >= 0) {
      drop = Tests.paired(testIxt[trough], testIxt[peak], confidence);
      tyDrop = Tests.paired(testIty[trough], testIty[peak], confidence);
      transientDrop = Tests.paired(testIxt[trough], testIxt[0], confidence);
    }
    PhaseVerdict v = new PhaseVerdict(PhaseVerdict.RUN, 1, peak, trough, fitting, drop, tyDrop, Phase.UNDECIDED,
        transientDrop, s.constant());
    return v.withPhase(classify(v, level));
  }

  /**
   * The verdict over the runs of one experiment, chosen on the first run and tested on the others
   * ({@link #experiment(List, int, double)} with {@value #DEFAULT_SELECTION_RUNS} selection run).
   */
  public static PhaseVerdict experiment(List<Series> runs, double level) {
    return experiment(runs, DEFAULT_SELECTION_RUNS, level);
  }

  /**
   * The verdict over the runs of one experiment: peak and trough chosen on the first {@code
   * selectionRuns} runs, effects tested over the others, as the class comment says.
   *
   * @param runs R series of the same layer and split, one per run, in a fixed order, with equal
   *     checkpoint counts (checkpoints are aligned by index; batch counts may differ between runs)
   * @param selectionRuns how many runs, from the start of the list, choose the peak (≥ 1)
   * @param level the significance level α in (0, 0.5]; intervals at 1 − α
   * @return an experiment-level verdict with nRuns = R; {@link Phase#UNDECIDED} (unless constant)
   *     with fewer than 2 test runs or a single checkpoint
   * @throws IllegalArgumentException when the list is empty or a run's checkpoint count differs from
   *     the first run's (both runs named)
   */
  public static PhaseVerdict experiment(List<Series> runs, int selectionRuns, double level) {
    double confidence = Tests.requireLevel(level);
    if (runs == null || runs.isEmpty()) {
      throw new IllegalArgumentException("an experiment needs at least one run, got none");
    }
    if (selectionRuns < 1) {
      throw new IllegalArgumentException("selectionRuns must be >= 1, got " + selectionRuns);
    }
    int r = runs.size();
    int c = runs.get(0).checkpoints();
    for (Series s : runs) {
      if (s.checkpoints() != c) {
        throw new IllegalArgumentException("runs of an experiment need equal checkpoint counts: run " + s.run()
            + " has " + s.checkpoints() + ", run " + runs.get(0).run() + " has " + c);
      }
    }
    double[][] mx = new double[r][];
    double[][] my = new double[r][];
    boolean constant = true;
    for (int i = 0; i < r; i++) {
      Series s = runs.get(i);
      mx[i] = checkpointMeans(s.ixt());
      my[i] = checkpointMeans(s.ity());
      constant &= s.constant();
    }
    int selected = Math.min(selectionRuns, r);
    double[] selection = meanCurve(mx, selected);
    int peak = argmax(selection);
    int trough = argminAfter(selection, peak);

    int tested = r - selected;
    double[] fits = new double[tested];
    double[] drops = new double[tested];
    double[] tyDrops = new double[tested];
    double[] transients = new double[tested];
    for (int j = 0; j < tested; j++) {
      int i = selected + j;
      fits[j] = mx[i][peak] - mx[i][0];
      if (trough >= 0) {
        drops[j] = mx[i][peak] - mx[i][trough];
        tyDrops[j] = my[i][peak] - my[i][trough];
        transients[j] = mx[i][0] - mx[i][trough];
      }
    }
    Effect fitting = c < 2 ? Effect.undecided(Double.NaN, tested) : Tests.oneSample(fits, confidence);
    Effect drop = noTrough();
    Effect tyDrop = noTrough();
    Effect transientDrop = noTrough();
    if (trough >= 0) {
      drop = Tests.oneSample(drops, confidence);
      tyDrop = Tests.oneSample(tyDrops, confidence);
      transientDrop = Tests.oneSample(transients, confidence);
    }
    PhaseVerdict v = new PhaseVerdict(PhaseVerdict.EXPERIMENT, r, peak, trough, fitting, drop, tyDrop,
        Phase.UNDECIDED, transientDrop, constant);
    return v.withPhase(classify(v, level));
  }

  /**
   * The phase of a verdict's effects at significance level α, by the rule of the class comment.
   * Reads q where attached, p otherwise ({@link Effect#evidence()}); ignores {@code v.phase()}.
   */
  public static Phase classify(PhaseVerdict v, double level) {
    Tests.requireLevel(level);
    if (v.constant()) {
      return Phase.CONSTANT;
    }
    if (!v.fitting().decided()) {
      return Phase.UNDECIDED;
    }
    boolean noLaterCheckpoint = v.drop().n() == 0;
    if (v.fitting().significantlyPositive(level)) {
      if (noLaterCheckpoint) {
        return Phase.FITTING;
      }
      if (!v.drop().decided()) {
        return Phase.UNDECIDED;
      }
      if (!v.drop().significantlyPositive(level)) {
        return Phase.FITTING;
      }
      if (!v.tyDrop().decided()) {
        return Phase.UNDECIDED;
      }
      return v.tyDrop().significantlyPositive(level) ? Phase.FITTING_THEN_BOTH_FALL : Phase.FITTING_THEN_COMPRESSION;
    }
    if (noLaterCheckpoint) {
      return Phase.FLAT;
    }
    if (!v.transientDrop().decided()) {
      return Phase.UNDECIDED;
    }
    return v.transientDrop().significantlyPositive(level) ? Phase.INITIAL_TRANSIENT : Phase.FLAT;
  }

  /**
   * I(X;T)[from] − I(X;T)[to] within one run, by the paired t test on the test half (odd batches), as
   * {@link #run} tests its drop: e.g. from = the peak, to = the early-stopping checkpoint.
   *
   * @param level the significance level α in (0, 0.5]; the interval is at 1 − α
   * @throws IllegalArgumentException when an index is not a checkpoint of {@code s}
   */
  public static Effect dropBetween(Series s, int from, int to, double level) {
    double confidence = Tests.requireLevel(level);
    int c = s.checkpoints();
    if (from < 0 || from >= c || to < 0 || to >= c) {
      throw new IllegalArgumentException("run " + s.run() + " has checkpoints 0.." + (c - 1) + ", got from " + from
          + " and to " + to);
    }
    double[][] testIxt = testHalf(s.ixt());
    return Tests.paired(testIxt[to], testIxt[from], confidence);
  }

  /** {@link #dropBetween(Series, int, int, double)} at {@link #DEFAULT_LEVEL}. */
  public static Effect dropBetween(Series s, int from, int to) {
    return dropBetween(s, from, to, DEFAULT_LEVEL);
  }

  /** The effect of a comparison with no checkpoint after the peak: undecided, n = 0. */
  private static Effect noTrough() {
    return Effect.undecided(Double.NaN, 0);
  }

  /** The mean of the batches start, start + 2, start + 4, … of one checkpoint. */
  private static double halfMean(double[] batches, int start) {
    double sum = 0.0;
    int n = 0;
    for (int b = start; b < batches.length; b += 2) {
      sum += batches[b];
      n++;
    }
    return sum / n;
  }

  /** The odd batches of every checkpoint: [checkpoint][⌊B/2⌋]. */
  private static double[][] testHalf(double[][] values) {
    double[][] out = new double[values.length][];
    for (int k = 0; k < values.length; k++) {
      double[] row = values[k];
      double[] half = new double[row.length / 2];
      for (int j = 0; j < half.length; j++) {
        half[j] = row[2 * j + 1];
      }
      out[k] = half;
    }
    return out;
  }

  /** Each checkpoint's mean over its batches. */
  static double[] checkpointMeans(double[][] values) {
    double[] out = new double[values.length];
    for (int k = 0; k < values.length; k++) {
      out[k] = Tests.mean(values[k]);
    }
    return out;
  }

  /** The mean of the first {@code n} per-run curves. */
  private static double[] meanCurve(double[][] curves, int n) {
    int c = curves[0].length;
    double[] out = new double[c];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < c; k++) {
        out[k] += curves[i][k];
      }
    }
    for (int k = 0; k < c; k++) {
      out[k] /= n;
    }
    return out;
  }

  /** The index of the largest value, the earliest among ties. */
  static int argmax(double[] v) {
    int best = 0;
    for (int k = 1; k < v.length; k++) {
      if (v[k] > v[best]) {
        best = k;
      }
    }
    return best;
  }

  /** The index of the smallest value after {@code from}, the earliest among ties; −1 when none. */
  static int argminAfter(double[] v, int from) {
    int best = -1;
    for (int k = from + 1; k < v.length; k++) {
      if (best < 0 || v[k] < v[best]) {
        best = k;
      }
    }
    return best;
  }
}
