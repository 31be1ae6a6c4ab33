package org.infoplane.estimator.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The standard error against its closed form, the bootstrap interval against the exact bootstrap
 * distribution (all n^n resamples enumerated: a slow reference) and against the normal
 * approximation of the mean for many values.
 */
class MeanUncertaintyTest {

  static final double TOL = 1e-12;

  @Test
  void standardErrorIsTheSampleDeviationOverRootN() {
    // {1, 2, 3, 4}: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, s² = 5/3, se = s/2.
    assertThat(MeanUncertainty.standardError(new double[] {1, 2, 3, 4})).isCloseTo(Math.sqrt(5.0 / 3) / 2, within(TOL));
    assertThat(MeanUncertainty.standardError(new double[] {7, 7, 7})).isZero();
    assertThat(MeanUncertainty.standardError(new double[] {3.5})).as("one batch: no spread").isZero();
  }

  /**
   * The exact percentile of the bootstrap distribution of the mean of {@code v}: all n^n equally
   * likely resamples enumerated, the ⌈p·n^n⌉-th smallest mean.
   */
  private static double exactPercentile(double[] v, double p) {
    int n = v.length;
    int total = (int) Math.pow(n, n);
    double[] means = new double[total];
    int[] idx = new int[n];
    for (int r = 0; r < total; r++) {
      int c = r;
      double sum = 0;
      for (int k = 0; k < n; k++) {
        idx[k] = c % n;
        c /= n;
        sum += v[idx[k]];
      }
      means[r] = sum / n;
    }
    Arrays.sort(means);
    return means[(int) Math.ceil(p * total) - 1];
  }

  @Test
  void bootstrapEndsAreTheExactBootstrapPercentilesWithinMonteCarloError() {
    double[] v = {0.0, 1.0, 3.0, 10.0, 2.5};
    MeanUncertainty.Interval ci = MeanUncertainty.bootstrap(v);
    // With R = 10000 the empirical 2.5 % point sits within ±0.01 in probability of the exact one
    // (its standard deviation is √(0.025·0.975/R) = 0.0016).
    assertThat(ci.low()).isBetween(exactPercentile(v, 0.015), exactPercentile(v, 0.035));
    assertThat(ci.high()).isBetween(exactPercentile(v, 0.965), exactPercentile(v, 0.985));
    assertThat(ci.low()).isLessThan(3.3).isGreaterThanOrEqualTo(0.0); // the mean is 16.5 / 5 = 3.3
    assertThat(ci.high()).isGreaterThan(3.3).isLessThanOrEqualTo(10.0);
  }

  @Test
  void bootstrapOfManyValuesIsTheNormalIntervalOfTheMean() {
    // 400 fixed values; the bootstrap distribution of their mean is close to normal with
    // variance (1/n)·(1/n)Σ(v − mean)², so the interval is mean ± 1.96·that deviation.
    double[] v = new double[400];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.sin(i * 0.7) * 3 + (i % 7);
    }
    double mean = Arrays.stream(v).average().orElseThrow();
    double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / v.length;
    double sd = Math.sqrt(var / v.length);
    MeanUncertainty.Interval ci = MeanUncertainty.bootstrap(v);
    assertThat(ci.low()).isCloseTo(mean - 1.96 * sd, within(0.08 * sd));
    assertThat(ci.high()).isCloseTo(mean + 1.96 * sd, within(0.08 * sd));
  }

  @Test
  void theSameValuesAlwaysGiveTheSameIntervalAndConstantValuesAPoint() {
    double[] v = {0.31, 0.29, 0.35, 0.30};
    assertThat(MeanUncertainty.bootstrap(v)).isEqualTo(MeanUncertainty.bootstrap(v.clone()));
    assertThat(v).containsExactly(0.31, 0.29, 0.35, 0.30);
    assertThat(MeanUncertainty.bootstrap(new double[] {2.0, 2.0, 2.0}))
        .isEqualTo(new MeanUncertainty.Interval(2.0, 2.0));
    assertThat(MeanUncertainty.bootstrap(new double[] {4.0})).isEqualTo(new MeanUncertainty.Interval(4.0, 4.0));
  }

  @Test
  void aPlanDrawnOnceGivesEveryRowTheIntervalOfItsOwnCall() {
    MeanUncertainty.Bootstrap plan = MeanUncertainty.Bootstrap.of(4);
    double[] a = {0.31, 0.29, 0.35, 0.30};
    double[] b = {1.0, 4.0, 2.0, 8.0};
    assertThat(plan.interval(a)).isEqualTo(MeanUncertainty.bootstrap(a));
    assertThat(plan.interval(b)).isEqualTo(MeanUncertainty.bootstrap(b));
    assertThatThrownBy(() -> plan.interval(new double[] {1, 2, 3}))
        .hasMessageContaining("this bootstrap resamples 4 values, got 3");
  }

  @Test
  void percentileRanksAreTheCeilingOfPTimesR() {
    assertThat(MeanUncertainty.orderStatistic(0.025, 10_000)).isEqualTo(249);
    assertThat(MeanUncertainty.orderStatistic(0.975, 10_000)).isEqualTo(9749);
    assertThat(MeanUncertainty.orderStatistic(0.025, 100)).isEqualTo(2); // ⌈2.5⌉ = 3rd smallest
  }

  @Test
  void badInputIsNamed() {
    assertThatThrownBy(() -> MeanUncertainty.standardError(new double[0])).hasMessageContaining("no batch values");
    assertThatThrownBy(() -> MeanUncertainty.bootstrap(new double[] {1, Double.NaN}))
        .hasMessageContaining("batch value 1 is not finite: NaN");
    assertThatThrownBy(() -> MeanUncertainty.bootstrap(new double[] {1, 2}, 10, 1L))
        .hasMessageContaining("resamples must be >= 40, got 10");
  }
}
