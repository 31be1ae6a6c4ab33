package org.infoplane.estimator.verdict;

/**
 * The verdict on one layer's I(X;T) and I(T;Y) over training (METHOD.md §10), judged by {@link
 * PhaseTests#classify(PhaseVerdict, double)}.
 */
public enum Phase {
  /** S(T) is 0 on every batch of every checkpoint: nothing to judge. */
  CONSTANT("constant"),
  /** A test the verdict needs had too few degrees of freedom (too few batches, runs or checkpoints). */
  UNDECIDED("undecided"),
  /** No significant rise to the peak and no significant fall from the first checkpoint. */
  FLAT("flat"),
  /** I(X;T) rises significantly from the first checkpoint to the peak and does not fall after it. */
  FITTING("fitting"),
  /** Fitting, then I(X;T) falls significantly from the peak while I(T;Y) does not. */
  FITTING_THEN_COMPRESSION("fitting, then compression"),
  /** Fitting, then I(X;T) and I(T;Y) both fall significantly from the peak: not compression. */
  FITTING_THEN_BOTH_FALL("fitting, then I(X;T) and I(T;Y) fall"),
  /** No fitting, and I(X;T) falls significantly from the first checkpoint: never compression. */
  INITIAL_TRANSIENT("initial transient");

  private final String label;

  Phase(String label) {
    this.label = label;
  }

  /** The verdict in lowercase words, as tables and reports print it. */
  public String label() {
    return label;
  }
}
