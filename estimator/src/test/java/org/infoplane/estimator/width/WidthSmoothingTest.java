package org.infoplane.estimator.width;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The checkpoint width and its moving average, against sequences worked out by hand. */
class WidthSmoothingTest {

  static final double TOL = 1e-12;

  private static OptionalDouble w(double v) {
    return OptionalDouble.of(v);
  }

  private static final OptionalDouble NONE = OptionalDouble.empty();

  private static void assertSequence(List<OptionalDouble> got, Double... expected) {
    assertThat(got).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] == null) {
        assertThat(got.get(i)).as("checkpoint %d", i).isEmpty();
      } else {
        assertThat(got.get(i)).as("checkpoint %d", i).isPresent();
        assertThat(got.get(i).getAsDouble()).as("checkpoint %d", i).isCloseTo(expected[i], within(TOL));
      }
    }
  }

  @Test
  void movingAverageByHand() {
    // σ1 = 2; σ2 = 0.9·2 + 0.1·4 = 2.2; σ3 = 0.9·2.2 + 0.1·1 = 2.08; σ4 = 0.9·2.08 + 0.1·10 = 2.872
    assertSequence(WidthSmoothing.exponentialMovingAverage(List.of(w(2), w(4), w(1), w(10)), 0.9),
        2.0, 2.2, 2.08, 2.872);
    // β = 0.5: 8, 0.5·8 + 0.5·4 = 6
    assertSequence(WidthSmoothing.exponentialMovingAverage(List.of(w(8), w(4)), 0.5), 8.0, 6.0);
    // β = 0 disables smoothing
    assertSequence(WidthSmoothing.exponentialMovingAverage(List.of(w(3), w(5), w(7)), 0.0), 3.0, 5.0, 7.0);
  }

  @Test
  void missingWidthCarriesTheAverageOverAndReportsNone() {
    // 2, (constant layer), 4: the third is 0.9·2 + 0.1·4 = 2.2, as if the gap were not there.
    assertSequence(WidthSmoothing.exponentialMovingAverage(List.of(w(2), NONE, w(4)), 0.9), 2.0, null, 2.2);
    // Leading gaps: the first present width starts the average.
    assertSequence(WidthSmoothing.exponentialMovingAverage(List.of(NONE, NONE, w(3), w(5)), 0.9),
        null, null, 3.0, 3.2);
    assertSequence(WidthSmoothing.exponentialMovingAverage(List.of(NONE, NONE), 0.9), null, null);
  }

  @Test
  void incrementalEqualsFull() {
    Random random = new Random(71);
    List<OptionalDouble> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add(random.nextInt(5) == 0 ? NONE : w(0.5 + 10.0 * random.nextDouble()));
    }
    List<OptionalDouble> full = WidthSmoothing.exponentialMovingAverage(all, 0.9);
    for (int k = 0; k <= all.size(); k++) {
      assertThat(WidthSmoothing.exponentialMovingAverage(all.subList(0, k), 0.9)).isEqualTo(full.subList(0, k));
    }
  }

  @Test
  void checkpointWidthIsTheMeanOfThePresentWidths() {
    assertThat(WidthSmoothing.checkpointWidth(List.of(w(1), NONE, w(2), w(6))).getAsDouble()).isCloseTo(3.0, within(TOL));
    assertThat(WidthSmoothing.checkpointWidth(List.of(w(4.5))).getAsDouble()).isEqualTo(4.5);
    assertThat(WidthSmoothing.checkpointWidth(List.of(NONE, NONE))).isEmpty();
    assertThat(WidthSmoothing.checkpointWidth(List.of())).isEmpty();
  }

  @Test
  void betaOutsideTheUnitIntervalIsRejected() {
    for (double beta : new double[] {-0.1, 1.0, Double.NaN}) {
      assertThatThrownBy(() -> WidthSmoothing.exponentialMovingAverage(List.of(w(1)), beta))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("smoothing beta must be in [0, 1), got " + beta);
    }
  }

  @Test
  void perStepTheOldWidthKeepsBetaToTheNumberOfSteps() {
    // Steps 0, 3, 13, β = 0.9: σ2 = 0.9³·2 + (1 − 0.9³)·4 = 0.729·2 + 0.271·4 = 2.542;
    // σ3 = 0.9¹⁰·2.542 + (1 − 0.9¹⁰)·1 with 0.9¹⁰ = 0.3486784401: 0.88634059473… + 0.6513215599.
    double p10 = 0.3486784401;
    assertSequence(WidthSmoothing.exponentialMovingAverage(List.of(w(2), w(4), w(1)), new long[] {0, 3, 13}, 0.9,
        false), 2.0, 2.542, p10 * 2.542 + (1 - p10));
    // β on the new value (IPDL), β = 0.5, steps 0 and 2: the old keeps 0.5² = 0.25: 0.25·8 + 0.75·4 = 5.
    assertSequence(WidthSmoothing.exponentialMovingAverage(List.of(w(8), w(4)), new long[] {0, 2}, 0.5, true),
        8.0, 5.0);
    // β = 1 on the new value, and β = 0 on the old: no smoothing.
    assertSequence(WidthSmoothing.exponentialMovingAverage(List.of(w(8), w(4)), new long[] {0, 2}, 1.0, true),
        8.0, 4.0);
    assertSequence(WidthSmoothing.exponentialMovingAverage(List.of(w(8), w(4)), new long[] {0, 2}, 0.0, false),
        8.0, 4.0);
  }

  @Test
  void perStepEqualsTheAuthorsUpdateRunOncePerIteration() {
    // The authors update σ ← 0.9·σ + 0.1·σ* at every iteration; with σ* seen only at checkpoints
    // (held between them), that loop is the slow reference of the closed form β^Δ.
    Random random = new Random(3);
    long[] steps = {0, 1, 7, 20, 21, 350};
    List<OptionalDouble> widths = new ArrayList<>();
    for (int i = 0; i < steps.length; i++) {
      widths.add(w(0.5 + 10 * random.nextDouble()));
    }
    List<OptionalDouble> got = WidthSmoothing.exponentialMovingAverage(widths, steps, 0.9, false);
    double state = widths.get(0).getAsDouble();
    assertThat(got.get(0).getAsDouble()).isEqualTo(state);
    for (int k = 1; k < steps.length; k++) {
      for (long s = steps[k - 1]; s < steps[k]; s++) {
        state = 0.9 * state + 0.1 * widths.get(k).getAsDouble();
      }
      assertThat(got.get(k).getAsDouble()).as("checkpoint %d", k).isCloseTo(state, within(1e-9 * state));
    }
  }

  @Test
  void perStepAPrefixOfCheckpointsGivesThePrefixOfTheAverage() {
    List<OptionalDouble> all = List.of(w(3), NONE, w(5), w(2), w(9));
    long[] steps = {0, 10, 20, 25, 100};
    List<OptionalDouble> full = WidthSmoothing.exponentialMovingAverage(all, steps, 0.9, false);
    for (int k = 1; k <= all.size(); k++) {
      List<OptionalDouble> part = WidthSmoothing.exponentialMovingAverage(all.subList(0, k),
          java.util.Arrays.copyOf(steps, k), 0.9, false);
      assertThat(part).isEqualTo(full.subList(0, k));
    }
    // the gap: Δ counts from step 0, the last checkpoint with a width: 0.9²⁰·3 + (1 − 0.9²⁰)·5
    double p20 = Math.pow(0.9, 20);
    assertThat(full.get(2).getAsDouble()).isCloseTo(p20 * 3 + (1 - p20) * 5, within(TOL));
  }

  @Test
  void stepsMustIncrease() {
    assertThatThrownBy(() -> WidthSmoothing.exponentialMovingAverage(List.of(w(1), w(2)), new long[] {5, 5}, 0.9,
        false)).isInstanceOf(IllegalArgumentException.class).hasMessage("checkpoint steps must increase, got 5 then 5");
  }
}
