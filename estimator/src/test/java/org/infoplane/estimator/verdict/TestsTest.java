package org.infoplane.estimator.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The t tests against SciPy's, against a case worked by hand (closed forms of the t distribution
 * with 2 degrees of freedom) and against properties any t test has.
 */
class TestsTest {

  /** Estimates and t statistics are sums and quotients of a few values. */
  static final double ARITHMETIC_TOL = 1e-12;

  /** Commons Math's and SciPy's t CDF (regularized incomplete beta) agree to about this. */
  static final double P_TOL = 1e-10;

  /** The interval ends carry the t quantile, solved to {@link Tests#QUANTILE_ACCURACY}. */
  static final double CI_TOL = 1e-9;

  private static void assertEffect(Effect e, double estimate, double low, double high, double p, double df, int n) {
    assertThat(e.estimate()).as("estimate").isCloseTo(estimate, within(ARITHMETIC_TOL));
    assertThat(e.ciLow()).as("ciLow").isCloseTo(low, within(CI_TOL));
    assertThat(e.ciHigh()).as("ciHigh").isCloseTo(high, within(CI_TOL));
    assertThat(e.p()).as("p").isCloseTo(p, within(P_TOL));
    assertThat(e.df()).as("df").isCloseTo(df, within(ARITHMETIC_TOL));
    assertThat(e.n()).as("n").isEqualTo(n);
    assertThat(e.q()).as("q").isNaN();
    assertThat(e.decided()).isTrue();
  }

  // Golden values: SciPy 1.17.1 (NumPy 2.4.6), run outside the project (/tmp venv):
  //   r = scipy.stats.ttest_rel(second, first); r.pvalue, r.df, r.confidence_interval(0.95)
  //   w = scipy.stats.ttest_ind(b, a, equal_var=False); w.pvalue, w.df, w.confidence_interval(0.90)
  //   o = scipy.stats.ttest_1samp(e, 0.0); o.pvalue, o.df, o.confidence_interval(0.99)
  // and the intervals also as mean ± scipy.stats.t.ppf(1 − (1 − c)/2, df)·se (same digits).

  @Test
  void pairedMatchesScipyTtestRel() {
    double[] first = {2.10, 2.35, 1.98, 2.41, 2.22, 2.05, 2.30};
    double[] second = {2.31, 2.40, 2.20, 2.38, 2.51, 2.29, 2.44};
    // ttest_rel: statistic 3.7127638471380537, pvalue 0.009937044564405518, df 6
    assertEffect(Tests.paired(first, second, 0.95),
        0.15999999999999995, 0.054551360576034214, 0.2654486394239657, 0.009937044564405518, 6, 7);
  }

  @Test
  void welchMatchesScipyTtestIndUnequalVariances() {
    double[] a = {3.1, 2.9, 3.4, 3.0, 3.3};
    double[] b = {3.6, 3.2, 3.9, 3.5, 3.8, 4.1, 3.3, 3.7};
    // ttest_ind(b, a, equal_var=False): statistic 3.517306700160344, pvalue 0.004957748605152089,
    // df 10.795371877291998
    assertEffect(Tests.welch(a, b, 0.90),
        0.4975000000000005, 0.24304252385305908, 0.7519574761469419, 0.004957748605152089, 10.795371877291998, 13);
  }

  @Test
  void oneSampleMatchesScipyTtest1samp() {
    double[] e = {0.12, -0.03, 0.08, 0.15, 0.05};
    // ttest_1samp(e, 0.0): statistic 2.380910972724811, pvalue 0.07591401106425641, df 4
    assertEffect(Tests.oneSample(e, 0.99),
        0.07399999999999998, -0.06909775727984696, 0.21709775727984693, 0.07591401106425641, 4, 5);
  }

  @Test
  void differencesOneTwoThreeByHand() {
    // d = {1, 2, 3}: mean 2; s² = (1 + 0 + 1)/2 = 1; se = 1/√3; t = 2√3; df = 2.
    // The t distribution with 2 df has F(t) = 1/2 + t/(2√(2 + t²)). With t² = 12:
    //   p = 2(1 − F(2√3)) = 1 − 2√3/√14 = 1 − 2√(3/14)            (≈ 0.0741799)
    // Its quantile solves (2F − 1) = q/√(2 + q²): q = u·√(2/(1 − u²)), u = 2F − 1. At F = 0.975,
    //   u = 0.95, q = 0.95·√(2/0.0975)                               (≈ 4.302653)
    // and the 95 % interval is 2 ± q/√3.
    Effect e = Tests.paired(new double[] {0, 0, 0}, new double[] {1, 2, 3}, 0.95);
    double q = 0.95 * Math.sqrt(2 / 0.0975);
    assertEffect(e, 2.0, 2 - q / Math.sqrt(3), 2 + q / Math.sqrt(3), 1 - 2 * Math.sqrt(3.0 / 14), 2, 3);
    assertThat(Tests.oneSample(new double[] {1, 2, 3}, 0.95)).isEqualTo(e);
  }

  @Test
  void identicalArraysHavePOne() {
    double[] x = {0.3, 1.7, 2.2, 0.9};
    Effect e = Tests.paired(x, x.clone(), 0.95);
    assertThat(e.p()).isEqualTo(1.0);
    assertThat(e.estimate()).isZero();
    assertThat(e.ciLow()).isZero();
    assertThat(e.ciHigh()).isZero();
    assertThat(e.df()).isEqualTo(3.0);
  }

  @Test
  void aConstantNonZeroDifferenceHasPZeroAndAPointInterval() {
    Effect e = Tests.paired(new double[] {1, 2, 3}, new double[] {1.5, 2.5, 3.5}, 0.95);
    assertThat(e.estimate()).isEqualTo(0.5);
    assertThat(e.p()).isZero();
    assertThat(e.ciLow()).isEqualTo(0.5);
    assertThat(e.ciHigh()).isEqualTo(0.5);
    assertThat(e.decided()).isTrue();
    Effect w = Tests.welch(new double[] {1, 1}, new double[] {2, 2, 2}, 0.95);
    assertThat(w.p()).isZero();
    assertThat(w.df()).as("Welch without spread falls back to na + nb − 2").isEqualTo(3.0);
  }

  @Test
  void swappingArgumentsFlipsTheSignAndKeepsP() {
    Random random = new Random(17);
    for (int trial = 0; trial < 20; trial++) {
      int n = 2 + random.nextInt(8);
      double[] a = new double[n];
      double[] b = new double[n];
      for (int i = 0; i < n; i++) {
        a[i] = random.nextGaussian();
        b[i] = a[i] + 0.3 + 0.5 * random.nextGaussian();
      }
      Effect ab = Tests.paired(a, b, 0.95);
      Effect ba = Tests.paired(b, a, 0.95);
      assertThat(ba.estimate()).isCloseTo(-ab.estimate(), within(ARITHMETIC_TOL));
      assertThat(ba.p()).isCloseTo(ab.p(), within(P_TOL));
      assertThat(ba.ciLow()).isCloseTo(-ab.ciHigh(), within(CI_TOL));
      assertThat(ba.ciHigh()).isCloseTo(-ab.ciLow(), within(CI_TOL));
      Effect wab = Tests.welch(a, b, 0.95);
      Effect wba = Tests.welch(b, a, 0.95);
      assertThat(wba.estimate()).isCloseTo(-wab.estimate(), within(ARITHMETIC_TOL));
      assertThat(wba.p()).isCloseTo(wab.p(), within(P_TOL));
      assertThat(wba.df()).isCloseTo(wab.df(), within(ARITHMETIC_TOL));
    }
  }

  @Test
  void theIntervalExcludesZeroExactlyWhenPIsBelowOneMinusConfidence() {
    Random random = new Random(5);
    for (int trial = 0; trial < 200; trial++) {
      double[] d = new double[6];
      for (int i = 0; i < d.length; i++) {
        d[i] = 0.4 + random.nextGaussian();
      }
      Effect e = Tests.oneSample(d, 0.95);
      boolean excludesZero = e.ciLow() > 0 || e.ciHigh() < 0;
      assertThat(excludesZero).as("trial %d, p = %s", trial, e.p()).isEqualTo(e.p() < 0.05);
    }
  }

  @Test
  void fewerThanTwoValuesAreUndecided() {
    Effect one = Tests.paired(new double[] {1.0}, new double[] {1.25}, 0.95);
    assertThat(one.decided()).isFalse();
    assertThat(one.estimate()).isEqualTo(0.25);
    assertThat(one.n()).isEqualTo(1);
    assertThat(one.df()).isZero();
    assertThat(one.p()).isNaN();
    assertThat(one.ciLow()).isNaN();
    Effect none = Tests.oneSample(new double[0], 0.95);
    assertThat(none.decided()).isFalse();
    assertThat(none.estimate()).isNaN();
    assertThat(none.n()).isZero();
    Effect welch = Tests.welch(new double[] {1.0}, new double[] {2.0, 3.0}, 0.95);
    assertThat(welch.decided()).isFalse();
    assertThat(welch.estimate()).isEqualTo(1.5);
    assertThat(welch.n()).isEqualTo(3);
    assertThat(Effect.undecided(0.1, 1)).isEqualTo(new Effect(0.1, Double.NaN, Double.NaN, Double.NaN, 0.0, 1));
  }

  @Test
  void qIsAttachedNotComputed() {
    Effect e = Tests.paired(new double[] {0, 0, 0}, new double[] {1, 2, 3}, 0.95);
    assertThat(e.q()).isNaN();
    assertThat(e.evidence()).isEqualTo(e.p());
    Effect withQ = e.withQ(0.2);
    assertThat(withQ.q()).isEqualTo(0.2);
    assertThat(withQ.evidence()).isEqualTo(0.2);
    assertThat(withQ.p()).isEqualTo(e.p());
    assertThat(e.significantlyPositive(0.1)).as("p ≈ 0.074").isTrue();
    assertThat(withQ.significantlyPositive(0.1)).as("q = 0.2").isFalse();
    assertThatThrownBy(() -> e.withQ(1.5)).hasMessageContaining("q must be in [0, 1] or NaN, got 1.5");
  }

  @Test
  void misuseIsNamed() {
    assertThatThrownBy(() -> Tests.paired(new double[] {1, 2}, new double[] {1, 2, 3}, 0.95))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("first of 2 and second of 3");
    assertThatThrownBy(() -> Tests.paired(new double[] {1, 2, 3}, new double[] {1, Double.NaN, 3}, 0.95))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("second[1] is not finite: NaN");
    assertThatThrownBy(() -> Tests.welch(new double[] {Double.NaN, 1}, new double[] {1, 2}, 0.95))
        .hasMessageContaining("a[0] is not finite: NaN");
    assertThatThrownBy(() -> Tests.oneSample(new double[] {1, 2}, 0.05))
        .hasMessageContaining("confidence must be in [0.5, 1)")
        .hasMessageContaining("got 0.05");
    assertThatThrownBy(() -> Tests.oneSample(new double[] {1, 2}, 1.0)).hasMessageContaining("got 1.0");
  }
}
