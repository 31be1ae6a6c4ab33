package org.infoplane.estimator.width;

import java.util.OptionalDouble;

/**
 * A width rule's answer for one batch.
 *
 * @param sigma the width, or empty for a constant layer
 * @param onGridEdge true when a grid search ended with its maximum on the first or last point of
 *     its grid (after any extension past the edges): the width then depends on where the grid
 *     stops, and the result deserves a warning
 */
public record WidthChoice(OptionalDouble sigma, boolean onGridEdge) {

  /** A width from a rule without a grid. */
  public static WidthChoice of(OptionalDouble sigma) {
    return new WidthChoice(sigma, false);
  }
}
