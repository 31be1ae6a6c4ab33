package org.infoplane.estimator.verdict;

/**
 * Whether the fall of I(X;T) after its peak differs between the training split and the test split
 * (METHOD.md §10; the paper's "compression happens mainly on training data"), judged by {@link
 * SplitFallTests#classify(Effect, double)}.
 */
public enum SplitFallVerdict {
  /** Too few batches, runs or checkpoints to test, or no checkpoint after the peak. */
  UNDECIDED("undecided"),
  /** The fall on the train split minus the fall on the test split is significantly positive. */
  TRAIN_FALLS_MORE("train falls more"),
  /** That difference is significantly negative. */
  TEST_FALLS_MORE("test falls more"),
  /** Decided, and the difference is not significant. */
  NO_DIFFERENCE("no difference");

  private final String label;

  SplitFallVerdict(String label) {
    this.label = label;
  }

  /** The verdict in lowercase words, as tables and reports print it. */
  public String label() {
    return label;
  }
}
