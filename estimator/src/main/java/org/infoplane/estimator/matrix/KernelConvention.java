package org.infoplane.estimator.matrix;

import java.util.Locale;

/**
 * How a Gaussian kernel width σ is read: κ(x, y) = exp(−‖x − y‖² / (c·σ²)).
 *
 * <p>{@link #SIGMA_SQUARED} (c = 1) is the convention of Wickstrøm et al. and of every σ in
 * METHOD.md; {@link #TWO_SIGMA_SQUARED} (c = 2) is the textbook RBF kernel that SolidusAbi/IPDL uses
 * (the same σ is then a √2 wider kernel). Internally every kernel is built as exp(−d/s²) with the
 * effective width s = σ·√c ({@link #effectiveWidth}).
 */
public enum KernelConvention {
  /** exp(−d²/σ²). */
  SIGMA_SQUARED("sigma2", 1.0),
  /** exp(−d²/(2σ²)). */
  TWO_SIGMA_SQUARED("2sigma2", 2.0);

  private final String spec;
  private final double factor;

  KernelConvention(String spec, double factor) {
    this.spec = spec;
    this.factor = factor;
  }

  /** The name in settings: {@code sigma2} or {@code 2sigma2}. */
  public String spec() {
    return spec;
  }

  /** The width s with exp(−d/s²) equal to this convention's kernel of width σ: s = σ·√c. */
  public double effectiveWidth(double sigma) {
    return factor == 1.0 ? sigma : Math.sqrt(factor * sigma * sigma);
  }

  /** Reads {@code sigma2} or {@code 2sigma2}, case-insensitive. */
  public static KernelConvention parse(String s) {
    String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
    for (KernelConvention c : values()) {
      if (c.spec.equals(v)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown kernel convention '" + s + "': expected sigma2 (exp(-d^2/sigma^2))"
        + " or 2sigma2 (exp(-d^2/(2 sigma^2)))");
  }
}
