package org.infoplane.estimator.width;

import java.util.OptionalDouble;

/**
 * A rule that picks the Gaussian kernel width σ of a layer for one batch (METHOD.md §4).
 *
 * <p>Every rule returns an empty result for a constant layer (all distances 0, for example a dead
 * ReLU layer): such a layer has no meaningful width, reports a null σ and has zero entropy.
 * Implementations are immutable and thread-safe; obtain them from {@link KernelWidthRules}.
 */
public interface KernelWidthRule {

  /** The width σ &gt; 0 for this batch, or empty for a constant layer. */
  OptionalDouble select(WidthInput input);

  /**
   * The width with what a grid search knows of it (whether its maximum sat on a grid edge). Rules
   * without a grid return {@link #select} and no edge.
   */
  default WidthChoice choose(WidthInput input) {
    return WidthChoice.of(select(input));
  }

  /**
   * The rule as a specification string that {@link KernelWidthRules#parse} reads back, e.g.
   * {@code alignment}, {@code fixed:8.0}, {@code knn:50}.
   */
  String spec();
}
