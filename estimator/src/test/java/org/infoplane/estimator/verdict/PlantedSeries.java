package org.infoplane.estimator.verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic series with a planted curve: value[c][b] = curve[c] + δ<sub>c</sub> + ε<sub>c,b</sub>,
 * δ<sub>c</sub> ~ N(0, checkpointSd²) a fresh offset per checkpoint and run (each checkpoint is
 * another network; METHOD.md §10), ε<sub>c,b</sub> ~ N(0, batchSd²) the batch noise. S(T) is
 * I(X;T) + 1 bit, so a planted series is never constant. Bits throughout.
 */
final class PlantedSeries {

  private PlantedSeries() {}

  static Series series(String run, double[] ixtCurve, double[] ityCurve, int batches, double checkpointSd,
      double batchSd, Random random) {
    int c = ixtCurve.length;
    double[] steps = new double[c];
    double[][] ixt = new double[c][batches];
    double[][] ity = new double[c][batches];
    double[][] ht = new double[c][batches];
    for (int k = 0; k < c; k++) {
      steps[k] = 100.0 * k;
      double dx = checkpointSd * random.nextGaussian();
      double dy = checkpointSd * random.nextGaussian();
      for (int b = 0; b < batches; b++) {
        ixt[k][b] = ixtCurve[k] + dx + batchSd * random.nextGaussian();
        ity[k][b] = ityCurve[k] + dy + batchSd * random.nextGaussian();
        ht[k][b] = ixt[k][b] + 1.0;
      }
    }
    return new Series(run, steps, ixt, ity, ht);
  }

  static List<Series> runs(int r, double[] ixtCurve, double[] ityCurve, int batches, double checkpointSd,
      double batchSd, Random random) {
    List<Series> out = new ArrayList<>(r);
    for (int i = 0; i < r; i++) {
      out.add(series("run-" + i, ixtCurve, ityCurve, batches, checkpointSd, batchSd, random));
    }
    return out;
  }

  /**
   * One run's layer on the train and the test split, {train, test}: each split's I(X;T) is its curve
   * plus a per-checkpoint network deviation δ<sub>c</sub> ~ N(0, checkpointSd²) plus batch noise
   * ~ N(0, batchSd²). With {@code shared} the two splits share δ<sub>c</sub> (one network evaluated
   * on two sample sets: its deviation shows on both); without, each split draws its own. I(T;Y) is
   * a constant 1 bit plus batch noise; S(T) is I(X;T) + 1 bit. Bits throughout.
   */
  static Series[] splits(String run, double[] trainCurve, double[] testCurve, int batches, double checkpointSd,
      double batchSd, boolean shared, Random random) {
    int c = trainCurve.length;
    double[] steps = new double[c];
    double[][][] ixt = new double[2][c][batches];
    double[][][] ity = new double[2][c][batches];
    double[][][] ht = new double[2][c][batches];
    for (int k = 0; k < c; k++) {
      steps[k] = 100.0 * k;
      double trainDeviation = checkpointSd * random.nextGaussian();
      double testDeviation = shared ? trainDeviation : checkpointSd * random.nextGaussian();
      for (int s = 0; s < 2; s++) {
        double level = s == 0 ? trainCurve[k] + trainDeviation : testCurve[k] + testDeviation;
        for (int b = 0; b < batches; b++) {
          ixt[s][k][b] = level + batchSd * random.nextGaussian();
          ity[s][k][b] = 1.0 + batchSd * random.nextGaussian();
          ht[s][k][b] = ixt[s][k][b] + 1.0;
        }
      }
    }
    return new Series[] {new Series(run, steps, ixt[0], ity[0], ht[0]), new Series(run, steps, ixt[1], ity[1], ht[1])};
  }

  /**
   * The piecewise-linear curve through knots given as (checkpoint, value) pairs in increasing
   * checkpoint order, from checkpoint 0 to c − 1: curve(5, 0, 1.0, 4, 2.0) is 1.0, 1.25, …, 2.0.
   */
  static double[] curve(int c, double... knots) {
    if (knots.length % 2 != 0 || knots[0] != 0 || knots[knots.length - 2] != c - 1) {
      throw new IllegalArgumentException("knots must be pairs from checkpoint 0 to " + (c - 1));
    }
    double[] out = new double[c];
    for (int k = 0; k < c; k++) {
      for (int j = 0; j + 3 < knots.length; j += 2) {
        double x0 = knots[j];
        double x1 = knots[j + 2];
        if (k >= x0 && k <= x1) {
          out[k] = knots[j + 1] + (knots[j + 3] - knots[j + 1]) * (k - x0) / (x1 - x0);
        }
      }
    }
    return out;
  }

  static double[] constant(int c, double value) {
    double[] out = new double[c];
    java.util.Arrays.fill(out, value);
    return out;
  }
}
