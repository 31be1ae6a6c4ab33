package org.infoplane.estimator.ip;

import java.util.List;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * The per-checkpoint summary of a layer's batch estimates: means over batches and their standard
 * deviations (n−1 denominator; 0 for a single batch). Bits throughout.
 *
 * @param nBatches number of batches
 * @param sigmaT the width every batch used, empty for a constant layer or a width-free estimator
 * @param hTErr estimated standard error of the mean of hT from the randomized entropy method, in
 *     bits: √(Σ_b err_b²)/n over the n batches (their probes are independent); 0 when exact
 * @param iXTErr the same for iXT
 * @param iTYErr the same for iTY
 */
public record IpSummary(
    int nBatches, OptionalDouble sigmaT, Stat hX, Stat hT, Stat hY, Stat iXT, Stat iTY,
    double hTErr, double iXTErr, double iTYErr) {

  /** A mean and a standard deviation over batches. */
  public record Stat(double mean, double std) {}

  /** Summarises batch estimates made with the same width. */
  public static IpSummary of(List<IpEstimate> batches, OptionalDouble sigmaT) {
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("no batch to summarise");
    }
    return new IpSummary(
        batches.size(),
        sigmaT,
        stat(batches, IpEstimate::hX),
        stat(batches, IpEstimate::hT),
        stat(batches, IpEstimate::hY),
        stat(batches, IpEstimate::iXT),
        stat(batches, IpEstimate::iTY),
        meanError(batches, IpEstimate::hTErr),
        meanError(batches, IpEstimate::iXTErr),
        meanError(batches, IpEstimate::iTYErr));
  }

  /** The standard error of a mean of independent estimates: √(Σ err²) / n. */
  private static double meanError(List<IpEstimate> batches, ToDoubleFunction<IpEstimate> f) {
    double ss = 0.0;
    for (IpEstimate b : batches) {
      double e = f.applyAsDouble(b);
      ss += e * e;
    }
    return Math.sqrt(ss) / batches.size();
  }

  private static Stat stat(List<IpEstimate> batches, ToDoubleFunction<IpEstimate> f) {
    int n = batches.size();
    double mean = 0.0;
    for (IpEstimate b : batches) {
      mean += f.applyAsDouble(b);
    }
    mean /= n;
    if (n == 1) {
      return new Stat(mean, 0.0);
    }
    double ss = 0.0;
    for (IpEstimate b : batches) {
      double d = f.applyAsDouble(b) - mean;
      ss += d * d;
    }
    return new Stat(mean, Math.sqrt(ss / (n - 1)));
  }
}
