package org.infoplane.estimator.ip;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.infoplane.estimator.width.WidthSmoothing;

/**
 * One checkpoint of one layer, end to end: the width pass over every batch, the checkpoint's width
 * (mean of the batches' widths, METHOD.md §4), then the estimate of every batch with that width,
 * summarised over batches. No smoothing across checkpoints happens here: that needs the run's
 * other checkpoints (see {@link WidthSmoothing#exponentialMovingAverage}).
 */
public final class InformationPlane {

  private InformationPlane() {}

  /**
   * Estimates one checkpoint.
   *
   * @param batches the checkpoint's batches (see {@link IpBatch#cut})
   * @param sigmaT a width to use for every batch, or empty to let the estimator choose per batch
   *     and take the mean
   */
  public static IpSummary estimateCheckpoint(
      InformationPlaneEstimator estimator, List<IpBatch> batches, OptionalDouble sigmaT) {
    return estimateCheckpoint(estimator, batches, sigmaT, false);
  }

  /**
   * Estimates one checkpoint.
   *
   * @param batches the checkpoint's batches (see {@link IpBatch#cut})
   * @param sigmaT a width to use for every batch, or empty to let the estimator choose per batch
   * @param perBatchWidth with an empty {@code sigmaT}: each batch uses its own width (the reference
   *     implementations' way) instead of the mean of the batches' widths; the summary then reports
   *     that mean
   */
  public static IpSummary estimateCheckpoint(
      InformationPlaneEstimator estimator, List<IpBatch> batches, OptionalDouble sigmaT, boolean perBatchWidth) {
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("no batch to estimate");
    }
    OptionalDouble sigma = sigmaT;
    List<OptionalDouble> widths = new ArrayList<>(batches.size());
    if (sigma.isEmpty()) {
      for (IpBatch b : batches) {
        widths.add(estimator.selectWidth(b));
      }
      sigma = WidthSmoothing.checkpointWidth(widths);
    }
    boolean own = perBatchWidth && sigmaT.isEmpty();
    List<IpEstimate> estimates = new ArrayList<>(batches.size());
    for (int i = 0; i < batches.size(); i++) {
      estimates.add(estimator.estimate(batches.get(i), own ? widths.get(i) : sigma));
    }
    return IpSummary.of(estimates, sigma);
  }
}
