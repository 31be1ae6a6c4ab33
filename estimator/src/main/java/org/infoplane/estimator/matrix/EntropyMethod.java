package org.infoplane.estimator.matrix;

import java.util.Locale;

/**
 * How the matrix-based entropies are computed: exactly from all eigenvalues (LAPACK, O(N³) per
 * matrix), or by the randomized trace estimator of {@link RandomizedRenyiEntropy} (O(N²) per
 * matrix-block product, a fixed number of them), which carries an error estimate.
 *
 * @param randomized false for the exact eigenvalue route
 * @param probes random probe vectors of the stochastic part (randomized only), ≥ 2
 * @param rank dimension of the deflated subspace, whose part of the trace is computed without
 *     probes (randomized only), ≥ 0
 * @param lanczosSteps Lanczos steps per quadrature (randomized only), ≥ 2
 * @param seed seed of the probes: the same input and seed give the same result
 */
public record EntropyMethod(boolean randomized, int probes, int rank, int lanczosSteps, long seed)
    implements java.io.Serializable {

  /** Default number of probe vectors (see docs/benchmarks.md, the trade-off of the randomized method). */
  public static final int DEFAULT_PROBES = 30;
  /** Default dimension of the deflated subspace. */
  public static final int DEFAULT_RANK = 100;
  /** Default Lanczos steps per quadrature. */
  public static final int DEFAULT_LANCZOS_STEPS = 30;

  public EntropyMethod {
    if (randomized) {
      if (probes < 2) {
        throw new IllegalArgumentException("the randomized entropy needs >= 2 probes (for its error estimate), got " + probes);
      }
      if (rank < 0) {
        throw new IllegalArgumentException("the randomized entropy's deflation rank must be >= 0, got " + rank);
      }
      if (lanczosSteps < 2) {
        throw new IllegalArgumentException("the randomized entropy needs >= 2 Lanczos steps, got " + lanczosSteps);
      }
    }
  }

  /** Exact eigenvalues: the default. */
  public static EntropyMethod exact() {
    return new EntropyMethod(false, 0, 0, 0, 0L);
  }

  /** The randomized estimator with the default probes, rank and steps. */
  public static EntropyMethod randomized(long seed) {
    return new EntropyMethod(true, DEFAULT_PROBES, DEFAULT_RANK, DEFAULT_LANCZOS_STEPS, seed);
  }

  /** The randomized estimator with the given parameters. */
  public static EntropyMethod randomized(int probes, int rank, int lanczosSteps, long seed) {
    return new EntropyMethod(true, probes, rank, lanczosSteps, seed);
  }

  /**
   * True when a batch of {@code n} samples is estimated by the randomized route: below
   * 4·(rank + probes) samples its products cost about as much as the exact eigenvalues, and such
   * batches are computed exactly (with an error estimate of 0).
   */
  public boolean randomizesBatchOf(int n) {
    return randomized && n > 4 * (rank + probes);
  }

  /** A canonical form for identifiers, e.g. {@code exact} or {@code randomized(probes=30,rank=100,steps=30,seed=0)}. */
  public String spec() {
    return randomized
        ? String.format(Locale.ROOT, "randomized(probes=%d,rank=%d,steps=%d,seed=%d)", probes, rank, lanczosSteps, seed)
        : "exact";
  }

  @Override
  public String toString() {
    return spec();
  }
}
