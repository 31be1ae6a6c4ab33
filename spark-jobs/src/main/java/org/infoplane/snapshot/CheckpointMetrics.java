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

  /** The standard metrics only. */
  public CheckpointMetrics(CheckpointId checkpoint, double loss, double trainAccuracy, double testAccuracy) {
    this(checkpoint, loss, trainAccuracy, testAccuracy, Map.of());
  }
}
