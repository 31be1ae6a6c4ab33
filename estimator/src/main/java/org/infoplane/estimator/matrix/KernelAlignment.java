package org.infoplane.estimator.matrix;

import java.util.stream.IntStream;

/**
 * Kernel alignment A(K_a, K_b) = ⟨K_a, K_b⟩_F / (‖K_a‖_F · ‖K_b‖_F) (Cristianini et al., 2002),
 * the criterion that picks a hidden layer's kernel width (METHOD.md §4).
 *
 * <p>Alignment is a sum of N² products and is computed as one: never as a matrix product.
 */
public final class KernelAlignment {

  private KernelAlignment() {}

  /** The alignment of two kernel matrices of the same size, in [0, 1] for non-negative kernels. */
  public static double of(KernelMatrix a, KernelMatrix b) {
    double inner = a.frobeniusInner(b);
    return inner / Math.sqrt(a.frobeniusInner(a) * b.frobeniusInner(b));
  }

  /**
   * The alignment between the Gaussian kernel exp(−d/σ²) of the given squared distances and a
   * target kernel, for every σ of a grid, in one pass over the N(N−1)/2 pairs. No allocation per
   * grid point: the cost is N(N−1)/2 exponentials per grid point. Large curves are evaluated by
   * slices of the grid on the common fork-join pool (each slice passes over all pairs), with results
   * identical to one thread's.
   *
   * @param distances squared distances of the batch (N × N)
   * @param target the target kernel (for example the label kernel), N × N, not modified
   * @param sigmas the grid of widths, each &gt; 0; not modified
   * @param out receives the alignment for each grid point; length ≥ sigmas.length; may be null
   * @return {@code out}, or a new array when it was null
   */
  public static double[] gaussianAlignmentCurve(
      DistanceMatrix distances, KernelMatrix target, double[] sigmas, double[] out) {
    int n = distances.size();
    if (target.size() != n) {
      throw new IllegalArgumentException(
          "distances of " + n + " samples and a target kernel of " + target.size() + " samples");
    }
    int g = sigmas.length;
    double[] result = out == null ? new double[g] : out;
    if (result.length < g) {
      throw new IllegalArgumentException("output has room for " + result.length + " values, grid has " + g);
    }
    double[] negInv = new double[g];
    for (int s = 0; s < g; s++) {
      KernelMatrix.requireWidth(sigmas[s], "sigma grid point " + s);
      negInv[s] = -1.0 / (sigmas[s] * sigmas[s]);
    }
    double[] d = distances.raw();
    double[] y = target.raw();
    double targetDiag = 0.0;
    double targetNorm2 = 0.0;
    for (int i = 0; i < n; i++) {
      double yii = y[i * n + i];
      targetDiag += yii;
      targetNorm2 += yii * yii;
      for (int j = i + 1; j < n; j++) {
        double yij = y[i * n + j];
        targetNorm2 += 2.0 * yij * yij;
      }
    }
    double[] cross = new double[g];
    double[] self = new double[g];
    int chunks = chunks(n, g);
    if (chunks == 1) {
      accumulate(n, d, y, negInv, 0, g, cross, self);
    } else {
      // Each task owns a contiguous slice of the grid and passes over every pair in the same order
      // as the sequential loop, so every grid point's sums are bit-for-bit those of one thread.
      IntStream.range(0, chunks).parallel().forEach(c -> {
        int lo = (int) ((long) g * c / chunks);
        int hi = (int) ((long) g * (c + 1) / chunks);
        accumulate(n, d, y, negInv, lo, hi, cross, self);
      });
    }
    double targetNorm = Math.sqrt(targetNorm2);
    for (int s = 0; s < g; s++) {
      // Gaussian kernel diagonal is 1: contributes Σ_i y_ii to the cross term and N to ‖K‖².
      double num = targetDiag + 2.0 * cross[s];
      double norm = Math.sqrt(n + 2.0 * self[s]);
      result[s] = num / (norm * targetNorm);
    }
    return result;
  }

  /** Exponentials below which one thread does the whole curve (about a millisecond of work). */
  private static final long PARALLEL_THRESHOLD = 200_000;

  /** Number of grid slices to evaluate in parallel: 1 for small work or a single core. */
  private static int chunks(int n, int g) {
    long work = (long) n * (n - 1) / 2 * g;
    int cores = Runtime.getRuntime().availableProcessors();
    if (work < PARALLEL_THRESHOLD || cores < 2) {
      return 1;
    }
    return Math.min(cores, Math.max(1, g / 8));
  }

  /**
   * Adds, for grid points lo ≤ s &lt; hi, Σ_{i&lt;j} k_s(i,j)·y_ij to cross[s] and Σ_{i&lt;j} k_s(i,j)² to
   * self[s], with k_s(i,j) = exp(d_ij·negInv[s]). The slices [lo, hi) of concurrent calls are
   * disjoint; pairs are visited in the same order whatever the slice.
   */
  private static void accumulate(
      int n, double[] d, double[] y, double[] negInv, int lo, int hi, double[] cross, double[] self) {
    int w = hi - lo;
    double[] ni = java.util.Arrays.copyOfRange(negInv, lo, hi);
    double[] cr = new double[w];
    double[] sf = new double[w];
    for (int i = 0; i < n; i++) {
      int row = i * n;
      for (int j = i + 1; j < n; j++) {
        double dij = d[row + j];
        double yij = y[row + j];
        for (int s = 0; s < w; s++) {
          double k = Math.exp(dij * ni[s]);
          cr[s] += k * yij;
          sf[s] += k * k;
        }
      }
    }
    System.arraycopy(cr, 0, cross, lo, w);
    System.arraycopy(sf, 0, self, lo, w);
  }
}
