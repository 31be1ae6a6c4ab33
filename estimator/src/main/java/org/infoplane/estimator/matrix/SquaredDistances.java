package org.infoplane.estimator.matrix;

import java.util.Arrays;
import java.util.Objects;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Pairwise squared Euclidean distances of N samples of any rank, by the Gram trick.
 *
 * <p>Samples are an array of shape N × d_1 × … × d_k (first axis = samples, any float dtype),
 * flattened to N × D with D = d_1⋯d_k: the squared Frobenius distance between two tensors is the
 * squared Euclidean distance between their flattened forms, so dense and convolutional layers share
 * this one code path (the tensor kernel of Wickstrøm et al.).
 *
 * <p>Method: convert to double, subtract the mean sample (distances are translation invariant and
 * centring removes most of the cancellation of the trick), form G = X Xᵀ with one double-precision
 * matrix product, then ‖x_i − x_j‖² = G_ii + G_jj − 2 G_ij, clamped at 0, with an exact zero
 * diagonal and exact symmetry. The relative error of an entry is of order
 * ε·(‖x_i‖² + ‖x_j‖²)/‖x_i − x_j‖² with ε = 2⁻⁵³ after centring, far below what matters for a
 * kernel (see the cross-check against direct summation in the tests).
 */
public final class SquaredDistances {

  private SquaredDistances() {}

  /**
   * Computes the squared distances of the samples.
   *
   * @param samples N × … activations, not modified; N ≥ 2, every value finite
   * @return the N × N squared-distance matrix
   * @throws IllegalArgumentException for fewer than 2 samples, samples of size 0, or a NaN or
   *     infinite value (the message names the sample and the feature)
   */
  public static DistanceMatrix of(INDArray samples) {
    Objects.requireNonNull(samples, "samples");
    int n = sampleCount(samples);
    long dim = samples.length() / n;
    if (dim == 0) {
      throw new IllegalArgumentException("samples have size 0 (shape " + Arrays.toString(samples.shape()) + ")");
    }
    if (dim > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a sample has " + dim + " features, more than " + Integer.MAX_VALUE);
    }
    double[] g = ON_DEVICE ? centredGramNd4j(samples, n, dim) : centredGram(samples, n, (int) dim);

    double[] d = new double[n * n];
    for (int i = 0; i < n; i++) {
      double gii = g[i * n + i];
      for (int j = i + 1; j < n; j++) {
        double v = gii + g[j * n + j] - 2.0 * g[i * n + j];
        if (v < 0.0) {
          v = 0.0;
        }
        d[i * n + j] = v;
        d[j * n + i] = v;
      }
    }
    return DistanceMatrix.trusted(n, d);
  }

  /**
   * True when ND4J runs on an accelerator (its CUDA backend): the Gram product then goes through
   * ND4J, which sends it to the device, instead of the CPU's OpenBLAS.
   */
  static final boolean ON_DEVICE =
      !Nd4j.getBackend().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT).contains("cpu");

  /**
   * The centred Gram matrix through ND4J operations only (the accelerator path; on the CPU backend
   * it is the slower reference the tests compare the OpenBLAS path with): convert to double,
   * subtract the mean sample, one matrix product.
   */
  static double[] centredGramNd4j(INDArray samples, int n, long dim) {
    INDArray x = samples.reshape('c', n, dim).castTo(DataType.DOUBLE);
    if (x == samples || x.isView()) {
      x = x.dup('c');
    }
    requireFinite(x, samples.shape(), "");
    x.subiRowVector(x.mean(0));
    return x.mmul(x.transpose()).dup('c').data().asDouble();
  }

  /**
   * Doubles in one thread's scratch block of centred columns (8 MiB): small enough to stay in
   * cache between its writing and the {@code dsyrk} that reads it.
   */
  private static final int BLOCK_DOUBLES = 1 << 20;

  /** Fewest columns in a block, whatever N (so that each dsyrk call has work enough). */
  private static final int MIN_BLOCK_COLUMNS = 64;

  /** Each thread's scratch block, reused across calls: a fresh one costs a page fault per 4 KiB. */
  private static final ThreadLocal<DoublePointer> SCRATCH = new ThreadLocal<>();

  /**
   * The upper triangle (row-major, i ≤ j) of G = X_c X_cᵀ, X_c the samples as an N × D double
   * matrix minus the mean sample.
   *
   * <p>One pass over the activations sums the columns in double (which also detects a NaN or an
   * infinity: for float input a column's sum is finite exactly when its values are). A second pass
   * converts and centres the columns block by block into a scratch buffer of about 8 MiB, and a
   * Level-3 {@code dsyrk} adds each block's X_b X_bᵀ to the upper triangle of G: half the flops of
   * {@code X·Xᵀ} by {@code dgemm}, and no N × D double copy of the activations.
   */
  private static double[] centredGram(INDArray samples, int n, int dim) {
    INDArray src = samples;
    DataType type = src.dataType();
    if (type != DataType.FLOAT && type != DataType.DOUBLE) {
      src = src.castTo(DataType.DOUBLE);
      type = DataType.DOUBLE;
    }
    if (src.isView() || src.ordering() != 'c' || !Shape.hasDefaultStridesForShape(src)
        || src.data().length() != src.length()) {
      src = src.dup('c');
    }
    boolean isFloat = type == DataType.FLOAT;
    FloatPointer fin = isFloat ? new FloatPointer(src.data().addressPointer()) : null;
    DoublePointer din = isFloat ? null : new DoublePointer(src.data().addressPointer());
    int cols = Math.min(dim, Math.max(MIN_BLOCK_COLUMNS, BLOCK_DOUBLES / n));
    float[] frow = isFloat ? new float[cols] : null;
    double[] drow = new double[cols];

    double[] mean = new double[dim];
    for (int c0 = 0; c0 < dim; c0 += cols) {
      int w = Math.min(cols, dim - c0);
      for (int i = 0; i < n; i++) {
        long at = (long) i * dim + c0;
        if (isFloat) {
          fin.position(at).get(frow, 0, w);
          for (int f = 0; f < w; f++) {
            mean[c0 + f] += frow[f];
          }
        } else {
          din.position(at).get(drow, 0, w);
          for (int f = 0; f < w; f++) {
            mean[c0 + f] += drow[f];
          }
        }
      }
    }
    for (int f = 0; f < dim; f++) {
      if (!Double.isFinite(mean[f])) {
        requireFinite(samples.reshape('c', n, dim), samples.shape(), "");
        throw new IllegalArgumentException("values too large: their sum overflows double precision");
      }
      mean[f] /= n;
    }

    DoublePointer block = scratch((long) n * cols);
    try (DoublePointer gram = new DoublePointer((long) n * n)) {
      for (int c0 = 0; c0 < dim; c0 += cols) {
        int w = Math.min(cols, dim - c0);
        for (int i = 0; i < n; i++) {
          long at = (long) i * dim + c0;
          if (isFloat) {
            fin.position(at).get(frow, 0, w);
            for (int f = 0; f < w; f++) {
              drow[f] = (double) frow[f] - mean[c0 + f];
            }
          } else {
            din.position(at).get(drow, 0, w);
            for (int f = 0; f < w; f++) {
              drow[f] -= mean[c0 + f];
            }
          }
          block.position((long) i * w).put(drow, 0, w);
        }
        block.position(0);
        openblas.cblas_dsyrk(openblas.CblasRowMajor, openblas.CblasUpper, openblas.CblasNoTrans,
            n, w, 1.0, block, w, c0 == 0 ? 0.0 : 1.0, gram, n);
      }
      double[] g = new double[n * n];
      gram.position(0).get(g);
      return g;
    }
  }

  /** This thread's scratch buffer of at least {@code size} doubles. */
  private static DoublePointer scratch(long size) {
    DoublePointer p = SCRATCH.get();
    if (p == null || p.capacity() < size) {
      if (p != null) {
        p.close();
      }
      p = new DoublePointer(Math.max(size, BLOCK_DOUBLES));
      SCRATCH.set(p);
    }
    return p.position(0);
  }

  /** Number of samples (first axis), checked to be at least 2. */
  public static int sampleCount(INDArray samples) {
    if (samples.rank() < 1) {
      throw new IllegalArgumentException("samples must have a sample axis, got a scalar");
    }
    long n = samples.size(0);
    if (n < 2) {
      throw new IllegalArgumentException("at least 2 samples are needed, got " + n);
    }
    if (n > 46_340) {
      throw new IllegalArgumentException("at most 46340 samples fit one batch's N×N matrix, got " + n);
    }
    return (int) n;
  }

  /**
   * Checks that every value of N × … samples is finite.
   *
   * @param samples the samples, any rank ≥ 1, not modified
   * @param what names the array in the message, e.g. {@code "T"}; may be empty
   * @throws IllegalArgumentException naming the first offending sample and feature
   */
  public static void requireFinite(INDArray samples, String what) {
    int n = sampleCount(samples);
    requireFinite(samples.reshape('c', n, samples.length() / n), samples.shape(), what);
  }

  /** The check on an N × D view; {@code originalShape} names the feature's position in a sample. */
  private static void requireFinite(INDArray x, long[] originalShape, String what) {
    double sum = x.sumNumber().doubleValue();
    if (Double.isFinite(sum)) {
      return; // a NaN or an infinity anywhere would have made the sum non-finite
    }
    String prefix = what.isEmpty() ? "" : what + ": ";
    long n = x.size(0);
    long dim = x.size(1);
    double[] v = x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    for (long i = 0; i < n; i++) {
      for (long f = 0; f < dim; f++) {
        double a = v[(int) (i * dim + f)];
        if (!Double.isFinite(a)) {
          throw new IllegalArgumentException(
              prefix + "non-finite value " + a + " at sample " + i + ", feature " + f + featurePosition(f, originalShape));
        }
      }
    }
    throw new IllegalArgumentException(prefix + "values too large: their sum overflows double precision");
  }

  private static String featurePosition(long flat, long[] shape) {
    if (shape.length <= 2) {
      return "";
    }
    long[] idx = new long[shape.length - 1];
    long rest = flat;
    for (int k = shape.length - 1; k >= 1; k--) {
      idx[k - 1] = rest % shape[k];
      rest /= shape[k];
    }
    return " (position " + Arrays.toString(idx) + " of a sample of shape "
        + Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)) + ")";
  }
}
