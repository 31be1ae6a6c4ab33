package org.infoplane.estimator.width;

import java.util.Locale;
import java.util.Objects;
import org.infoplane.estimator.matrix.DistanceMatrix;
import org.infoplane.estimator.matrix.KernelConvention;

/**
 * The grid of the kernel-alignment width search (METHOD.md §4) and what happens at its edges.
 *
 * <p>The base grid is linspace(start, endFactor·m, size), m the mean pairwise Euclidean distance of
 * the batch: over all N² entries, diagonal included ({@code meanOffDiagonal = false}, the paper and
 * the authors' code), or over the N(N−1)/2 pairs (SolidusAbi/IPDL). When endFactor·m &lt; start the
 * grid runs backwards (a layer of tiny activations such as a softmax); it is searched as given, its
 * smallest and largest points being its edges.
 *
 * <p>Edges ({@code extendEdges}): a maximum on the grid's smallest σ is no maximum. The search then
 * goes on below it, a decade at a time: linspace(max(σ_lo/10, b_lo), σ_lo, size), until the maximum
 * is interior or the bound b_lo = d_min/10 is reached (d_min the smallest positive pair distance:
 * below it every off-diagonal kernel entry is under e^−100 and the kernel is the identity). A maximum
 * on the largest σ goes on above it: linspace(σ_hi, min(10·σ_hi, b_hi), size), up to b_hi = 10·d_max
 * (every kernel entry above e^−0.01: the kernel is all ones). A search that ends on a bound, or
 * on an edge without extension, is reported as on the edge. Bounds are widths of the kernel
 * convention, divided by √c.
 *
 * @param start σ of the grid's first point, &gt; 0 (0.1)
 * @param endFactor the last point is this factor times the mean distance, &gt; 0 (10)
 * @param size points of the base grid and of each extension, ≥ 2 (300)
 * @param meanOffDiagonal the mean distance over the pairs i ≠ j instead of all N² entries
 * @param extendEdges search past an edge that holds the maximum
 * @param convention how σ is read by the kernel whose alignment is maximised
 */
public record AlignmentGrid(double start, double endFactor, int size, boolean meanOffDiagonal, boolean extendEdges,
    KernelConvention convention) {

  public static final double DEFAULT_START = 0.1;
  public static final double DEFAULT_END_FACTOR = 10.0;
  public static final int DEFAULT_SIZE = 300;
  /** Each extension goes down (up) by at most this factor. */
  static final double DECADE = 10.0;

  public AlignmentGrid {
    if (!(start > 0.0) || Double.isInfinite(start)) {
      throw new IllegalArgumentException("alignment grid start must be > 0 and finite, got " + start);
    }
    if (!(endFactor > 0.0) || Double.isInfinite(endFactor)) {
      throw new IllegalArgumentException("alignment grid end factor must be > 0 and finite, got " + endFactor);
    }
    if (size < 2) {
      throw new IllegalArgumentException("alignment grid size must be >= 2, got " + size);
    }
    Objects.requireNonNull(convention, "convention");
  }

  /** The paper's grid, METHOD.md §4: linspace(0.1, 10·mean d, 300), mean over N², edges extended. */
  public static AlignmentGrid paper() {
    return new AlignmentGrid(DEFAULT_START, DEFAULT_END_FACTOR, DEFAULT_SIZE, false, true,
        KernelConvention.SIGMA_SQUARED);
  }

  public AlignmentGrid withSize(int s) {
    return new AlignmentGrid(start, endFactor, s, meanOffDiagonal, extendEdges, convention);
  }

  /** The base grid for a batch's distances. */
  public double[] base(DistanceMatrix distances) {
    double mean = meanOffDiagonal ? distances.meanEuclideanOffDiagonal() : distances.meanEuclidean();
    return linspace(start, endFactor * mean, size);
  }

  /** The lowest width an extension goes down to. */
  double lowerBound(DistanceMatrix distances) {
    return distances.minPositiveEuclidean() / DECADE / convention.effectiveWidth(1.0);
  }

  /** The highest width an extension goes up to. */
  double upperBound(DistanceMatrix distances) {
    return DECADE * distances.maxEuclidean() / convention.effectiveWidth(1.0);
  }

  /** numpy/torch linspace: a + (b − a)·i/(size − 1). */
  static double[] linspace(double a, double b, int size) {
    double[] g = new double[size];
    for (int i = 0; i < size - 1; i++) {
      g[i] = a + (b - a) * i / (size - 1);
    }
    // The last point is the end itself (as numpy.linspace does): a + (b − a) can round to 0 when b is
    // below half an ulp of a, and would then be no width at all.
    g[size - 1] = b;
    return g;
  }

  /** A canonical description, part of the width configuration's key. */
  public String spec() {
    return String.format(Locale.ROOT, "start=%s,end=%s,size=%d,mean=%s,edges=%s,kernel=%s", start, endFactor, size,
        meanOffDiagonal ? "off-diagonal" : "all", extendEdges ? "extend" : "keep", convention.spec());
  }
}
