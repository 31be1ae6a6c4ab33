package org.infoplane.estimator.verdict;

/**
 * One run's estimates of one layer on one split over training: C checkpoints in training order,
 * each estimated on the same B batches (batch b holds the same samples at every checkpoint and
 * layer of the run and split, so two checkpoints are compared by a paired test; METHOD.md §5, §10).
 * Bits throughout.
 *
 * <p>Shapes: {@code steps} has length C ≥ 1, strictly increasing; {@code ixt}, {@code ity} and
 * {@code ht} are C × B with B ≥ 1, indexed [checkpoint][batch]. All values finite. The arrays are
 * copied on construction and on every access, so a Series never changes.
 *
 * @param run the run's name, for messages
 * @param steps the training step of each checkpoint
 * @param ixt I(X;T) of checkpoint c on batch b, bits
 * @param ity I(T;Y) of checkpoint c on batch b, bits
 * @param ht S(T) of checkpoint c on batch b, bits (0 everywhere for a constant layer)
 */
public record Series(String run, double[] steps, double[][] ixt, double[][] ity, double[][] ht) {

  public Series {
    if (run == null) {
      throw new IllegalArgumentException("run is null");
    }
    if (steps == null || steps.length == 0) {
      throw new IllegalArgumentException("run " + run + ": no checkpoints");
    }
    int c = steps.length;
    for (int k = 0; k < c; k++) {
      if (!Double.isFinite(steps[k])) {
        throw new IllegalArgumentException("run " + run + ": step of checkpoint " + k + " is not finite: " + steps[k]);
      }
      if (k > 0 && !(steps[k] > steps[k - 1])) {
        throw new IllegalArgumentException("run " + run + ": checkpoints must be in training order, checkpoint " + k
            + " has step " + steps[k] + " after " + steps[k - 1]);
      }
    }
    int b = batchCount(run, "ixt", ixt, c);
    requireShape(run, "ixt", ixt, c, b);
    requireShape(run, "ity", ity, c, b);
    requireShape(run, "ht", ht, c, b);
    steps = steps.clone();
    ixt = copy(ixt);
    ity = copy(ity);
    ht = copy(ht);
  }

  /** A copy of the steps. */
  @Override
  public double[] steps() {
    return steps.clone();
  }

  /** A copy of I(X;T), [checkpoint][batch], bits. */
  @Override
  public double[][] ixt() {
    return copy(ixt);
  }

  /** A copy of I(T;Y), [checkpoint][batch], bits. */
  @Override
  public double[][] ity() {
    return copy(ity);
  }

  /** A copy of S(T), [checkpoint][batch], bits. */
  @Override
  public double[][] ht() {
    return copy(ht);
  }

  /** Equal when the run and every value are equal (records compare arrays by reference). */
  @Override
  public boolean equals(Object o) {
    return o instanceof Series other
        && run.equals(other.run)
        && java.util.Arrays.equals(steps, other.steps)
        && java.util.Arrays.deepEquals(ixt, other.ixt)
        && java.util.Arrays.deepEquals(ity, other.ity)
        && java.util.Arrays.deepEquals(ht, other.ht);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(run, java.util.Arrays.hashCode(steps), java.util.Arrays.deepHashCode(ixt));
  }

  @Override
  public String toString() {
    return "Series[run=" + run + ", checkpoints=" + steps.length + ", batches=" + ixt[0].length + "]";
  }

  /** C, the number of checkpoints. */
  public int checkpoints() {
    return steps.length;
  }

  /** B, the number of batches of every checkpoint. */
  public int batches() {
    return ixt[0].length;
  }

  /** Whether S(T) is 0 on every batch of every checkpoint: a constant (dead) layer. */
  public boolean constant() {
    for (double[] row : ht) {
      for (double v : row) {
        if (v != 0.0) {
          return false;
        }
      }
    }
    return true;
  }

  private static int batchCount(String run, String name, double[][] values, int c) {
    if (values == null || values.length != c) {
      throw new IllegalArgumentException("run " + run + ": " + name + " has "
          + (values == null ? "no" : String.valueOf(values.length)) + " checkpoints, steps has " + c);
    }
    if (values[0] == null || values[0].length == 0) {
      throw new IllegalArgumentException("run " + run + ": " + name + " checkpoint 0 has no batches");
    }
    return values[0].length;
  }

  private static void requireShape(String run, String name, double[][] values, int c, int b) {
    if (values == null || values.length != c) {
      throw new IllegalArgumentException("run " + run + ": " + name + " has "
          + (values == null ? "no" : String.valueOf(values.length)) + " checkpoints, steps has " + c);
    }
    for (int k = 0; k < c; k++) {
      if (values[k] == null || values[k].length != b) {
        throw new IllegalArgumentException("run " + run + ": " + name + " checkpoint " + k + " has "
            + (values[k] == null ? 0 : values[k].length) + " batches, expected " + b);
      }
      for (int j = 0; j < b; j++) {
        if (!Double.isFinite(values[k][j])) {
          throw new IllegalArgumentException("run " + run + ": " + name + " checkpoint " + k + " batch " + j
              + " is not finite: " + values[k][j]);
        }
      }
    }
  }

  private static double[][] copy(double[][] values) {
    double[][] out = new double[values.length][];
    for (int k = 0; k < values.length; k++) {
      out[k] = values[k].clone();
    }
    return out;
  }
}
