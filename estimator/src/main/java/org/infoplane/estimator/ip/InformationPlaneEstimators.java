package org.infoplane.estimator.ip;

import java.util.Locale;
import org.infoplane.estimator.width.KernelWidthRule;
import org.infoplane.estimator.width.KernelWidthRules;

/** The one entry point to the information-plane estimators. */
public final class InformationPlaneEstimators {

  private InformationPlaneEstimators() {}

  /** Matrix-based Rényi entropy with the tensor kernel: the method InfoPlane is built on. */
  public static RenyiTensorKernelEstimator tensorKernel(RenyiSettings settings) {
    return new RenyiTensorKernelEstimator(settings);
  }

  /**
   * The multivariate per-channel comparison (Yu et al.), with per-channel widths from Silverman's
   * rule (γ = 0.8).
   */
  public static RenyiMultivariateEstimator multivariate(RenyiSettings settings) {
    return multivariate(settings, KernelWidthRules.silverman(KernelWidthRules.DEFAULT_GAMMA));
  }

  /** The multivariate per-channel comparison with a chosen per-channel width rule. */
  public static RenyiMultivariateEstimator multivariate(RenyiSettings settings, KernelWidthRule channelRule) {
    return new RenyiMultivariateEstimator(settings, channelRule);
  }

  /** The binning baseline with the given number of bins per unit. */
  public static BinningEstimator binning(int bins) {
    return new BinningEstimator(bins);
  }

  /**
   * An estimator by name: {@code renyi-tensor}, {@code renyi-multivariate} or
   * {@code binning[-BINS]} (30 bins by default).
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static InformationPlaneEstimator byName(String name, RenyiSettings settings) {
    String s = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    if (s.equals(RenyiTensorKernelEstimator.NAME)) {
      return tensorKernel(settings);
    }
    if (s.equals(RenyiMultivariateEstimator.NAME)) {
      return multivariate(settings);
    }
    if (s.equals("binning")) {
      return binning(BinningEstimator.DEFAULT_BINS);
    }
    if (s.startsWith("binning-")) {
      try {
        return binning(Integer.parseInt(s.substring("binning-".length())));
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException("unknown estimator '" + name
        + "': expected renyi-tensor, renyi-multivariate, binning or binning-BINS");
  }
}
