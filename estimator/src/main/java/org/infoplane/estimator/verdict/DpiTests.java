package org.infoplane.estimator.verdict;

import java.util.ArrayList;
import java.util.List;

/**
 * The data processing inequality along the chain X → T<sub>1</sub> → … → T<sub>L</sub>, as tests
 * (METHOD.md §10). For a deterministic chain, I(X;T<sub>l+1</sub>) ≤ I(X;T<sub>l</sub>) and
 * I(T<sub>l+1</sub>;Y) ≤ I(T<sub>l</sub>;Y); the input is the chain's first element, with
 * I(X;X) = S(X) and I(X;Y). A <b>violation</b> is a later element significantly above an earlier one:
 * an effect (later − earlier) that is {@link Effect#significantlyPositive significantly positive}
 * (q ≤ α where q is attached). Bits throughout; {@code level} is α and intervals are at 1 − α.
 *
 * <p>Within one run, split and checkpoint, every estimate is on the same batches, so consecutive
 * elements are compared by paired t tests on all batches (df = B − 1; no choice is made from the
 * data, so no batch halves). Across R runs, the per-run mean differences are tested by one-sample t
 * tests (df = R − 1).
 */
public final class DpiTests {

  private DpiTests() {}

  /**
   * One consecutive pair of the chain.
   *
   * @param fromIndex the earlier element: −1 for the input X, else the layer's index in network order
   * @param toIndex the later layer's index (fromIndex + 1)
   * @param xt I(X;T<sub>to</sub>) − I(X;T<sub>from</sub>) (S(X) for the input): positive = violation
   * @param ty I(T<sub>to</sub>;Y) − I(T<sub>from</sub>;Y) (I(X;Y) for the input): positive = violation
   */
  public record DpiPair(int fromIndex, int toIndex, Effect xt, Effect ty) {

    public DpiPair {
      if (fromIndex < -1 || toIndex != fromIndex + 1) {
        throw new IllegalArgumentException("a DPI pair joins consecutive elements, got " + fromIndex + " -> " + toIndex);
      }
      if (xt == null || ty == null) {
        throw new IllegalArgumentException("a DPI pair needs both effects");
      }
    }

    /** Whether I(X;T) rises significantly along this pair. */
    public boolean xtViolation(double level) {
      Tests.requireLevel(level);
      return xt.significantlyPositive(level);
    }

    /** Whether I(T;Y) rises significantly along this pair. */
    public boolean tyViolation(double level) {
      Tests.requireLevel(level);
      return ty.significantlyPositive(level);
    }

    /** A copy with Benjamini–Hochberg q-values attached to both effects. */
    public DpiPair withQ(double qXt, double qTy) {
      return new DpiPair(fromIndex, toIndex, xt.withQ(qXt), ty.withQ(qTy));
    }
  }

  /**
   * The L pairs (input → T<sub>1</sub>, T<sub>1</sub> → T<sub>2</sub>, …) of one run, split and
   * checkpoint, by paired t tests over the B batches.
   *
   * @param hx S(X) per batch, bits (length B)
   * @param ixy I(X;Y) per batch, bits (length B)
   * @param ixt I(X;T<sub>l</sub>) per layer in network order and batch, [layer][batch], bits
   * @param ity I(T<sub>l</sub>;Y), [layer][batch], bits
   * @param level the significance level α in (0, 0.5]
   * @return L pairs in chain order; effects undecided for B &lt; 2
   * @throws IllegalArgumentException naming the layer whose batch count differs, or no layers
   */
  public static List<DpiPair> run(double[] hx, double[] ixy, double[][] ixt, double[][] ity, double level) {
    double confidence = Tests.requireLevel(level);
    if (hx == null || ixy == null || ixt == null || ity == null) {
      throw new IllegalArgumentException("hx, ixy, ixt and ity are all needed");
    }
    if (ixt.length == 0 || ixt.length != ity.length) {
      throw new IllegalArgumentException("need the same number (>= 1) of layers in ixt and ity, got " + ixt.length
          + " and " + ity.length);
    }
    int b = hx.length;
    requireBatches("ixy", ixy, b);
    for (int l = 0; l < ixt.length; l++) {
      requireBatches("ixt of layer " + l, ixt[l], b);
      requireBatches("ity of layer " + l, ity[l], b);
    }
    List<DpiPair> pairs = new ArrayList<>(ixt.length);
    pairs.add(new DpiPair(-1, 0, Tests.paired(hx, ixt[0], confidence), Tests.paired(ixy, ity[0], confidence)));
    for (int l = 1; l < ixt.length; l++) {
      pairs.add(new DpiPair(l - 1, l, Tests.paired(ixt[l - 1], ixt[l], confidence),
          Tests.paired(ity[l - 1], ity[l], confidence)));
    }
    return pairs;
  }

  /**
   * The experiment-level pairs: one-sample t tests over runs of each pair's per-run mean difference.
   *
   * @param xtDiffs [run][pair]: run r's mean over batches of the I(X;T) difference of pair k (pair 0
   *     is input → T<sub>1</sub>), bits; e.g. {@code run(...).get(k).xt().estimate()}
   * @param tyDiffs [run][pair]: the same for I(T;Y)
   * @param level the significance level α in (0, 0.5]
   * @return one pair per chain pair; undecided for fewer than 2 runs
   * @throws IllegalArgumentException naming the run whose pair count differs
   */
  public static List<DpiPair> experiment(double[][] xtDiffs, double[][] tyDiffs, double level) {
    double confidence = Tests.requireLevel(level);
    if (xtDiffs == null || tyDiffs == null || xtDiffs.length != tyDiffs.length || xtDiffs.length == 0) {
      throw new IllegalArgumentException("need per-run differences of I(X;T) and I(T;Y) for the same runs (>= 1)");
    }
    int runs = xtDiffs.length;
    int k = xtDiffs[0].length;
    if (k == 0) {
      throw new IllegalArgumentException("run 0 has no DPI pairs");
    }
    for (int r = 0; r < runs; r++) {
      requireBatches("I(X;T) differences of run " + r, xtDiffs[r], k);
      requireBatches("I(T;Y) differences of run " + r, tyDiffs[r], k);
    }
    List<DpiPair> pairs = new ArrayList<>(k);
    double[] x = new double[runs];
    double[] y = new double[runs];
    for (int j = 0; j < k; j++) {
      for (int r = 0; r < runs; r++) {
        x[r] = xtDiffs[r][j];
        y[r] = tyDiffs[r][j];
      }
      pairs.add(new DpiPair(j - 1, j, Tests.oneSample(x, confidence), Tests.oneSample(y, confidence)));
    }
    return pairs;
  }

  /**
   * {@link #experiment(double[][], double[][], double)} from the run-level pairs of each run (the
   * estimates of their effects, which are the mean differences over all batches).
   */
  public static List<DpiPair> experiment(List<List<DpiPair>> runs, double level) {
    if (runs == null || runs.isEmpty()) {
      throw new IllegalArgumentException("an experiment needs at least one run, got none");
    }
    double[][] x = new double[runs.size()][];
    double[][] y = new double[runs.size()][];
    for (int r = 0; r < runs.size(); r++) {
      List<DpiPair> pairs = runs.get(r);
      x[r] = new double[pairs.size()];
      y[r] = new double[pairs.size()];
      for (int j = 0; j < pairs.size(); j++) {
        x[r][j] = pairs.get(j).xt().estimate();
        y[r][j] = pairs.get(j).ty().estimate();
      }
    }
    return experiment(x, y, level);
  }

  private static void requireBatches(String name, double[] v, int expected) {
    if (v == null || v.length != expected) {
      throw new IllegalArgumentException(name + " has " + (v == null ? "no" : String.valueOf(v.length))
          + " values, expected " + expected);
    }
  }
}
