package org.infoplane.estimator.reference;

import java.util.Arrays;

/**
 * A slow, obviously correct reference for the estimator's mathematics (METHOD.md §2–§4), written
 * from the definitions with plain double loops and no library code: the independent oracle of the
 * tests. Nothing here is fast or clever on purpose.
 *
 * <ul>
 *   <li>squared distances as Σ_f (a_f − b_f)², never by the Gram trick;
 *   <li>Gaussian kernel exp(−d/σ²), label kernel from explicit one-hot vectors;
 *   <li>eigenvalues by the textbook cyclic Jacobi method for symmetric matrices;
 *   <li>Rényi entropy 1/(1−α)·log2 Σ λ^α, von Neumann −Σ λ log2 λ at α = 1;
 *   <li>kernel alignment as a double loop, and its width argmax over the grid of METHOD.md §4.
 * </ul>
 *
 * <p>Matrices are {@code double[N][N]}, samples {@code double[N][D]} (first index = sample).
 */
public final class ReferenceRenyi {

  private ReferenceRenyi() {}

  // ---------------------------------------------------------------- distances and kernels

  /** ‖x_i − x_j‖² = Σ_f (x_if − x_jf)², by direct summation. */
  public static double[][] squaredDistances(double[][] x) {
    int n = x.length;
    double[][] d = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int f = 0; f < x[i].length; f++) {
          double diff = x[i][f] - x[j][f];
          s += diff * diff;
        }
        d[i][j] = s;
      }
    }
    return d;
  }

  /** K_ij = exp(−d_ij / σ²) on squared distances. */
  public static double[][] gaussianKernel(double[][] squaredDistances, double sigma) {
    int n = squaredDistances.length;
    double[][] k = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        k[i][j] = Math.exp(-squaredDistances[i][j] / (sigma * sigma));
      }
    }
    return k;
  }

  /** One-hot encodings of the labels. */
  public static double[][] oneHot(int[] labels, int numClasses) {
    double[][] e = new double[labels.length][numClasses];
    for (int i = 0; i < labels.length; i++) {
      e[i][labels[i]] = 1.0;
    }
    return e;
  }

  /** The label kernel: the Gaussian kernel of the one-hot vectors. */
  public static double[][] labelKernel(int[] labels, int numClasses, double sigmaY) {
    return gaussianKernel(squaredDistances(oneHot(labels, numClasses)), sigmaY);
  }

  /** Element-wise product. */
  public static double[][] hadamard(double[][] a, double[][] b) {
    int n = a.length;
    double[][] h = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        h[i][j] = a[i][j] * b[i][j];
      }
    }
    return h;
  }

  /** A = K / tr(K). */
  public static double[][] normalise(double[][] k) {
    int n = k.length;
    double trace = 0.0;
    for (int i = 0; i < n; i++) {
      trace += k[i][i];
    }
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        a[i][j] = k[i][j] / trace;
      }
    }
    return a;
  }

  // ---------------------------------------------------------------- eigenvalues

  /**
   * Eigenvalues of a symmetric matrix by the cyclic Jacobi method: sweep over all pairs p &lt; q,
   * annihilate a_pq with the rotation of angle φ, tan φ = t the smaller root of
   * t² + 2θt − 1 = 0, θ = (a_qq − a_pp) / (2 a_pq), until the off-diagonal part vanishes.
   *
   * @return the eigenvalues in ascending order
   */
  public static double[] jacobiEigenvalues(double[][] symmetric) {
    int n = symmetric.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = symmetric[i].clone();
    }
    double total = 0.0;
    for (double[] row : a) {
      for (double v : row) {
        total += v * v;
      }
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0.0;
      for (int p = 0; p < n; p++) {
        for (int q = 0; q < n; q++) {
          if (p != q) {
            off += a[p][q] * a[p][q];
          }
        }
      }
      if (off <= 1e-30 * total || off == 0.0) {
        break;
      }
      for (int p = 0; p < n - 1; p++) {
        for (int q = p + 1; q < n; q++) {
          double apq = a[p][q];
          if (apq == 0.0) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2.0 * apq);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1.0));
          if (theta == 0.0) {
            t = 1.0;
          }
          double c = 1.0 / Math.sqrt(t * t + 1.0);
          double s = t * c;
          // A ← Jᵀ A J: first the columns p and q, then the rows p and q.
          for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          a[p][q] = 0.0;
          a[q][p] = 0.0;
        }
      }
    }
    double[] lambda = new double[n];
    for (int i = 0; i < n; i++) {
      lambda[i] = a[i][i];
    }
    Arrays.sort(lambda);
    return lambda;
  }

  // ---------------------------------------------------------------- entropies

  /** S_α of a spectrum (absolute values), in bits; von Neumann at α = 1. */
  public static double entropyOfSpectrum(double[] lambda, double alpha) {
    if (alpha == 1.0) {
      double s = 0.0;
      for (double l : lambda) {
        double a = Math.abs(l);
        if (a > 0.0) {
          s -= a * Math.log(a) / Math.log(2.0);
        }
      }
      return s;
    }
    double sum = 0.0;
    for (double l : lambda) {
      sum += Math.pow(Math.abs(l), alpha);
    }
    return Math.log(sum) / Math.log(2.0) / (1.0 - alpha);
  }

  /** S_α(K / tr K) through the Jacobi eigenvalues. */
  public static double entropy(double[][] k, double alpha) {
    return entropyOfSpectrum(jacobiEigenvalues(normalise(k)), alpha);
  }

  /** S_α(A, B) = S_α(A ∘ B / tr(A ∘ B)). */
  public static double jointEntropy(double[][] a, double[][] b, double alpha) {
    return entropy(hadamard(a, b), alpha);
  }

  /** I_α(A; B) = S_α(A) + S_α(B) − S_α(A, B). */
  public static double mutualInformation(double[][] a, double[][] b, double alpha) {
    return entropy(a, alpha) + entropy(b, alpha) - jointEntropy(a, b, alpha);
  }

  /** The Rényi entropy of a discrete distribution, 1/(1−α)·log2 Σ p^α (Shannon at α = 1). */
  public static double discreteEntropy(double[] p, double alpha) {
    return entropyOfSpectrum(p, alpha);
  }

  // ---------------------------------------------------------------- widths

  /** ⟨K_a, K_b⟩_F / (‖K_a‖_F ‖K_b‖_F), as a double loop. */
  public static double alignment(double[][] a, double[][] b) {
    double ab = 0.0;
    double aa = 0.0;
    double bb = 0.0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a.length; j++) {
        ab += a[i][j] * b[i][j];
        aa += a[i][j] * a[i][j];
        bb += b[i][j] * b[i][j];
      }
    }
    return ab / (Math.sqrt(aa) * Math.sqrt(bb));
  }

  /** Mean of the Euclidean distances over all N² entries, diagonal included. */
  public static double meanDistance(double[][] squaredDistances) {
    int n = squaredDistances.length;
    double s = 0.0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        s += Math.sqrt(squaredDistances[i][j]);
      }
    }
    return s / ((double) n * n);
  }

  /** linspace(0.1, 10·mean(d), size). */
  public static double[] alignmentGrid(double[][] squaredDistances, int size) {
    double lo = 0.1;
    double hi = 10.0 * meanDistance(squaredDistances);
    double[] grid = new double[size];
    for (int i = 0; i < size; i++) {
      grid[i] = lo + i * (hi - lo) / (size - 1);
    }
    return grid;
  }

  /** argmax over the grid of the alignment with the label kernel; ties to the first grid point. */
  public static double alignmentWidth(double[][] squaredDistances, double[][] labelKernel, int gridSize) {
    double[] grid = alignmentGrid(squaredDistances, gridSize);
    double best = Double.NEGATIVE_INFINITY;
    double bestSigma = Double.NaN;
    for (double sigma : grid) {
      double a = alignment(gaussianKernel(squaredDistances, sigma), labelKernel);
      if (a > best) {
        best = a;
        bestSigma = sigma;
      }
    }
    return bestSigma;
  }

  /** The Euclidean distances of the pairs i &lt; j. */
  public static double[] pairDistances(double[][] squaredDistances) {
    int n = squaredDistances.length;
    double[] d = new double[n * (n - 1) / 2];
    int c = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        d[c++] = Math.sqrt(squaredDistances[i][j]);
      }
    }
    return d;
  }

  /** The median of the pairwise distances (mean of the two middle values for an even count). */
  public static double medianWidth(double[][] squaredDistances) {
    double[] d = pairDistances(squaredDistances);
    Arrays.sort(d);
    int m = d.length;
    return m % 2 == 1 ? d[m / 2] : (d[m / 2 - 1] + d[m / 2]) / 2.0;
  }

  /** Mean over samples of the Euclidean distance to the k-th nearest other sample. */
  public static double nearestNeighbourWidth(double[][] squaredDistances, int k) {
    int n = squaredDistances.length;
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
      double[] others = new double[n - 1];
      int c = 0;
      for (int j = 0; j < n; j++) {
        if (j != i) {
          others[c++] = Math.sqrt(squaredDistances[i][j]);
        }
      }
      Arrays.sort(others);
      sum += others[k - 1];
    }
    return sum / n;
  }

  /** Silverman's rule γ·√D·N^(−1/(4+D)). */
  public static double silvermanWidth(long dimension, int n, double gamma) {
    return gamma * Math.sqrt(dimension) * Math.pow(n, -1.0 / (4.0 + dimension));
  }
}
