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
 */
public record IpSummary(
    int nBatches, OptionalDouble sigmaT, Stat hX, Stat hT, Stat hY, Stat iXT, Stat iTY) {

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
        stat(batches, IpEstimate::iTY));
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
