package org.infoplane.estimator.matrix;

import java.util.Locale;

/**
 * The arithmetic of the Gram product behind the squared distances ({@link SquaredDistances}).
 *
 * <ul>
 *   <li>{@link #FLOAT32}: the shifted samples are rounded to single precision and multiplied by
 *       single-precision {@code ssyrk} over panels of {@value SquaredDistances#FLOAT_PANEL} features,
 *       whose partial Gram matrices are summed in double precision. Twice the arithmetic speed and
 *       half the memory traffic of {@link #FLOAT64}; the error bound is in
 *       {@link SquaredDistances}.</li>
 *   <li>{@link #FLOAT64}: double precision throughout (the reference).</li>
 * </ul>
 */
public enum DistancePrecision {
  FLOAT32,
  FLOAT64;

  /** The precision of most batches: {@link #FLOAT32}. */
  public static final DistancePrecision DEFAULT = FLOAT32;

  /** The name used in settings: {@code float32} or {@code float64}. */
  public String spec() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Reads {@code float32} or {@code float64} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static DistancePrecision parse(String spec) {
    String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
    for (DistancePrecision p : values()) {
      if (p.spec().equals(s)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown distance precision '" + spec + "': expected float32 or float64");
  }
}
