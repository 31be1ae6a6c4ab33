package org.infoplane.estimator.ip;

import java.util.OptionalDouble;

/**
 * An information-plane estimator: for one batch of a layer T, with its input X and labels Y, the
 * entropies S(X), S(T), S(Y) and the mutual informations I(X;T), I(T;Y), in bits.
 *
 * <p>Lifecycle, following the two-pass shape of METHOD.md §4: first {@link #selectWidth} on every
 * batch of a checkpoint, then the widths are combined (mean over batches, optionally smoothed over
 * checkpoints, see {@link org.infoplane.estimator.width.WidthSmoothing}), then {@link #estimate} on
 * every batch with the combined width. Implementations are immutable and thread-safe; obtain them
 * from {@link InformationPlaneEstimators}.
 */
public interface InformationPlaneEstimator {

  /** The estimator's identifier in result tables, e.g. {@code renyi-tensor}. */
  String name();

  /**
   * The width this estimator would pick for the layer on this batch; empty for a constant layer
   * or for an estimator that uses no common width.
   */
  OptionalDouble selectWidth(IpBatch batch);

  /**
   * Estimates the batch's information-plane point.
   *
   * @param sigmaT the layer's kernel width for this checkpoint, or empty where the layer is
   *     constant or the estimator needs none
   * @throws IllegalArgumentException if the estimator needs a width and none is given for a
   *     non-constant layer
   */
  IpEstimate estimate(IpBatch batch, OptionalDouble sigmaT);
}
