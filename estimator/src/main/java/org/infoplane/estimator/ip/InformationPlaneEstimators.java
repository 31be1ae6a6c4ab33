package org.infoplane.estimator.ip;

import java.util.Locale;
import java.util.regex.Pattern;
import org.infoplane.estimator.width.KernelWidthRule;
import org.infoplane.estimator.width.KernelWidthRules;

/** The one entry point to the information-plane estimators. */
public final class InformationPlaneEstimators {

  /** A decimal number, signed so that a negative variance is reported as one. */
  private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?");

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
   * The kernel-density upper bound (Kolchinsky &amp; Tracey, as Saxe et al. 2018 use it) with Gaussian
   * noise of the given variance.
   *
   * @throws IllegalArgumentException unless the variance is finite and &gt; 0
   */
  public static KdeUpperBoundEstimator kdeUpperBound(double noiseVariance) {
    return new KdeUpperBoundEstimator(noiseVariance);
  }

  /**
   * An estimator by name: {@code renyi-tensor}, {@code renyi-multivariate}, {@code binning[-BINS]}
   * (30 bins by default) or {@code kde-upper[-VARIANCE]} (noise variance 0.1 by default, e.g.
   * {@code kde-upper-0.01}).
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones, or a bad
   *     parameter, naming it
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
    if (s.equals(KdeUpperBoundEstimator.NAME)) {
      return kdeUpperBound(KdeUpperBoundEstimator.DEFAULT_NOISE_VARIANCE);
    }
    String kdePrefix = KdeUpperBoundEstimator.NAME + "-";
    if (s.startsWith(kdePrefix)) {
      String variance = s.substring(kdePrefix.length());
      if (!NUMBER.matcher(variance).matches()) {
        throw new IllegalArgumentException("estimator '" + name + "': the noise variance '" + variance
            + "' is not a number (expected kde-upper-VARIANCE, e.g. kde-upper-0.1)");
      }
      double v = Double.parseDouble(variance);
      if (!(v > 0.0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("estimator '" + name + "': the noise variance must be finite and > 0, got "
            + variance);
      }
      return kdeUpperBound(v);
    }
    throw new IllegalArgumentException("unknown estimator '" + name
        + "': expected renyi-tensor, renyi-multivariate, binning, binning-BINS, kde-upper or kde-upper-VARIANCE");
  }
}
