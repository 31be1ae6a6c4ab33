package org.infoplane.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.infoplane.estimator.batch.BatchPlan;
import org.infoplane.estimator.ip.InformationPlaneEstimators;
import org.infoplane.estimator.ip.RenyiSettings;
import org.infoplane.estimator.matrix.DistancePrecision;
import org.infoplane.estimator.matrix.EntropyMethod;
import org.infoplane.estimator.matrix.RenyiEntropy;
import org.infoplane.estimator.width.AlignmentGrid;
import org.infoplane.estimator.width.KernelWidthRules;
import org.infoplane.estimator.width.WidthSmoothing;

/**
 * The registry of every InfoPlane setting: key, documentation, type, default and check, declared
 * once. {@code docs/configuration.md} is generated from it ({@code infoplane config --docs}) and a
 * test fails when the two differ.
 *
 * <p>Settings resolve on the driver in this order, later winning: these defaults, the defaults file
 * ({@code conf/infoplane-defaults.conf} of the installation, or {@code --conf-file}), {@code --conf
 * key=value} pairs, then a command's own options. See {@link ConfResolver}.
 */
public final class InfoPlaneConf {

  private static final Map<String, ConfigEntry<?>> ENTRIES = new LinkedHashMap<>();

  // ---- Where results go ----------------------------------------------------------------------

  public static final ConfigEntry<String> WAREHOUSE = string("infoplane.warehouse", "warehouse",
      "Warehouse: a directory on any Hadoop file system (a plain path is local, relative to the working directory). It holds the tables of the hadoop and jdbc catalogs (the jdbc catalog keeps only its table pointers in the database), and the analysis leases with any catalog type.");

  public static final ConfigEntry<String> CATALOG_TYPE = choice("infoplane.catalog.type", "hadoop",
      "Iceberg catalog: hadoop (file-based, no server; needs atomic renames: local, HDFS), jdbc (table pointers in a database, e.g. PostgreSQL: set spark.sql.catalog.<name>.uri, .jdbc.user, .jdbc.password; for object stores), hive, rest, or custom (configure spark.sql.catalog.<name>.* yourself with --conf spark.…). See docs/tables.md, \"Which catalog for which file system\".",
      "hadoop", "hive", "rest", "jdbc", "custom");

  public static final ConfigEntry<String> CATALOG_NAME = register(new ConfigEntry<>("infoplane.catalog.name",
      "Name of the Spark catalog that holds the InfoPlane tables.", "identifier", "infoplane",
      s -> s, s -> s.matches("[A-Za-z_][A-Za-z0-9_]*"), "must be a SQL identifier"));

  public static final ConfigEntry<String> NAMESPACE = register(new ConfigEntry<>("infoplane.namespace",
      "Namespace (database) of the InfoPlane tables inside the catalog.", "identifier", "ip",
      s -> s, s -> s.matches("[A-Za-z_][A-Za-z0-9_]*"), "must be a SQL identifier"));

  // ---- The analysis --------------------------------------------------------------------------

  public static final ConfigEntry<String> PRESET = choice("infoplane.preset", Presets.PAPER,
      "A group of analysis settings that reproduces one implementation of the method: paper (METHOD.md, the default), authors-code (Wickstrom/InformationTheoryExperiment) or ipdl (SolidusAbi/IPDL). Keys set explicitly override the preset; see Presets below.",
      Presets.PAPER, Presets.AUTHORS_CODE, Presets.IPDL);

  public static final ConfigEntry<String> ESTIMATOR = register(new ConfigEntry<>("infoplane.estimator",
      "Estimator: renyi-tensor (matrix-based Renyi entropy, tensor kernel), renyi-multivariate (per-channel kernels, Yu et al.), binning[-BINS] (Shwartz-Ziv & Tishby; 30 bins) or kde-upper[-VARIANCE] (kernel-density upper bound of Kolchinsky & Tracey as Saxe et al. use it; Gaussian noise of variance 0.1).",
      "string", "renyi-tensor", s -> s.toLowerCase(Locale.ROOT),
      s -> canBuild(s), "must be renyi-tensor, renyi-multivariate, binning, binning-BINS, kde-upper or kde-upper-VARIANCE (VARIANCE > 0)"));

  public static final ConfigEntry<Double> ALPHA = positive("infoplane.alpha", "" + RenyiEntropy.DEFAULT_ALPHA,
      "Order alpha of the Renyi entropy; 1 is the von Neumann (Shannon-like) limit, 2 needs no eigendecomposition.");

  public static final ConfigEntry<Double> EIGENVALUE_OFFSET = register(new ConfigEntry<>(
      "infoplane.entropy.eigenvalueOffset",
      "Added to every eigenvalue before the entropy formula (SolidusAbi/IPDL adds 1e-8); 0 uses the plain functional, in which round-off eigenvalues count as 0.",
      "double", "0", Double::parseDouble, v -> v >= 0.0 && v < 1e-3, "must be in [0, 0.001)"));

  public static final ConfigEntry<String> KERNEL_CONVENTION = choice("infoplane.kernel.convention", "sigma2",
      "How every kernel width (sigma.x, sigma.y, a layer's sigma) is read: sigma2 is exp(-d^2/sigma^2) (the paper), 2sigma2 is exp(-d^2/(2 sigma^2)) (SolidusAbi/IPDL: the same sigma is a sqrt(2) wider kernel).",
      "sigma2", "2sigma2");

  public static final ConfigEntry<Double> SIGMA_X = positive("infoplane.sigma.x", "" + RenyiSettings.DEFAULT_SIGMA_X,
      "Kernel width of the input X (for inputs scaled to [0, 1]).");

  public static final ConfigEntry<Double> SIGMA_Y = positive("infoplane.sigma.y", "" + RenyiSettings.DEFAULT_SIGMA_Y,
      "Kernel width of the one-hot labels Y; 0.1 makes the label kernel the same-class indicator.");

  public static final ConfigEntry<String> WIDTH_RULE = register(new ConfigEntry<>("infoplane.width.rule",
      "Rule for a hidden layer's kernel width per batch: alignment[:GRID] (kernel alignment with the labels over GRID=300 widths), fixed:SIGMA, median, knn[:K] or silverman[:GAMMA].",
      "string", "alignment", s -> KernelWidthRules.parse(s).spec(), s -> true, ""));

  public static final ConfigEntry<Double> WIDTH_GRID_START = positive("infoplane.width.grid.start",
      "" + AlignmentGrid.DEFAULT_START,
      "First width of the alignment grid linspace(start, endFactor * mean distance, size).");

  public static final ConfigEntry<Double> WIDTH_GRID_END_FACTOR = positive("infoplane.width.grid.endFactor",
      "" + AlignmentGrid.DEFAULT_END_FACTOR,
      "The alignment grid's last width is this factor times the batch's mean pairwise distance.");

  public static final ConfigEntry<Integer> WIDTH_GRID_SIZE = register(new ConfigEntry<>("infoplane.width.grid.size",
      "Points of the alignment grid, and of each extension past an edge (a width rule alignment:G overrides it).",
      "int", "" + AlignmentGrid.DEFAULT_SIZE, Integer::parseInt, n -> n >= 2 && n <= 100_000,
      "must be in [2, 100000]"));

  public static final ConfigEntry<String> WIDTH_GRID_MEAN = choice("infoplane.width.grid.mean", "all",
      "Mean distance that scales the alignment grid: over all N^2 entries, diagonal included (all: the paper, the authors' code) or over the pairs i != j (off-diagonal: SolidusAbi/IPDL).",
      "all", "off-diagonal");

  public static final ConfigEntry<String> WIDTH_GRID_EDGES = choice("infoplane.width.grid.edges", "extend",
      "A batch whose alignment maximum is on the grid's first or last point: extend the search past that edge a decade at a time until the maximum is interior or the kernel is the identity (below a tenth of the smallest distance) or all ones (above ten times the largest) (extend), or keep the edge point (keep: the reference implementations). Either way such batches are counted (edge_batches) and analyze warns.",
      "extend", "keep");

  public static final ConfigEntry<String> WIDTH_SCOPE = choice("infoplane.width.scope", "checkpoint",
      "Which width a batch uses: the mean of its checkpoint's per-batch widths (checkpoint: the paper) or its own (batch: both reference implementations, which estimate on one batch at a time). Smoothing then runs per batch position.",
      "checkpoint", "batch");

  public static final ConfigEntry<String> DISTANCE_PRECISION = register(new ConfigEntry<>("infoplane.distance.precision",
      "Arithmetic of the Gram products behind the squared distances: float32 (single-precision products summed in double per 512 features; within 1e-6 bits of float64 on the estimator's test batches, about twice as fast) or float64. Stored distances are kept apart by precision.",
      "string", DistancePrecision.DEFAULT.spec(), s -> DistancePrecision.parse(s).spec(), s -> true, ""));

  public static final ConfigEntry<String> DISTANCES_KEEP = choice("infoplane.distances.keep", "auto",
      "Which squared-distance matrices distance_matrices keeps: auto keeps the inputs' and those of layers at least as wide as a batch less one (D >= B - 1), whose batch of float32 activations takes at least the bytes of its distances; narrower layers are read again from the archive when a re-analysis (another alpha, width rule or smoothing, sensitivity) needs them, which costs less than storing and reading back their distances. all keeps every layer's, so that re-analyses never read the archive (e.g. before its activations are deleted). Results are the same either way.",
      "auto", "all");

  public static final ConfigEntry<Double> WIDTH_SMOOTHING = register(new ConfigEntry<>("infoplane.width.smoothing",
      "Factor beta of the moving average of widths over a run's checkpoints (see infoplane.width.smoothing.unit and .convention); 0 turns smoothing off (with the convention beta-on-old).",
      "double", "" + WidthSmoothing.DEFAULT_BETA, Double::parseDouble, b -> b >= 0.0 && b <= 1.0,
      "must be in [0, 1]; below 1 with beta-on-old, above 0 with beta-on-new"));

  public static final ConfigEntry<String> WIDTH_SMOOTHING_UNIT = choice("infoplane.width.smoothing.unit", "step",
      "What one update of the moving average is: a training step (step: between checkpoints D steps apart the old width keeps weight beta^D, as the authors smooth once per SGD iteration) or a checkpoint (checkpoint: beta once per checkpoint, which holds widths near the untrained network's). With step, every run needs checkpoint steps, or a steps_per_epoch in its manifest.",
      "step", "checkpoint");

  public static final ConfigEntry<String> WIDTH_SMOOTHING_CONVENTION = choice("infoplane.width.smoothing.convention",
      "beta-on-old",
      "Which value beta weighs: beta-on-old is sigma_t = beta*sigma_(t-1) + (1-beta)*sigma*_t (the authors); beta-on-new is sigma_t = beta*sigma*_t + (1-beta)*sigma_(t-1) (SolidusAbi/IPDL).",
      "beta-on-old", "beta-on-new");

  public static final ConfigEntry<String> ENTROPY_METHOD = choice("infoplane.entropy.method", "exact",
      "How entropies are computed: exact (all eigenvalues, O(B^3) per matrix) or randomized (Hutch++ with Lanczos quadrature from matrix-block products, O(B^2) per product, with an error estimate in the *_err columns). Randomized batches of at most 4*(rank+probes) samples are computed exactly. For large batches (B in the thousands); see docs/benchmarks.md for its accuracy and speed.",
      "exact", "randomized");

  public static final ConfigEntry<Integer> ENTROPY_PROBES = register(new ConfigEntry<>("infoplane.entropy.probes",
      "Random probe vectors of the randomized entropy method (its error falls as 1/sqrt(probes)).", "int",
      "" + EntropyMethod.DEFAULT_PROBES, Integer::parseInt, n -> n >= 2, "must be >= 2"));

  public static final ConfigEntry<Integer> ENTROPY_RANK = register(new ConfigEntry<>("infoplane.entropy.rank",
      "Dimension of the subspace of largest eigenvalues that the randomized method computes without probes (at most B/2).",
      "int", "" + EntropyMethod.DEFAULT_RANK, Integer::parseInt, n -> n >= 0, "must be >= 0"));

  public static final ConfigEntry<Integer> ENTROPY_LANCZOS_STEPS = register(new ConfigEntry<>("infoplane.entropy.lanczos.steps",
      "Lanczos steps of each quadrature of the randomized method.", "int",
      "" + EntropyMethod.DEFAULT_LANCZOS_STEPS, Integer::parseInt, n -> n >= 2, "must be >= 2"));

  public static final ConfigEntry<Long> ENTROPY_SEED = register(new ConfigEntry<>("infoplane.entropy.seed",
      "Seed of the randomized method's probes: the same data and seed give the same numbers.", "long", "0",
      Long::parseLong, s -> true, ""));

  public static final ConfigEntry<Integer> BATCH_SIZE = register(new ConfigEntry<>("infoplane.batch.size",
      "Samples per batch B; every quantity is estimated per batch and averaged. B is part of every result's key.",
      "int", "" + BatchPlan.DEFAULT_BATCH_SIZE, Integer::parseInt, b -> b >= 2 && b <= 10_000,
      "must be in [2, 10000]"));

  public static final ConfigEntry<Boolean> BATCH_SHUFFLE = bool("infoplane.batch.shuffle", "false",
      "Cut batches from a seeded shuffle of the sample ids instead of the sorted ids.");

  public static final ConfigEntry<Long> BATCH_SEED = register(new ConfigEntry<>("infoplane.batch.seed",
      "Seed of the batch shuffle (with infoplane.batch.shuffle=true).", "long", "0", Long::parseLong,
      s -> true, ""));

  // ---- Running -------------------------------------------------------------------------------

  // ---- Verdicts ------------------------------------------------------------------------------

  public static final ConfigEntry<Double> VERDICT_LEVEL = register(new ConfigEntry<>("infoplane.verdict.level",
      "False discovery rate of the verdict views (dpi_tests, phase_tests, early_stopping, split_tests, split_fall_tests): a difference is significant when its Benjamini-Hochberg q-value over the view's family (one analysis configuration, one experiment, one level) is at most this; the confidence intervals are at 1 - level.",
      "double", "0.05", Double::parseDouble, v -> v > 0.0 && v < 0.5, "must be > 0 and < 0.5"));

  public static final ConfigEntry<List<Integer>> VERDICT_PATIENCE = register(new ConfigEntry<>(
      "infoplane.verdict.patience",
      "Early-stopping patience values, in checkpoints, at which the early_stopping view stops each run on its validation loss (comma-separated).",
      "list of int", "1,2,5,10", InfoPlaneConf::intList,
      l -> !l.isEmpty() && l.stream().allMatch(p -> p >= 1), "must be integers >= 1, e.g. 1,2,5,10"));

  public static final ConfigEntry<Boolean> FAIL_FAST = bool("infoplane.failFast", "false",
      "Stop at the first bad unit instead of recording it in analysis_errors and going on.");

  public static final ConfigEntry<Integer> COMMIT_UNITS = register(new ConfigEntry<>("infoplane.commit.units",
      "The most work units per table commit: a killed job loses at most this many units' work.", "int", "10000",
      Integer::parseInt, n -> n >= 1, "must be >= 1"));

  public static final ConfigEntry<Double> COMMIT_INTERVAL = register(new ConfigEntry<>("infoplane.commit.interval",
      "Seconds of work per table commit: each pass sizes its commits from the units per second it measures"
          + " (the first holds 64 units), so a killed job loses about this much work at most; 0 = every commit"
          + " holds infoplane.commit.units units.", "double", "30", Double::parseDouble,
      v -> v >= 0.0 && v <= 86_400.0, "must be in [0, 86400]"));

  public static final ConfigEntry<String> LOCAL_MASTER = string("infoplane.local.master", "local[*]",
      "Spark master used when none is given (spark-submit's --master or spark.master win).");

  public static final ConfigEntry<Integer> ND4J_THREADS = register(new ConfigEntry<>("infoplane.nd4j.threads",
      "Threads of ND4J's native operations inside one Spark task; 0 = cores / concurrent tasks of the executor.",
      "int", "0", Integer::parseInt, n -> n >= 0, "must be >= 0"));

  public static final ConfigEntry<String> BACKEND = choice("infoplane.backend", "auto",
      "ND4J backend of the tasks: cpu, cuda (fail unless the task holds a GPU and the CUDA build runs), or auto (CUDA on the task's GPU when possible, else CPU, saying why).",
      "cpu", "cuda", "auto");

  // ---- Table maintenance ---------------------------------------------------------------------

  public static final ConfigEntry<Boolean> MAINTENANCE_ENABLED = bool("infoplane.maintenance.enabled", "true",
      "After each analysis, maintain the namespace's tables where it is due and cheap: expire old snapshots, rewrite manifests, compact small data files, remove orphan files (see the thresholds below and docs/tables.md, \"Table maintenance\"). bin/infoplane maintain does the same on demand, with no thresholds.");

  public static final ConfigEntry<java.time.Duration> MAINTENANCE_RETENTION = duration("infoplane.maintenance.retention",
      "7d", java.time.Duration.ZERO,
      "How long snapshots are kept for time travel (e.g. 7d, 12h, 30m): older ones are expired, but for the newest infoplane.maintenance.retainLast of each table. A concurrent write whose starting snapshot is expired fails its commit validation and is retried, so a short retention costs retries, never rows; but a reader still planning on an expired snapshot fails (the analysis stops with an error, and the next run continues), so keep it far longer than an analysis runs.");

  public static final ConfigEntry<Integer> MAINTENANCE_RETAIN_LAST = register(new ConfigEntry<>(
      "infoplane.maintenance.retainLast",
      "Snapshots of each table kept whatever their age (Iceberg's retain_last).", "int", "5",
      Integer::parseInt, n -> n >= 1, "must be >= 1"));

  public static final ConfigEntry<Integer> MAINTENANCE_EXPIRE_MIN = register(new ConfigEntry<>(
      "infoplane.maintenance.expire.minSnapshots",
      "After an analysis, a table's snapshots are expired only once at least this many are past the retention: each expiry is a few Spark jobs, so it is paid once per this many commits.",
      "int", "20", Integer::parseInt, n -> n >= 1, "must be >= 1"));

  public static final ConfigEntry<Integer> MAINTENANCE_MANIFESTS_MAX = register(new ConfigEntry<>(
      "infoplane.maintenance.manifests.max",
      "After an analysis, a table's manifests are rewritten (clustered by partition) once its current snapshot has more than this many.",
      "int", "20", Integer::parseInt, n -> n >= 1, "must be >= 1"));

  public static final ConfigEntry<Integer> MAINTENANCE_COMPACT_NEW_FILES = register(new ConfigEntry<>(
      "infoplane.maintenance.compact.newFiles",
      "After an analysis, a table's small data files are compacted (Iceberg's rewrite_data_files, bin-pack) once it has gained this many data files since its last compaction.",
      "int", "50", Integer::parseInt, n -> n >= 1, "must be >= 1"));

  public static final ConfigEntry<java.time.Duration> MAINTENANCE_ORPHANS_INTERVAL = duration(
      "infoplane.maintenance.orphans.interval", "1d", java.time.Duration.ZERO,
      "After an analysis, orphan files (written by a writer that failed before its commit) are removed from a table at most this often, the first time this long after the table's first commit; listing a table's files is the costly part.");

  public static final ConfigEntry<java.time.Duration> MAINTENANCE_ORPHANS_OLDER_THAN = duration(
      "infoplane.maintenance.orphans.olderThan", "3d", java.time.Duration.ofHours(1),
      "Only files older than this are removed as orphans: longer than any write may take between writing its first data file and committing (a file of a write still in progress looks like an orphan).");

  private InfoPlaneConf() {}

  /**
   * Parses a duration: a number and a unit, {@code s}, {@code m}, {@code h} or {@code d} (e.g.
   * {@code 7d}, {@code 90m}).
   */
  public static java.time.Duration parseDuration(String s) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d+)\\s*([smhd])\\s*")
        .matcher(s.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a number and a unit s, m, h or d (e.g. 7d), got '" + s + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> java.time.Duration.ofSeconds(n);
      case "m" -> java.time.Duration.ofMinutes(n);
      case "h" -> java.time.Duration.ofHours(n);
      default -> java.time.Duration.ofDays(n);
    };
  }

  private static ConfigEntry<java.time.Duration> duration(String key, String def, java.time.Duration min, String doc) {
    String minText = min.isZero() ? "0s" : min.toMinutes() % 60 == 0 ? min.toHours() + "h" : min.toMinutes() + "m";
    return register(new ConfigEntry<>(key, doc, "duration", def, InfoPlaneConf::parseDuration,
        d -> d.compareTo(min) >= 0, "must be at least " + minText));
  }

  /** The entropy method of resolved settings. */
  public static EntropyMethod entropyMethod(ResolvedConf c) {
    return c.get(ENTROPY_METHOD).equals("randomized")
        ? EntropyMethod.randomized(c.get(ENTROPY_PROBES), c.get(ENTROPY_RANK), c.get(ENTROPY_LANCZOS_STEPS),
            c.get(ENTROPY_SEED))
        : EntropyMethod.exact();
  }

  /** Every setting, in declaration order. */
  public static List<ConfigEntry<?>> entries() {
    return Collections.unmodifiableList(new ArrayList<>(ENTRIES.values()));
  }

  /** The setting of a key, or null if none has it. */
  public static ConfigEntry<?> entry(String key) {
    return ENTRIES.get(key);
  }

  private static <T> ConfigEntry<T> register(ConfigEntry<T> e) {
    if (ENTRIES.putIfAbsent(e.key(), e) != null) {
      throw new IllegalStateException("setting declared twice: " + e.key());
    }
    return e;
  }

  private static ConfigEntry<String> string(String key, String def, String doc) {
    return register(new ConfigEntry<>(key, doc, "string", def, s -> s, s -> !s.isEmpty(), "must not be empty"));
  }

  private static ConfigEntry<Double> positive(String key, String def, String doc) {
    return register(new ConfigEntry<>(key, doc, "double", def, Double::parseDouble,
        v -> v > 0.0 && !v.isInfinite(), "must be > 0 and finite"));
  }

  private static ConfigEntry<Boolean> bool(String key, String def, String doc) {
    return register(new ConfigEntry<>(key, doc, "boolean", def, s -> {
      if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(s);
      }
      throw new IllegalArgumentException("expected true or false");
    }, b -> true, ""));
  }

  private static ConfigEntry<String> choice(String key, String def, String doc, String... values) {
    List<String> allowed = List.of(values);
    return register(new ConfigEntry<>(key, doc, "one of " + String.join(", ", values), def,
        s -> s.toLowerCase(Locale.ROOT), allowed::contains, "must be one of " + String.join(", ", values)));
  }

  private static List<Integer> intList(String s) {
    List<Integer> out = new ArrayList<>();
    for (String part : s.split(",")) {
      out.add(Integer.parseInt(part.strip()));
    }
    return List.copyOf(out);
  }

  private static boolean canBuild(String estimator) {
    try {
      InformationPlaneEstimators.byName(estimator, RenyiSettings.defaults());
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
