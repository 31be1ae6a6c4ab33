package org.infoplane.snapshot;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Training metrics at a checkpoint; NaN where unknown. Accuracies are fractions in [0, 1].
 *
 * @param other any further numeric metrics by name (learning rate, a validation loss, ...), finite
 *     values; empty when there are none
 */
public record CheckpointMetrics(CheckpointId checkpoint, double loss, double trainAccuracy, double testAccuracy,
    Map<String, Double> other) {
  public CheckpointMetrics {
    Objects.requireNonNull(checkpoint, "checkpoint");
    other = other == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(other));
  }

  /** The name under {@code other} of the mean cross-entropy on the test evaluation set (nats). */
  public static final String TEST_LOSS = "test_loss";

  /** The standard metrics and the test loss (kept under {@link #TEST_LOSS} when finite). */
  public static CheckpointMetrics withTestLoss(CheckpointId checkpoint, double loss, double trainAccuracy,
      double testAccuracy, double testLoss) {
    return new CheckpointMetrics(checkpoint, loss, trainAccuracy, testAccuracy,
        Double.isFinite(testLoss) ? Map.of(TEST_LOSS, testLoss) : Map.of());
  }

  /** The mean cross-entropy on the test evaluation set (nats); NaN when not recorded. */
  public double testLoss() {
    Double v = other.get(TEST_LOSS);
    return v == null ? Double.NaN : v;
  }

  /** The standard metrics only. */
  public CheckpointMetrics(CheckpointId checkpoint, double loss, double trainAccuracy, double testAccuracy) {
    this(checkpoint, loss, trainAccuracy, testAccuracy, Map.of());
  }
}
