package org.infoplane.estimator.reference;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded test inputs and conversions between plain arrays and ND4J arrays. */
public final class TestData {

  private TestData() {}

  /** N × D standard normal values times {@code scale}. */
  public static double[][] gaussian(Random random, int n, int d, double scale) {
    double[][] x = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int f = 0; f < d; f++) {
        x[i][f] = scale * random.nextGaussian();
      }
    }
    return x;
  }

  /** Labels 0 … numClasses−1 drawn uniformly. */
  public static int[] labels(Random random, int n, int numClasses) {
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = random.nextInt(numClasses);
    }
    return y;
  }

  /**
   * Activations with class structure: sample i is the mean of its class (a random vector of the
   * given spread) plus unit noise.
   */
  public static double[][] clustered(Random random, int[] labels, int numClasses, int d, double spread) {
    double[][] means = gaussian(random, numClasses, d, spread);
    double[][] x = gaussian(random, labels.length, d, 1.0);
    for (int i = 0; i < labels.length; i++) {
      for (int f = 0; f < d; f++) {
        x[i][f] += means[labels[i]][f];
      }
    }
    return x;
  }

  /** A double N × D array. */
  public static INDArray nd(double[][] x) {
    return Nd4j.create(x);
  }

  /** A double array of the given shape (first axis samples) from flattened rows, C order. */
  public static INDArray nd(double[][] flatRows, long... shape) {
    int n = flatRows.length;
    int d = flatRows[0].length;
    double[] flat = new double[n * d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flatRows[i], 0, flat, i * d, d);
    }
    return Nd4j.create(flat, shape, 'c');
  }

  /** The rows in a new order: row k of the result is row perm[k] of x. */
  public static double[][] permuteRows(double[][] x, int[] perm) {
    double[][] out = new double[x.length][];
    for (int k = 0; k < perm.length; k++) {
      out[k] = x[perm[k]].clone();
    }
    return out;
  }

  /** The labels in a new order: entry k is y[perm[k]]. */
  public static int[] permute(int[] y, int[] perm) {
    int[] out = new int[y.length];
    for (int k = 0; k < perm.length; k++) {
      out[k] = y[perm[k]];
    }
    return out;
  }

  /** A random permutation of 0 … n−1 (Fisher–Yates). */
  public static int[] permutation(Random random, int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** A random D × D orthogonal matrix: Gram–Schmidt on the columns of a Gaussian matrix. */
  public static double[][] randomOrthogonal(Random random, int d) {
    double[][] cols = gaussian(random, d, d, 1.0); // cols[c] is column c
    for (int c = 0; c < d; c++) {
      for (int pass = 0; pass < 2; pass++) { // re-orthogonalise once for accuracy
        for (int b = 0; b < c; b++) {
          double dot = 0.0;
          for (int r = 0; r < d; r++) {
            dot += cols[c][r] * cols[b][r];
          }
          for (int r = 0; r < d; r++) {
            cols[c][r] -= dot * cols[b][r];
          }
        }
      }
      double norm = 0.0;
      for (int r = 0; r < d; r++) {
        norm += cols[c][r] * cols[c][r];
      }
      norm = Math.sqrt(norm);
      for (int r = 0; r < d; r++) {
        cols[c][r] /= norm;
      }
    }
    double[][] q = new double[d][d];
    for (int r = 0; r < d; r++) {
      for (int c = 0; c < d; c++) {
        q[r][c] = cols[c][r];
      }
    }
    return q;
  }

  /** x · Q (each sample's features rotated). */
  public static double[][] multiply(double[][] x, double[][] q) {
    int d = q.length;
    double[][] out = new double[x.length][q[0].length];
    for (int i = 0; i < x.length; i++) {
      for (int c = 0; c < q[0].length; c++) {
        double s = 0.0;
        for (int f = 0; f < d; f++) {
          s += x[i][f] * q[f][c];
        }
        out[i][c] = s;
      }
    }
    return out;
  }

  /** Row-major flattening of an N × N matrix. */
  public static double[] flatten(double[][] m) {
    int n = m.length;
    double[] out = new double[n * m[0].length];
    for (int i = 0; i < n; i++) {
      System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
    }
    return out;
  }
}
