package org.infoplane.estimator.ip;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The binning baseline of Shwartz-Ziv &amp; Tishby (2017): every unit of the layer is discretised
 * into equal-width bins over the layer's observed range on the batch (its minimum to its maximum
 * over all units), each sample's vector of bin indices is a symbol, and entropies are plug-in
 * Shannon entropies of symbol frequencies, in bits.
 *
 * <p>The input's symbol is the exact input vector, the label's symbol the class. The result depends
 * on the number of bins (30 by default) and on the range: report both with it. The bin count is
 * part of {@link #name()}. A layer with a single value has one symbol and zero entropy.
 */
public final class BinningEstimator implements InformationPlaneEstimator {

  /** The bin count of Shwartz-Ziv &amp; Tishby. */
  public static final int DEFAULT_BINS = 30;

  private final int bins;

  BinningEstimator(int bins) {
    if (bins < 2) {
      throw new IllegalArgumentException("the binning estimator needs >= 2 bins, got " + bins);
    }
    this.bins = bins;
  }

  @Override
  public String name() {
    return "binning-" + bins;
  }

  public int bins() {
    return bins;
  }

  /** Always empty: binning uses no kernel width. */
  @Override
  public OptionalDouble selectWidth(IpBatch batch) {
    return OptionalDouble.empty();
  }

  @Override
  public IpEstimate estimate(IpBatch batch, OptionalDouble ignored) {
    int n = batch.size();
    int[] sx = exactSymbols(batch.x(), n);
    int[] st = binnedSymbols(batch.t(), n, bins);
    int[] sy = batch.labels();
    double hX = entropy(sx);
    double hT = entropy(st);
    double hY = entropy(sy);
    double hXT = entropy(pairs(sx, st));
    double hTY = entropy(pairs(st, sy));
    return new IpEstimate(hX, hT, hY, hX + hT - hXT, hT + hY - hTY, OptionalDouble.empty());
  }

  /** Symbol ids of equal rows, by exact value (also the kernel-density bound's input symbols). */
  static int[] exactSymbols(INDArray a, int n) {
    double[] v = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    int d = v.length / n;
    Map<Row, Integer> ids = new HashMap<>();
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      long[] bits = new long[d];
      for (int f = 0; f < d; f++) {
        bits[f] = Double.doubleToLongBits(v[i * d + f] + 0.0); // +0.0 folds -0.0 into 0.0
      }
      out[i] = ids.computeIfAbsent(new Row(bits), k -> ids.size());
    }
    return out;
  }

  private static int[] binnedSymbols(INDArray a, int n, int bins) {
    double[] v = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    int d = v.length / n;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    double width = (hi - lo) / bins;
    Map<Row, Integer> ids = new HashMap<>();
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      long[] code = new long[d];
      for (int f = 0; f < d; f++) {
        int b = width > 0.0 ? (int) ((v[i * d + f] - lo) / width) : 0;
        code[f] = Math.min(b, bins - 1);
      }
      out[i] = ids.computeIfAbsent(new Row(code), k -> ids.size());
    }
    return out;
  }

  private static int[] pairs(int[] a, int[] b) {
    Map<Long, Integer> ids = new HashMap<>();
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      long key = ((long) a[i] << 32) | (b[i] & 0xffffffffL);
      out[i] = ids.computeIfAbsent(key, k -> ids.size());
    }
    return out;
  }

  /** Plug-in Shannon entropy of symbol frequencies, in bits. */
  static double entropy(int[] symbols) {
    Map<Integer, Integer> counts = new HashMap<>();
    for (int s : symbols) {
      counts.merge(s, 1, Integer::sum);
    }
    double n = symbols.length;
    double h = 0.0;
    for (int c : counts.values()) {
      double p = c / n;
      h -= p * Math.log(p);
    }
    return h / Math.log(2.0);
  }

  private record Row(long[] code) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Row r && Arrays.equals(code, r.code);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(code);
    }
  }
}
