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

  /**
   * The name under {@code other} of the mean cross-entropy (nats) on the whole validation split: the
   * training images held out of training (never the test set), on which early stopping is judged.
   */
  public static final String VAL_LOSS = "val_loss";

  /** The name under {@code other} of the accuracy (a fraction in [0, 1]) on the whole validation split. */
  public static final String VAL_ACCURACY = "val_accuracy";

  /** The standard metrics and the test loss (kept under {@link #TEST_LOSS} when finite). */
  public static CheckpointMetrics withTestLoss(CheckpointId checkpoint, double loss, double trainAccuracy,
      double testAccuracy, double testLoss) {
    return withValidation(checkpoint, loss, trainAccuracy, testAccuracy, testLoss, Double.NaN, Double.NaN);
  }

  /**
   * The standard metrics, the test loss and the validation split's loss and accuracy, each kept
   * under {@code other} ({@link #TEST_LOSS}, {@link #VAL_LOSS}, {@link #VAL_ACCURACY}) when finite:
   * NaN means not measured (a run without a validation split).
   */
  public static CheckpointMetrics withValidation(CheckpointId checkpoint, double loss, double trainAccuracy,
      double testAccuracy, double testLoss, double valLoss, double valAccuracy) {
    Map<String, Double> other = new TreeMap<>();
    putFinite(other, TEST_LOSS, testLoss);
    putFinite(other, VAL_LOSS, valLoss);
    putFinite(other, VAL_ACCURACY, valAccuracy);
    return new CheckpointMetrics(checkpoint, loss, trainAccuracy, testAccuracy, other);
  }

  private static void putFinite(Map<String, Double> m, String key, double v) {
    if (Double.isFinite(v)) {
      m.put(key, v);
    }
  }

  /** The mean cross-entropy on the test evaluation set (nats); NaN when not recorded. */
  public double testLoss() {
    return otherOrNaN(TEST_LOSS);
  }

  /** The mean cross-entropy on the validation split (nats); NaN when not recorded. */
  public double valLoss() {
    return otherOrNaN(VAL_LOSS);
  }

  /** The accuracy on the validation split (a fraction in [0, 1]); NaN when not recorded. */
  public double valAccuracy() {
    return otherOrNaN(VAL_ACCURACY);
  }

  private double otherOrNaN(String name) {
    Double v = other.get(name);
    return v == null ? Double.NaN : v;
  }

  /** The standard metrics only. */
  public CheckpointMetrics(CheckpointId checkpoint, double loss, double trainAccuracy, double testAccuracy) {
    this(checkpoint, loss, trainAccuracy, testAccuracy, Map.of());
  }
}
