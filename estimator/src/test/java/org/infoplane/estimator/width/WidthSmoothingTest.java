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
}
