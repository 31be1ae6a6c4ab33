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
 *
 * <p>Single precision ({@link DistancePrecision#FLOAT32}): the shifted values are rounded to float
 * (after a power-of-two scaling per block of features where their magnitude calls for it, so that
 * values up to ±3.4·10³⁸ neither overflow nor underflow), each panel of {@value #FLOAT_PANEL}
 * features is multiplied by {@code ssyrk} in float, and the panels' Gram matrices are summed in
 * double. Bound: with u = 2⁻²⁴ and x the shifted samples, |Ĝ_ij − G_ij| ≤ (2 + {@value #FLOAT_PANEL})·u
 * ·Σ_f |x_if x_jf| ≤ 514·u·‖x_i‖‖x_j‖ (worst case, every rounding aligned), so a squared distance
 * is off by at most 3.1·10⁻⁵·(‖x_i‖² + ‖x_j‖²) + 2·3.1·10⁻⁵·‖x_i‖‖x_j‖; roundings of random sign
 * give errors of order u·√(panel) ≈ 10⁻⁶ of those norms. Measured: squared distances within
 * 2.2·10⁻⁶ relative of double precision (100 samples × 65,536 features); the entropies and mutual
 * informations of every estimator test (the Float32 variants of the Rényi estimators' tests, against
 * double-precision references) within 10⁻⁶ bits, at most 3.5·10⁻⁷; on the benchmark batches at most
 * 9.6·10⁻⁷ bits (docs/benchmarks.md). This is measured, not a bound in bits: a kernel much narrower
 * than the distances amplifies their error. The accelerator path always computes in double.
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
    return of(samples, DistancePrecision.FLOAT64);
  }

  /**
   * Computes the squared distances of the samples with the Gram product in the given precision.
   *
   * @param samples N × … activations, not modified; N ≥ 2, every value finite
   * @param precision the arithmetic of the Gram product (see the class documentation)
   * @return the N × N squared-distance matrix
   * @throws IllegalArgumentException as {@link #of(INDArray)}
   */
  public static DistanceMatrix of(INDArray samples, DistancePrecision precision) {
    Objects.requireNonNull(samples, "samples");
    Objects.requireNonNull(precision, "precision");
    NumericSelfCheck.requireRightKernels();
    int n = sampleCount(samples);
    long dim = samples.length() / n;
    if (dim == 0) {
      throw new IllegalArgumentException("samples have size 0 (shape " + Arrays.toString(samples.shape()) + ")");
    }
    if (dim > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a sample has " + dim + " features, more than " + Integer.MAX_VALUE);
    }
    double[] g = ON_DEVICE ? centredGramNd4j(samples, n, dim) : centredGram(samples, n, (int) dim, precision);
    return fromGram(g, n);
  }

  /** {@link #centredGram(Rows, int, int, Runnable)} of an ND4J array of any layout and type. */
  private static double[] centredGram(INDArray samples, int n, int dim, DistancePrecision precision) {
    INDArray src = samples;
    if (src.dataType() != DataType.FLOAT && src.dataType() != DataType.DOUBLE) {
      src = src.castTo(DataType.DOUBLE);
    }
    if (src.isView() || src.ordering() != 'c' || !Shape.hasDefaultStridesForShape(src)
        || src.data().length() != src.length()) {
      src = src.dup('c');
    }
    int cols = blockColumns(n, dim);
    Runnable onNonFinite = () -> requireFinite(samples.reshape('c', n, dim), samples.shape(), "");
    try {
      Rows rows = rowsOf(src, dim, cols);
      if (precision == DistancePrecision.FLOAT64) {
        return centredGram(rows, n, dim, onNonFinite);
      }
      ShiftedFloatRows fast;
      if (src.dataType() == DataType.FLOAT) {
        FloatPointer in = new FloatPointer(src.data().addressPointer());
        fast = shiftedFloats(i -> (c0, w, dst) -> in.position((long) i * dim + c0).get(dst, 0, w), cols);
      } else {
        fast = shiftedFloats(rows, cols);
      }
      return centredGramFloat(rows, fast, n, dim, onNonFinite);
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
    return ofRows(values, shape, rows, what, DistancePrecision.FLOAT64);
  }

  /**
   * {@link #ofRows(float[], long[], int[], String)} with the Gram product in the given precision
   * (the same arithmetic as {@link #of(INDArray, DistancePrecision)} on those rows).
   */
  public static DistanceMatrix ofRows(float[] values, long[] shape, int[] rows, String what,
      DistancePrecision precision) {
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(precision, "precision");
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
      return of(Nd4j.create(batch, new long[] {n, dim}, 'c'), precision);
    }
    Rows src = (i, c0, w, dst) -> {
      int base = rows[i] * dim + c0;
      for (int k = 0; k < w; k++) {
        dst[k] = values[base + k];
      }
    };
    Runnable onNonFinite = () -> requireFinite(values, shape, rows, what);
    if (precision == DistancePrecision.FLOAT64) {
      return fromGram(centredGram(src, n, dim, onNonFinite), n);
    }
    ShiftedFloatRows fast = shiftedFloats(
        i -> (c0, w, dst) -> System.arraycopy(values, rows[i] * dim + c0, dst, 0, w), blockColumns(n, dim));
    return fromGram(centredGramFloat(src, fast, n, dim, onNonFinite), n);
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

  /** Features per single-precision {@code ssyrk} call, whose partial Gram matrix is then added in double. */
  static final int FLOAT_PANEL = 512;

  /**
   * A panel's Gram matrix in float is used as it is when its largest diagonal entry lies in
   * [2⁻¹⁰⁰, 2¹²⁰]: no product of two of its values overflows, and products that underflow are below
   * 2⁻²⁶ of that entry. Outside (or not finite), the panel is recomputed from the values in double,
   * scaled by a power of two.
   */
  private static final float PANEL_SAFE_MIN = 0x1p-100f;
  private static final float PANEL_SAFE_MAX = 0x1p120f;

  /** Each thread's single-precision scratch block, reused across calls. */
  private static final ThreadLocal<FloatPointer> SCRATCH_FLOAT = new ThreadLocal<>();

  /**
   * Reads part of a sample's row shifted by the first sample, rounded to float: {@code dst[0..w)}
   * gets fl(x_i − x_0) at flat features {@code c0 .. c0 + w}.
   */
  private interface ShiftedFloatRows {
    void get(int i, int c0, int w, float[] dst);
  }

  /** Shifted float rows of float values: read as floats, subtracted in float (= the exact difference rounded). */
  private static ShiftedFloatRows shiftedFloats(java.util.function.IntFunction<FloatSlice> rowReader, int maxWidth) {
    float[] first = new float[maxWidth];
    int[] firstAt = {-1};
    FloatSlice zero = rowReader.apply(0);
    return (i, c0, w, dst) -> {
      if (firstAt[0] != c0) {
        zero.get(c0, w, first);
        firstAt[0] = c0;
      }
      rowReader.apply(i).get(c0, w, dst);
      for (int f = 0; f < w; f++) {
        dst[f] -= first[f];
      }
    };
  }

  /** Part of one row of float values. */
  private interface FloatSlice {
    void get(int c0, int w, float[] dst);
  }

  /** Shifted float rows of any rows: the difference in double, rounded to float. */
  private static ShiftedFloatRows shiftedFloats(Rows src, int maxWidth) {
    double[] first = new double[maxWidth];
    double[] row = new double[maxWidth];
    int[] firstAt = {-1};
    return (i, c0, w, dst) -> {
      if (firstAt[0] != c0) {
        src.get(0, c0, w, first);
        firstAt[0] = c0;
      }
      src.get(i, c0, w, row);
      for (int f = 0; f < w; f++) {
        dst[f] = (float) (row[f] - first[f]);
      }
    };
  }

  /**
   * {@link #centredGram(Rows, int, int, Runnable)} in single precision: the
   * upper triangle of G (row-major, in double) as the double sum over panels of
   * {@value #FLOAT_PANEL} features of each panel's Gram matrix by {@code ssyrk} in float. A panel
   * whose float Gram matrix is outside the safe range (see {@link #PANEL_SAFE_MIN}) is recomputed
   * by {@link #addPanelScaled}; a NaN or an infinity then reaches G's diagonal and is reported as in
   * the double path.
   *
   * @param src the rows in double (for panels recomputed with a scaling)
   * @param fast the shifted rows in float
   */
  private static double[] centredGramFloat(Rows src, ShiftedFloatRows fast, int n, int dim, Runnable onNonFinite) {
    int cols = blockColumns(n, dim);
    float[] frow = new float[cols];
    FloatPointer block = scratchFloat((long) n * cols);
    double[] g = new double[n * n];
    float[] part = new float[n * n];
    try (FloatPointer gram = new FloatPointer((long) n * n)) {
      for (int c0 = 0; c0 < dim; c0 += cols) {
        int w = Math.min(cols, dim - c0);
        for (int i = 0; i < n; i++) {
          fast.get(i, c0, w, frow);
          block.position((long) i * w).put(frow, 0, w);
        }
        for (int k0 = 0; k0 < w; k0 += FLOAT_PANEL) {
          int kw = Math.min(FLOAT_PANEL, w - k0);
          block.position(k0);
          openblas.cblas_ssyrk(openblas.CblasRowMajor, openblas.CblasUpper, openblas.CblasNoTrans,
              n, kw, 1.0f, block, w, 0.0f, gram, n);
          gram.position(0).get(part);
          float maxDiag = 0.0f;
          boolean finite = true;
          for (int i = 0; i < n; i++) {
            float v = part[i * n + i];
            finite &= Float.isFinite(v);
            maxDiag = Math.max(maxDiag, v);
          }
          if (!finite || maxDiag < PANEL_SAFE_MIN || maxDiag > PANEL_SAFE_MAX) {
            addPanelScaled(src, n, c0 + k0, kw, g);
            continue;
          }
          for (int i = 0; i < n; i++) {
            int row = i * n;
            for (int j = i; j < n; j++) {
              g[row + j] += part[row + j];
            }
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(g[i * n + i])) {
        onNonFinite.run();
        throw new IllegalArgumentException("values too large: their squares overflow double precision");
      }
    }
    return g;
  }

  /**
   * Adds one panel's Gram matrix to the upper triangle of g, its shifted values (in double) scaled by
   * the power of two 2^−e nearest the inverse of their largest magnitude before rounding to float,
   * and the panel's Gram matrix by 2^2e after (both exact). A panel of zeros adds nothing; a NaN or an
   * infinity is carried into g's diagonal in double.
   */
  private static void addPanelScaled(Rows src, int n, int c0, int w, double[] g) {
    double[] first = new double[w];
    double[] v = new double[n * w];
    src.get(0, c0, w, first);
    double[] row = new double[w];
    double max = 0.0;
    for (int i = 0; i < n; i++) {
      src.get(i, c0, w, row);
      for (int f = 0; f < w; f++) {
        double x = row[f] - first[f];
        v[i * w + f] = x;
        max = Math.max(max, Math.abs(x));
      }
    }
    if (max == 0.0) {
      return;
    }
    if (!Double.isFinite(max)) {
      for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int f = 0; f < w; f++) {
          s += v[i * w + f] * v[i * w + f];
        }
        g[i * n + i] += s;
      }
      return;
    }
    int e = Math.getExponent(max);
    double scale = Math.scalb(1.0, -e);
    double unscale = Math.scalb(1.0, 2 * e);
    float[] f32 = new float[n * w];
    for (int k = 0; k < f32.length; k++) {
      f32[k] = (float) (v[k] * scale);
    }
    float[] part = new float[n * n];
    try (FloatPointer block = new FloatPointer(f32); FloatPointer gram = new FloatPointer((long) n * n)) {
      openblas.cblas_ssyrk(openblas.CblasRowMajor, openblas.CblasUpper, openblas.CblasNoTrans,
          n, w, 1.0f, block, w, 0.0f, gram, n);
      gram.get(part);
    }
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        g[i * n + j] += part[i * n + j] * unscale;
      }
    }
  }

  /** This thread's single-precision scratch buffer of at least {@code size} floats. */
  private static FloatPointer scratchFloat(long size) {
    FloatPointer p = SCRATCH_FLOAT.get();
    if (p == null || p.capacity() < size) {
      if (p != null) {
        p.close();
      }
      p = new FloatPointer(Math.max(size, BLOCK_DOUBLES));
      SCRATCH_FLOAT.set(p);
    }
    return p.position(0);
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
    if (samples.rank() < 1) {
      throw new IllegalArgumentException((what.isEmpty() ? "" : what + ": ") + "expected a sample axis, got a scalar");
    }
    long n = samples.size(0);
    if (n == 0) {
      return;
    }
    requireFinite(samples.reshape('c', n, samples.length() / n), samples.shape(), what);
  }

  /** The check on an N × D view; {@code originalShape} names the feature's position in a sample. */
  private static void requireFinite(INDArray x, long[] originalShape, String what) {
    double sum = x.sumNumber().doubleValue();
    if (Double.isFinite(sum)) {
      return; // a NaN or an infinity anywhere would have made the sum non-finite
    }
    // The sum is taken in the array's own precision: finite float32 values near 3.4e38 overflow it.
    // Look at each value; if all are finite, so are the distances, which are computed in double.
    String prefix = what.isEmpty() ? "" : what + ": ";
    long dim = x.size(1);
    org.nd4j.linalg.api.buffer.DataBuffer v = x.dup('c').data();
    for (long k = 0, len = x.length(); k < len; k++) {
      double a = v.getDouble(k);
      if (!Double.isFinite(a)) {
        long f = k % dim;
        throw new IllegalArgumentException(
            prefix + "non-finite value " + a + " at sample " + k / dim + ", feature " + f + featurePosition(f, originalShape));
      }
    }
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
