package org.infoplane.estimator.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Early stopping on validation losses worked by hand, and compression before or after it. */
class EarlyStoppingTest {

  static final double LEVEL = 0.05;
  static final double NAN = Double.NaN;

  @Test
  void patienceOneStopsAtTheFirstCheckpointWithoutImprovement() {
    // best so far: 1.0 (0), 0.8 (1), 0.7 (2); checkpoint 3 (0.75) does not improve: stop at 3, keep 2.
    double[] loss = {1.0, 0.8, 0.7, 0.75, 0.6};
    assertThat(EarlyStopping.stopIndex(loss, 1)).isEqualTo(OptionalInt.of(2));
    assertThat(EarlyStopping.stopPoint(loss, 1)).contains(new EarlyStopping.StopPoint(2, 3));
  }

  @Test
  void patienceTwoWaitsForTwoCheckpointsWithoutImprovement() {
    // 0.7 at 2; 0.75 (3) waits 1; 0.6 (4) improves; 0.65 (5) waits 1; 0.6 (6) ties: no improvement,
    // waits 2: stop at 6, keep 4.
    double[] loss = {1.0, 0.8, 0.7, 0.75, 0.6, 0.65, 0.6, 0.5};
    assertThat(EarlyStopping.stopPoint(loss, 2)).contains(new EarlyStopping.StopPoint(4, 6));
    assertThat(EarlyStopping.stopIndex(loss, 2)).isEqualTo(OptionalInt.of(4));
    // Patience 3: 0.5 at 7 improves before patience runs out; training ends: no stop.
    assertThat(EarlyStopping.stopIndex(loss, 3)).isEmpty();
  }

  @Test
  void neverTriggeredWhenTheLossKeepsImprovingOrTrainingEndsFirst() {
    assertThat(EarlyStopping.stopIndex(new double[] {1.0, 0.9, 0.8, 0.7}, 1)).isEmpty();
    assertThat(EarlyStopping.stopIndex(new double[] {1.0, 1.1}, 2)).isEmpty();
    assertThat(EarlyStopping.stopIndex(new double[0], 1)).isEmpty();
    assertThat(EarlyStopping.stopIndex(new double[] {1.0, 1.1, 1.2}, 2)).isEqualTo(OptionalInt.of(0));
  }

  @Test
  void nanLossesAreSkippedNotCountedAsPatience() {
    // The NaN at 2 is no measurement: with patience 2, 0.9 (3) and 0.95 (4) are the two checkpoints
    // without improvement after the best, 0.8 at 1: stop at 4, keep 1. (Keras would stop at 3.)
    double[] loss = {1.0, 0.8, NAN, 0.9, 0.95};
    assertThat(EarlyStopping.stopPoint(loss, 2)).contains(new EarlyStopping.StopPoint(1, 4));
    // Leading NaNs: the first measured loss starts the best.
    assertThat(EarlyStopping.stopPoint(new double[] {NAN, NAN, 2.0, 2.5}, 1))
        .contains(new EarlyStopping.StopPoint(2, 3));
    // Trailing NaNs never stop training.
    assertThat(EarlyStopping.stopIndex(new double[] {1.0, 0.8, NAN, NAN, NAN}, 1)).isEmpty();
    assertThat(EarlyStopping.stopPoint(new double[] {NAN, NAN}, 1)).isEqualTo(Optional.empty());
    // +∞ is a measured loss that never improves.
    assertThat(EarlyStopping.stopIndex(new double[] {1.0, Double.POSITIVE_INFINITY}, 1)).isEqualTo(OptionalInt.of(0));
  }

  @Test
  void badInputIsNamed() {
    assertThatThrownBy(() -> EarlyStopping.stopIndex(new double[] {1.0}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("patience must be >= 1, got 0");
    assertThatThrownBy(() -> EarlyStopping.stopIndex(null, 1)).hasMessageContaining("valLoss is null");
  }

  private static PhaseVerdict verdict(int peak, Effect fitting, Effect drop, Effect tyDrop) {
    return new PhaseVerdict("run", 1, peak, peak + 3, fitting, drop, tyDrop, Phase.UNDECIDED,
        new Effect(-0.5, -0.6, -0.4, 0.001, 9, 10), false);
  }

  private static final Effect SIG = new Effect(0.5, 0.4, 0.6, 0.001, 9, 10);
  private static final Effect NOT_SIG = new Effect(0.01, -0.2, 0.2, 0.7, 9, 10);

  @Test
  void compressionBeginsBeforeOrAfterTheStopAtThePeak() {
    PhaseVerdict compressesFrom4 = verdict(4, SIG, SIG, NOT_SIG);
    assertThat(EarlyStopping.compressionVsStop(compressesFrom4, 5, LEVEL)).isEqualTo("before");
    assertThat(EarlyStopping.compressionVsStop(compressesFrom4, 4, LEVEL)).isEqualTo("after");
    assertThat(EarlyStopping.compressionVsStop(compressesFrom4, 2, LEVEL)).isEqualTo("after");
    assertThat(EarlyStopping.compressionVsStop(verdict(4, SIG, NOT_SIG, NOT_SIG), 5, LEVEL))
        .isEqualTo("no compression");
    assertThat(EarlyStopping.compressionVsStop(verdict(4, SIG, SIG, SIG), 5, LEVEL))
        .as("both fall: not compression").isEqualTo("no compression");
    assertThat(EarlyStopping.compressionVsStop(verdict(4, Effect.undecided(0.2, 1), SIG, NOT_SIG), 5, LEVEL))
        .isEqualTo("undecided");
    // Judged on q where attached: BH can take the compression away.
    PhaseVerdict adjusted = compressesFrom4.withQ(0.001, 0.3, 0.9, 0.001, LEVEL);
    assertThat(EarlyStopping.compressionVsStop(adjusted, 5, LEVEL)).isEqualTo("no compression");
  }

  @Test
  void theDropToTheStopIsTestedOnTheTestHalf() {
    // A planted fit-then-compress run; early stopping keeps checkpoint 8; the peak is 4.
    Series s = PlantedSeries.series("r", PhaseTestsTest.FIT_THEN_COMPRESS, PhaseTestsTest.TY_RISES_THEN_STAYS, 10, 0,
        0.05, new java.util.Random(21));
    PhaseVerdict v = PhaseTests.run(s, LEVEL);
    assertThat(v.phase()).isEqualTo(Phase.FITTING_THEN_COMPRESSION);
    assertThat(EarlyStopping.compressionVsStop(v, 8, LEVEL)).isEqualTo("before");
    Effect dropByStop = PhaseTests.dropBetween(s, v.peakIndex(), 8, LEVEL);
    // Planted: 3.0 − (3.0 − 0.5·4/7) = 0.2857 bits between checkpoints 4 and 8.
    assertThat(dropByStop.estimate()).isBetween(0.2, 0.37);
    assertThat(dropByStop.significantlyPositive(LEVEL)).isTrue();
  }
}
