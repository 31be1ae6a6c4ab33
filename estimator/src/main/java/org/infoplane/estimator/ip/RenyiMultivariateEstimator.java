package org.infoplane.estimator.ip;

import java.util.Objects;
import java.util.OptionalDouble;
import org.infoplane.estimator.matrix.DistanceMatrix;
import org.infoplane.estimator.matrix.KernelMatrix;
import org.infoplane.estimator.matrix.RenyiEntropy;
import org.infoplane.estimator.width.KernelWidthRule;
import org.infoplane.estimator.width.WidthInput;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The multivariate matrix-based Rényi estimator of Yu et al. (IEEE TPAMI 2019), offered as a
 * comparison: one Gaussian kernel per channel, multiplied element-wise (Hadamard) into the layer's
 * kernel K_T = K_1 ∘ … ∘ K_C.
 *
 * <p>Channels are axis 1 of a layer of rank ≥ 3 (N × C × H × W: channel c is the H×W map), and
 * every unit of a dense layer (N × D: C = D one-dimensional channels).
 *
 * <ul>
 *   <li>With a common width (the {@code sigmaT} argument of {@link #estimate}) the product equals
 *       the tensor kernel exactly, since ‖X‖_F² = Σ_c ‖X^c‖_F² (METHOD.md §6, property 8).
 *   <li>Without one (the default: {@link #selectWidth} returns empty), each channel gets its own
 *       width from the channel rule (Silverman's by default). With hundreds of channels every
 *       off-diagonal entry of the product is driven to 0, A → I/N, and S(T) saturates at log2 N:
 *       the failure that motivates the tensor kernel (Wickstrøm et al., 2023).
 * </ul>
 *
 * <p>X and Y use the same kernels as {@link RenyiTensorKernelEstimator}. Channels that are
 * constant on the batch contribute a kernel of ones and are skipped.
 */
public final class RenyiMultivariateEstimator implements InformationPlaneEstimator {

  /** Identifier in result tables. */
  public static final String NAME = "renyi-multivariate";

  private final RenyiSettings settings;
  private final KernelWidthRule channelRule;
  private final RenyiEntropy entropy;

  RenyiMultivariateEstimator(RenyiSettings settings, KernelWidthRule channelRule) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.channelRule = Objects.requireNonNull(channelRule, "channelRule");
    this.entropy = new RenyiEntropy(settings.alpha(), settings.eigenvalueOffset());
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Always empty: each channel picks its own width inside {@link #estimate}. */
  @Override
  public OptionalDouble selectWidth(IpBatch batch) {
    return OptionalDouble.empty();
  }

  @Override
  public IpEstimate estimate(IpBatch batch, OptionalDouble commonSigma) {
    int n = batch.size();
    KernelMatrix ky = KernelMatrix.labels(batch.labels(), batch.numClasses(),
        settings.convention().effectiveWidth(settings.sigmaY()));
    KernelMatrix kx = KernelMatrix.gaussian(batch.distancesX(settings.distancePrecision()),
        settings.convention().effectiveWidth(settings.sigmaX()));
    double hX = entropy.entropy(kx);
    double hY = entropy.entropy(ky);

    INDArray t = batch.t();
    int channels = t.rank() >= 3 ? (int) t.size(1) : t.rank() == 2 ? (int) t.size(1) : 1;
    int perChannel = (int) (t.length() / n / channels);
    double[] v = t.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    int stride = channels * perChannel;

    KernelMatrix kt = null;
    double[] d = new double[n * n];
    for (int c = 0; c < channels; c++) {
      boolean constant = true;
      for (int i = 0; i < n; i++) {
        int bi = i * stride + c * perChannel;
        for (int j = i + 1; j < n; j++) {
          int bj = j * stride + c * perChannel;
          double s = 0.0;
          for (int r = 0; r < perChannel; r++) {
            double diff = v[bi + r] - v[bj + r];
            s += diff * diff;
          }
          d[i * n + j] = s;
          d[j * n + i] = s;
          constant &= s == 0.0;
        }
      }
      if (constant) {
        continue;
      }
      DistanceMatrix dc = DistanceMatrix.of(n, d);
      OptionalDouble sigma = commonSigma.isPresent()
          ? commonSigma
          : channelRule.select(new WidthInput(dc, perChannel, ky));
      if (sigma.isEmpty()) {
        continue;
      }
      KernelMatrix kc = KernelMatrix.gaussian(dc, settings.convention().effectiveWidth(sigma.getAsDouble()));
      kt = kt == null ? kc : kt.hadamard(kc);
    }
    if (kt == null) {
      return new IpEstimate(hX, 0.0, hY, 0.0, 0.0, OptionalDouble.empty());
    }
    double hT = entropy.entropy(kt);
    double hXT = entropy.jointEntropy(kx, kt);
    double hTY = entropy.jointEntropy(kt, ky);
    return new IpEstimate(hX, hT, hY, hX + hT - hXT, hT + hY - hTY, commonSigma);
  }

  @Override
  public String toString() {
    return NAME + settings + "[channels " + channelRule.spec() + "]";
  }
}
