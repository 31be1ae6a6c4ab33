package org.infoplane.estimator.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;

/**
 * The comparison of the splits' falls on small series whose choice and test are worked by hand:
 * the expected effects, p-values and degrees of freedom are closed forms (or Commons Math's t
 * distribution at a hand-computed statistic), not values of the code under test.
 */
class SplitFallTestsTest {

  static final double TOL = 1e-12;
  static final double LEVEL = 0.05;

  private static Series series(String run, double[]... ixt) {
    double[] steps = new double[ixt.length];
    double[][] ity = new double[ixt.length][];
    double[][] ht = new double[ixt.length][];
    for (int k = 0; k < ixt.length; k++) {
      steps[k] = k;
      ity[k] = new double[ixt[k].length];
      ht[k] = ixt[k].clone();
      for (int b = 0; b < ht[k].length; b++) {
        ht[k][b] += 1.0;
      }
    }
    return new Series(run, steps, ixt, ity, ht);
  }

  /** Six batches per checkpoint; the even ones (0, 2, 4) are {@code even}, the odd ones (1, 3, 5) {@code odd}. */
  private static double[] batches(double even, double odd1, double odd3, double odd5) {
    return new double[] {even, odd1, even, odd3, even, odd5};
  }

  @Test
  void runLevelIsWelchOnTheOddBatchesFalls() {
    // Even batches: train 1.0, 2.0, 1.5, 1.6 and test 1.0, 1.8, 1.5, 1.3 over the checkpoints; their
    // mean 1.0, 1.9, 1.5, 1.45 peaks at 1 and has its trough at 3.
    Series train = series("r",
        batches(1.0, 9.0, 9.0, 9.0), batches(2.0, 2.3, 2.4, 2.5), batches(1.5, 0.0, 0.0, 0.0),
        batches(1.6, 2.0, 2.0, 2.0));
    Series test = series("r",
        batches(1.0, 9.0, 9.0, 9.0), batches(1.8, 2.0, 2.1, 2.2), batches(1.5, 0.0, 0.0, 0.0),
        batches(1.3, 2.0, 2.0, 2.0));
    SplitFall f = SplitFallTests.run(train, test, LEVEL);
    // The odd batches would choose checkpoint 0 as the peak and 2 as the trough: they are not used to choose.
    assertThat(f.level()).isEqualTo("run");
    assertThat(f.nRuns()).isEqualTo(1);
    assertThat(f.peakIndex()).isEqualTo(1);
    assertThat(f.troughIndex()).isEqualTo(3);
    // Odd-batch falls: train 0.3, 0.4, 0.5 (mean 0.4), test 0.0, 0.1, 0.2 (mean 0.1).
    assertThat(f.trainFall()).isCloseTo(0.4, within(TOL));
    assertThat(f.testFall()).isCloseTo(0.1, within(TOL));
    Effect d = f.difference();
    assertThat(d.estimate()).isCloseTo(0.3, within(TOL));
    // Both variances 0.01 over 3 values: se = √(2·0.01/3), Welch df = (2v)²/(2v²/2) = 4.
    double se = Math.sqrt(2 * 0.01 / 3);
    assertThat(d.df()).isCloseTo(4.0, within(1e-9));
    assertThat(d.n()).isEqualTo(6);
    TDistribution t4 = new TDistribution(4);
    assertThat(d.p()).isCloseTo(2 * t4.cumulativeProbability(-0.3 / se), within(1e-9));
    double half = t4.inverseCumulativeProbability(0.975) * se;
    assertThat(d.ciLow()).isCloseTo(0.3 - half, within(1e-6));
    assertThat(d.ciHigh()).isCloseTo(0.3 + half, within(1e-6));
    assertThat(d.p()).isLessThan(LEVEL);
    assertThat(f.verdict()).isEqualTo(SplitFallVerdict.TRAIN_FALLS_MORE);

    // Swapping the splits swaps the sign and the verdict, and nothing else (the choice is symmetric).
    SplitFall swapped = SplitFallTests.run(test, train, LEVEL);
    assertThat(swapped.peakIndex()).isEqualTo(1);
    assertThat(swapped.troughIndex()).isEqualTo(3);
    assertThat(swapped.difference().estimate()).isCloseTo(-0.3, within(TOL));
    assertThat(swapped.difference().p()).isCloseTo(d.p(), within(1e-12));
    assertThat(swapped.verdict()).isEqualTo(SplitFallVerdict.TEST_FALLS_MORE);
  }

  @Test
  void theChoiceIsOnTheMeanOfBothSplitsNotOnOne() {
    // Even batches: train peaks at checkpoint 1 (2.0 against 1.9), test at 2 (2.3 against 1.5); their
    // mean 1.75, 2.1 peaks at 2, so the trough is 3 whichever split alone would have chosen 1.
    Series train = series("r", batches(1.0, 1, 1, 1), batches(2.0, 2, 2, 2), batches(1.9, 2, 2, 2),
        batches(1.0, 1, 1, 1));
    Series test = series("r", batches(1.0, 1, 1, 1), batches(1.5, 2, 2, 2), batches(2.3, 2, 2, 2),
        batches(1.0, 1, 1, 1));
    SplitFall f = SplitFallTests.run(train, test, LEVEL);
    assertThat(f.peakIndex()).isEqualTo(2);
    assertThat(f.troughIndex()).isEqualTo(3);
    // Equal falls of 1 bit on every odd batch: no spread, a zero difference, p = 1.
    assertThat(f.difference().estimate()).isZero();
    assertThat(f.difference().p()).isEqualTo(1.0);
    assertThat(f.verdict()).isEqualTo(SplitFallVerdict.NO_DIFFERENCE);
  }

  @Test
  void experimentLevelIsTheOneSampleTestOfTheTestRunsDifferences() {
    // Run a chooses: its mean curve (both splits) peaks at 1, trough at 2. Runs b and c test.
    Series aTrain = series("a", new double[] {1.0, 1.0}, new double[] {3.0, 3.0}, new double[] {2.0, 2.0});
    Series aTest = series("a", new double[] {1.0, 1.0}, new double[] {2.0, 2.0}, new double[] {2.0, 2.0});
    // Run b: train means 0.5, 2.0, 1.5 (fall 0.5), test means 1.0, 1.2, 0.9 (fall 0.3): d = 0.2.
    Series bTrain = series("b", new double[] {0.0, 1.0}, new double[] {1.9, 2.1}, new double[] {1.5, 1.5});
    Series bTest = series("b", new double[] {1.0, 1.0}, new double[] {1.2, 1.2}, new double[] {0.8, 1.0});
    // Run c: train fall 0.6, test fall 0.2: d = 0.4. Its own curve would peak at 0: not used.
    Series cTrain = series("c", new double[] {5.0, 5.0}, new double[] {2.6, 2.6}, new double[] {2.0, 2.0});
    Series cTest = series("c", new double[] {5.0, 5.0}, new double[] {2.2, 2.2}, new double[] {2.0, 2.0});
    SplitFall f = SplitFallTests.experiment(List.of(aTrain, bTrain, cTrain), List.of(aTest, bTest, cTest), LEVEL);
    assertThat(f.level()).isEqualTo("experiment");
    assertThat(f.nRuns()).isEqualTo(3);
    assertThat(f.peakIndex()).isEqualTo(1);
    assertThat(f.troughIndex()).isEqualTo(2);
    assertThat(f.trainFall()).isCloseTo(0.55, within(TOL));
    assertThat(f.testFall()).isCloseTo(0.25, within(TOL));
    Effect d = f.difference();
    // d = 0.2, 0.4: mean 0.3, sd 0.1·√2, se 0.1, t = 3 on 1 df, p = 1 − (2/π)·atan(3) (Cauchy).
    assertThat(d.estimate()).isCloseTo(0.3, within(TOL));
    assertThat(d.df()).isEqualTo(1.0);
    assertThat(d.n()).isEqualTo(2);
    assertThat(d.p()).isCloseTo(1 - 2 / Math.PI * Math.atan(3), within(1e-9));
    // The 95 % interval: 0.3 ± tan(0.475π)·0.1 (the Cauchy quantile).
    assertThat(d.ciHigh()).isCloseTo(0.3 + Math.tan(0.475 * Math.PI) * 0.1, within(1e-6));
    assertThat(f.verdict()).isEqualTo(SplitFallVerdict.NO_DIFFERENCE);
  }

  @Test
  void tooLittleDataOrNoTroughIsUndecided() {
    // Two batches per split: one odd batch each, Welch cannot judge.
    Series twoBatches = series("r", new double[] {1, 1}, new double[] {2, 2}, new double[] {1, 1});
    SplitFall few = SplitFallTests.run(twoBatches, twoBatches, LEVEL);
    assertThat(few.troughIndex()).isEqualTo(2);
    assertThat(few.difference().decided()).isFalse();
    assertThat(few.verdict()).isEqualTo(SplitFallVerdict.UNDECIDED);

    // The peak at the last checkpoint: no trough, no falls.
    Series rising = series("r", batches(1, 1, 1, 1), batches(2, 2, 2, 2));
    SplitFall noTrough = SplitFallTests.run(rising, rising, LEVEL);
    assertThat(noTrough.peakIndex()).isEqualTo(1);
    assertThat(noTrough.troughIndex()).isEqualTo(-1);
    assertThat(noTrough.trainFall()).isNaN();
    assertThat(noTrough.difference().n()).isZero();
    assertThat(noTrough.verdict()).isEqualTo(SplitFallVerdict.UNDECIDED);

    // Two runs: one chooses, one tests.
    Series a = series("a", batches(1, 1, 1, 1), batches(2, 2, 2, 2), batches(1, 1, 1, 1));
    Series b = series("b", batches(1, 1, 1, 1), batches(2, 2, 2, 2), batches(1, 1, 1, 1));
    SplitFall two = SplitFallTests.experiment(List.of(a, b), List.of(a, b), LEVEL);
    assertThat(two.difference().n()).isEqualTo(1);
    assertThat(two.verdict()).isEqualTo(SplitFallVerdict.UNDECIDED);
  }

  @Test
  void qDecidesOnceAttached() {
    Effect d = new Effect(0.3, 0.1, 0.5, 0.01, 4, 6);
    SplitFall f = new SplitFall("run", 1, 1, 2, 0.4, 0.1, d, SplitFallTests.classify(d, LEVEL));
    assertThat(f.verdict()).isEqualTo(SplitFallVerdict.TRAIN_FALLS_MORE);
    assertThat(f.withQ(0.2, LEVEL).verdict()).isEqualTo(SplitFallVerdict.NO_DIFFERENCE);
    assertThat(f.withQ(0.04, LEVEL).difference().q()).isEqualTo(0.04);
    assertThat(f.withQ(0.04, LEVEL).verdict()).isEqualTo(SplitFallVerdict.TRAIN_FALLS_MORE);
    Effect negative = new Effect(-0.3, -0.5, -0.1, 0.01, 4, 6);
    assertThat(SplitFallTests.classify(negative, LEVEL)).isEqualTo(SplitFallVerdict.TEST_FALLS_MORE);
    assertThat(SplitFallVerdict.TRAIN_FALLS_MORE.label()).isEqualTo("train falls more");
  }

  @Test
  void misuseIsRefusedNamingTheRun() {
    Series three = series("r", batches(1, 1, 1, 1), batches(2, 2, 2, 2), batches(1, 1, 1, 1));
    Series two = series("r", batches(1, 1, 1, 1), batches(2, 2, 2, 2));
    assertThatThrownBy(() -> SplitFallTests.run(three, two, LEVEL)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("run r has 3 checkpoints on train and 2 on test");
    Series other = series("s", batches(1, 1, 1, 1), batches(2, 2, 2, 2), batches(1, 1, 1, 1));
    assertThatThrownBy(() -> SplitFallTests.experiment(List.of(three, three), List.of(three, other), LEVEL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("r on train, s on test");
    assertThatThrownBy(() -> SplitFallTests.experiment(List.of(three), List.of(three, three), LEVEL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 train series, 2 test series");
    assertThatThrownBy(() -> SplitFallTests.run(three, three, 0.95)).isInstanceOf(IllegalArgumentException.class);
  }
}
