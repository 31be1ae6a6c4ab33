package org.infoplane.estimator.ip;

import java.util.Objects;
import java.util.OptionalDouble;
import org.infoplane.estimator.matrix.DistanceMatrix;
import org.infoplane.estimator.matrix.KernelMatrix;
import org.infoplane.estimator.matrix.RenyiEntropy;
import org.infoplane.estimator.width.WidthInput;

/**
 * Matrix-based Rényi α-entropy with the tensor kernel (Wickstrøm et al., Entropy 25(6):899, 2023):
 * the estimator that made information-plane analysis work for convolutional networks.
 *
 * <p>κ(X_i, X_j) = exp(−‖X_i − X_j‖_F² / σ²) on each sample's activations of any rank (a Gaussian
 * kernel on the flattened tensor), σ_X fixed for the input, the one-hot label kernel with σ_Y, and
 * σ_T chosen by a {@link org.infoplane.estimator.width.KernelWidthRule}. Then
 * I(X;T) = S(X) + S(T) − S(X,T) and I(T;Y) = S(T) + S(Y) − S(T,Y), in bits.
 *
 * <p>The batch-level methods of {@link InformationPlaneEstimator} are backed by a distance-level
 * API that the Spark jobs use: {@link #prepareInputs} once per run, split and batch (X and Y do not
 * change across layers and checkpoints), then {@link #selectWidth(InputTerms, DistanceMatrix, long)}
 * and {@link #estimate(InputTerms, DistanceMatrix, OptionalDouble)} per layer and checkpoint. A
 * constant layer (all distances 0) has S(T) = I(X;T) = I(T;Y) = 0 and no width.
 */
public final class RenyiTensorKernelEstimator implements InformationPlaneEstimator {

  /** Identifier in result tables. */
  public static final String NAME = "renyi-tensor";

  private final RenyiSettings settings;
  private final RenyiEntropy entropy;

  RenyiTensorKernelEstimator(RenyiSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.entropy = new RenyiEntropy(settings.alpha(), settings.eigenvalueOffset());
  }

  /**
   * The batch's input and label terms: K_X, K_Y, S(X), S(Y).
   *
   * @param kx Gaussian kernel of the inputs with σ_X
   * @param ky label kernel with σ_Y
   * @param hX S(X) in bits
   * @param hY S(Y) in bits
   */
  public record InputTerms(KernelMatrix kx, KernelMatrix ky, double hX, double hY) {}

  @Override
  public String name() {
    return NAME;
  }

  public RenyiSettings settings() {
    return settings;
  }

  /** Computes the terms of X and Y for one batch (once per run, split and batch). */
  public InputTerms prepareInputs(DistanceMatrix distancesX, int[] labels, int numClasses) {
    if (labels.length != distancesX.size()) {
      throw new IllegalArgumentException("sample counts differ: X has " + distancesX.size()
          + ", Y has " + labels.length);
    }
    KernelMatrix kx = KernelMatrix.gaussian(distancesX, settings.convention().effectiveWidth(settings.sigmaX()));
    KernelMatrix ky = labelKernel(labels, numClasses);
    return new InputTerms(kx, ky, entropy.entropy(kx), entropy.entropy(ky));
  }

  /** The label kernel of a batch under these settings' σ_Y and kernel convention. */
  public KernelMatrix labelKernel(int[] labels, int numClasses) {
    return KernelMatrix.labels(labels, numClasses, settings.convention().effectiveWidth(settings.sigmaY()));
  }

  /** The width rule's choice for a layer's batch; empty for a constant layer. */
  public OptionalDouble selectWidth(InputTerms inputs, DistanceMatrix distancesT, long dimensionT) {
    return settings.widthRule().select(new WidthInput(distancesT, dimensionT, inputs.ky()));
  }

  /** The information-plane point of a layer's batch with the given width. */
  public IpEstimate estimate(InputTerms inputs, DistanceMatrix distancesT, OptionalDouble sigmaT) {
    if (distancesT.size() != inputs.kx().size()) {
      throw new IllegalArgumentException("sample counts differ: X has " + inputs.kx().size()
          + ", T has " + distancesT.size());
    }
    if (distancesT.isConstant()) {
      return new IpEstimate(inputs.hX(), 0.0, inputs.hY(), 0.0, 0.0, OptionalDouble.empty());
    }
    if (sigmaT.isEmpty()) {
      throw new IllegalArgumentException("a kernel width for T is needed: the layer is not constant");
    }
    KernelMatrix kt = KernelMatrix.gaussian(distancesT, settings.convention().effectiveWidth(sigmaT.getAsDouble()));
    double hT = entropy.entropy(kt);
    double hXT = entropy.jointEntropy(inputs.kx(), kt);
    double hTY = entropy.jointEntropy(kt, inputs.ky());
    return new IpEstimate(inputs.hX(), hT, inputs.hY(), inputs.hX() + hT - hXT, hT + inputs.hY() - hTY, sigmaT);
  }

  @Override
  public OptionalDouble selectWidth(IpBatch batch) {
    DistanceMatrix dt = batch.distancesT(settings.distancePrecision());
    return settings.widthRule().select(new WidthInput(dt, batch.dimensionT(), labelKernel(batch.labels(), batch.numClasses())));
  }

  @Override
  public IpEstimate estimate(IpBatch batch, OptionalDouble sigmaT) {
    InputTerms in = prepareInputs(batch.distancesX(settings.distancePrecision()), batch.labels(), batch.numClasses());
    return estimate(in, batch.distancesT(settings.distancePrecision()), sigmaT);
  }

  @Override
  public String toString() {
    return NAME + settings;
  }
}
