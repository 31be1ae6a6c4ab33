package org.infoplane.io;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An array read from a NumPy {@code .npy} file: its shape (C order, first axis = samples), its
 * NumPy dtype, and its values, held as {@code float}s (float16/32 files), {@code double}s (float64)
 * or {@code long}s (integer and boolean files).
 */
public final class NpyArray {

  /** The kind of values a file holds. */
  public enum Kind { FLOAT, INTEGER }

  private final String source;
  private final String dtype;
  private final long[] shape;
  private final float[] floats;
  private final double[] doubles;
  private final long[] longs;

  NpyArray(String source, String dtype, long[] shape, float[] floats, double[] doubles, long[] longs) {
    this.source = source;
    this.dtype = dtype;
    this.shape = shape;
    this.floats = floats;
    this.doubles = doubles;
    this.longs = longs;
  }

  /** Where the array came from (a file, or a file and an entry of an archive), for messages. */
  public String source() {
    return source;
  }

  /** The NumPy type string, e.g. {@code <f4}. */
  public String dtype() {
    return dtype;
  }

  public long[] shape() {
    return shape.clone();
  }

  public Kind kind() {
    return longs != null ? Kind.INTEGER : Kind.FLOAT;
  }

  /** Number of values. */
  public long length() {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return n;
  }

  /**
   * The values as an ND4J array of the file's shape: float32 for float16/32 files, float64 for
   * float64 files.
   *
   * @throws IllegalArgumentException if the file holds integers
   */
  public INDArray toFloatArray() {
    if (kind() != Kind.FLOAT) {
      throw new IllegalArgumentException(source + ": expected floating-point values, found dtype " + dtype);
    }
    long[] s = shape.length == 0 ? new long[] {1} : shape;
    return doubles != null
        ? Nd4j.create(doubles, s, 'c')
        : Nd4j.create(floats, s, 'c');
  }

  /**
   * The values as class labels: a one-dimensional integer array (or an N × 1 column).
   *
   * @throws IllegalArgumentException if the file holds floats, has another shape, or a value does
   *     not fit an int
   */
  public int[] toLabels() {
    if (kind() != Kind.INTEGER) {
      throw new IllegalArgumentException(source + ": labels must be integers, found dtype " + dtype);
    }
    if (!(shape.length == 1 || (shape.length == 2 && shape[1] == 1))) {
      throw new IllegalArgumentException(source + ": labels must be one-dimensional (N), found shape "
          + Arrays.toString(shape));
    }
    int[] out = new int[longs.length];
    for (int i = 0; i < longs.length; i++) {
      long v = longs[i];
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(source + ": label " + v + " of sample " + i + " does not fit an int");
      }
      out[i] = (int) v;
    }
    return out;
  }

  /** The values as longs (integer files only). */
  public long[] toLongs() {
    if (kind() != Kind.INTEGER) {
      throw new IllegalArgumentException(source + ": expected integers, found dtype " + dtype);
    }
    return longs.clone();
  }

  /** The ND4J data type {@link #toFloatArray()} returns. */
  public DataType floatType() {
    return doubles != null ? DataType.DOUBLE : DataType.FLOAT;
  }

  @Override
  public String toString() {
    return "NpyArray[" + source + ", " + dtype + ", shape " + Arrays.toString(shape) + "]";
  }
}
