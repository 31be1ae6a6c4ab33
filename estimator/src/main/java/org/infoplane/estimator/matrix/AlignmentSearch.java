package org.infoplane.estimator.matrix;

import java.util.Arrays;

/**
 * The grid point that maximises the kernel alignment A(K_σ, K_Y) of METHOD.md §4, found exactly
 * without evaluating the whole curve: the same index, bit for bit, as the exhaustive scan
 * ({@link KernelAlignment#gaussianAlignmentCurve} followed by the first maximum, ties to the
 * smallest σ), on every input.
 *
 * <p>Method (branch and bound on the grid). With k_σ(d) = exp(−d/σ²),
 *
 * <pre>  A(σ) = (Σ_i y_ii + 2 Σ_{i&lt;j} k_σ(d_ij)·y_ij) / (√(N + 2 Σ_{i&lt;j} k_σ(d_ij)²) · ‖Y‖_F).</pre>
 *
 * <p>One pass over the N(N−1)/2 pairs sorts them into bins of squared distance (256 per octave, read
 * off the bits of the double, so no logarithm per pair) and keeps, per bin, the smallest and largest
 * distance, the count, and the weight and weighted mean distance of the positive and of the negative
 * parts of the target y_ij. No assumption is made on the target kernel: its entries may have any
 * sign. Because k_σ is convex and decreasing in d, the sum of w·k_σ(d) over a bin lies between
 * W·k_σ(d̄) (Jensen, at the bin's weighted mean) and the chord through the bin's extreme distances at
 * d̄, and the same holds for k_σ² = exp(−2d/σ²). These give a lower and an upper bound of A(σ) per grid
 * point from the bins alone; the gap shrinks with the square of a bin's width. Grid points whose
 * upper bound lies below the best lower bound cannot hold the maximum and are dropped; the bounds
 * of the survivors are refined with finer bins (4, 32, then 256 per octave); the survivors left are
 * evaluated exactly, by the scan's own arithmetic ({@code KernelAlignment.accumulate}, the same
 * operations in the same order, hence the same doubles), and chosen between by the scan's rule.
 *
 * <p>Rounding: each bound is widened by δ = 32·(P + N + bins + 1024)·2⁻⁵³ (P the number of pairs),
 * more than the rounding error of the scan's sums of P terms (at most about P·2⁻⁵³ relative to
 * ‖K‖‖Y‖, by Cauchy–Schwarz) plus that of the bounds' own sums; the bins' weighted means, whose
 * rounding an exponential could amplify, are moved by their error bound in the direction that keeps
 * each bound (Jensen's above the mean, the chord's below). A grid point is dropped only when its
 * widened upper bound is below a widened lower bound that some other point's computed value reaches,
 * so every point whose computed value equals the maximum survives, and the choice among survivors
 * is the scan's.
 *
 * <p>Cost: one pass over the pairs, a few exponentials per bin and grid point, and N(N−1)/2
 * exponentials for each grid point that survives every refinement (typically none to three, against
 * the scan's N(N−1)/2 per grid point).
 */
public final class AlignmentSearch {

  /** log2 of the finest bins per octave of squared distance. */
  private static final int FINE_BITS = 8;
  /** Octaves below the largest distance that get bins of their own; smaller ones share the first. */
  private static final int OCTAVES = 40;
  /** Refinement levels, as bits dropped from the fine key: 4, 32, 256 bins per octave. */
  private static final int[] LEVEL_SHIFTS = {6, 3, 0};
  /** Values per fine bin: count, Σd, min d, max d, Σy⁺, Σy⁺d, Σy⁻, Σy⁻d. */
  private static final int STRIDE = 8;
  /** Below this many pair × grid exponentials the exhaustive scan is cheaper than the bounds. */
  private static final long SMALL = 4096;

  private AlignmentSearch() {}

  /**
   * The index of the grid point whose Gaussian kernel is best aligned with the target: the first
   * index whose alignment equals the maximum over the grid, among those preferring the smallest σ,
   * exactly as the exhaustive scan chooses.
   *
   * @param distances squared distances of the batch (N × N), not modified
   * @param target the target kernel (for example the label kernel), N × N, not modified; any values
   * @param grid the widths, each &gt; 0 and finite, in any order, repeats allowed; not modified
   * @return an index into {@code grid}
   * @throws IllegalArgumentException for an empty grid, a width that is not &gt; 0 and finite, or
   *     sizes that differ
   */
  public static int argmax(DistanceMatrix distances, KernelMatrix target, double[] grid) {
    return argmax(distances, target, grid, false);
  }

  /**
   * {@link #argmax}; with {@code forceBounds} the bounds are used even where the exhaustive scan is
   * cheaper (for tests of small cases).
   */
  static int argmax(DistanceMatrix distances, KernelMatrix target, double[] grid, boolean forceBounds) {
    int n = distances.size();
    if (target.size() != n) {
      throw new IllegalArgumentException(
          "distances of " + n + " samples and a target kernel of " + target.size() + " samples");
    }
    int g = grid.length;
    if (g == 0) {
      throw new IllegalArgumentException("the width grid is empty");
    }
    double[] negInv = new double[g];
    boolean finite = true;
    for (int s = 0; s < g; s++) {
      KernelMatrix.requireWidth(grid[s], "sigma grid point " + s);
      negInv[s] = -1.0 / (grid[s] * grid[s]);
      finite &= negInv[s] != Double.NEGATIVE_INFINITY; // σ² underflows: 0·∞ in the scan; let it decide
    }
    double[] d = distances.raw();
    double[] y = target.raw();
    double[] terms = KernelAlignment.targetTerms(y, n);
    long pairs = (long) n * (n - 1) / 2;
    int[] all = new int[g];
    Arrays.setAll(all, s -> s);
    int[] cand = all.clone(); // narrowed in place
    // Targets whose norm overflows, and widths whose square underflows, make the scan's values
    // infinite or NaN: no bound can order those, so the scan decides.
    finite &= Double.isFinite(terms[0]) && Double.isFinite(terms[1]);
    if (!finite || (!forceBounds && pairs * g <= SMALL)) {
      return pick(exact(d, y, n, terms, negInv, all, g), all, g, grid);
    }
    Bins fine = Bins.of(d, y, n);
    double delta = 32.0 * (pairs + n + fine.count + 1024) * 0x1p-53;
    int m = g;
    double best = Double.NEGATIVE_INFINITY;
    double[] lo = new double[g];
    double[] hi = new double[g];
    for (int shift : LEVEL_SHIFTS) {
      Bins level = fine.merged(shift);
      for (int c = 0; c < m; c++) {
        int s = cand[c];
        level.bounds(negInv[s], n, terms, delta, lo, hi, s);
        if (Double.isNaN(lo[s]) || Double.isNaN(hi[s])) {
          return pick(exact(d, y, n, terms, negInv, all, g), all, g, grid); // sums overflowed
        }
        best = Math.max(best, lo[s]);
      }
      int kept = 0;
      for (int c = 0; c < m; c++) {
        int s = cand[c];
        if (hi[s] >= best) {
          cand[kept++] = s;
        }
      }
      m = kept;
      if (m == 0) { // cannot happen: the point holding the best lower bound passes; kept as a guard
        return pick(exact(d, y, n, terms, negInv, all, g), all, g, grid);
      }
      if (m == 1) {
        return cand[0];
      }
    }
    return pick(exact(d, y, n, terms, negInv, cand, m), cand, m, grid);
  }

  /** The computed alignments of grid points {@code idx[0..m)}, by the scan's arithmetic. */
  private static double[] exact(double[] d, double[] y, int n, double[] terms, double[] negInv, int[] idx, int m) {
    double[] sub = new double[m];
    for (int c = 0; c < m; c++) {
      sub[c] = negInv[idx[c]];
    }
    double[] cross = new double[m];
    double[] self = new double[m];
    KernelAlignment.accumulate(d, y, n, sub, m, cross, self);
    double[] value = new double[m];
    for (int c = 0; c < m; c++) {
      value[c] = KernelAlignment.alignment(n, terms, cross[c], self[c]);
    }
    return value;
  }

  /** The scan's choice among grid points idx[0..m) (ascending) with the given values. */
  private static int pick(double[] value, int[] idx, int m, double[] grid) {
    int best = 0;
    for (int c = 1; c < m; c++) {
      if (value[c] > value[best] || (value[c] == value[best] && grid[idx[c]] < grid[idx[best]])) {
        best = c;
      }
    }
    return idx[best];
  }

  /** Non-empty bins of squared distance, ascending, with what the bounds need. */
  private static final class Bins {
    final int count;
    final int[] key;
    final double[] v; // STRIDE values per bin

    private Bins(int count, int[] key, double[] v) {
      this.count = count;
      this.key = key;
      this.v = v;
    }

    /** The finest bins of the pairs i &lt; j. */
    static Bins of(double[] d, double[] y, int n) {
      double max = 0.0;
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          max = Math.max(max, d[i * n + j]);
        }
      }
      int shift = 52 - FINE_BITS;
      long top = Double.doubleToRawLongBits(max) >>> shift;
      long base = Math.max(0, top - ((long) OCTAVES << FINE_BITS));
      int size = (int) (top - base + 1);
      double[] h = new double[size * STRIDE];
      for (int b = 0; b < size; b++) {
        h[b * STRIDE + 2] = Double.POSITIVE_INFINITY;
        h[b * STRIDE + 3] = Double.NEGATIVE_INFINITY;
      }
      for (int i = 0; i < n; i++) {
        int row = i * n;
        for (int j = i + 1; j < n; j++) {
          double dij = d[row + j];
          double yij = y[row + j];
          long k = ((Double.doubleToRawLongBits(dij) & Long.MAX_VALUE) >>> shift) - base; // -0.0 as 0.0
          int o = (k < 0 ? 0 : (int) k) * STRIDE;
          h[o] += 1.0;
          h[o + 1] += dij;
          if (dij < h[o + 2]) {
            h[o + 2] = dij;
          }
          if (dij > h[o + 3]) {
            h[o + 3] = dij;
          }
          if (yij >= 0.0) {
            h[o + 4] += yij;
            h[o + 5] += yij * dij;
          } else {
            h[o + 6] -= yij;
            h[o + 7] -= yij * dij;
          }
        }
      }
      int count = 0;
      for (int b = 0; b < size; b++) {
        if (h[b * STRIDE] > 0.0) {
          count++;
        }
      }
      int[] key = new int[count];
      double[] v = new double[count * STRIDE];
      int c = 0;
      for (int b = 0; b < size; b++) {
        if (h[b * STRIDE] > 0.0) {
          key[c] = b;
          System.arraycopy(h, b * STRIDE, v, c * STRIDE, STRIDE);
          c++;
        }
      }
      return new Bins(count, key, v);
    }

    /** These bins merged by their key without its lowest {@code shift} bits. */
    Bins merged(int shift) {
      if (shift == 0) {
        return this;
      }
      int[] k = new int[count];
      double[] w = new double[count * STRIDE];
      int c = -1;
      for (int b = 0; b < count; b++) {
        int kb = key[b] >>> shift;
        int o = b * STRIDE;
        if (c < 0 || k[c] != kb) {
          c++;
          k[c] = kb;
          System.arraycopy(v, o, w, c * STRIDE, STRIDE);
        } else {
          int p = c * STRIDE;
          w[p] += v[o];
          w[p + 1] += v[o + 1];
          w[p + 2] = Math.min(w[p + 2], v[o + 2]);
          w[p + 3] = Math.max(w[p + 3], v[o + 3]);
          for (int q = 4; q < STRIDE; q++) {
            w[p + q] += v[o + q];
          }
        }
      }
      return new Bins(c + 1, k, w);
    }

    /**
     * Lower and upper bounds of the alignment at one grid point, widened by {@code delta}, into
     * {@code lo[s]} and {@code hi[s]}.
     */
    void bounds(double negInv, int n, double[] terms, double delta, double[] lo, double[] hi, int s) {
      double crossLo = 0.0;
      double crossHi = 0.0;
      double selfLo = 0.0;
      double selfHi = 0.0;
      for (int b = 0; b < count; b++) {
        int o = b * STRIDE;
        double cnt = v[o];
        double dlo = v[o + 2];
        double dhi = v[o + 3];
        double width = dhi - dlo;
        double flo = Math.exp(dlo * negInv);
        double fhi = width > 0.0 ? Math.exp(dhi * negInv) : flo;
        // The bin's sums carry rounding errors of at most about cnt·2⁻⁵³ of their size, so a computed
        // mean may be off by that much of dhi: Jensen's value (f decreasing) is taken above it and
        // the chord (decreasing in m) below it, which keeps both bounds whatever that error.
        double slack = 4.0 * (cnt + 2.0) * 0x1p-53 * dhi;
        double mc = v[o + 1] / cnt;
        double fm = Math.exp(clamp(mc + slack, dlo, dhi) * negInv);
        selfLo += cnt * (fm * fm);
        selfHi += cnt * chord(flo * flo, fhi * fhi, clamp(mc - slack, dlo, dhi), dlo, width);
        double wp = v[o + 4];
        if (wp > 0.0) {
          double mp = v[o + 5] / wp;
          crossLo += wp * Math.exp(clamp(mp + slack, dlo, dhi) * negInv);
          crossHi += wp * chord(flo, fhi, clamp(mp - slack, dlo, dhi), dlo, width);
        }
        double wn = v[o + 6];
        if (wn > 0.0) {
          double mn = v[o + 7] / wn;
          crossLo -= wn * chord(flo, fhi, clamp(mn - slack, dlo, dhi), dlo, width);
          crossHi -= wn * Math.exp(clamp(mn + slack, dlo, dhi) * negInv);
        }
      }
      double numLo = terms[0] + 2.0 * crossLo;
      double numHi = terms[0] + 2.0 * crossHi;
      double normSmall = Math.sqrt(n + 2.0 * selfLo) * terms[1];
      double normLarge = Math.sqrt(n + 2.0 * selfHi) * terms[1];
      hi[s] = numHi / (numHi >= 0.0 ? normSmall : normLarge) + delta;
      lo[s] = numLo / (numLo >= 0.0 ? normLarge : normSmall) - delta;
    }

    /** A distance kept inside its bin (its weighted mean, moved by its rounding slack). */
    private static double clamp(double m, double dlo, double dhi) {
      return Math.min(dhi, Math.max(dlo, m));
    }

    /** The chord of a convex function between (dlo, flo) and (dlo + width, fhi), at m. */
    private static double chord(double flo, double fhi, double m, double dlo, double width) {
      return width > 0.0 ? flo + (fhi - flo) * ((m - dlo) / width) : flo;
    }
  }
}
