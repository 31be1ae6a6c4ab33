package org.infoplane.estimator.verdict;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * Student's t tests of mean differences in bits (METHOD.md §10): paired for two estimates on the
 * same batches, Welch's for estimates on different samples, one-sample for per-run effects.
 *
 * <p>For values d<sub>1</sub> … d<sub>n</sub> (differences, or effects) with mean d̄ and standard
 * deviation s (n − 1 denominator), the standard error is se = s/√n, the statistic t = d̄/se with
 * ν degrees of freedom, the two-sided p-value 2·F<sub>ν</sub>(−|t|) and the interval
 * d̄ ± t<sub>ν, 1−(1−c)/2</sub>·se at confidence c, F<sub>ν</sub> the t distribution's CDF
 * (Apache Commons Math {@link TDistribution}).
 *
 * <p>Degenerate cases are results, not exceptions: fewer than two values give {@link
 * Effect#undecided}; values without spread (s = 0) give p = 1 and the interval [0, 0] when the mean
 * is 0, else p = 0 and the interval [d̄, d̄] (the t statistic is infinite). Arrays are never
 * modified. Misuse (NaN or infinite values, unequal lengths for a paired test, a confidence outside
 * [0.5, 1)) throws {@link IllegalArgumentException}.
 */
public final class Tests {

  /** Absolute accuracy of the t quantiles behind the intervals (Commons Math's default is 1e-9). */
  static final double QUANTILE_ACCURACY = 1e-12;

  private Tests() {}

  /**
   * The paired t test of {@code second − first}: d<sub>b</sub> = second[b] − first[b] over the n
   * batches, df = n − 1. Use it for two estimates on the same batches (two checkpoints of one layer
   * and split, two layers of one checkpoint and split).
   *
   * @param first the earlier/reference estimate per batch, bits
   * @param second the later/compared estimate per batch, bits (same length)
   * @param confidence the interval's coverage, in [0.5, 1), e.g. 0.95
   * @return the mean of second − first; undecided for n &lt; 2
   */
  public static Effect paired(double[] first, double[] second, double confidence) {
    requireConfidence(confidence);
    requireFinite("first", first);
    requireFinite("second", second);
    if (first.length != second.length) {
      throw new IllegalArgumentException(
          "a paired test needs equal lengths, got first of " + first.length + " and second of " + second.length);
    }
    double[] d = new double[first.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = second[i] - first[i];
    }
    return meanTest(d, confidence);
  }

  /**
   * Welch's unequal-variance t test of mean(b) − mean(a). With variances s<sub>a</sub>²,
   * s<sub>b</sub>² and sizes n<sub>a</sub>, n<sub>b</sub>: se² = s<sub>a</sub>²/n<sub>a</sub> +
   * s<sub>b</sub>²/n<sub>b</sub> and the Welch–Satterthwaite df = se⁴ / ((s<sub>a</sub>²/n<sub>a</sub>)²/(n<sub>a</sub>−1) +
   * (s<sub>b</sub>²/n<sub>b</sub>)²/(n<sub>b</sub>−1)). When both sides are constant (se = 0) that df is 0/0;
   * the result then takes df = n<sub>a</sub> + n<sub>b</sub> − 2 with the degenerate p and interval of
   * the class comment. {@link Effect#n()} is n<sub>a</sub> + n<sub>b</sub>.
   *
   * @param a one sample's values (e.g. per-batch estimates on the train split), bits
   * @param b the other's (e.g. on the test split), bits
   * @param confidence the interval's coverage, in [0.5, 1)
   * @return undecided when either side has fewer than 2 values
   */
  public static Effect welch(double[] a, double[] b, double confidence) {
    requireConfidence(confidence);
    requireFinite("a", a);
    requireFinite("b", b);
    int na = a.length;
    int nb = b.length;
    if (na < 2 || nb < 2) {
      double estimate = na >= 1 && nb >= 1 ? mean(b) - mean(a) : Double.NaN;
      return Effect.undecided(estimate, na + nb);
    }
    double ma = mean(a);
    double mb = mean(b);
    double estimate = mb - ma;
    double va = variance(a, ma) / na;
    double vb = variance(b, mb) / nb;
    double se2 = va + vb;
    if (se2 == 0.0) {
      return withoutSpread(estimate, na + nb - 2, na + nb);
    }
    double df = se2 * se2 / (va * va / (na - 1) + vb * vb / (nb - 1));
    return tTest(estimate, Math.sqrt(se2), df, na + nb, confidence);
  }

  /**
   * The one-sample t test of mean(effects) against 0, df = R − 1: the experiment-level test over the
   * R per-run effects of one quantity.
   *
   * @param effects one value per run, bits
   * @param confidence the interval's coverage, in [0.5, 1)
   * @return undecided for R &lt; 2
   */
  public static Effect oneSample(double[] effects, double confidence) {
    requireConfidence(confidence);
    requireFinite("effects", effects);
    return meanTest(effects, confidence);
  }

  /** The t test of mean(values) = 0 over finite values, checked by the caller. */
  private static Effect meanTest(double[] values, double confidence) {
    int n = values.length;
    if (n < 2) {
      return Effect.undecided(n == 1 ? values[0] : Double.NaN, n);
    }
    double m = mean(values);
    double var = variance(values, m);
    if (var == 0.0) {
      return withoutSpread(m, n - 1, n);
    }
    return tTest(m, Math.sqrt(var / n), n - 1, n, confidence);
  }

  private static Effect tTest(double estimate, double se, double df, int n, double confidence) {
    TDistribution t = new TDistribution(null, df, QUANTILE_ACCURACY);
    double stat = estimate / se;
    double p = Math.min(1.0, 2.0 * t.cumulativeProbability(-Math.abs(stat)));
    double half = t.inverseCumulativeProbability(1.0 - (1.0 - confidence) / 2.0) * se;
    return new Effect(estimate, estimate - half, estimate + half, p, df, n);
  }

  /** Values without spread: the statistic is 0/0 (p = 1) or ±∞ (p = 0); the interval is a point. */
  private static Effect withoutSpread(double estimate, double df, int n) {
    return new Effect(estimate, estimate, estimate, estimate == 0.0 ? 1.0 : 0.0, df, n);
  }

  static double mean(double[] v) {
    double sum = 0.0;
    for (double x : v) {
      sum += x;
    }
    return sum / v.length;
  }

  /** The sample variance about {@code mean}, n − 1 denominator (two-pass: accurate for small spreads). */
  private static double variance(double[] v, double mean) {
    double ss = 0.0;
    for (double x : v) {
      double d = x - mean;
      ss += d * d;
    }
    return ss / (v.length - 1);
  }

  static void requireConfidence(double confidence) {
    if (!(confidence >= 0.5 && confidence < 1.0)) {
      throw new IllegalArgumentException(
          "confidence must be in [0.5, 1) (e.g. 0.95; a significance level goes elsewhere), got " + confidence);
    }
  }

  /** The significance level α of a verdict; its intervals are at confidence 1 − α. */
  static double requireLevel(double level) {
    if (!(level > 0.0 && level <= 0.5)) {
      throw new IllegalArgumentException(
          "level must be in (0, 0.5] (a significance level such as 0.05, not a confidence), got " + level);
    }
    return 1.0 - level;
  }

  private static void requireFinite(String name, double[] v) {
    if (v == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        throw new IllegalArgumentException(name + "[" + i + "] is not finite: " + v[i]);
      }
    }
  }
}
