package org.infoplane.estimator.verdict;

/**
 * A tested difference in bits: the estimate of a mean difference, its two-sided confidence
 * interval, the two-sided p-value of Student's t test of "the difference is 0", the test's degrees
 * of freedom and the number of values it saw (METHOD.md §10).
 *
 * <p>{@code q} is the Benjamini–Hochberg adjusted p-value of this test within the family of tests
 * the caller judges together ({@link BenjaminiHochberg#qValues(double[])}); it is NaN until the
 * caller attaches it with {@link #withQ(double)}. Verdicts read {@link #evidence()}: q where it is
 * attached, otherwise p, which is right only for a single test judged on its own.
 *
 * @param estimate the mean difference, in bits (its sign is stated by the method that made it)
 * @param ciLow lower end of the two-sided confidence interval, in bits; NaN when undecided
 * @param ciHigh upper end, in bits; NaN when undecided
 * @param p two-sided p-value; NaN when undecided
 * @param df degrees of freedom of the t distribution (n − 1, or Welch–Satterthwaite); 0 when
 *     undecided
 * @param n the number of values tested: batches for a paired test, runs for a one-sample test over
 *     runs, the two samples' sizes together for Welch's test
 * @param q the Benjamini–Hochberg q-value, NaN until attached
 */
public record Effect(double estimate, double ciLow, double ciHigh, double p, double df, int n, double q) {

  public Effect {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    if (!Double.isNaN(p) && !(p >= 0.0 && p <= 1.0)) {
      throw new IllegalArgumentException("p must be in [0, 1] or NaN, got " + p);
    }
    if (!Double.isNaN(q) && !(q >= 0.0 && q <= 1.0)) {
      throw new IllegalArgumentException("q must be in [0, 1] or NaN, got " + q);
    }
    if (df < 0.0) {
      throw new IllegalArgumentException("df must be >= 0, got " + df);
    }
  }

  /** An effect without a q-value (q = NaN): what the tests in {@link Tests} return. */
  public Effect(double estimate, double ciLow, double ciHigh, double p, double df, int n) {
    this(estimate, ciLow, ciHigh, p, df, n, Double.NaN);
  }

  /**
   * An effect with too few degrees of freedom to judge: NaN interval and p, df 0.
   *
   * @param estimate the mean difference where one exists (one value), else NaN
   * @param n the number of values there were
   */
  public static Effect undecided(double estimate, int n) {
    return new Effect(estimate, Double.NaN, Double.NaN, Double.NaN, 0.0, n);
  }

  /** Whether the test could judge: df ≥ 1 and p is a number. */
  public boolean decided() {
    return df >= 1.0 && !Double.isNaN(p);
  }

  /** A copy with the Benjamini–Hochberg q-value attached (q in [0, 1], or NaN to detach it). */
  public Effect withQ(double q) {
    return new Effect(estimate, ciLow, ciHigh, p, df, n, q);
  }

  /**
   * The value compared with the level: q where attached, else p. A caller that judges several
   * tests together attaches q first; p alone is only for a single test judged on its own.
   */
  public double evidence() {
    return Double.isNaN(q) ? p : q;
  }

  /** Decided, and {@link #evidence()} ≤ level (two-sided). */
  public boolean significant(double level) {
    return decided() && evidence() <= level;
  }

  /** Decided, positive and {@link #evidence()} ≤ level: a significant rise of what the sign says. */
  public boolean significantlyPositive(double level) {
    return significant(level) && estimate > 0.0;
  }
}
