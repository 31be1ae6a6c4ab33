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
 *       an exponential moving average that runs once per training step. With checkpoints Δ steps
 *       apart and σ* observed only at checkpoints, the previous width keeps weight w^Δ:
 *       σ_{l,t} = w^Δ·σ_{l,t−1} + (1 − w^Δ)·σ*_{l,t}, σ_{l,1} = σ*_{l,1}. The weight per step is
 *       w = β with β on the old value (the authors, β = 0.9 by default) or w = 1 − β with β on the
 *       new value (SolidusAbi/IPDL). A checkpoint without a width reports none and leaves the
 *       average as it was; Δ then counts from the last checkpoint that had one. Giving the
 *       checkpoints the steps 0, 1, 2, … smooths once per checkpoint.
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
   * The moving average once per checkpoint (β on the old value, one step between checkpoints).
   *
   * @param beta smoothing factor in [0, 1); 0 disables smoothing
   * @return one entry per checkpoint: the smoothed width, or empty where the checkpoint had none
   */
  public static List<OptionalDouble> exponentialMovingAverage(List<OptionalDouble> checkpointWidths, double beta) {
    return perCheckpoint(checkpointWidths, beta, false);
  }

  /**
   * The moving average once per checkpoint that has a width (a checkpoint without one is skipped,
   * as if it were not there).
   *
   * @param beta as in {@link #exponentialMovingAverage(List, long[], double, boolean)}
   */
  public static List<OptionalDouble> perCheckpoint(List<OptionalDouble> checkpointWidths, double beta,
      boolean betaOnNew) {
    requireBeta(beta, betaOnNew);
    long[] steps = new long[checkpointWidths.size()];
    long present = 0;
    for (int i = 0; i < steps.length; i++) {
      // A checkpoint without a width gets the step of the next one that has one: Δ = 1 between widths.
      steps[i] = checkpointWidths.get(i).isPresent() ? present++ : present;
    }
    return average(checkpointWidths, steps, beta, betaOnNew);
  }

  private static void requireBeta(double beta, boolean betaOnNew) {
    if (betaOnNew ? !(beta > 0.0 && beta <= 1.0) : !(beta >= 0.0 && beta < 1.0)) {
      throw new IllegalArgumentException("smoothing beta must be in " + (betaOnNew ? "(0, 1]" : "[0, 1)")
          + (betaOnNew ? " with beta on the new value" : "") + ", got " + beta);
    }
  }

  /**
   * The moving average per training step over checkpoint widths given in training order.
   *
   * @param steps the training step of each checkpoint, strictly increasing
   * @param beta the smoothing factor: in [0, 1) on the old value, in (0, 1] on the new value
   * @param betaOnNew true for σ_t = β·σ*_t + (1 − β)·σ_{t−1} per step (IPDL), false for the authors'
   *     σ_t = β·σ_{t−1} + (1 − β)·σ*_t
   * @return one entry per checkpoint: the smoothed width, or empty where the checkpoint had none
   */
  public static List<OptionalDouble> exponentialMovingAverage(List<OptionalDouble> checkpointWidths, long[] steps,
      double beta, boolean betaOnNew) {
    requireBeta(beta, betaOnNew);
    if (steps.length != checkpointWidths.size()) {
      throw new IllegalArgumentException(steps.length + " steps for " + checkpointWidths.size() + " checkpoints");
    }
    for (int i = 1; i < steps.length; i++) {
      if (steps[i] <= steps[i - 1]) {
        throw new IllegalArgumentException("checkpoint steps must increase, got " + steps[i - 1] + " then " + steps[i]);
      }
    }
    return average(checkpointWidths, steps, beta, betaOnNew);
  }

  private static List<OptionalDouble> average(List<OptionalDouble> checkpointWidths, long[] steps, double beta,
      boolean betaOnNew) {
    double keep = betaOnNew ? 1.0 - beta : beta;
    List<OptionalDouble> out = new ArrayList<>(checkpointWidths.size());
    boolean started = false;
    double state = 0.0;
    long last = 0;
    for (int i = 0; i < steps.length; i++) {
      OptionalDouble w = checkpointWidths.get(i);
      if (w.isEmpty()) {
        out.add(OptionalDouble.empty());
        continue;
      }
      if (started) {
        double k = Math.pow(keep, steps[i] - last);
        state = k * state + (1.0 - k) * w.getAsDouble();
      } else {
        state = w.getAsDouble();
        started = true;
      }
      last = steps[i];
      out.add(OptionalDouble.of(state));
    }
    return out;
  }
}
