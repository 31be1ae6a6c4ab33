package org.infoplane.estimator.width;

import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalDouble;
import org.infoplane.estimator.matrix.DistanceMatrix;
import org.infoplane.estimator.matrix.AlignmentSearch;
import org.infoplane.estimator.matrix.KernelConvention;
import org.infoplane.estimator.matrix.KernelMatrix;

/**
 * The kernel-width rules of METHOD.md §4, one factory method each, and a parser for their
 * specification strings.
 *
 * <table>
 *   <caption>Rules</caption>
 *   <tr><th>spec</th><th>rule</th></tr>
 *   <tr><td>{@code alignment[:G]}</td><td>argmax over σ in linspace(0.1, 10·mean(d), G) (G = 300) of
 *       the alignment A(K_σ(T), K_Y); ties go to the smallest σ (Wickstrøm et al.); a maximum on
 *       the grid's edge extends the search past it ({@link AlignmentGrid})</td></tr>
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
  public static final double GRID_MIN = AlignmentGrid.DEFAULT_START;
  /** The grid's largest σ is this factor times the mean pairwise distance. */
  public static final double GRID_MAX_FACTOR = AlignmentGrid.DEFAULT_END_FACTOR;
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
    return new Alignment(AlignmentGrid.paper().withSize(gridSize));
  }

  /** Kernel alignment with the labels over a grid of any shape (see {@link AlignmentGrid}). */
  public static KernelWidthRule alignment(AlignmentGrid grid) {
    return new Alignment(java.util.Objects.requireNonNull(grid, "grid"));
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
    return parse(spec, AlignmentGrid.paper());
  }

  /**
   * Reads a specification string; {@code alignment} searches {@code grid}, and {@code alignment:G}
   * the same grid with G points.
   */
  public static KernelWidthRule parse(String spec, AlignmentGrid grid) {
    String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
    String[] parts = s.split(":", -1);
    if (parts.length > 2) {
      throw badSpec(spec);
    }
    String arg = parts.length == 2 ? parts[1].trim() : null;
    try {
      switch (parts[0].trim()) {
        case "alignment":
          if (arg == null) {
            return alignment(grid);
          }
          int size = Integer.parseInt(arg);
          if (size < 2) {
            throw new IllegalArgumentException("alignment grid size must be >= 2, got " + size);
          }
          return alignment(grid.withSize(size));
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
    return AlignmentGrid.paper().withSize(size).base(distances);
  }

  /**
   * The index of the alignment curve's maximum over a grid of widths (exp(−d/σ²) kernels), ties to
   * the smallest σ. Every grid search of these rules goes through here.
   */
  private static int argmaxOnGrid(DistanceMatrix distances, KernelMatrix labelKernel, double[] grid) {
    // The exhaustive scan's grid point (first maximum, ties to the smallest sigma: the grid may
    // decrease when the distances are tiny), found by bounds without evaluating the whole curve.
    return AlignmentSearch.argmax(distances, labelKernel, grid);
  }

  /** The argmax of the alignment over a grid of widths of the given convention. */
  private static int argmaxOnGrid(WidthInput in, double[] grid, KernelConvention convention) {
    double[] effective = grid;
    if (convention != KernelConvention.SIGMA_SQUARED) {
      effective = new double[grid.length];
      for (int i = 0; i < grid.length; i++) {
        effective[i] = convention.effectiveWidth(grid[i]);
      }
    }
    return argmaxOnGrid(in.distances(), in.labelKernel(), effective);
  }

  /**
   * The alignment search of {@link AlignmentGrid}: the base grid, then extensions past an edge
   * that holds the maximum, a decade at a time, until the maximum is interior or a bound is reached.
   */
  static WidthChoice alignmentSearch(WidthInput in, AlignmentGrid g) {
    DistanceMatrix d = in.distances();
    double[] base = g.base(d);
    double sigma = base[argmaxOnGrid(in, base, g.convention())];
    double lo = Math.min(base[0], base[base.length - 1]);
    double hi = Math.max(base[0], base[base.length - 1]);
    boolean atLow = sigma == lo;
    boolean atHigh = !atLow && sigma == hi;
    if (!g.extendEdges()) {
      return new WidthChoice(OptionalDouble.of(sigma), atLow || atHigh);
    }
    double lowBound = g.lowerBound(d);
    double highBound = g.upperBound(d);
    while (atLow && lo > lowBound) {
      double next = Math.max(lowBound, lo / AlignmentGrid.DECADE);
      double[] seg = AlignmentGrid.linspace(next, lo, g.size());
      int b = argmaxOnGrid(in, seg, g.convention());
      sigma = seg[b];
      lo = next;
      atLow = b == 0;
    }
    while (atHigh && hi < highBound) {
      double next = Math.min(highBound, hi * AlignmentGrid.DECADE);
      double[] seg = AlignmentGrid.linspace(hi, next, g.size());
      int b = argmaxOnGrid(in, seg, g.convention());
      sigma = seg[b];
      hi = next;
      atHigh = b == seg.length - 1;
    }
    return new WidthChoice(OptionalDouble.of(sigma), atLow || atHigh);
  }

  private record Alignment(AlignmentGrid grid) implements KernelWidthRule {
    @Override
    public OptionalDouble select(WidthInput in) {
      return choose(in).sigma();
    }

    @Override
    public WidthChoice choose(WidthInput in) {
      if (in.distances().isConstant()) {
        return WidthChoice.of(OptionalDouble.empty());
      }
      return alignmentSearch(in, grid);
    }

    @Override
    public String spec() {
      return grid.size() == DEFAULT_GRID_SIZE ? "alignment" : "alignment:" + grid.size();
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
