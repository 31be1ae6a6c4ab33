package org.infoplane.estimator.verdict;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Benjamini–Hochberg adjusted p-values (q-values), which control the false discovery rate of a
 * family of tests judged together (Benjamini &amp; Hochberg, J. R. Stat. Soc. B 57(1), 1995;
 * METHOD.md §10: q = 0.05 by default).
 *
 * <p>With the m numeric p-values sorted, p<sub>(1)</sub> ≤ … ≤ p<sub>(m)</sub>, the step-up
 * adjustment is q<sub>(i)</sub> = min(1, min<sub>j ≥ i</sub> m·p<sub>(j)</sub>/j); rejecting every
 * test with q ≤ level is the BH procedure at that level. The same as SciPy's {@code
 * scipy.stats.false_discovery_control(p, method='bh')} and R's {@code p.adjust(p, "BH")}.
 */
public final class BenjaminiHochberg {

  private BenjaminiHochberg() {}

  /**
   * The q-value of every p-value, in the input's order. NaN entries (undecided tests) stay NaN and do
   * not count in m.
   *
   * @param p p-values in [0, 1] or NaN (not modified)
   * @return a new array of q-values, q ≥ p, non-decreasing in p, at most 1
   * @throws IllegalArgumentException naming the index of a value outside [0, 1]
   */
  public static double[] qValues(double[] p) {
    if (p == null) {
      throw new IllegalArgumentException("p is null");
    }
    double[] q = new double[p.length];
    int m = 0;
    for (int i = 0; i < p.length; i++) {
      if (Double.isNaN(p[i])) {
        continue;
      }
      if (!(p[i] >= 0.0 && p[i] <= 1.0)) {
        throw new IllegalArgumentException("p[" + i + "] must be in [0, 1] or NaN, got " + p[i]);
      }
      m++;
    }
    Integer[] order = new Integer[m];
    for (int i = 0, k = 0; i < p.length; i++) {
      if (Double.isNaN(p[i])) {
        q[i] = Double.NaN;
      } else {
        order[k++] = i;
      }
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
    double running = 1.0;
    for (int rank = m; rank >= 1; rank--) {
      int i = order[rank - 1];
      // p·(m/rank), not (p·m)/rank: m/rank ≥ 1 and rounding is monotone, so q ≥ p holds in floating
      // point too (and at rank m the factor is exactly 1). SciPy computes it the same way.
      running = Math.min(running, p[i] * ((double) m / rank));
      q[i] = running;
    }
    return q;
  }
}
