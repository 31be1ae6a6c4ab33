package org.infoplane.calibration;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Synthetic representations with a known geometry, for calibrating the verdicts (METHOD.md §10).
 *
 * <p>The input X is N samples of {@link #INPUT_DIM} features uniform in [0, 1] (the scale of
 * images), with balanced labels of {@link #CLASSES} classes. A layer at one checkpoint is
 *
 * <pre>  T = (1 − λ) · tanh(g · X W) + λ · M[y]</pre>
 *
 * with W (INPUT_DIM × {@link #LAYER_DIM}, entries N(0, 1/INPUT_DIM)) and the class centres M
 * ({@link #CLASSES} × LAYER_DIM, entries N(0, 1)) drawn afresh for every run, checkpoint and layer:
 * each checkpoint is another random function from one distribution. A {@link Network} that
 * {@linkplain Network#drift drifts} instead keeps part of its function from one checkpoint to the
 * next, as a network in training does: the drift d sets how much (d = 1 is a fresh function). λ pulls the samples of a class together: the matrix-based I(X;T) falls as λ
 * grows (clustering, METHOD.md §10 "Geometric meaning") and I(T;Y) rises. A schedule of λ over
 * checkpoints therefore plants a known course of I(X;T): constant (the null), a rise then a fall (fitting,
 * then compression), or a fall from the first checkpoint (the initial transient).
 *
 * <p>A <b>chain</b> is instead a fixed lossy map of the previous layer: T1 = tanh(g · X W1),
 * T_{l+1} = tanh(g · T_l W_{l+1}) with fewer units, the same at every checkpoint: the DPI holds in
 * truth, and what the estimate does is the estimator's own behaviour.
 *
 * <p>Everything is drawn from a {@link SplittableRandom} seeded by the caller: the same seed gives
 * the same arrays.
 */
public final class SyntheticLayers {

  /** Input features (a 28 × 28 image's worth). */
  public static final int INPUT_DIM = 784;
  /** Units of a planted layer. */
  public static final int LAYER_DIM = 20;
  /** Classes of the labels. */
  public static final int CLASSES = 10;
  /** The gain g of the random features. */
  static final double GAIN = 3.0;

  private SyntheticLayers() {}

  /** N inputs uniform in [0, 1), INPUT_DIM features, row-major. */
  public static INDArray inputs(int n, SplittableRandom r) {
    float[] v = new float[n * INPUT_DIM];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble();
    }
    return Nd4j.create(v, new long[] {n, INPUT_DIM}, 'c');
  }

  /** N balanced labels in a random order: class i mod CLASSES, shuffled. */
  public static int[] labels(int n, SplittableRandom r) {
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % CLASSES;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = y[i];
      y[i] = y[j];
      y[j] = t;
    }
    return y;
  }

  /**
   * Labels that are a function of a (centred) signal: the class whose random direction (a fresh
   * CLASSES-column projection of the signal) is largest. Classes are then not balanced, but the
   * signal determines Y.
   */
  public static int[] labelsOf(INDArray signal, SplittableRandom r) {
    int n = (int) signal.rows();
    int in = (int) signal.columns();
    float[] v = new float[in * CLASSES];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    INDArray scores = signal.mmul(Nd4j.create(v, new long[] {in, CLASSES}, 'c'));
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = scores.getRow(i).argMax().getInt(0);
    }
    return y;
  }

  /**
   * One layer's function at one checkpoint: the random projection W (INPUT_DIM × LAYER_DIM, entries
   * N(0, 1/INPUT_DIM)) and the class centres M (CLASSES × LAYER_DIM, entries N(0, 1)).
   */
  public record Network(float[] weights, double[][] centres) {

    /** A fresh draw. */
    public static Network draw(SplittableRandom r) {
      float[] w = new float[INPUT_DIM * LAYER_DIM];
      double scale = 1.0 / Math.sqrt(INPUT_DIM);
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) (r.nextGaussian() * scale);
      }
      double[][] m = new double[CLASSES][LAYER_DIM];
      for (double[] c : m) {
        for (int k = 0; k < LAYER_DIM; k++) {
          c[k] = r.nextGaussian();
        }
      }
      return new Network(w, m);
    }

    /**
     * The same network after a training interval: every entry becomes √(1 − d) · itself + √d · a
     * fresh draw of its distribution. The entries keep their distribution; d = 1 is a fresh
     * network, d = 0 the same one, and between them the function at the next checkpoint correlates
     * with this one by √(1 − d) in every weight.
     */
    public Network drift(double d, SplittableRandom r) {
      if (!(d >= 0.0 && d <= 1.0)) {
        throw new IllegalArgumentException("drift must be in [0, 1], got " + d);
      }
      double keep = Math.sqrt(1.0 - d);
      double add = Math.sqrt(d);
      Network fresh = draw(r);
      float[] w = new float[weights.length];
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) (keep * weights[i] + add * fresh.weights[i]);
      }
      double[][] m = new double[CLASSES][LAYER_DIM];
      for (int c = 0; c < CLASSES; c++) {
        for (int k = 0; k < LAYER_DIM; k++) {
          m[c][k] = keep * centres[c][k] + add * fresh.centres[c][k];
        }
      }
      return new Network(w, m);
    }
  }

  /** One planted layer, N × LAYER_DIM: a fresh random function of X pulled towards its class centre by λ. */
  public static INDArray planted(INDArray x, int[] y, double lambda, SplittableRandom r) {
    return planted(x, y, lambda, Network.draw(r));
  }

  /** One planted layer, N × LAYER_DIM: the network's function of X pulled towards its class centre by λ. */
  public static INDArray planted(INDArray x, int[] y, double lambda, Network net) {
    if (!(lambda >= 0.0 && lambda <= 1.0)) {
      throw new IllegalArgumentException("lambda must be in [0, 1], got " + lambda);
    }
    INDArray weights = Nd4j.create(net.weights(), new long[] {INPUT_DIM, LAYER_DIM}, 'c');
    INDArray features = org.nd4j.linalg.ops.transforms.Transforms.tanh(
        x.castTo(DataType.FLOAT).mmul(weights).muli(GAIN), false);
    double[][] centres = net.centres();
    int n = (int) x.rows();
    float[] out = new float[n * LAYER_DIM];
    float[] f = features.data().asFloat();
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < LAYER_DIM; k++) {
        out[i * LAYER_DIM + k] = (float) ((1.0 - lambda) * f[i * LAYER_DIM + k] + lambda * centres[y[i]][k]);
      }
    }
    return Nd4j.create(out, new long[] {n, LAYER_DIM}, 'c');
  }

  /** tanh(g · A W), W with entries N(0, 1/columns of A): a random-feature layer of {@code units}. */
  public static INDArray randomFeatures(INDArray a, int units, SplittableRandom r) {
    int in = (int) a.columns();
    float[] w = new float[in * units];
    double scale = 1.0 / Math.sqrt(in);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (r.nextGaussian() * scale);
    }
    INDArray weights = Nd4j.create(w, new long[] {in, units}, 'c');
    INDArray z = a.castTo(DataType.FLOAT).mmul(weights).muli(GAIN);
    return org.nd4j.linalg.ops.transforms.Transforms.tanh(z, false);
  }
}
