package org.infoplane.estimator.ip;

import java.math.BigDecimal;
import java.util.OptionalDouble;
import org.infoplane.estimator.matrix.DistanceMatrix;

/**
 * The kernel-density upper bound of Kolchinsky &amp; Tracey ("Estimating mixture entropy with
 * pairwise distances", Entropy 19(7):361, 2017), as Saxe et al. ("On the information bottleneck
 * theory of deep learning", ICLR 2018) use it for the information plane: Gaussian noise Z of
 * variance s² per unit (0.1 by default) is added to the layer, and with X uniform over the batch's
 * N samples, T + Z is a mixture of N Gaussians N(t_i, s²·I) in d = {@link IpBatch#dimensionT()}
 * dimensions. Its entropy has the pairwise-distance upper bound (natural logarithms here)
 *
 * <pre>
 *   h(T + Z) ≤ d/2·ln(2πe·s²) − (1/N) Σ_i ln( (1/N) Σ_j exp(−‖t_i − t_j‖² / (2 s²)) ),
 * </pre>
 *
 * and h(T + Z | X) = h(Z) = d/2·ln(2πe·s²) exactly, so
 *
 * <pre>
 *   I(X;T) ≤ −(1/N) Σ_i ln( (1/N) Σ_j exp(−‖t_i − t_j‖² / (2 s²)) )
 *   I(T;Y) = Ĥ(T) − Σ_y p(y)·Ĥ(T | Y = y),
 * </pre>
 *
 * where Ĥ(T | Y = y) is the same bound over the N_y samples of class y alone and p(y) = N_y / N
 * (the batch's class frequencies). I(T;Y) is a difference of two upper bounds, an estimate rather
 * than a bound. Squared distances come from {@link IpBatch#distancesT()} (double precision, the
 * tensor-kernel convention: flattened samples).
 *
 * <p><b>What it reports</b> ({@link IpEstimate}, all in bits):
 *
 * <ul>
 *   <li>{@code iXT}: the upper bound on I(X;T) above; 0 ≤ iXT ≤ log2 N, 0 exactly for a constant
 *       layer, log2 N when all samples are far apart (compared with s);
 *   <li>{@code iTY}: the estimate of I(T;Y) above. It equals H(Y) + (1/N) Σ_i ln(S_i^y / S_i), with
 *       S_i the row sum Σ_j exp(…) and S_i^y its part over i's own class, so it is at most H(Y);
 *       and each class's bound is ≥ 0, so it is at most iXT;
 *   <li>{@code hT}: the bound on h(T + Z) measured from the noise's entropy, h(T + Z) − h(Z), which
 *       equals iXT. It is the layer's entropy on the scale of the other estimators (0 for a
 *       constant layer, at most log2 N); the absolute differential-entropy bound, which adds
 *       d/2·log2(2πe·s²) bits and so grows with the layer's width, is {@link #entropyUpperBound};
 *   <li>{@code hX}: H(X), the plug-in entropy of the batch's distinct input rows (log2 N when they
 *       are all distinct): the entropy of X in the bound's own model, X uniform over the samples.
 *       When equal inputs have equal activations (a deterministic network), iXT ≤ hX;
 *   <li>{@code hY}: H(Y), the plug-in entropy of the batch's class frequencies;
 *   <li>{@code sigmaT}: empty; the noise variance is fixed and part of {@link #name()}.
 * </ul>
 *
 * <p>Numerics: row i's largest term is its own, exp(0) = 1, so the row sum S_i = Σ_j
 * exp(−D_ij/(2s²)) is the log-sum-exp with its maximum factored out (a shift of 0): S_i ∈ [1, N],
 * which neither overflows nor underflows, whatever the distances. A constant layer has S_i = N
 * exactly, hence a bound of exactly 0. O(N²) exponentials per batch. Immutable and thread-safe.
 */
public final class KdeUpperBoundEstimator implements InformationPlaneEstimator {

  /** The family's name; {@link #name()} appends the noise variance. */
  public static final String NAME = "kde-upper";

  /** The noise variance of Saxe et al. */
  public static final double DEFAULT_NOISE_VARIANCE = 0.1;

  private static final double LN2 = Math.log(2.0);

  private final double noiseVariance;

  KdeUpperBoundEstimator(double noiseVariance) {
    if (!(noiseVariance > 0.0) || Double.isInfinite(noiseVariance)) {
      throw new IllegalArgumentException(
          "the kde-upper estimator needs a noise variance that is finite and > 0, got " + noiseVariance);
    }
    this.noiseVariance = noiseVariance;
  }

  /** {@code kde-upper-VARIANCE}, e.g. {@code kde-upper-0.1}: a name {@link InformationPlaneEstimators#byName} reads back. */
  @Override
  public String name() {
    return NAME + "-" + BigDecimal.valueOf(noiseVariance).stripTrailingZeros().toPlainString();
  }

  /** The variance s² of the Gaussian noise added to every unit of the layer. */
  public double noiseVariance() {
    return noiseVariance;
  }

  /** Always empty: the bound uses the fixed noise variance, no kernel width. */
  @Override
  public OptionalDouble selectWidth(IpBatch batch) {
    return OptionalDouble.empty();
  }

  @Override
  public IpEstimate estimate(IpBatch batch, OptionalDouble ignored) {
    int n = batch.size();
    int[] y = batch.labels();
    Sums sums = sums(batch.distancesT(), y, batch.numClasses());
    double iXT = sums.boundNats / LN2;
    double iTY = (sums.boundNats - sums.classBoundNats) / LN2;
    double hX = BinningEstimator.entropy(BinningEstimator.exactSymbols(batch.x(), n));
    double hY = BinningEstimator.entropy(y);
    return new IpEstimate(hX, iXT, hY, iXT, iTY, OptionalDouble.empty());
  }

  /**
   * The upper bound on the differential entropy h(T + Z) of the layer with the noise added, in bits:
   * {@link #noiseEntropy}(d) plus the batch's {@code hT}.
   */
  public double entropyUpperBound(IpBatch batch) {
    Sums sums = sums(batch.distancesT(), batch.labels(), batch.numClasses());
    return noiseEntropy(batch.dimensionT()) + sums.boundNats / LN2;
  }

  /** The noise's differential entropy h(Z) = d/2·log2(2πe·s²) in d dimensions, bits (negative for a small s²). */
  public double noiseEntropy(long dimension) {
    return 0.5 * dimension * Math.log(2.0 * Math.PI * Math.E * noiseVariance) / LN2;
  }

  /**
   * The bound's two sums, in nats: {@code boundNats} = −(1/N) Σ_i ln((1/N) Σ_j k_ij) and
   * {@code classBoundNats} = Σ_y (N_y/N)·(the same over class y's samples), k_ij = exp(−D_ij/(2s²)).
   */
  private record Sums(double boundNats, double classBoundNats) {}

  private Sums sums(DistanceMatrix d, int[] y, int numClasses) {
    int n = y.length;
    double scale = -0.5 / noiseVariance;
    double[] rest = new double[n]; // Σ_{j≠i} k_ij
    double[] restInClass = new double[n]; // Σ_{j≠i, y_j = y_i} k_ij
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double k = Math.exp(scale * d.squared(i, j));
        rest[i] += k;
        rest[j] += k;
        if (y[i] == y[j]) {
          restInClass[i] += k;
          restInClass[j] += k;
        }
      }
    }
    int[] count = new int[numClasses];
    for (int c : y) {
      count[c]++;
    }
    // −(1/N) Σ_i ln(S_i / N) with S_i = 1 + rest_i ∈ [1, N]; per class the same with N_y
    double bound = 0.0;
    double classBound = 0.0;
    for (int i = 0; i < n; i++) {
      bound -= Math.log((1.0 + rest[i]) / n);
      classBound -= Math.log((1.0 + restInClass[i]) / count[y[i]]);
    }
    return new Sums(bound / n, classBound / n);
  }
}
