package org.infoplane.estimator.verdict;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where early stopping with patience P would have stopped, and whether compression began before it
 * (the paper's third claim; METHOD.md §10). The validation loss is that of a split held out of the
 * training data, never the test set, one value per checkpoint in training order.
 *
 * <p>The rule is Keras' {@code EarlyStopping(monitor='val_loss', patience=P, min_delta=0,
 * restore_best_weights=True)} over checkpoints: an improvement is a loss strictly lower than the best
 * so far; training stops at the first checkpoint c at which the best so far was reached P
 * checkpoints earlier and none of the P checkpoints after it improved on it; the model kept is the
 * best one. Ties are no improvement, so the earliest of equal minima is kept.
 *
 * <p><b>NaN losses</b> are checkpoints without a measured validation loss: they are skipped, neither
 * an improvement nor a checkpoint of patience, and the stop index is always a checkpoint with a
 * measured loss. (Keras counts a NaN as a checkpoint that did not improve; here a missing value is
 * not evidence of no improvement.) Infinite losses are measured values (+∞ never improves).
 */
public final class EarlyStopping {

  /** {@link #compressionVsStop} when compression began before the early-stopping checkpoint. */
  public static final String BEFORE = "before";

  /** {@link #compressionVsStop} when compression began at or after the early-stopping checkpoint. */
  public static final String AFTER = "after";

  /** {@link #compressionVsStop} when the verdict is decided and is not compression. */
  public static final String NO_COMPRESSION = "no compression";

  /** {@link #compressionVsStop} when the verdict is undecided. */
  public static final String UNDECIDED = "undecided";

  private EarlyStopping() {}

  /**
   * Where early stopping triggers.
   *
   * @param bestIndex the checkpoint with the best validation loss, the model early stopping keeps
   * @param stopIndex the checkpoint at which training stops (bestIndex + P measured checkpoints)
   */
  public record StopPoint(int bestIndex, int stopIndex) {}

  /**
   * The checkpoint early stopping keeps: the best one, once P measured checkpoints after it have not
   * improved on it.
   *
   * @param valLoss the validation loss per checkpoint, NaN where not measured (not modified)
   * @param patience P ≥ 1
   * @return the best checkpoint's index; empty when training ends before patience runs out
   */
  public static OptionalInt stopIndex(double[] valLoss, int patience) {
    return stopPoint(valLoss, patience).map(s -> OptionalInt.of(s.bestIndex())).orElse(OptionalInt.empty());
  }

  /** The kept and the stopping checkpoint of {@link #stopIndex}; empty when it never triggers. */
  public static Optional<StopPoint> stopPoint(double[] valLoss, int patience) {
    if (valLoss == null) {
      throw new IllegalArgumentException("valLoss is null");
    }
    if (patience < 1) {
      throw new IllegalArgumentException("patience must be >= 1, got " + patience);
    }
    int best = -1;
    int wait = 0;
    for (int c = 0; c < valLoss.length; c++) {
      double loss = valLoss[c];
      if (Double.isNaN(loss)) {
        continue;
      }
      if (best < 0 || loss < valLoss[best]) {
        best = c;
        wait = 0;
      } else if (++wait >= patience) {
        return Optional.of(new StopPoint(best, c));
      }
    }
    return Optional.empty();
  }

  /**
   * Did compression begin before the early-stopping checkpoint, at or after it, or not at all? The
   * verdict is classified at {@code level} ({@link PhaseTests#classify}); compression is {@link
   * Phase#FITTING_THEN_COMPRESSION} only, and it begins at the verdict's peak.
   *
   * @param v a run-level (or experiment-level) phase verdict of one layer and split
   * @param stopIndex the early-stopping checkpoint, normally the kept one ({@link #stopIndex})
   * @param level the significance level α in (0, 0.5]
   * @return {@link #BEFORE} (peakIndex &lt; stopIndex), {@link #AFTER} (peakIndex ≥ stopIndex),
   *     {@link #NO_COMPRESSION} or {@link #UNDECIDED}
   */
  public static String compressionVsStop(PhaseVerdict v, int stopIndex, double level) {
    if (stopIndex < 0) {
      throw new IllegalArgumentException("stopIndex must be a checkpoint index >= 0, got " + stopIndex);
    }
    Phase phase = PhaseTests.classify(v, level);
    if (phase == Phase.UNDECIDED) {
      return UNDECIDED;
    }
    if (phase != Phase.FITTING_THEN_COMPRESSION) {
      return NO_COMPRESSION;
    }
    return v.peakIndex() < stopIndex ? BEFORE : AFTER;
  }
}
