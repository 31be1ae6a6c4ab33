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
 * experiment level therefore cross-fits: for run r, the peak and trough indices are chosen (as
 * above) on the mean curve over all batches of the <em>other</em> R − 1 runs; run r's effect is the
 * difference of its own means over all batches at those indices, independent of the choice. The
 * experiment's effect is the one-sample t test of the R per-run effects (df = R − 1). A run whose
 * other runs peak at the last checkpoint has no trough and gives no drop (the drop effects then
 * count fewer runs, {@link Effect#n()}). The verdict's {@code peakIndex}/{@code troughIndex} are
 * chosen on the mean curve of all runs and are for display only: no test uses them.
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
 * A drop effect with n = 0 means there was no checkpoint after the peak to compare with.
 */
public final class PhaseTests {

  /** METHOD.md §10's default significance level (and BH q). */
  public static final double DEFAULT_LEVEL = 0.05;

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
   * The verdict over the runs of one experiment, cross-fitted as the class comment says.
   *
   * @param runs R series of the same layer and split, one per run, with equal checkpoint counts
   *     (checkpoints are aligned by index; batch counts may differ between runs)
   * @param level the significance level α in (0, 0.5]; intervals at 1 − α
   * @return an experiment-level verdict; {@link Phase#UNDECIDED} (unless constant) for R &lt; 2 or a
   *     single checkpoint
   * @throws IllegalArgumentException when the list is empty or a run's checkpoint count differs from
   *     the first run's (both runs named)
   */
  public static PhaseVerdict experiment(List<Series> runs, double level) {
    double confidence = Tests.requireLevel(level);
    if (runs == null || runs.isEmpty()) {
      throw new IllegalArgumentException("an experiment needs at least one run, got none");
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
    double[] all = meanCurve(mx, -1);
    int peak = argmax(all);
    int trough = argminAfter(all, peak);

    Effect fitting;
    Effect drop = noTrough();
    Effect tyDrop = noTrough();
    Effect transientDrop = noTrough();
    if (r < 2 || c < 2) {
      fitting = Effect.undecided(Double.NaN, r);
    } else {
      double[] fits = new double[r];
      double[] drops = new double[r];
      double[] tyDrops = new double[r];
      double[] transients = new double[r];
      int withTrough = 0;
      for (int i = 0; i < r; i++) {
        double[] others = meanCurve(mx, i);
        int p = argmax(others);
        int t = argminAfter(others, p);
        fits[i] = mx[i][p] - mx[i][0];
        if (t >= 0) {
          drops[withTrough] = mx[i][p] - mx[i][t];
          tyDrops[withTrough] = my[i][p] - my[i][t];
          transients[withTrough] = mx[i][0] - mx[i][t];
          withTrough++;
        }
      }
      fitting = Tests.oneSample(fits, confidence);
      if (withTrough > 0) {
        drop = Tests.oneSample(java.util.Arrays.copyOf(drops, withTrough), confidence);
        tyDrop = Tests.oneSample(java.util.Arrays.copyOf(tyDrops, withTrough), confidence);
        transientDrop = Tests.oneSample(java.util.Arrays.copyOf(transients, withTrough), confidence);
      }
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

  private static double[] checkpointMeans(double[][] values) {
    double[] out = new double[values.length];
    for (int k = 0; k < values.length; k++) {
      out[k] = Tests.mean(values[k]);
    }
    return out;
  }

  /** The mean over runs of per-run curves, leaving out run {@code skip} (−1: none). */
  private static double[] meanCurve(double[][] curves, int skip) {
    int c = curves[0].length;
    double[] out = new double[c];
    int n = 0;
    for (int i = 0; i < curves.length; i++) {
      if (i == skip) {
        continue;
      }
      for (int k = 0; k < c; k++) {
        out[k] += curves[i][k];
      }
      n++;
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
