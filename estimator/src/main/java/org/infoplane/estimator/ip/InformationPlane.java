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
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("no batch to estimate");
    }
    OptionalDouble sigma = sigmaT;
    if (sigma.isEmpty()) {
      List<OptionalDouble> widths = new ArrayList<>(batches.size());
      for (IpBatch b : batches) {
        widths.add(estimator.selectWidth(b));
      }
      sigma = WidthSmoothing.checkpointWidth(widths);
    }
    List<IpEstimate> estimates = new ArrayList<>(batches.size());
    for (IpBatch b : batches) {
      estimates.add(estimator.estimate(b, sigma));
    }
    return IpSummary.of(estimates, sigma);
  }
}
