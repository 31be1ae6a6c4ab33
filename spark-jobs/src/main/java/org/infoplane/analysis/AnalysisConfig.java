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
    double smoothing,
    int batchSize,
    boolean shuffle,
    long seed,
    int nd4jThreads,
    String backend) implements Serializable {

  /** Reads the analysis parameters from resolved settings. */
  public static AnalysisConfig from(ResolvedConf c) {
    return new AnalysisConfig(
        c.get(InfoPlaneConf.ESTIMATOR),
        c.get(InfoPlaneConf.ALPHA),
        c.get(InfoPlaneConf.SIGMA_X),
        c.get(InfoPlaneConf.SIGMA_Y),
        c.get(InfoPlaneConf.WIDTH_RULE),
        c.get(InfoPlaneConf.WIDTH_SMOOTHING),
        c.get(InfoPlaneConf.BATCH_SIZE),
        c.get(InfoPlaneConf.BATCH_SHUFFLE),
        c.get(InfoPlaneConf.BATCH_SEED),
        c.get(InfoPlaneConf.ND4J_THREADS),
        c.get(InfoPlaneConf.BACKEND));
  }

  public BatchPlan plan() {
    return new BatchPlan(batchSize, shuffle, seed);
  }

  /** The batching's key in the distance store, e.g. {@code sorted/100}. */
  public String batching() {
    return plan().spec();
  }

  /** What a layer's per-batch width depends on besides the distances. */
  public String widthConfig() {
    return widthRule + "|sigma_y=" + sigmaY;
  }

  public RenyiSettings renyiSettings() {
    return new RenyiSettings(alpha, sigmaX, sigmaY, KernelWidthRules.parse(widthRule));
  }

  /** The estimator these parameters describe. */
  public InformationPlaneEstimator buildEstimator() {
    return InformationPlaneEstimators.byName(estimator, renyiSettings());
  }

  /** True for the tensor-kernel estimator, which works from stored distance matrices. */
  public boolean usesDistances() {
    return estimator.equals(RenyiTensorKernelEstimator.NAME);
  }

  /** A stable identifier of the parameters: 16 hex digits of the SHA-256 of their canonical form. */
  public String configId() {
    String canonical = String.format(Locale.ROOT,
        "estimator=%s;alpha=%s;sigma_x=%s;sigma_y=%s;width_rule=%s;smoothing=%s;batching=%s",
        estimator, alpha, sigmaX, sigmaY, usesDistances() ? widthRule : "-",
        usesDistances() ? smoothing : 0.0, batching());
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
