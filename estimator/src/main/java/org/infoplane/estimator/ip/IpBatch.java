package org.infoplane.estimator.ip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.infoplane.estimator.batch.BatchPlan;
import org.infoplane.estimator.matrix.DistanceMatrix;
import org.infoplane.estimator.matrix.DistancePrecision;
import org.infoplane.estimator.matrix.SquaredDistances;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch of B samples: the input X, a layer's activations T and the labels Y, with the squared
 * distances of X and T computed once, on first use, and kept.
 *
 * <p>Arrays follow the library's convention (first axis = samples, any rank). Not thread-safe.
 */
public final class IpBatch {

  private final INDArray x;
  private final INDArray t;
  private final int[] labels;
  private final int numClasses;
  private DistanceMatrix distancesX;
  private DistanceMatrix distancesT;
  private DistancePrecision precisionX;
  private DistancePrecision precisionT;

  private IpBatch(INDArray x, INDArray t, int[] labels, int numClasses) {
    this.x = x;
    this.t = t;
    this.labels = labels;
    this.numClasses = numClasses;
  }

  /**
   * A batch from whole arrays, validated: equal sample counts (≥ 2), labels in [0, numClasses),
   * finite values.
   *
   * @throws IllegalArgumentException naming what is wrong: the array (X, T, Y), sample and feature
   */
  public static IpBatch of(INDArray x, INDArray t, int[] labels, int numClasses) {
    validate(x, t, labels, numClasses);
    return new IpBatch(x, t, labels.clone(), numClasses);
  }

  /**
   * Cuts a whole evaluation set into batches by a plan (METHOD.md §5), after validating it as
   * {@link #of} does, naming samples by their position in the whole set.
   *
   * @param sampleIds the id of each row (same order as the arrays)
   */
  public static List<IpBatch> cut(
      INDArray x, INDArray t, int[] labels, int numClasses, long[] sampleIds, BatchPlan plan) {
    validate(x, t, labels, numClasses);
    if (sampleIds.length != labels.length) {
      throw new IllegalArgumentException(
          "sample counts differ: " + sampleIds.length + " sample ids for " + labels.length + " samples");
    }
    List<IpBatch> out = new ArrayList<>();
    for (int[] rows : plan.batches(sampleIds)) {
      int[] y = new int[rows.length];
      for (int k = 0; k < rows.length; k++) {
        y[k] = labels[rows[k]];
      }
      out.add(new IpBatch(BatchPlan.rows(x, rows), BatchPlan.rows(t, rows), y, numClasses));
    }
    return out;
  }

  private static void validate(INDArray x, INDArray t, int[] labels, int numClasses) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(t, "t");
    Objects.requireNonNull(labels, "labels");
    if (x.rank() < 1 || t.rank() < 1) {
      throw new IllegalArgumentException("X and T need a sample axis; got shapes "
          + Arrays.toString(x.shape()) + " and " + Arrays.toString(t.shape()));
    }
    long nx = x.size(0);
    long nt = t.size(0);
    if (nx != nt || nx != labels.length) {
      throw new IllegalArgumentException("sample counts differ: X has " + nx + ", T has " + nt
          + ", Y has " + labels.length);
    }
    if (nx < 2) {
      throw new IllegalArgumentException("at least 2 samples are needed, got " + nx);
    }
    if (numClasses < 1) {
      throw new IllegalArgumentException("the number of classes must be >= 1, got " + numClasses);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "Y: label " + labels[i] + " of sample " + i + " is outside [0, " + numClasses + ")");
      }
    }
    SquaredDistances.requireFinite(x, "X");
    SquaredDistances.requireFinite(t, "T");
  }

  /** The input X of the batch (B × …). */
  public INDArray x() {
    return x;
  }

  /** The layer's activations T of the batch (B × …). */
  public INDArray t() {
    return t;
  }

  /** A copy of the labels. */
  public int[] labels() {
    return labels.clone();
  }

  /** The number of classes of the label kernel. */
  public int numClasses() {
    return numClasses;
  }

  /** Number of samples B. */
  public int size() {
    return labels.length;
  }

  /** Features per flattened sample of T. */
  public long dimensionT() {
    return t.length() / t.size(0);
  }

  /** Squared distances of X in double precision, computed on first use. */
  public DistanceMatrix distancesX() {
    return distancesX(DistancePrecision.FLOAT64);
  }

  /** Squared distances of T in double precision, computed on first use. */
  public DistanceMatrix distancesT() {
    return distancesT(DistancePrecision.FLOAT64);
  }

  /** Squared distances of X with Gram products in the given precision, kept for the next call. */
  public DistanceMatrix distancesX(DistancePrecision precision) {
    if (distancesX == null || precisionX != precision) {
      distancesX = SquaredDistances.of(x, precision);
      precisionX = precision;
    }
    return distancesX;
  }

  /** Squared distances of T with Gram products in the given precision, kept for the next call. */
  public DistanceMatrix distancesT(DistancePrecision precision) {
    if (distancesT == null || precisionT != precision) {
      distancesT = SquaredDistances.of(t, precision);
      precisionT = precision;
    }
    return distancesT;
  }
}
