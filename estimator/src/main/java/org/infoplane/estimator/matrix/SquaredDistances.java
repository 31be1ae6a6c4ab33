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
 * <p>Method: convert to double, subtract one of the samples (distances are translation invariant,
 * and the shift removes their common offset, hence most of the cancellation of the trick), form
 * G = X Xᵀ with one double-precision matrix product, then ‖x_i − x_j‖² = G_ii + G_jj − 2 G_ij,
 * clamped at 0, with an exact zero diagonal and exact symmetry. The relative error of an entry is
 * of order ε·(‖x_i‖² + ‖x_j‖²)/‖x_i − x_j‖² with ε = 2⁻⁵³ and x the shifted samples, far below
 * what matters for a kernel (see the cross-check against direct summation in the tests). The
 * accelerator path centres on the mean sample instead; both agree to round-off.
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
    return fromGram(g, n);
  }

  /** {@link #centredGram(Rows, int, int, Runnable)} of an ND4J array of any layout and type. */
  private static double[] centredGram(INDArray samples, int n, int dim) {
    INDArray src = samples;
    if (src.dataType() != DataType.FLOAT && src.dataType() != DataType.DOUBLE) {
      src = src.castTo(DataType.DOUBLE);
    }
    if (src.isView() || src.ordering() != 'c' || !Shape.hasDefaultStridesForShape(src)
        || src.data().length() != src.length()) {
      src = src.dup('c');
    }
    try {
      return centredGram(rowsOf(src, dim, blockColumns(n, dim)), n, dim,
          () -> requireFinite(samples.reshape('c', n, dim), samples.shape(), ""));
    } finally {
      java.lang.ref.Reference.reachabilityFence(src); // its memory is read through a raw pointer
    }
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
   * Doubles in one thread's scratch block of shifted columns (2 MiB): small enough to stay in cache
   * between its writing and the {@code dsyrk} that reads it. Measured at N = 100, D = 65,536: 12 %
   * faster than 8 MiB blocks, and smaller blocks are no faster.
   */
  private static final int BLOCK_DOUBLES = 1 << 18;

  /** Fewest columns in a block, whatever N (so that each dsyrk call has work enough). */
  private static final int MIN_BLOCK_COLUMNS = 64;

  /** Each thread's scratch block, reused across calls: a fresh one costs a page fault per 4 KiB. */
  private static final ThreadLocal<DoublePointer> SCRATCH = new ThreadLocal<>();

  /**
   * Reads part of a sample's row as doubles: {@code dst[0..w)} gets the values of sample {@code i}
   * at flat features {@code c0 .. c0 + w}.
   */
  private interface Rows {
    void get(int i, int c0, int w, double[] dst);
  }

  /** Rows of a contiguous N × D array in ND4J's memory, float or double, read w ≤ maxWidth at a time. */
  private static Rows rowsOf(INDArray contiguous, int dim, int maxWidth) {
    if (contiguous.dataType() == DataType.FLOAT) {
      FloatPointer in = new FloatPointer(contiguous.data().addressPointer());
      float[] f = new float[maxWidth];
      return (i, c0, w, dst) -> {
        in.position((long) i * dim + c0).get(f, 0, w);
        for (int k = 0; k < w; k++) {
          dst[k] = f[k];
        }
      };
    }
    DoublePointer in = new DoublePointer(contiguous.data().addressPointer());
    return (i, c0, w, dst) -> in.position((long) i * dim + c0).get(dst, 0, w);
  }

  /**
   * The squared distances of some rows of a row-major array of samples on the Java heap, as the
   * activations of a snapshot are read: batch {@code b} of a unit is {@code rows = positions of its
   * samples}, and no copy of the batch is made. The result equals {@link #of(INDArray)} on those
   * rows (the same arithmetic in the same order).
   *
   * @param values the samples, row-major: sample {@code r} is {@code values[r·D .. (r+1)·D)}, D the
   *     product of {@code shape[1..]}; not modified; may be longer than the samples
   * @param shape N × the shape of a sample (any rank ≥ 1 per sample)
   * @param rows the batch's samples, positions in {@code 0 .. N−1}, in batch order; at least 2
   * @param what names the array in messages, e.g. {@code "activations"}; may be empty
   * @throws IllegalArgumentException for fewer than 2 rows, a row out of range, or a NaN or infinite
   *     value (the message names the row, as a position in {@code values}, and the feature)
   */
  public static DistanceMatrix ofRows(float[] values, long[] shape, int[] rows, String what) {
    Objects.requireNonNull(values, "values");
    if (shape.length < 2) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has no sample axis and features");
    }
    long size = 1;
    for (int k = 1; k < shape.length; k++) {
      size *= shape[k];
    }
    if (size <= 0 || size > Integer.MAX_VALUE || shape[0] * size > values.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not describe "
          + values.length + " values");
    }
    int dim = (int) size;
    if (rows.length < 2) {
      throw new IllegalArgumentException("at least 2 samples are needed, got " + rows.length);
    }
    for (int r : rows) {
      if (r < 0 || r >= shape[0]) {
        throw new IllegalArgumentException("row " + r + " is outside the " + shape[0] + " samples given");
      }
    }
    int n = rows.length;
    if (ON_DEVICE) {
      requireFinite(values, shape, rows, what);
      float[] batch = new float[n * dim];
      for (int k = 0; k < n; k++) {
        System.arraycopy(values, rows[k] * dim, batch, k * dim, dim);
      }
      return of(Nd4j.create(batch, new long[] {n, dim}, 'c'));
    }
    Rows src = (i, c0, w, dst) -> {
      int base = rows[i] * dim + c0;
      for (int k = 0; k < w; k++) {
        dst[k] = values[base + k];
      }
    };
    return fromGram(centredGram(src, n, dim, () -> requireFinite(values, shape, rows, what)), n);
  }

  /**
   * Checks that the given rows of a row-major array of samples on the Java heap are finite.
   *
   * @param values the samples, as in {@link #ofRows}
   * @param shape N × the shape of a sample; names a feature's position in a sample of rank ≥ 2
   * @param rows the positions to check
   * @param what names the array in the message, e.g. {@code "activations"}; may be empty
   * @throws IllegalArgumentException naming the first offending row (a position in {@code values})
   *     and feature
   */
  public static void requireFinite(float[] values, long[] shape, int[] rows, String what) {
    int dim = (int) (Arrays.stream(shape).skip(1).reduce(1L, (a, b) -> a * b));
    for (int r : rows) {
      int base = r * dim;
      float probe = 0f;
      for (int f = 0; f < dim; f++) {
        probe += values[base + f] * 0f; // stays 0 unless a value is NaN or infinite
      }
      if (probe != 0f) {
        for (int f = 0; f < dim; f++) {
          if (!Float.isFinite(values[base + f])) {
            throw new IllegalArgumentException((what.isEmpty() ? "" : what + ": ") + "non-finite value "
                + values[base + f] + " at sample " + r + ", feature " + f + featurePosition(f, shape));
          }
        }
      }
    }
  }

  /** The squared distances from the upper triangle of a Gram matrix. */
  private static DistanceMatrix fromGram(double[] g, int n) {
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
   * The upper triangle (row-major, i ≤ j) of G = X_c X_cᵀ, X_c the samples as an N × D double
   * matrix minus the first sample.
   *
   * <p>Distances are translation invariant, and subtracting one of the samples removes their common
   * offset as well as subtracting their mean does (the error of an entry is of order
   * ε·(‖x_i − x_1‖² + ‖x_j − x_1‖²), on average twice that of mean centring), without a pass over the
   * data to compute the mean. One pass converts and shifts the columns block by block into a
   * scratch buffer of about 2 MiB, and a Level-3 {@code dsyrk} adds each block's X_b X_bᵀ to the
   * upper triangle of G: half the flops of {@code X·Xᵀ} by {@code dgemm}, and no N × D double copy
   * of the activations. A NaN or an infinity anywhere makes a diagonal entry of G non-finite, which
   * is how such values are detected, at no extra cost.
   *
   * @param onNonFinite called when a diagonal entry of G is not finite; it throws naming the value
   *     when one is NaN or infinite (otherwise the values overflow double precision, reported here)
   */
  private static double[] centredGram(Rows src, int n, int dim, Runnable onNonFinite) {
    int cols = blockColumns(n, dim);
    double[] drow = new double[cols];
    double[] first = new double[cols];
    DoublePointer block = scratch((long) n * cols);
    double[] g = new double[n * n];
    try (DoublePointer gram = new DoublePointer((long) n * n)) {
      for (int c0 = 0; c0 < dim; c0 += cols) {
        int w = Math.min(cols, dim - c0);
        src.get(0, c0, w, first);
        for (int i = 0; i < n; i++) {
          src.get(i, c0, w, drow);
          for (int f = 0; f < w; f++) {
            drow[f] -= first[f];
          }
          block.position((long) i * w).put(drow, 0, w);
        }
        block.position(0);
        openblas.cblas_dsyrk(openblas.CblasRowMajor, openblas.CblasUpper, openblas.CblasNoTrans,
            n, w, 1.0, block, w, c0 == 0 ? 0.0 : 1.0, gram, n);
      }
      gram.position(0).get(g);
    }
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(g[i * n + i])) {
        onNonFinite.run();
        throw new IllegalArgumentException("values too large: their squares overflow double precision");
      }
    }
    return g;
  }

  /** Columns of one block: about {@link #BLOCK_DOUBLES} values, at least {@link #MIN_BLOCK_COLUMNS}. */
  private static int blockColumns(int n, int dim) {
    return Math.min(dim, Math.max(MIN_BLOCK_COLUMNS, BLOCK_DOUBLES / n));
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
