package org.infoplane.snapshot;

import java.util.Objects;

/** Training metrics at a checkpoint; NaN where unknown. Accuracies are fractions in [0, 1]. */
public record CheckpointMetrics(CheckpointId checkpoint, double loss, double trainAccuracy, double testAccuracy) {
  public CheckpointMetrics {
    Objects.requireNonNull(checkpoint, "checkpoint");
  }
}
