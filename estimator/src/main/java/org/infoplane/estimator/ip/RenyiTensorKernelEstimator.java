package org.infoplane.estimator.ip;

import java.util.Objects;
import java.util.OptionalDouble;
import org.infoplane.estimator.matrix.DistanceMatrix;
import org.infoplane.estimator.matrix.EntropyMethod;
import org.infoplane.estimator.matrix.NativeKernel;
import org.infoplane.estimator.matrix.RandomizedRenyiEntropy;
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
  // Entropies are exact (all eigenvalues) unless the settings' EntropyMethod is randomized and the
  // batch is large enough for it to pay (EntropyMethod#randomizesBatchOf): then S(X), S(T), S(X,T)
  // and S(T,Y) come from RandomizedRenyiEntropy, each from its own probes, with kernels built in
  // native memory straight from the distances (the joint kernels exp(−d_X/σ_X² − d_T/σ_T²) and
  // K_T ∘ K_Y without their factors), and S(Y) from the closed form of the label kernel
  // (RenyiEntropy#labelEntropy). The estimate then carries standard errors: that of I(X;T) is
  // √(e_X² + e_T² + e_XT²), that of I(T;Y) is √(e_T² + e_TY²).

  /** Identifier in result tables. */
  public static final String NAME = "renyi-tensor";

  private final RenyiSettings settings;
  private final RenyiEntropy entropy;
  private final RandomizedRenyiEntropy randomized;

  RenyiTensorKernelEstimator(RenyiSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.entropy = new RenyiEntropy(settings.alpha(), settings.eigenvalueOffset());
    EntropyMethod m = settings.entropyMethod();
    this.randomized = m.randomized() ? new RandomizedRenyiEntropy(settings.alpha(), m) : null;
  }

  /**
   * The batch's input and label terms.
   *
   * @param kx Gaussian kernel of the inputs with σ_X; null for a batch estimated by the randomized
   *     method (its kernels are built from {@code distancesX} when needed)
   * @param ky label kernel with σ_Y; null for a batch estimated by the randomized method
   * @param hX S(X) in bits
   * @param hY S(Y) in bits
   * @param hXErr estimated standard error of hX in bits (0 when exact)
   * @param iXY I(X;Y) = S(X) + S(Y) − S(X,Y) in bits: the top of the chain for I(T;Y), since
   *     I(T_1;Y) ≤ I(X;Y) for a network's first layer (METHOD.md §1)
   * @param iXYErr estimated standard error of iXY in bits (0 when exact)
   * @param distancesX the squared distances of the inputs
   * @param labels the batch's labels (not copied: do not modify)
   * @param numClasses the number of classes of the label kernel
   */
  public record InputTerms(KernelMatrix kx, KernelMatrix ky, double hX, double hY, double hXErr, double iXY,
      double iXYErr, DistanceMatrix distancesX, int[] labels, int numClasses) {

    /** True when the batch's entropies come from the randomized method. */
    public boolean randomized() {
      return kx == null;
    }
  }

  /** Probe streams of the randomized method, one per matrix of a batch. */
  private static final long STREAM_X = 1;
  private static final long STREAM_T = 2;
  private static final long STREAM_XT = 3;
  private static final long STREAM_TY = 4;
  private static final long STREAM_XY = 5;

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
    double sigmaX = settings.convention().effectiveWidth(settings.sigmaX());
    if (settings.entropyMethod().randomizesBatchOf(labels.length)) {
      double hY = entropy.labelEntropy(labels, numClasses, settings.convention().effectiveWidth(settings.sigmaY()));
      try (NativeKernel kx = NativeKernel.gaussian(distancesX, sigmaX)) {
        RandomizedRenyiEntropy.Estimate hX = randomized.entropy(kx, stream(distancesX, STREAM_X));
        RandomizedRenyiEntropy.Estimate hXY;
        try (NativeKernel kxy = kx.hadamardLabels(labels, settings.convention().effectiveWidth(settings.sigmaY()))) {
          hXY = randomized.entropy(kxy, stream(distancesX, STREAM_XY));
        }
        double eX = hX.error();
        return new InputTerms(null, null, hX.bits(), hY, eX, hX.bits() + hY - hXY.bits(),
            Math.sqrt(eX * eX + hXY.error() * hXY.error()), distancesX, labels.clone(), numClasses);
      }
    }
    KernelMatrix kx = KernelMatrix.gaussian(distancesX, sigmaX);
    KernelMatrix ky = labelKernel(labels, numClasses);
    double hX = entropy.entropy(kx);
    double hY = entropy.entropy(ky);
    return new InputTerms(kx, ky, hX, hY, 0.0, hX + hY - entropy.jointEntropy(kx, ky), 0.0, distancesX,
        labels.clone(), numClasses);
  }

  /**
   * The probe stream of one matrix of a batch: the matrix's kind mixed with a fingerprint of the
   * batch's input distances (its first row), so that batches draw independent probes and the same
   * batch always draws the same ones.
   */
  private static long stream(DistanceMatrix distancesX, long kind) {
    long h = kind;
    int n = distancesX.size();
    for (int j = 0; j < n; j++) {
      h = h * 31 + Double.hashCode(distancesX.squared(0, j));
    }
    return h;
  }

  /** The label kernel of a batch under these settings' σ_Y and kernel convention. */
  public KernelMatrix labelKernel(int[] labels, int numClasses) {
    return KernelMatrix.labels(labels, numClasses, settings.convention().effectiveWidth(settings.sigmaY()));
  }

  /** The width rule's choice for a layer's batch; empty for a constant layer. */
  public OptionalDouble selectWidth(InputTerms inputs, DistanceMatrix distancesT, long dimensionT) {
    KernelMatrix ky = inputs.ky() != null ? inputs.ky() : labelKernel(inputs.labels(), inputs.numClasses());
    return settings.widthRule().select(new WidthInput(distancesT, dimensionT, ky));
  }

  /** The information-plane point of a layer's batch with the given width. */
  public IpEstimate estimate(InputTerms inputs, DistanceMatrix distancesT, OptionalDouble sigmaT) {
    if (distancesT.size() != inputs.distancesX().size()) {
      throw new IllegalArgumentException("sample counts differ: X has " + inputs.distancesX().size()
          + ", T has " + distancesT.size());
    }
    if (distancesT.isConstant()) {
      return new IpEstimate(inputs.hX(), 0.0, inputs.hY(), 0.0, 0.0, OptionalDouble.empty());
    }
    if (sigmaT.isEmpty()) {
      throw new IllegalArgumentException("a kernel width for T is needed: the layer is not constant");
    }
    if (inputs.randomized()) {
      return estimateRandomized(inputs, distancesT, sigmaT.getAsDouble());
    }
    KernelMatrix kt = KernelMatrix.gaussian(distancesT, settings.convention().effectiveWidth(sigmaT.getAsDouble()));
    double hT = entropy.entropy(kt);
    double hXT = entropy.jointEntropy(inputs.kx(), kt);
    double hTY = entropy.jointEntropy(kt, inputs.ky());
    return new IpEstimate(inputs.hX(), hT, inputs.hY(), inputs.hX() + hT - hXT, hT + inputs.hY() - hTY, sigmaT);
  }

  private IpEstimate estimateRandomized(InputTerms in, DistanceMatrix distancesT, double sigmaT) {
    DistanceMatrix dx = in.distancesX();
    double widthT = settings.convention().effectiveWidth(sigmaT);
    RandomizedRenyiEntropy.Estimate hT;
    RandomizedRenyiEntropy.Estimate hXT;
    RandomizedRenyiEntropy.Estimate hTY;
    // At most two N × N kernels at a time in native memory: K_T, then each joint kernel.
    try (NativeKernel kt = NativeKernel.gaussian(distancesT, widthT)) {
      hT = randomized.entropy(kt, stream(dx, STREAM_T));
      try (NativeKernel kty = kt.hadamardLabels(in.labels(), settings.convention().effectiveWidth(settings.sigmaY()))) {
        hTY = randomized.entropy(kty, stream(dx, STREAM_TY));
      }
    }
    try (NativeKernel kxt = NativeKernel.gaussianJoint(dx, settings.convention().effectiveWidth(settings.sigmaX()),
        distancesT, widthT)) {
      hXT = randomized.entropy(kxt, stream(dx, STREAM_XT));
    }
    double eX = in.hXErr();
    double eT = hT.error();
    return new IpEstimate(in.hX(), hT.bits(), in.hY(), in.hX() + hT.bits() - hXT.bits(),
        hT.bits() + in.hY() - hTY.bits(), OptionalDouble.of(sigmaT), eT,
        Math.sqrt(eX * eX + eT * eT + hXT.error() * hXT.error()), Math.sqrt(eT * eT + hTY.error() * hTY.error()));
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
