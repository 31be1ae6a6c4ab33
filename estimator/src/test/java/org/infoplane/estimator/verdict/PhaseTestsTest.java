package org.infoplane.estimator.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.infoplane.estimator.verdict.PlantedSeries.constant;
import static org.infoplane.estimator.verdict.PlantedSeries.curve;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Phase verdicts on planted series (seeded), on small series whose halves and cross-fitting are
 * worked by hand, and the classification rule branch by branch.
 */
class PhaseTestsTest {

  static final double TOL = 1e-12;
  static final double LEVEL = 0.05;

  /** Noise of the planted cases: batch sd 0.05 bits, per-checkpoint sd 0.03 bits across runs. */
  static final double BATCH_SD = 0.05;
  static final double CHECKPOINT_SD = 0.03;

  static final int C = 12;
  /** I(X;T) rises 2.0 → 3.0 bits to checkpoint 4, then falls to 2.5 bits. */
  static final double[] FIT_THEN_COMPRESS = curve(C, 0, 2.0, 4, 3.0, 11, 2.5);
  /** I(T;Y) rises 0.5 → 2.0 bits to checkpoint 4, then stays. */
  static final double[] TY_RISES_THEN_STAYS = curve(C, 0, 0.5, 4, 2.0, 11, 2.0);

  private static PhaseVerdict runVerdict(double[] ixt, double[] ity, int batches, long seed) {
    return PhaseTests.run(PlantedSeries.series("r", ixt, ity, batches, 0.0, BATCH_SD, new Random(seed)), LEVEL);
  }

  private static PhaseVerdict experimentVerdict(double[] ixt, double[] ity, long seed) {
    return PhaseTests.experiment(
        PlantedSeries.runs(5, ixt, ity, 10, CHECKPOINT_SD, BATCH_SD, new Random(seed)), LEVEL);
  }

  @Test
  void fitThenCompressIsCompressionAtBothLevels() {
    PhaseVerdict run = runVerdict(FIT_THEN_COMPRESS, TY_RISES_THEN_STAYS, 10, 1);
    assertThat(run.phase()).isEqualTo(Phase.FITTING_THEN_COMPRESSION);
    assertThat(run.level()).isEqualTo("run");
    assertThat(run.nRuns()).isEqualTo(1);
    assertThat(run.peakIndex()).isEqualTo(4);
    assertThat(run.troughIndex()).isEqualTo(11);
    assertThat(run.fitting().estimate()).isCloseTo(1.0, within(0.1));
    assertThat(run.drop().estimate()).isCloseTo(0.5, within(0.1));
    assertThat(run.drop().df()).as("test half: 5 odd batches").isEqualTo(4.0);
    assertThat(run.drop().n()).isEqualTo(5);

    PhaseVerdict exp = experimentVerdict(FIT_THEN_COMPRESS, TY_RISES_THEN_STAYS, 2);
    assertThat(exp.phase()).isEqualTo(Phase.FITTING_THEN_COMPRESSION);
    assertThat(exp.level()).isEqualTo("experiment");
    assertThat(exp.nRuns()).isEqualTo(5);
    assertThat(exp.peakIndex()).isEqualTo(4);
    assertThat(exp.drop().df()).as("chosen on run 0, tested on 4 runs").isEqualTo(3.0);
    assertThat(exp.drop().estimate()).isCloseTo(0.5, within(0.1));
  }

  @Test
  void whenITYFallsWithIXTItIsNotCompression() {
    double[] tyFalls = curve(C, 0, 0.5, 4, 2.0, 11, 1.0);
    assertThat(runVerdict(FIT_THEN_COMPRESS, tyFalls, 10, 3).phase()).isEqualTo(Phase.FITTING_THEN_BOTH_FALL);
    assertThat(experimentVerdict(FIT_THEN_COMPRESS, tyFalls, 4).phase()).isEqualTo(Phase.FITTING_THEN_BOTH_FALL);
  }

  @Test
  void aRiseToTheEndIsFittingWithoutATrough() {
    double[] rise = curve(C, 0, 2.0, 11, 3.0);
    PhaseVerdict run = runVerdict(rise, TY_RISES_THEN_STAYS, 10, 5);
    assertThat(run.phase()).isEqualTo(Phase.FITTING);
    assertThat(run.peakIndex()).isEqualTo(11);
    assertThat(run.troughIndex()).isEqualTo(-1);
    assertThat(run.drop().decided()).isFalse();
    assertThat(run.drop().n()).as("no checkpoint after the peak").isZero();
    assertThat(experimentVerdict(rise, TY_RISES_THEN_STAYS, 6).phase()).isEqualTo(Phase.FITTING);
  }

  @Test
  void aFallFromTheFirstCheckpointIsTheInitialTransientNeverCompression() {
    double[] fall = curve(C, 0, 3.0, 11, 2.0);
    PhaseVerdict run = runVerdict(fall, TY_RISES_THEN_STAYS, 10, 7);
    assertThat(run.phase()).isEqualTo(Phase.INITIAL_TRANSIENT);
    assertThat(run.peakIndex()).isZero();
    assertThat(run.fitting().estimate()).as("peak = first: the same batches").isZero();
    assertThat(run.fitting().p()).isEqualTo(1.0);
    assertThat(run.transientDrop().estimate()).isCloseTo(1.0, within(0.1));
    assertThat(run.drop().significantlyPositive(LEVEL)).as("the drop from the peak is there").isTrue();
    PhaseVerdict exp = experimentVerdict(fall, TY_RISES_THEN_STAYS, 8);
    assertThat(exp.phase()).isEqualTo(Phase.INITIAL_TRANSIENT);

    // Whatever the noise, a fall from the start is never compression.
    for (long seed = 100; seed < 200; seed++) {
      assertThat(runVerdict(fall, TY_RISES_THEN_STAYS, 10, seed).phase()).as("seed %d", seed)
          .isNotEqualTo(Phase.FITTING_THEN_COMPRESSION);
      assertThat(experimentVerdict(fall, TY_RISES_THEN_STAYS, seed).phase()).as("seed %d", seed)
          .isNotEqualTo(Phase.FITTING_THEN_COMPRESSION);
    }

    // A transient, then a small rise that never regains the start, then a fall: still no fitting.
    double[] transientThenBump = curve(C, 0, 3.0, 5, 2.0, 8, 2.3, 11, 2.1);
    assertThat(runVerdict(transientThenBump, TY_RISES_THEN_STAYS, 10, 9).phase()).isEqualTo(Phase.INITIAL_TRANSIENT);
    assertThat(experimentVerdict(transientThenBump, TY_RISES_THEN_STAYS, 10).phase())
        .isEqualTo(Phase.INITIAL_TRANSIENT);
  }

  @Test
  void flatNoiseIsFlat() {
    double[] flat = constant(C, 2.5);
    double[] tyFlat = constant(C, 1.0);
    assertThat(runVerdict(flat, tyFlat, 10, 11).phase()).isEqualTo(Phase.FLAT);
    assertThat(experimentVerdict(flat, tyFlat, 12).phase()).isEqualTo(Phase.FLAT);
  }

  @Test
  void aDeadLayerIsConstant() {
    double[][] zeros = new double[3][4];
    Series dead = new Series("dead", new double[] {0, 1, 2}, zeros, zeros, zeros);
    PhaseVerdict run = PhaseTests.run(dead, LEVEL);
    assertThat(run.phase()).isEqualTo(Phase.CONSTANT);
    assertThat(run.constant()).isTrue();
    assertThat(PhaseTests.experiment(List.of(dead, dead), LEVEL).phase()).isEqualTo(Phase.CONSTANT);
    double[][] one = new double[3][1];
    Series deadOneBatch = new Series("dead", new double[] {0, 1, 2}, one, one, one);
    assertThat(PhaseTests.run(deadOneBatch, LEVEL).phase()).as("a fact, not a test").isEqualTo(Phase.CONSTANT);
    Series alive = PlantedSeries.series("alive", FIT_THEN_COMPRESS, TY_RISES_THEN_STAYS, 4, 0, BATCH_SD, new Random(1));
    Series deadLong = new Series("dead", alive.steps(), new double[C][4], new double[C][4], new double[C][4]);
    assertThat(PhaseTests.experiment(List.of(deadLong, alive), LEVEL).constant()).isFalse();
  }

  @Test
  void tooFewBatchesRunsOrCheckpointsAreUndecided() {
    assertThat(runVerdict(FIT_THEN_COMPRESS, TY_RISES_THEN_STAYS, 1, 13).phase()).isEqualTo(Phase.UNDECIDED);
    PhaseVerdict three = runVerdict(FIT_THEN_COMPRESS, TY_RISES_THEN_STAYS, 3, 14);
    assertThat(three.phase()).as("3 batches: a test half of 1").isEqualTo(Phase.UNDECIDED);
    assertThat(three.fitting().n()).isEqualTo(1);
    assertThat(runVerdict(FIT_THEN_COMPRESS, TY_RISES_THEN_STAYS, 4, 15).fitting().decided()).isTrue();

    Series one = PlantedSeries.series("solo", FIT_THEN_COMPRESS, TY_RISES_THEN_STAYS, 10, 0, BATCH_SD, new Random(16));
    PhaseVerdict single = PhaseTests.experiment(List.of(one), LEVEL);
    assertThat(single.phase()).isEqualTo(Phase.UNDECIDED);
    assertThat(single.nRuns()).isEqualTo(1);
    assertThat(single.level()).isEqualTo("experiment");

    Series oneCheckpoint = new Series("c1", new double[] {0}, new double[][] {{1, 2, 3, 4}},
        new double[][] {{1, 1, 1, 1}}, new double[][] {{2, 2, 2, 2}});
    assertThat(PhaseTests.run(oneCheckpoint, LEVEL).phase()).isEqualTo(Phase.UNDECIDED);
  }

  @Test
  void thePeakIsChosenOnEvenBatchesAndTestedOnOddOnes() {
    // Even batches (0, 2) peak at checkpoint 1; odd batches (1, 3) would peak at checkpoint 2.
    double[][] ixt = {
      {1.0, 1.0, 1.0, 1.2},
      {3.0, 1.5, 3.0, 1.9},
      {2.0, 4.0, 2.0, 4.0},
    };
    double[][] ity = {{0.1, 0.2, 0.1, 0.4}, {0.5, 0.5, 0.5, 0.6}, {0.5, 0.7, 0.5, 0.5}};
    Series s = new Series("halves", new double[] {0, 10, 20}, ixt, ity, ixt);
    PhaseVerdict v = PhaseTests.run(s, LEVEL);
    assertThat(v.peakIndex()).isEqualTo(1);
    assertThat(v.troughIndex()).isEqualTo(2);
    // Test half = batches 1 and 3 only.
    // fitting: ixt[1] − ixt[0] on odd batches: {0.5, 0.7}, mean 0.6
    assertThat(v.fitting().estimate()).isCloseTo(0.6, within(TOL));
    assertThat(v.fitting().n()).isEqualTo(2);
    // drop: ixt[1] − ixt[2]: {1.5 − 4.0, 1.9 − 4.0} = {−2.5, −2.1}, mean −2.3
    assertThat(v.drop().estimate()).isCloseTo(-2.3, within(TOL));
    // tyDrop: ity[1] − ity[2]: {0.5 − 0.7, 0.6 − 0.5} = {−0.2, 0.1}, mean −0.05
    assertThat(v.tyDrop().estimate()).isCloseTo(-0.05, within(TOL));
    // transient: ixt[0] − ixt[2]: {1.0 − 4.0, 1.2 − 4.0}, mean −2.9
    assertThat(v.transientDrop().estimate()).isCloseTo(-2.9, within(TOL));
    assertThat(v.fitting()).isEqualTo(Tests.paired(new double[] {1.0, 1.2}, new double[] {1.5, 1.9}, 1 - LEVEL));
    // dropBetween uses the same half.
    assertThat(PhaseTests.dropBetween(s, 1, 2, LEVEL)).isEqualTo(v.drop());
    assertThat(PhaseTests.dropBetween(s, 1, 2)).isEqualTo(v.drop());
    assertThat(PhaseTests.dropBetween(s, 2, 0, LEVEL).estimate()).isCloseTo(2.9, within(TOL));
  }

  @Test
  void peakTiesGoToTheEarliestCheckpoint() {
    assertThat(PhaseTests.argmax(new double[] {1, 3, 3, 2})).isEqualTo(1);
    assertThat(PhaseTests.argminAfter(new double[] {1, 3, 0, 0, 2}, 1)).isEqualTo(2);
    assertThat(PhaseTests.argminAfter(new double[] {1, 3}, 1)).isEqualTo(-1);
  }

  @Test
  void theExperimentChoosesOnTheFirstRunAndTestsOnTheOthers() {
    // One batch per checkpoint, so each run's curve is its values. The first run chooses:
    //   A = {0, 1.0, 0.5}: peak 1, trough 2.
    // The others are tested at those indices:
    //   B = {0, 0.9, 0.2}: fitting 0.9, drop 0.7, transient −0.2
    //   C = {0, 0.2, 1.5}: fitting 0.2, drop −1.3, transient −1.5   (C's own peak, 2, is not used)
    //   D = {0, 1.1, 0.3}: fitting 1.1, drop 0.8, transient −0.3
    // I(T;Y) = 0.1·checkpoint in every run: tyDrop = 0.1 − 0.2 = −0.1 in each.
    List<Series> runs = List.of(oneBatch("A", 0, 1.0, 0.5), oneBatch("B", 0, 0.9, 0.2), oneBatch("C", 0, 0.2, 1.5),
        oneBatch("D", 0, 1.1, 0.3));
    PhaseVerdict v = PhaseTests.experiment(runs, LEVEL);
    assertThat(v.nRuns()).isEqualTo(4);
    assertThat(v.peakIndex()).isEqualTo(1);
    assertThat(v.troughIndex()).isEqualTo(2);
    double confidence = 1 - LEVEL;
    assertThat(v.fitting()).isEqualTo(Tests.oneSample(new double[] {0.9 - 0, 0.2 - 0, 1.1 - 0}, confidence));
    assertThat(v.fitting().df()).as("3 test runs").isEqualTo(2.0);
    assertThat(v.drop()).isEqualTo(Tests.oneSample(new double[] {0.9 - 0.2, 0.2 - 1.5, 1.1 - 0.3}, confidence));
    assertThat(v.transientDrop()).isEqualTo(Tests.oneSample(new double[] {0 - 0.2, 0 - 1.5, 0 - 0.3}, confidence));
    assertThat(v.tyDrop().estimate()).isCloseTo(-0.1, within(TOL));
    // Fitting {0.9, 0.2, 1.1}: mean 0.7333…, s = 0.4726…, t = 2.687, df 2: p ≈ 0.115, not significant;
    // transient {−0.2, −1.5, −0.3} is negative: flat.
    assertThat(v.fitting().p()).isGreaterThan(LEVEL);
    assertThat(v.phase()).isEqualTo(Phase.FLAT);

    // Two selection runs: the mean of A and B, {0, 0.95, 0.35}, chooses the same indices; C and D test.
    PhaseVerdict two = PhaseTests.experiment(runs, 2, LEVEL);
    assertThat(two.fitting()).isEqualTo(Tests.oneSample(new double[] {0.2, 1.1}, confidence));
    assertThat(two.drop().n()).isEqualTo(2);
    // Three selection runs leave one test run: undecided.
    assertThat(PhaseTests.experiment(runs, 3, LEVEL).phase()).isEqualTo(Phase.UNDECIDED);
    assertThat(PhaseTests.experiment(runs.subList(0, 2), LEVEL).phase()).as("R = 2").isEqualTo(Phase.UNDECIDED);
  }

  private static Series oneBatch(String run, double... ixt) {
    double[][] x = new double[ixt.length][];
    double[][] y = new double[ixt.length][];
    for (int k = 0; k < ixt.length; k++) {
      x[k] = new double[] {ixt[k]};
      y[k] = new double[] {0.1 * k};
    }
    double[] steps = new double[ixt.length];
    for (int k = 0; k < steps.length; k++) {
      steps[k] = k;
    }
    return new Series(run, steps, x, y, x);
  }

  private static Effect sig(double estimate) {
    return new Effect(estimate, estimate - 0.1, estimate + 0.1, 0.001, 9, 10);
  }

  private static Effect notSig(double estimate) {
    return new Effect(estimate, estimate - 1, estimate + 1, 0.6, 9, 10);
  }

  private static final Effect UNDECIDED = Effect.undecided(0.3, 1);
  private static final Effect NO_TROUGH = Effect.undecided(Double.NaN, 0);

  private static Phase classify(Effect fitting, Effect drop, Effect tyDrop, Effect transientDrop) {
    PhaseVerdict v = new PhaseVerdict("run", 1, 2, 5, fitting, drop, tyDrop, Phase.UNDECIDED, transientDrop, false);
    return PhaseTests.classify(v, LEVEL);
  }

  @Test
  void classificationRuleBranchByBranch() {
    assertThat(classify(UNDECIDED, sig(1), notSig(0), sig(1))).isEqualTo(Phase.UNDECIDED);
    assertThat(classify(sig(1), NO_TROUGH, NO_TROUGH, NO_TROUGH)).isEqualTo(Phase.FITTING);
    assertThat(classify(sig(1), UNDECIDED, notSig(0), notSig(0))).isEqualTo(Phase.UNDECIDED);
    assertThat(classify(sig(1), notSig(0.1), notSig(0), notSig(0))).isEqualTo(Phase.FITTING);
    assertThat(classify(sig(1), sig(-0.5), notSig(0), notSig(0))).as("a significant rise after the peak")
        .isEqualTo(Phase.FITTING);
    assertThat(classify(sig(1), sig(0.5), notSig(0.1), notSig(0))).isEqualTo(Phase.FITTING_THEN_COMPRESSION);
    assertThat(classify(sig(1), sig(0.5), sig(-0.2), notSig(0))).as("I(T;Y) rises: still compression")
        .isEqualTo(Phase.FITTING_THEN_COMPRESSION);
    assertThat(classify(sig(1), sig(0.5), UNDECIDED, notSig(0))).isEqualTo(Phase.UNDECIDED);
    assertThat(classify(sig(1), sig(0.5), sig(0.3), notSig(0))).isEqualTo(Phase.FITTING_THEN_BOTH_FALL);
    assertThat(classify(sig(-1), sig(0.5), notSig(0), sig(0.4))).as("no fitting: a fall is never compression")
        .isEqualTo(Phase.INITIAL_TRANSIENT);
    assertThat(classify(notSig(0.1), sig(0.5), notSig(0), notSig(0.1))).isEqualTo(Phase.FLAT);
    assertThat(classify(notSig(0.1), sig(0.5), notSig(0), UNDECIDED)).isEqualTo(Phase.UNDECIDED);
    assertThat(classify(notSig(0.1), NO_TROUGH, NO_TROUGH, NO_TROUGH)).isEqualTo(Phase.FLAT);
    PhaseVerdict dead = new PhaseVerdict("run", 1, 0, -1, UNDECIDED, NO_TROUGH, NO_TROUGH, Phase.UNDECIDED,
        NO_TROUGH, true);
    assertThat(PhaseTests.classify(dead, LEVEL)).isEqualTo(Phase.CONSTANT);
  }

  @Test
  void attachingQValuesClassifiesAgain() {
    PhaseVerdict v = runVerdict(FIT_THEN_COMPRESS, TY_RISES_THEN_STAYS, 10, 1);
    assertThat(v.phase()).isEqualTo(Phase.FITTING_THEN_COMPRESSION);
    double[] p = v.pValues();
    assertThat(p).containsExactly(v.fitting().p(), v.drop().p(), v.tyDrop().p(), v.transientDrop().p());
    PhaseVerdict dropLost = v.withQ(p[0], 0.2, p[2], p[3], LEVEL);
    assertThat(dropLost.drop().q()).isEqualTo(0.2);
    assertThat(dropLost.phase()).isEqualTo(Phase.FITTING);
    PhaseVerdict kept = v.withQ(0.01, 0.01, 1.0, 0.01, LEVEL);
    assertThat(kept.phase()).isEqualTo(Phase.FITTING_THEN_COMPRESSION);
    assertThat(kept.fitting().q()).isEqualTo(0.01);
  }

  @Test
  void aVerdictNamesItsLevel() {
    Effect e = Effect.undecided(Double.NaN, 0);
    assertThatThrownBy(() -> new PhaseVerdict("runs", 1, 0, -1, e, e, e, Phase.UNDECIDED, e, false))
        .hasMessageContaining("level must be \"run\" or \"experiment\", got runs");
  }

  @Test
  void labelsAreLowercaseWords() {
    assertThat(Phase.FITTING_THEN_COMPRESSION.label()).isEqualTo("fitting, then compression");
    assertThat(Phase.FITTING_THEN_BOTH_FALL.label()).isEqualTo("fitting, then I(X;T) and I(T;Y) fall");
    assertThat(Phase.INITIAL_TRANSIENT.label()).isEqualTo("initial transient");
    assertThat(Phase.CONSTANT.label()).isEqualTo("constant");
    assertThat(Phase.UNDECIDED.label()).isEqualTo("undecided");
    assertThat(Phase.FLAT.label()).isEqualTo("flat");
    assertThat(Phase.FITTING.label()).isEqualTo("fitting");
  }

  @Test
  void misuseIsNamed() {
    double[][] two = {{1, 2}, {1, 2}};
    assertThatThrownBy(() -> new Series("r7", new double[] {0, 1}, new double[][] {{1, 2}, {1}}, two, two))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("run r7: ixt checkpoint 1 has 1 batches, expected 2");
    assertThatThrownBy(() -> new Series("r7", new double[] {0, 1}, two, new double[][] {{1, 2}}, two))
        .hasMessageContaining("run r7: ity has 1 checkpoints, steps has 2");
    assertThatThrownBy(() -> new Series("r7", new double[] {0, 1}, two, two, new double[][] {{1, 2}, {Double.NaN, 2}}))
        .hasMessageContaining("run r7: ht checkpoint 1 batch 0 is not finite: NaN");
    assertThatThrownBy(() -> new Series("r7", new double[] {5, 5}, two, two, two))
        .hasMessageContaining("run r7: checkpoints must be in training order, checkpoint 1 has step 5.0 after 5.0");
    Series a = new Series("a", new double[] {0, 1}, two, two, two);
    Series b = new Series("b", new double[] {0, 1, 2}, new double[3][2], new double[3][2], new double[3][2]);
    assertThatThrownBy(() -> PhaseTests.experiment(List.of(a, b), LEVEL))
        .hasMessageContaining("run b has 3, run a has 2");
    assertThatThrownBy(() -> PhaseTests.run(a, 0.95)).hasMessageContaining("level must be in (0, 0.5]");
    assertThatThrownBy(() -> PhaseTests.experiment(List.of(a, a, a), 0, LEVEL))
        .hasMessageContaining("selectionRuns must be >= 1, got 0");
    assertThatThrownBy(() -> PhaseTests.dropBetween(a, 0, 2, LEVEL))
        .hasMessageContaining("run a has checkpoints 0..1, got from 0 and to 2");
  }

  @Test
  void aSeriesIsACopy() {
    double[][] x = {{1, 2}, {3, 4}};
    Series s = new Series("a", new double[] {0, 1}, x, x, x);
    x[0][0] = 99;
    assertThat(s.ixt()[0][0]).isEqualTo(1.0);
    s.ixt()[0][0] = 77;
    assertThat(s.ixt()[0][0]).isEqualTo(1.0);
    double[][] fresh = {{1, 2}, {3, 4}};
    assertThat(s).isEqualTo(new Series("a", new double[] {0, 1}, fresh, fresh, fresh));
  }
}
