package org.infoplane.estimator.verdict;

/**
 * The fall of one layer's I(X;T) on the train split against its fall on the test split, made by
 * {@link SplitFallTests#run} for one run or {@link SplitFallTests#experiment} for R runs. Bits.
 *
 * <p>A fall is I(X;T)[peak] − I(X;T)[trough] (positive: I(X;T) falls), at the peak and trough
 * chosen once for both splits. {@code difference} = train fall − test fall: positive means the
 * train split falls more. The split's own falls are estimates only (their tests are those of {@code
 * phase_tests}); the difference is the test.
 *
 * @param level {@link PhaseVerdict#RUN} or {@link PhaseVerdict#EXPERIMENT}
 * @param nRuns 1 at run level; R at experiment level (the selection runs included; the
 *     difference's n counts the test runs)
 * @param peakIndex the checkpoint of the peak the falls were tested at
 * @param troughIndex the checkpoint of the trough after it; −1 when the peak is the last checkpoint
 * @param trainFall the train split's fall on the tested data (run level: mean over the odd batches;
 *     experiment level: mean over the test runs); NaN without a trough
 * @param testFall the test split's fall, the same way; NaN without a trough
 * @param difference train fall − test fall: Welch's test at run level, the one-sample test over the
 *     test runs at experiment level; undecided with n = 0 without a trough
 * @param verdict the classification of {@code difference} ({@link SplitFallTests#classify})
 */
public record SplitFall(String level, int nRuns, int peakIndex, int troughIndex, double trainFall, double testFall,
    Effect difference, SplitFallVerdict verdict) {

  public SplitFall {
    if (!PhaseVerdict.RUN.equals(level) && !PhaseVerdict.EXPERIMENT.equals(level)) {
      throw new IllegalArgumentException("level must be \"run\" or \"experiment\", got " + level);
    }
    if (difference == null || verdict == null) {
      throw new IllegalArgumentException("a split fall needs a difference and a verdict");
    }
  }

  /**
   * A copy with the difference's Benjamini–Hochberg q-value attached, classified again at {@code
   * alpha}.
   */
  public SplitFall withQ(double q, double alpha) {
    Effect attached = difference.withQ(q);
    return new SplitFall(level, nRuns, peakIndex, troughIndex, trainFall, testFall, attached,
        SplitFallTests.classify(attached, alpha));
  }
}
