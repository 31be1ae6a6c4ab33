package org.infoplane.analysis;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Function;
import org.infoplane.config.ConfigEntry;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.Presets;
import org.infoplane.config.ResolvedConf;
import org.infoplane.estimator.batch.BatchPlan;
import org.infoplane.estimator.ip.InformationPlaneEstimator;
import org.infoplane.estimator.ip.InformationPlaneEstimators;
import org.infoplane.estimator.ip.RenyiSettings;
import org.infoplane.estimator.ip.RenyiTensorKernelEstimator;
import org.infoplane.estimator.matrix.DistancePrecision;
import org.infoplane.estimator.matrix.EntropyMethod;
import org.infoplane.estimator.matrix.KernelConvention;
import org.infoplane.estimator.width.AlignmentGrid;
import org.infoplane.estimator.width.KernelWidthRule;
import org.infoplane.estimator.width.KernelWidthRules;

/**
 * The parameters that determine an analysis' numbers, and their identifier {@code config_id}, plus
 * the runtime settings tasks need ({@link Tasks}; not part of the identifier). Small, immutable and
 * serializable: tasks receive it.
 *
 * <p>Built once, on the driver, from resolved settings ({@link #from}): every setting that names one
 * of a few choices is an enum from then on, read there with an error that names the key and the
 * value. The parameters come in groups, each a record ({@link Kernel}, {@link Widths},
 * {@link Smoothing}, {@link Batching}, {@link Tasks}); {@code with…} copies replace one group.
 *
 * @param estimator the estimator's name ({@code renyi-tensor}, {@code renyi-multivariate},
 *     {@code binning[-BINS]})
 * @param alpha the Rényi order α
 * @param preset the preset the settings came from (recorded, not part of the identifier)
 */
public record AnalysisConfig(
    String estimator,
    double alpha,
    Kernel kernel,
    Widths widths,
    Smoothing smoothing,
    EntropyMethod entropyMethod,
    Batching batching,
    Tasks tasks,
    Preset preset) implements Serializable {

  /** A setting with a fixed set of values, each written as {@link #spec()} in the settings. */
  interface Choice {
    /** The enum constant's name. */
    String name();

    /** The value as the settings and the tables write it: the constant's name in lower case, '_' as '-'. */
    default String spec() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** Which width a batch uses ({@code infoplane.width.scope}). */
  public enum WidthScope implements Choice {
    /** The mean of its checkpoint's per-batch widths (the paper). */
    CHECKPOINT,
    /** Its own (both reference implementations); smoothing then runs per batch position. */
    BATCH;

    @Override
    public String toString() {
      return spec();
    }
  }

  /** The mean distance that scales the alignment grid ({@code infoplane.width.grid.mean}). */
  public enum GridMean implements Choice {
    /** Over all N² entries, diagonal included. */
    ALL,
    /** Over the pairs i ≠ j. */
    OFF_DIAGONAL;

    @Override
    public String toString() {
      return spec();
    }
  }

  /** What happens when the alignment maximum is on a grid edge ({@code infoplane.width.grid.edges}). */
  public enum GridEdges implements Choice {
    /** Search past the edge. */
    EXTEND,
    /** Keep the edge point. */
    KEEP;

    @Override
    public String toString() {
      return spec();
    }
  }

  /** What one update of the widths' moving average is ({@code infoplane.width.smoothing.unit}). */
  public enum SmoothingUnit implements Choice {
    /** A training step. */
    STEP,
    /** A checkpoint. */
    CHECKPOINT;

    @Override
    public String toString() {
      return spec();
    }
  }

  /** Which value β weighs ({@code infoplane.width.smoothing.convention}). */
  public enum SmoothingConvention implements Choice {
    /** σ_t = β σ_(t−1) + (1 − β) σ*_t (the authors). */
    BETA_ON_OLD,
    /** σ_t = β σ*_t + (1 − β) σ_(t−1) (SolidusAbi/IPDL). */
    BETA_ON_NEW;

    @Override
    public String toString() {
      return spec();
    }
  }

  /** The ND4J backend of the tasks ({@code infoplane.backend}). */
  public enum Backend implements Choice {
    CPU,
    CUDA,
    AUTO;

    @Override
    public String toString() {
      return spec();
    }
  }

  /** The group of settings the others came from ({@code infoplane.preset}; see {@link Presets}). */
  public enum Preset implements Choice {
    PAPER,
    AUTHORS_CODE,
    IPDL;

    @Override
    public String toString() {
      return spec();
    }
  }

  /**
   * The kernels' widths and how they are read.
   *
   * @param sigmaX the input's kernel width σ_X
   * @param sigmaY the labels' kernel width σ_Y
   * @param convention how every width is read
   * @param eigenvalueOffset added to every eigenvalue before the entropy formula
   */
  public record Kernel(double sigmaX, double sigmaY, KernelConvention convention, double eigenvalueOffset)
      implements Serializable {}

  /**
   * How a layer's width is chosen per batch.
   *
   * @param rule the width rule's spec ({@code alignment[:GRID]}, {@code fixed:SIGMA}, …)
   * @param gridStart the alignment grid's first width
   * @param gridEndFactor its last width as a factor of the batch's mean distance
   * @param gridSize its points
   * @param gridMean the mean distance that scales it
   * @param gridEdges what a maximum on an edge does
   * @param scope which width a batch uses
   */
  public record Widths(String rule, double gridStart, double gridEndFactor, int gridSize, GridMean gridMean,
      GridEdges gridEdges, WidthScope scope) implements Serializable {

    /** The alignment grid these settings describe, under a kernel convention. */
    public AlignmentGrid grid(KernelConvention convention) {
      return new AlignmentGrid(gridStart, gridEndFactor, gridSize, gridMean == GridMean.OFF_DIAGONAL,
          gridEdges == GridEdges.EXTEND, convention);
    }

    /** True when each batch uses its own width (and smoothing runs per batch position). */
    public boolean perBatch() {
      return scope == WidthScope.BATCH;
    }
  }

  /**
   * The moving average of the widths over a run's checkpoints.
   *
   * @param beta the factor β: below 1 with {@code beta-on-old}, above 0 with {@code beta-on-new}
   * @param unit what one update is
   * @param convention which value β weighs
   */
  public record Smoothing(double beta, SmoothingUnit unit, SmoothingConvention convention) implements Serializable {

    /** @throws IllegalArgumentException when β turns the average into a constant, naming the keys */
    public Smoothing {
      boolean onNew = convention == SmoothingConvention.BETA_ON_NEW;
      if (onNew ? !(beta > 0.0) : !(beta < 1.0)) {
        throw new IllegalArgumentException(InfoPlaneConf.WIDTH_SMOOTHING.key() + "=" + beta + " with "
            + InfoPlaneConf.WIDTH_SMOOTHING_CONVENTION.key() + "=" + convention.spec() + ": beta must be "
            + (onNew ? "> 0 (1 turns smoothing off)" : "< 1 (0 turns smoothing off)"));
      }
    }

    /** True when the widths are smoothed at all. */
    public boolean smooths() {
      return betaOnNew() ? beta < 1.0 : beta > 0.0;
    }

    /** True for IPDL's convention: β weighs the new value. */
    public boolean betaOnNew() {
      return convention == SmoothingConvention.BETA_ON_NEW;
    }

    /** True when the average updates once per training step (else once per checkpoint). */
    public boolean perStep() {
      return unit == SmoothingUnit.STEP;
    }
  }

  /**
   * How a split's samples are cut into batches, and the arithmetic of their distances.
   *
   * @param size samples per batch
   * @param shuffle whether the samples are shuffled first
   * @param seed the shuffle's seed
   * @param precision the arithmetic of the squared distances' Gram products
   */
  public record Batching(int size, boolean shuffle, long seed, DistancePrecision precision)
      implements Serializable {

    public BatchPlan plan() {
      return new BatchPlan(size, shuffle, seed);
    }

    /**
     * The key of the distances in the distance store: the batching, e.g. {@code sorted/100},
     * followed by {@code /float32} when the Gram products are in single precision (distances
     * stored before that setting existed are double-precision ones, under the plain batching).
     */
    public String key() {
      return plan().spec() + (precision == DistancePrecision.FLOAT32 ? "/float32" : "");
    }
  }

  /**
   * What tasks need to run, which changes no number.
   *
   * @param nd4jThreads threads of ND4J's native operations in one task (0: cores / task slots)
   * @param backend the ND4J backend
   */
  public record Tasks(int nd4jThreads, Backend backend) implements Serializable {}

  /** Reads the analysis parameters from resolved settings; each choice becomes its enum here. */
  public static AnalysisConfig from(ResolvedConf c) {
    KernelConvention convention = parse(InfoPlaneConf.KERNEL_CONVENTION, c, KernelConvention::parse);
    return new AnalysisConfig(
        c.get(InfoPlaneConf.ESTIMATOR),
        c.get(InfoPlaneConf.ALPHA),
        new Kernel(c.get(InfoPlaneConf.SIGMA_X), c.get(InfoPlaneConf.SIGMA_Y), convention,
            c.get(InfoPlaneConf.EIGENVALUE_OFFSET)),
        new Widths(c.get(InfoPlaneConf.WIDTH_RULE), c.get(InfoPlaneConf.WIDTH_GRID_START),
            c.get(InfoPlaneConf.WIDTH_GRID_END_FACTOR), c.get(InfoPlaneConf.WIDTH_GRID_SIZE),
            choice(InfoPlaneConf.WIDTH_GRID_MEAN, c, GridMean.class),
            choice(InfoPlaneConf.WIDTH_GRID_EDGES, c, GridEdges.class),
            choice(InfoPlaneConf.WIDTH_SCOPE, c, WidthScope.class)),
        new Smoothing(c.get(InfoPlaneConf.WIDTH_SMOOTHING),
            choice(InfoPlaneConf.WIDTH_SMOOTHING_UNIT, c, SmoothingUnit.class),
            choice(InfoPlaneConf.WIDTH_SMOOTHING_CONVENTION, c, SmoothingConvention.class)),
        InfoPlaneConf.entropyMethod(c),
        new Batching(c.get(InfoPlaneConf.BATCH_SIZE), c.get(InfoPlaneConf.BATCH_SHUFFLE), c.get(InfoPlaneConf.BATCH_SEED),
            parse(InfoPlaneConf.DISTANCE_PRECISION, c, DistancePrecision::parse)),
        new Tasks(c.get(InfoPlaneConf.ND4J_THREADS), choice(InfoPlaneConf.BACKEND, c, Backend.class)),
        choice(InfoPlaneConf.PRESET, c, Preset.class));
  }

  /**
   * The enum constant whose {@link Choice#spec()} is the setting's value.
   *
   * @throws IllegalArgumentException naming the key, the value and the accepted values
   */
  static <E extends Enum<E> & Choice> E choice(ConfigEntry<String> entry, ResolvedConf c, Class<E> type) {
    String value = c.get(entry);
    for (E e : type.getEnumConstants()) {
      if (e.spec().equals(value)) {
        return e;
      }
    }
    throw new IllegalArgumentException(entry.key() + "=" + value + ": expected one of "
        + Arrays.stream(type.getEnumConstants()).map(Choice::spec).toList());
  }

  private static <T> T parse(ConfigEntry<String> entry, ResolvedConf c, Function<String, T> parser) {
    String value = c.get(entry);
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(entry.key() + "=" + value + ": " + e.getMessage(), e);
    }
  }

  // ---- copies with one group replaced ----------------------------------------------------------

  /** The same parameters with another Rényi order α. */
  public AnalysisConfig withAlpha(double a) {
    return new AnalysisConfig(estimator, a, kernel, widths, smoothing, entropyMethod, batching, tasks, preset);
  }

  /** The same parameters with other kernel settings. */
  public AnalysisConfig withKernel(Kernel k) {
    return new AnalysisConfig(estimator, alpha, k, widths, smoothing, entropyMethod, batching, tasks, preset);
  }

  /** The same parameters with other width settings. */
  public AnalysisConfig withWidths(Widths w) {
    return new AnalysisConfig(estimator, alpha, kernel, w, smoothing, entropyMethod, batching, tasks, preset);
  }

  /** The same parameters with another smoothing of the widths. */
  public AnalysisConfig withSmoothing(Smoothing s) {
    return new AnalysisConfig(estimator, alpha, kernel, widths, s, entropyMethod, batching, tasks, preset);
  }

  /** The same parameters with another entropy method. */
  public AnalysisConfig withEntropyMethod(EntropyMethod m) {
    return new AnalysisConfig(estimator, alpha, kernel, widths, smoothing, m, batching, tasks, preset);
  }

  /** The same parameters with another batching. */
  public AnalysisConfig withBatching(Batching b) {
    return new AnalysisConfig(estimator, alpha, kernel, widths, smoothing, entropyMethod, b, tasks, preset);
  }

  // ---- what the groups determine ---------------------------------------------------------------

  /** Samples per batch. */
  public int batchSize() {
    return batching.size();
  }

  /** The width rule's spec. */
  public String widthRule() {
    return widths.rule();
  }

  /** The kernel convention of every width. */
  public KernelConvention convention() {
    return kernel.convention();
  }

  /** The alignment grid the width settings describe. */
  public AlignmentGrid grid() {
    return widths.grid(kernel.convention());
  }

  /** The width rule with this configuration's grid. */
  public KernelWidthRule rule() {
    return KernelWidthRules.parse(widths.rule(), grid());
  }

  /** True when each batch uses its own width (and smoothing runs per batch position). */
  public boolean perBatchWidth() {
    return widths.perBatch();
  }

  public BatchPlan plan() {
    return batching.plan();
  }

  /** The arithmetic of the squared distances' Gram products. */
  public DistancePrecision precision() {
    return batching.precision();
  }

  /** What a layer's per-batch width depends on besides the distances. */
  public String widthConfig() {
    return widths.rule() + "|sigma_y=" + kernel.sigmaY() + "|grid=" + grid().spec();
  }

  public RenyiSettings renyiSettings() {
    return new RenyiSettings(alpha, kernel.sigmaX(), kernel.sigmaY(), rule(), kernel.convention(),
        kernel.eigenvalueOffset(), precision(), entropyMethod);
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
   * identifiers they had before the method existed. The form writes every choice as its setting's
   * value ({@link Choice#spec()}), so identifiers are those of the settings as strings.
   */
  public String configId() {
    boolean widthsUsed = usesDistances();
    String canonical = String.format(Locale.ROOT,
        "estimator=%s;alpha=%s;sigma_x=%s;sigma_y=%s;width_rule=%s;smoothing=%s;batching=%s;kernel=%s;"
            + "eigenvalue_offset=%s;grid=%s;width_scope=%s;smoothing_unit=%s;smoothing_convention=%s",
        estimator, alpha, kernel.sigmaX(), kernel.sigmaY(), widthsUsed ? widths.rule() : "-",
        widthsUsed ? smoothing.beta() : 0.0, batching.key(), kernel.convention().spec(), kernel.eigenvalueOffset(),
        widthsUsed ? grid().spec() : "-", widthsUsed ? widths.scope().spec() : "-",
        widthsUsed ? smoothing.unit().spec() : "-", widthsUsed ? smoothing.convention().spec() : "-");
    if (widthsUsed && entropyMethod.randomized()) {
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
