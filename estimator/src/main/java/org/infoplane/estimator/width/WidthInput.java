package org.infoplane.estimator.width;

import java.util.Objects;
import org.infoplane.estimator.matrix.DistanceMatrix;
import org.infoplane.estimator.matrix.KernelMatrix;

/**
 * What a width rule may look at for one batch of one layer.
 *
 * @param distances squared distances of the layer's N samples
 * @param dimension number of features of one flattened sample (D = C·H·W for a tensor)
 * @param labelKernel the label kernel of the same N samples (used by kernel alignment)
 */
public record WidthInput(DistanceMatrix distances, long dimension, KernelMatrix labelKernel) {
  public WidthInput {
    Objects.requireNonNull(distances, "distances");
    Objects.requireNonNull(labelKernel, "labelKernel");
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
    }
    if (labelKernel.size() != distances.size()) {
      throw new IllegalArgumentException("distances of " + distances.size()
          + " samples and a label kernel of " + labelKernel.size() + " samples");
    }
  }
}
