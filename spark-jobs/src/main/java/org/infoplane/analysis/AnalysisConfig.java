package org.infoplane.analysis;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.estimator.batch.BatchPlan;
import org.infoplane.estimator.ip.InformationPlaneEstimator;
import org.infoplane.estimator.ip.InformationPlaneEstimators;
import org.infoplane.estimator.ip.RenyiSettings;
import org.infoplane.estimator.ip.RenyiTensorKernelEstimator;
import org.infoplane.estimator.matrix.DistancePrecision;
import org.infoplane.estimator.matrix.KernelConvention;
import org.infoplane.estimator.width.AlignmentGrid;
import org.infoplane.estimator.width.KernelWidthRule;
import org.infoplane.estimator.matrix.EntropyMethod;
import org.infoplane.estimator.width.KernelWidthRules;

/**
 * The parameters that determine an analysis' numbers, and their identifier {@code config_id}, plus
 * the runtime settings tasks need ({@code nd4jThreads}, {@code backend}; not part of the
 * identifier). Small and
 * serializable: tasks receive it.
 */
public record AnalysisConfig(
    String estimator,
    double alpha,
    double sigmaX,
    double sigmaY,
    String widthRule,
    String distancePrecision,
    double smoothing,
    int batchSize,
    boolean shuffle,
    long seed,
    EntropyMethod entropyMethod,
    int nd4jThreads,
    String backend,
    String kernelConvention,
    double eigenvalueOffset,
    double gridStart,
    double gridEndFactor,
    int gridSize,
    String gridMean,
    String gridEdges,
    String widthScope,
    String smoothingUnit,
    String smoothingConvention,
    String preset) implements Serializable {

  /** The width scope in which every batch uses its own width. */
  public static final String SCOPE_BATCH = "batch";
  /** The smoothing unit of one update per training step. */
  public static final String UNIT_STEP = "step";

  public AnalysisConfig {
    boolean onNew = "beta-on-new".equals(smoothingConvention);
    if (onNew ? !(smoothing > 0.0) : !(smoothing < 1.0)) {
      throw new IllegalArgumentException(InfoPlaneConf.WIDTH_SMOOTHING.key() + "=" + smoothing + " with "
          + InfoPlaneConf.WIDTH_SMOOTHING_CONVENTION.key() + "=" + smoothingConvention + ": beta must be "
          + (onNew ? "> 0 (1 turns smoothing off)" : "< 1 (0 turns smoothing off)"));
    }
  }

  /** Reads the analysis parameters from resolved settings. */
  public static AnalysisConfig from(ResolvedConf c) {
    return new AnalysisConfig(
        c.get(InfoPlaneConf.ESTIMATOR),
        c.get(InfoPlaneConf.ALPHA),
        c.get(InfoPlaneConf.SIGMA_X),
        c.get(InfoPlaneConf.SIGMA_Y),
        c.get(InfoPlaneConf.WIDTH_RULE),
        c.get(InfoPlaneConf.DISTANCE_PRECISION),
        c.get(InfoPlaneConf.WIDTH_SMOOTHING),
        c.get(InfoPlaneConf.BATCH_SIZE),
        c.get(InfoPlaneConf.BATCH_SHUFFLE),
        c.get(InfoPlaneConf.BATCH_SEED),
        InfoPlaneConf.entropyMethod(c),
        c.get(InfoPlaneConf.ND4J_THREADS),
        c.get(InfoPlaneConf.BACKEND),
        c.get(InfoPlaneConf.KERNEL_CONVENTION),
        c.get(InfoPlaneConf.EIGENVALUE_OFFSET),
        c.get(InfoPlaneConf.WIDTH_GRID_START),
        c.get(InfoPlaneConf.WIDTH_GRID_END_FACTOR),
        c.get(InfoPlaneConf.WIDTH_GRID_SIZE),
        c.get(InfoPlaneConf.WIDTH_GRID_MEAN),
        c.get(InfoPlaneConf.WIDTH_GRID_EDGES),
        c.get(InfoPlaneConf.WIDTH_SCOPE),
        c.get(InfoPlaneConf.WIDTH_SMOOTHING_UNIT),
        c.get(InfoPlaneConf.WIDTH_SMOOTHING_CONVENTION),
        c.get(InfoPlaneConf.PRESET));
  }

  /** The kernel convention of every width. */
  public KernelConvention convention() {
    return KernelConvention.parse(kernelConvention);
  }

  /** The alignment grid the width settings describe. */
  public AlignmentGrid grid() {
    return new AlignmentGrid(gridStart, gridEndFactor, gridSize, gridMean.equals("off-diagonal"),
        gridEdges.equals("extend"), convention());
  }

  /** The width rule with this configuration's grid. */
  public KernelWidthRule rule() {
    return KernelWidthRules.parse(widthRule, grid());
  }

  /** True when each batch uses its own width (and smoothing runs per batch position). */
  public boolean perBatchWidth() {
    return widthScope.equals(SCOPE_BATCH);
  }

  /** True when smoothing updates once per training step (else once per checkpoint). */
  public boolean smoothsPerStep() {
    return smoothingUnit.equals(UNIT_STEP);
  }

  /** True when the configuration smooths at all. */
  public boolean smooths() {
    return smoothingConvention.equals("beta-on-new") ? smoothing < 1.0 : smoothing > 0.0;
  }

  /** True for IPDL's convention: beta weighs the new value. */
  public boolean betaOnNew() {
    return smoothingConvention.equals("beta-on-new");
  }

  /** The same parameters with another Rényi order α. */
  public AnalysisConfig withAlpha(double a) {
    return new AnalysisConfig(estimator, a, sigmaX, sigmaY, widthRule, distancePrecision, smoothing, batchSize,
        shuffle, seed, entropyMethod, nd4jThreads, backend, kernelConvention, eigenvalueOffset, gridStart, gridEndFactor, gridSize, gridMean,
        gridEdges, widthScope, smoothingUnit, smoothingConvention, preset);
  }

  public BatchPlan plan() {
    return new BatchPlan(batchSize, shuffle, seed);
  }

  /**
   * The key of the distances in the distance store: the batching, e.g. {@code sorted/100}, followed
   * by {@code /float32} when the Gram products are in single precision (distances stored before that
   * setting existed are double-precision ones, under the plain batching).
   */
  public String batching() {
    return plan().spec() + (precision() == DistancePrecision.FLOAT32 ? "/float32" : "");
  }

  /** The arithmetic of the squared distances' Gram products. */
  public DistancePrecision precision() {
    return DistancePrecision.parse(distancePrecision);
  }

  /** What a layer's per-batch width depends on besides the distances. */
  public String widthConfig() {
    return widthRule + "|sigma_y=" + sigmaY + "|grid=" + grid().spec();
  }

  public RenyiSettings renyiSettings() {
    return new RenyiSettings(alpha, sigmaX, sigmaY, rule(), convention(), eigenvalueOffset, precision(), entropyMethod);
  }

  /** The estimator these parameters describe. */
  public InformationPlaneEstimator buildEstimator() {
    return InformationPlaneEstimators.byName(estimator, renyiSettings());
  }

  /** True for the tensor-kernel estimator, which works from stored distance matrices. */
  public boolean usesDistances() {
    return estimator.equals(RenyiTensorKernelEstimator.NAME);
  }

  /** The entropy method's canonical form, as the analysis_configs table records it. */
  public String entropyMethodSpec() {
    return usesDistances() ? entropyMethod.spec() : "-";
  }

  /**
   * A stable identifier of the parameters: 16 hex digits of the SHA-256 of their canonical form.
   * The entropy method enters the form only when it is randomized, so that exact analyses keep the
   * identifiers they had before the method existed.
   */
  public String configId() {
    boolean widths = usesDistances();
    String canonical = String.format(Locale.ROOT,
        "estimator=%s;alpha=%s;sigma_x=%s;sigma_y=%s;width_rule=%s;smoothing=%s;batching=%s;kernel=%s;"
            + "eigenvalue_offset=%s;grid=%s;width_scope=%s;smoothing_unit=%s;smoothing_convention=%s",
        estimator, alpha, sigmaX, sigmaY, widths ? widthRule : "-", widths ? smoothing : 0.0, batching(),
        kernelConvention, eigenvalueOffset, widths ? grid().spec() : "-", widths ? widthScope : "-",
        widths ? smoothingUnit : "-", widths ? smoothingConvention : "-");
    if (usesDistances() && entropyMethod.randomized()) {
      canonical += ";entropy=" + entropyMethod.spec();
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
