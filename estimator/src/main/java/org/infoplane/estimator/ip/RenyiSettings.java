package org.infoplane.estimator.ip;

import java.util.Objects;
import org.infoplane.estimator.matrix.DistancePrecision;
import org.infoplane.estimator.matrix.EntropyMethod;
import org.infoplane.estimator.matrix.KernelConvention;
import org.infoplane.estimator.matrix.SquaredDistances;
import org.infoplane.estimator.width.KernelWidthRule;
import org.infoplane.estimator.width.KernelWidthRules;

/**
 * The parameters of the matrix-based Rényi estimators, validated where they are built.
 *
 * @param alpha the entropy order α &gt; 0 (default 1.01)
 * @param sigmaX the input kernel width σ_X &gt; 0 (default 8, for inputs scaled to [0, 1])
 * @param sigmaY the label kernel width σ_Y &gt; 0 (default 0.1: the same-class indicator)
 * @param widthRule how the layer's width σ_T is chosen per batch (default: kernel alignment; its
 *     grid should read σ with the same {@code convention})
 * @param convention how every σ (σ_X, σ_Y, σ_T) is read: exp(−d²/σ²) (default) or exp(−d²/(2σ²))
 * @param eigenvalueOffset ε added to every eigenvalue before the entropy (default 0; SolidusAbi/IPDL: 1e-8)
 * @param entropyMethod exact eigenvalues (default) or the randomized estimator (which needs ε = 0)
 * @param distancePrecision the arithmetic of the squared distances' Gram products (default float32,
 *     within 10⁻⁶ bits of float64 on the library's test batches; see {@link SquaredDistances})
 */
public record RenyiSettings(double alpha, double sigmaX, double sigmaY, KernelWidthRule widthRule,
    KernelConvention convention, double eigenvalueOffset, DistancePrecision distancePrecision,
    EntropyMethod entropyMethod) {

  public static final double DEFAULT_SIGMA_X = 8.0;
  public static final double DEFAULT_SIGMA_Y = 0.1;

  public RenyiSettings {
    if (!(alpha > 0.0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("alpha must be > 0 and finite, got " + alpha);
    }
    if (!(sigmaX > 0.0) || Double.isInfinite(sigmaX)) {
      throw new IllegalArgumentException("sigmaX must be > 0 and finite, got " + sigmaX);
    }
    if (!(sigmaY > 0.0) || Double.isInfinite(sigmaY)) {
      throw new IllegalArgumentException("sigmaY must be > 0 and finite, got " + sigmaY);
    }
    Objects.requireNonNull(widthRule, "widthRule");
    Objects.requireNonNull(convention, "convention");
    if (!(eigenvalueOffset >= 0.0) || Double.isInfinite(eigenvalueOffset)) {
      throw new IllegalArgumentException("eigenvalue offset must be >= 0 and finite, got " + eigenvalueOffset);
    }
    Objects.requireNonNull(distancePrecision, "distancePrecision");
    Objects.requireNonNull(entropyMethod, "entropyMethod");
    if (entropyMethod.randomized() && eigenvalueOffset != 0.0) {
      throw new IllegalArgumentException("the randomized entropy method needs an eigenvalue offset of 0, got "
          + eigenvalueOffset + " (an offset on every eigenvalue needs all of them: use the exact method)");
    }
  }

  /** Settings with the given kernel convention and eigenvalue offset, and the default distance precision. */
  /** Settings with exact entropies. */
  public RenyiSettings(double alpha, double sigmaX, double sigmaY, KernelWidthRule widthRule,
      KernelConvention convention, double eigenvalueOffset, DistancePrecision distancePrecision) {
    this(alpha, sigmaX, sigmaY, widthRule, convention, eigenvalueOffset, distancePrecision, EntropyMethod.exact());
  }

  public RenyiSettings(double alpha, double sigmaX, double sigmaY, KernelWidthRule widthRule,
      KernelConvention convention, double eigenvalueOffset) {
    this(alpha, sigmaX, sigmaY, widthRule, convention, eigenvalueOffset, DistancePrecision.DEFAULT);
  }

  /**
   * Settings with the paper's kernel convention exp(−d²/σ²), no eigenvalue offset, and the default
   * distance precision.
   */
  public RenyiSettings(double alpha, double sigmaX, double sigmaY, KernelWidthRule widthRule) {
    this(alpha, sigmaX, sigmaY, widthRule, KernelConvention.SIGMA_SQUARED, 0.0);
  }

  /** The authors' defaults: α = 1.01, σ_X = 8, σ_Y = 0.1, kernel alignment for σ_T. */
  public static RenyiSettings defaults() {
    return new RenyiSettings(
        org.infoplane.estimator.matrix.RenyiEntropy.DEFAULT_ALPHA, DEFAULT_SIGMA_X, DEFAULT_SIGMA_Y,
        KernelWidthRules.alignment());
  }

  public RenyiSettings withAlpha(double a) {
    return new RenyiSettings(a, sigmaX, sigmaY, widthRule, convention, eigenvalueOffset, distancePrecision, entropyMethod);
  }

  public RenyiSettings withSigmaX(double s) {
    return new RenyiSettings(alpha, s, sigmaY, widthRule, convention, eigenvalueOffset, distancePrecision, entropyMethod);
  }

  public RenyiSettings withSigmaY(double s) {
    return new RenyiSettings(alpha, sigmaX, s, widthRule, convention, eigenvalueOffset, distancePrecision, entropyMethod);
  }

  public RenyiSettings withWidthRule(KernelWidthRule r) {
    return new RenyiSettings(alpha, sigmaX, sigmaY, r, convention, eigenvalueOffset, distancePrecision, entropyMethod);
  }

  public RenyiSettings withEntropyMethod(EntropyMethod m) {
    return new RenyiSettings(alpha, sigmaX, sigmaY, widthRule, convention, eigenvalueOffset, distancePrecision, m);
  }

  public RenyiSettings withDistancePrecision(DistancePrecision p) {
    return new RenyiSettings(alpha, sigmaX, sigmaY, widthRule, convention, eigenvalueOffset, p, entropyMethod);
  }
}
