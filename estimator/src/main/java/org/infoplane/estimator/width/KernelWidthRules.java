package org.infoplane.estimator.width;

import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalDouble;
import org.infoplane.estimator.matrix.DistanceMatrix;
import org.infoplane.estimator.matrix.KernelAlignment;

/**
 * The kernel-width rules of METHOD.md §4, one factory method each, and a parser for their
 * specification strings.
 *
 * <table>
 *   <caption>Rules</caption>
 *   <tr><th>spec</th><th>rule</th></tr>
 *   <tr><td>{@code alignment[:G]}</td><td>argmax over σ in linspace(0.1, 10·mean(d), G) (G = 300) of
 *       the alignment A(K_σ(T), K_Y); ties go to the smallest σ (Wickstrøm et al.)</td></tr>
 *   <tr><td>{@code fixed:S}</td><td>σ = S</td></tr>
 *   <tr><td>{@code median}</td><td>median of the positive pairwise distances ‖x_i − x_j‖, i &lt; j
 *       (pairs of identical samples carry no scale and are left out)</td></tr>
 *   <tr><td>{@code knn[:K]}</td><td>mean over samples of the distance to the K-th nearest neighbour
 *       (K = 50); where that mean is 0 (many identical samples), the median rule's width</td></tr>
 *   <tr><td>{@code silverman[:γ]}</td><td>σ = γ·√D·N^(−1/(4+D)) with γ = 0.8 (Tapia &amp; Estévez)</td></tr>
 * </table>
 */
public final class KernelWidthRules {

  /** Default number of grid points of the alignment search. */
  public static final int DEFAULT_GRID_SIZE = 300;
  /** Smallest σ of the alignment grid. */
  public static final double GRID_MIN = 0.1;
  /** The grid's largest σ is this factor times the mean pairwise distance. */
  public static final double GRID_MAX_FACTOR = 10.0;
  /** Default k of the nearest-neighbour rule (the authors' first version). */
  public static final int DEFAULT_K = 50;
  /** Default γ of Silverman's rule. */
  public static final double DEFAULT_GAMMA = 0.8;

  private KernelWidthRules() {}

  /** Kernel alignment with the labels over the default grid of 300 points. */
  public static KernelWidthRule alignment() {
    return alignment(DEFAULT_GRID_SIZE);
  }

  /** Kernel alignment with the labels over a grid of {@code gridSize} points (≥ 2). */
  public static KernelWidthRule alignment(int gridSize) {
    if (gridSize < 2) {
      throw new IllegalArgumentException("alignment grid size must be >= 2, got " + gridSize);
    }
    return new Alignment(gridSize);
  }

  /** A fixed width σ &gt; 0. */
  public static KernelWidthRule fixed(double sigma) {
    requirePositive(sigma, "fixed sigma");
    return new Fixed(sigma);
  }

  /** The median heuristic. */
  public static KernelWidthRule median() {
    return Median.INSTANCE;
  }

  /** Mean distance to the k-th nearest neighbour, k ≥ 1 (and k &lt; N at use). */
  public static KernelWidthRule nearestNeighbour(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k of the nearest-neighbour width rule must be >= 1, got " + k);
    }
    return new NearestNeighbour(k);
  }

  /** Silverman's rule σ = γ·√D·N^(−1/(4+D)), γ &gt; 0. */
  public static KernelWidthRule silverman(double gamma) {
    requirePositive(gamma, "silverman gamma");
    return new Silverman(gamma);
  }

  /**
   * Reads a specification string (see the class documentation), case-insensitive.
   *
   * @throws IllegalArgumentException naming the string and the accepted forms when it is not one
   */
  public static KernelWidthRule parse(String spec) {
    String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
    String[] parts = s.split(":", -1);
    if (parts.length > 2) {
      throw badSpec(spec);
    }
    String arg = parts.length == 2 ? parts[1].trim() : null;
    try {
      switch (parts[0].trim()) {
        case "alignment":
          return arg == null ? alignment() : alignment(Integer.parseInt(arg));
        case "fixed":
          if (arg == null) {
            throw badSpec(spec);
          }
          return fixed(Double.parseDouble(arg));
        case "median":
          if (arg != null) {
            throw badSpec(spec);
          }
          return median();
        case "knn":
          return nearestNeighbour(arg == null ? DEFAULT_K : Integer.parseInt(arg));
        case "silverman":
          return silverman(arg == null ? DEFAULT_GAMMA : Double.parseDouble(arg));
        default:
          throw badSpec(spec);
      }
    } catch (NumberFormatException e) {
      throw badSpec(spec);
    }
  }

  private static IllegalArgumentException badSpec(String spec) {
    return new IllegalArgumentException("unknown kernel width rule '" + spec
        + "': expected alignment[:GRID], fixed:SIGMA, median, knn[:K] or silverman[:GAMMA]");
  }

  private static void requirePositive(double v, String name) {
    if (!(v > 0.0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be > 0 and finite, got " + v);
    }
  }

  /** The alignment grid linspace(0.1, 10·mean(d), size) for a batch's distances. */
  public static double[] alignmentGrid(DistanceMatrix distances, int size) {
    double hi = GRID_MAX_FACTOR * distances.meanEuclidean();
    double[] grid = new double[size];
    for (int i = 0; i < size; i++) {
      grid[i] = GRID_MIN + (hi - GRID_MIN) * i / (size - 1);
    }
    return grid;
  }

  private record Alignment(int gridSize) implements KernelWidthRule {
    @Override
    public OptionalDouble select(WidthInput in) {
      if (in.distances().isConstant()) {
        return OptionalDouble.empty();
      }
      double[] grid = alignmentGrid(in.distances(), gridSize);
      double[] curve = KernelAlignment.gaussianAlignmentCurve(in.distances(), in.labelKernel(), grid, null);
      int best = 0;
      for (int i = 1; i < grid.length; i++) {
        // Ties go to the smallest sigma (the grid may decrease when the distances are tiny).
        if (curve[i] > curve[best] || (curve[i] == curve[best] && grid[i] < grid[best])) {
          best = i;
        }
      }
      return OptionalDouble.of(grid[best]);
    }

    @Override
    public String spec() {
      return gridSize == DEFAULT_GRID_SIZE ? "alignment" : "alignment:" + gridSize;
    }
  }

  private record Fixed(double sigma) implements KernelWidthRule {
    @Override
    public OptionalDouble select(WidthInput in) {
      return in.distances().isConstant() ? OptionalDouble.empty() : OptionalDouble.of(sigma);
    }

    @Override
    public String spec() {
      return "fixed:" + sigma;
    }
  }

  private enum Median implements KernelWidthRule {
    INSTANCE;

    @Override
    public OptionalDouble select(WidthInput in) {
      if (in.distances().isConstant()) {
        return OptionalDouble.empty();
      }
      return OptionalDouble.of(medianPositive(in.distances()));
    }

    @Override
    public String spec() {
      return "median";
    }
  }

  private record NearestNeighbour(int k) implements KernelWidthRule {
    @Override
    public OptionalDouble select(WidthInput in) {
      DistanceMatrix dm = in.distances();
      int n = dm.size();
      if (k >= n) {
        throw new IllegalArgumentException(
            "the k-th nearest neighbour width rule needs k < batch size, got k=" + k + " with " + n + " samples");
      }
      if (dm.isConstant()) {
        return OptionalDouble.empty();
      }
      double[] row = new double[n - 1];
      double sum = 0.0;
      for (int i = 0; i < n; i++) {
        int c = 0;
        for (int j = 0; j < n; j++) {
          if (j != i) {
            row[c++] = dm.squared(i, j);
          }
        }
        Arrays.sort(row);
        sum += Math.sqrt(row[k - 1]);
      }
      double mean = sum / n;
      return OptionalDouble.of(mean > 0.0 ? mean : medianPositive(dm));
    }

    @Override
    public String spec() {
      return "knn:" + k;
    }
  }

  private record Silverman(double gamma) implements KernelWidthRule {
    @Override
    public OptionalDouble select(WidthInput in) {
      if (in.distances().isConstant()) {
        return OptionalDouble.empty();
      }
      double d = in.dimension();
      double n = in.distances().size();
      return OptionalDouble.of(gamma * Math.sqrt(d) * Math.pow(n, -1.0 / (4.0 + d)));
    }

    @Override
    public String spec() {
      return "silverman:" + gamma;
    }
  }

  /** Median of the positive pair distances of a non-constant batch (there is at least one). */
  private static double medianPositive(DistanceMatrix distances) {
    double[] d = distances.sortedPairDistances();
    int first = 0;
    while (d[first] == 0.0) {
      first++;
    }
    int m = d.length - first;
    int mid = first + m / 2;
    return (m % 2 == 1) ? d[mid] : 0.5 * (d[mid - 1] + d[mid]);
  }
}
