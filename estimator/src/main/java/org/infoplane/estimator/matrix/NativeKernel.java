package org.infoplane.estimator.matrix;

import java.util.Objects;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;

/**
 * A dense symmetric N×N kernel matrix in native memory (outside the Java heap), row-major double
 * precision, for the matrix-block products of {@link RandomizedRenyiEntropy}. At N = 10,000 it
 * holds 800 MB; {@link #close()} frees it at once (do not wait for the garbage collector).
 *
 * <p>Built row by row from squared distances, so that no second N×N array is made on the heap:
 * K_ij = exp(−d_ij/σ²) for one variable, or the joint kernel exp(−d_ij/σ₁² − e_ij/σ₂²) = the
 * Hadamard product of two Gaussian kernels, computed directly. Not thread-safe.
 */
public final class NativeKernel implements AutoCloseable {

  private final int n;
  private DoublePointer k;

  private NativeKernel(int n) {
    NumericSelfCheck.requireRightKernels();
    this.n = n;
    this.k = new DoublePointer((long) n * n);
  }

  /** The Gaussian kernel exp(−d_ij/σ²) of squared distances. */
  public static NativeKernel gaussian(DistanceMatrix d, double sigma) {
    KernelMatrix.requireWidth(sigma, "sigma");
    int n = d.size();
    double[] dv = d.raw();
    double inv = 1.0 / (sigma * sigma);
    NativeKernel out = new NativeKernel(n);
    double[] row = new double[n];
    for (int i = 0; i < n; i++) {
      int base = i * n;
      for (int j = 0; j < n; j++) {
        row[j] = j == i ? 1.0 : Math.exp(-dv[base + j] * inv);
      }
      out.putRow(i, row);
    }
    return out;
  }

  /**
   * The joint kernel of two variables on the same samples, exp(−d_ij/σ_d² − e_ij/σ_e²): the
   * Hadamard product of their Gaussian kernels, without either of them.
   */
  public static NativeKernel gaussianJoint(DistanceMatrix d, double sigmaD, DistanceMatrix e, double sigmaE) {
    KernelMatrix.requireWidth(sigmaD, "sigma");
    KernelMatrix.requireWidth(sigmaE, "sigma");
    int n = d.size();
    if (e.size() != n) {
      throw new IllegalArgumentException("distances of " + n + " and " + e.size() + " samples");
    }
    double[] dv = d.raw();
    double[] ev = e.raw();
    double invD = 1.0 / (sigmaD * sigmaD);
    double invE = 1.0 / (sigmaE * sigmaE);
    NativeKernel out = new NativeKernel(n);
    double[] row = new double[n];
    for (int i = 0; i < n; i++) {
      int base = i * n;
      for (int j = 0; j < n; j++) {
        row[j] = j == i ? 1.0 : Math.exp(-dv[base + j] * invD - ev[base + j] * invE);
      }
      out.putRow(i, row);
    }
    return out;
  }

  /**
   * The joint kernel K ∘ K_Y of this kernel and the label kernel (K_Y,ij = 1 for samples of the
   * same class, exp(−2/σ_Y²) otherwise), as a new matrix; this one is not modified.
   */
  public NativeKernel hadamardLabels(int[] labels, double sigmaY) {
    Objects.requireNonNull(labels, "labels");
    KernelMatrix.requireWidth(sigmaY, "sigmaY");
    if (labels.length != n) {
      throw new IllegalArgumentException("a kernel of " + n + " samples and " + labels.length + " labels");
    }
    double off = Math.exp(-2.0 / (sigmaY * sigmaY));
    NativeKernel out = new NativeKernel(n);
    double[] row = new double[n];
    for (int i = 0; i < n; i++) {
      getRow(i, row);
      for (int j = 0; j < n; j++) {
        if (labels[i] != labels[j]) {
          row[j] *= off;
        }
      }
      out.putRow(i, row);
    }
    return out;
  }

  /** A copy of an explicit kernel matrix (for tests and small cases). */
  public static NativeKernel of(KernelMatrix m) {
    int n = m.size();
    NativeKernel out = new NativeKernel(n);
    double[] v = m.raw();
    double[] row = new double[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(v, i * n, row, 0, n);
      out.putRow(i, row);
    }
    return out;
  }

  /** Number of samples N. */
  public int size() {
    return n;
  }

  /** Trace Σ K_ii. */
  public double trace() {
    requireOpen();
    double t = 0.0;
    for (int i = 0; i < n; i++) {
      t += k.get((long) i * n + i);
    }
    return t;
  }

  /** Squared Frobenius norm Σ_ij K_ij². */
  public double frobeniusSquared() {
    requireOpen();
    double[] row = new double[n];
    double s = 0.0;
    for (int i = 0; i < n; i++) {
      getRow(i, row);
      for (double v : row) {
        s += v * v;
      }
    }
    return s;
  }

  /**
   * W = s·K·V for a block of c column vectors, all row-major: V and W are N × c.
   *
   * @param v the block, not modified
   * @param w receives the product
   */
  void multiply(double scale, DoublePointer v, DoublePointer w, int c) {
    requireOpen();
    openblas.cblas_dgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans,
        n, c, n, scale, k, n, v, c, 0.0, w, c);
  }

  /** Row i of K into {@code dst[0..n)}. */
  void getRow(int i, double[] dst) {
    requireOpen();
    k.position((long) i * n).get(dst, 0, n);
    k.position(0);
  }

  private void putRow(int i, double[] src) {
    k.position((long) i * n).put(src, 0, n);
    k.position(0);
  }

  /** The whole matrix as a heap copy (tests). */
  KernelMatrix toKernelMatrix() {
    requireOpen();
    double[] all = new double[n * n];
    double[] row = new double[n];
    for (int i = 0; i < n; i++) {
      getRow(i, row);
      System.arraycopy(row, 0, all, i * n, n);
    }
    return KernelMatrix.of(n, all);
  }

  private void requireOpen() {
    if (k == null) {
      throw new IllegalStateException("the kernel's memory was freed");
    }
  }

  /** Frees the native memory; further use fails. */
  @Override
  public void close() {
    if (k != null) {
      k.close();
      k = null;
    }
  }

  @Override
  public String toString() {
    return "NativeKernel[n=" + n + "]";
  }
}
