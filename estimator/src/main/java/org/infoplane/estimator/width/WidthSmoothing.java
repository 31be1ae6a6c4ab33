package org.infoplane.estimator.width;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalDouble;

/**
 * From per-batch widths to the width every batch of a checkpoint uses (METHOD.md §4).
 *
 * <ol>
 *   <li>A checkpoint's width σ*_{l,t} is the mean of its batches' widths (batches of a constant
 *       layer have none and do not count; no width at all gives an empty result).
 *   <li>Across the checkpoints of one run and split, in training order, the widths are smoothed by
 *       an exponential moving average σ_{l,t} = β·σ_{l,t−1} + (1−β)·σ*_{l,t}, σ_{l,1} = σ*_{l,1},
 *       β = 0.9 by default. A checkpoint without a width reports none and leaves the average as it
 *       was.
 * </ol>
 *
 * <p>The average is a pure function of the whole sequence, so re-analysing after new checkpoints
 * arrive gives the same widths as analysing everything at once.
 */
public final class WidthSmoothing {

  /** The authors' smoothing factor β. */
  public static final double DEFAULT_BETA = 0.9;

  private WidthSmoothing() {}

  /** The mean of the present per-batch widths, or empty if there is none. */
  public static OptionalDouble checkpointWidth(Collection<OptionalDouble> batchWidths) {
    double sum = 0.0;
    int count = 0;
    for (OptionalDouble w : batchWidths) {
      if (w.isPresent()) {
        sum += w.getAsDouble();
        count++;
      }
    }
    return count == 0 ? OptionalDouble.empty() : OptionalDouble.of(sum / count);
  }

  /**
   * The moving average over checkpoint widths given in training order.
   *
   * @param beta smoothing factor in [0, 1); 0 disables smoothing
   * @return one entry per checkpoint: the smoothed width, or empty where the checkpoint had none
   */
  public static List<OptionalDouble> exponentialMovingAverage(List<OptionalDouble> checkpointWidths, double beta) {
    if (!(beta >= 0.0 && beta < 1.0)) {
      throw new IllegalArgumentException("smoothing beta must be in [0, 1), got " + beta);
    }
    List<OptionalDouble> out = new ArrayList<>(checkpointWidths.size());
    boolean started = false;
    double state = 0.0;
    for (OptionalDouble w : checkpointWidths) {
      if (w.isEmpty()) {
        out.add(OptionalDouble.empty());
        continue;
      }
      state = started ? beta * state + (1.0 - beta) * w.getAsDouble() : w.getAsDouble();
      started = true;
      out.add(OptionalDouble.of(state));
    }
    return out;
  }
}
