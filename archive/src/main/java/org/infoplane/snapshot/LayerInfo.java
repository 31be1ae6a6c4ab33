package org.infoplane.snapshot;

import java.util.Arrays;
import java.util.Objects;

/**
 * A recorded layer: its position in the network, name, kind and the shape of one sample's
 * activations (e.g. {@code {1024}} for a dense layer, {@code {64, 32, 32}} for a convolution).
 */
public record LayerInfo(int index, String name, String kind, long[] shape) {
  public LayerInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(shape, "shape");
    if (index < 0) {
      throw new IllegalArgumentException("layer index must be >= 0, got " + index + " for layer " + name);
    }
    if (!name.matches("[A-Za-z0-9_.\\-]+")) {
      throw new IllegalArgumentException("layer name '" + name + "' must use letters, digits, '_', '-' or '.'");
    }
    for (long s : shape) {
      if (s < 1) {
        throw new IllegalArgumentException("layer " + index + " (" + name + ") has a bad shape " + Arrays.toString(shape));
      }
    }
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Values per sample. */
  public long size() {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LayerInfo l && l.index == index && l.name.equals(name) && l.kind.equals(kind)
        && Arrays.equals(l.shape, shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, name, kind, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return index + ":" + name + "(" + kind + " " + Arrays.toString(shape) + ")";
  }
}
