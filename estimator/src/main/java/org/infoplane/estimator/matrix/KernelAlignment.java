package org.infoplane.estimator.matrix;

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
   * grid point: the cost is N(N−1)/2 exponentials per grid point.
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
    double[] cross = new double[g];
    double[] self = new double[g];
    accumulate(d, y, n, negInv, g, cross, self);
    double[] terms = targetTerms(y, n);
    for (int s = 0; s < g; s++) {
      result[s] = alignment(n, terms, cross[s], self[s]);
    }
    return result;
  }

  /**
   * The sums over the pairs i &lt; j, in row order, of k·y_ij and k² with k = exp(d_ij·negInv[s]),
   * for the first {@code g} entries of {@code negInv}: the one definition of the arithmetic (and of
   * its order) that both the exhaustive scan and {@link AlignmentSearch} use, so that a grid point's
   * alignment is the same double whichever of them computes it.
   *
   * @param cross receives Σ k·y_ij per grid point (added to; zero it first)
   * @param self receives Σ k² per grid point (added to; zero it first)
   */
  static void accumulate(double[] d, double[] y, int n, double[] negInv, int g, double[] cross, double[] self) {
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double dij = d[i * n + j];
        double yij = y[i * n + j];
        for (int s = 0; s < g; s++) {
          double k = Math.exp(dij * negInv[s]);
          cross[s] += k * yij;
          self[s] += k * k;
        }
      }
    }
  }

  /** {Σ_i y_ii, ‖Y‖_F} of a target kernel, summed in a fixed order. */
  static double[] targetTerms(double[] y, int n) {
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
    return new double[] {targetDiag, Math.sqrt(targetNorm2)};
  }

  /**
   * The alignment from the pair sums of {@link #accumulate} and the {@link #targetTerms}: the Gaussian
   * kernel's diagonal is 1, so it adds Σ_i y_ii to the inner product and N to ‖K‖².
   */
  static double alignment(int n, double[] targetTerms, double cross, double self) {
    double num = targetTerms[0] + 2.0 * cross;
    double norm = Math.sqrt(n + 2.0 * self);
    return num / (norm * targetTerms[1]);
  }
}
