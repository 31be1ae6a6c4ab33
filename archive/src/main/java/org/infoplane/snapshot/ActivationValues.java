package org.infoplane.snapshot;

import java.util.Arrays;

/**
 * One unit's values as read from the archive, on the Java heap: sample {@code r} (in the
 * manifest's sample-id order) is {@code data[r·dimension() .. (r+1)·dimension())}, float32.
 *
 * <p>{@code data} may be longer than {@code samples × dimension}: a reader can reuse one buffer
 * across units (see {@link RunReader#readActivationValues}).
 *
 * @param data the values, row-major
 * @param samples the number of samples N
 * @param sampleShape the shape of one sample (a layer's shape, or the input's)
 */
public record ActivationValues(float[] data, int samples, long[] sampleShape) {

  public ActivationValues {
    if ((long) samples * dimensionOf(sampleShape) > data.length) {
      throw new IllegalArgumentException(samples + " samples of shape " + Arrays.toString(sampleShape)
          + " do not fit " + data.length + " values");
    }
  }

  /** Values per sample (D): the product of the sample shape. */
  public int dimension() {
    return (int) dimensionOf(sampleShape);
  }

  /** The shape of the whole array: N × sample shape. */
  public long[] shape() {
    long[] s = new long[sampleShape.length + 1];
    s[0] = samples;
    System.arraycopy(sampleShape, 0, s, 1, sampleShape.length);
    return s;
  }

  private static long dimensionOf(long[] shape) {
    long d = 1;
    for (long x : shape) {
      d *= x;
    }
    return d;
  }
}
