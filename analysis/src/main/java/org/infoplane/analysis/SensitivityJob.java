package org.infoplane.analysis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;
import org.infoplane.config.ResolvedConf;
import org.infoplane.warehouse.AnalysisLease;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.TableWrites;
import org.infoplane.warehouse.WarehouseReads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How much an analysed run's information plane depends on the Rényi order α and on the layers'
 * kernel widths: for every combination of α and a factor s on the analysed widths σ_T (σ_X and σ_Y
 * fixed), the plane of every unit of the run, into the {@code sensitivity} table (docs/tables.md).
 *
 * <p>Works from the stored distance matrices and the analysed widths (no activation is read but
 * those of layers whose distances are not kept, {@code infoplane.distances.keep}, which are read
 * again from the run's archive), through the analysis job's own entropy pass: its per-batch estimates
 * ({@link EntropyPass#estimates}) and per-unit aggregation ({@link EntropyPass#results}), so that the
 * combination α = the analysed α, s = 1 is the analysed plane. The views
 * {@code sensitivity_summary} and {@code sensitivity_verdicts} compare each combination's DPI share
 * and verdicts with the analysed ones.
 *
 * <p>Writes as the analysis does: holding the {@link AnalysisLease} of the run's archive in this
 * warehouse (an analysis of that archive, which may still be adding the run's units, finishes
 * first; so does another sensitivity run of it), and through {@link TableWrites}, which checks the
 * lease before each attempt and retries a commit that conflicts with another writer's.
 */
public final class SensitivityJob {

  private static final Logger LOG = LoggerFactory.getLogger(SensitivityJob.class);

  private final SparkSession spark;
  private final AnalysisConfig config;
  private final IpTables tables;
  private final WarehouseReads reads;
  private final String warehouse;
  private final TableWrites writes;
  /** The lease this run holds while it runs; every table write checks it first. */
  private AnalysisLease lease;

  /** One variant: a Rényi order and a factor on the analysed layer widths. */
  public record Combination(double alpha, double sigmaScale) {}

  /** What a sensitivity run computed. */
  public record Result(String runId, String baseConfigId, double baseAlpha, int units, List<Combination> combinations) {}

  /** The analysis whose plane is varied is the one these settings describe. */
  private final ResolvedConf conf;

  public SensitivityJob(SparkSession spark, ResolvedConf conf) {
    this.spark = spark;
    this.config = AnalysisConfig.from(conf);
    this.tables = new IpTables(spark, conf);
    this.reads = new WarehouseReads(spark, tables);
    this.conf = conf;
    this.warehouse = conf.get(org.infoplane.config.InfoPlaneConf.WAREHOUSE);
    this.writes = new TableWrites(spark, () -> {
      if (lease == null) {
        throw new IllegalStateException("sensitivity writes only under the lease of the run's archive, and the run"
            + " has no row in " + tables.name(IpTables.RUNS) + " naming its archive: analyse the run again");
      }
      lease.requireHeld();
    });
  }

  /**
   * Computes every combination of {@code alphas} and {@code sigmaScales} for the run's units and
   * replaces their rows in {@code sensitivity}.
   *
   * @throws IllegalArgumentException for a bad α or factor, another estimator than the tensor
   *     kernel's, or a run without an analysis under these settings (naming the run and the
   *     configuration); nothing is written then
   */
  public Result run(String runId, List<Double> alphas, List<Double> sigmaScales) {
    List<Combination> combinations = combinations(alphas, sigmaScales);
    requireDistanceSettings();
    tables.createAll();
    Optional<String> archive = reads.archiveOf(runId);
    if (archive.isEmpty()) {
      return compute(runId, combinations, null); // refused there, unless the tables disagree (then no write)
    }
    try (AnalysisLease held = AnalysisLease.acquire(warehouse, archive.get(),
        spark.sparkContext().hadoopConfiguration())) {
      lease = held;
      return compute(runId, combinations, archive.get());
    } finally {
      lease = null;
    }
  }

  private void requireDistanceSettings() {
    if (!config.usesDistances()) {
      throw new IllegalArgumentException("sensitivity works from stored distances, which only the estimator "
          + "'renyi-tensor' uses; the settings give infoplane.estimator=" + config.estimator());
    }
    if (config.perBatchWidth()) {
      throw new IllegalArgumentException("sensitivity scales one width per layer and checkpoint, the analysed"
          + " sigma; with " + org.infoplane.config.InfoPlaneConf.WIDTH_SCOPE.key() + "=" + config.widths().scope().spec()
          + " (e.g. the presets authors-code and ipdl) every batch had its own width, which the tables do not"
          + " keep after smoothing: vary an analysis with scope 'checkpoint'");
    }
  }

  /** @param archive the run's archive, where the activations of units without stored distances are read */
  private Result compute(String runId, List<Combination> combinations, String archive) {
    String baseConfigId = config.configId();
    describe(baseConfigId, "reading the analysed units of run " + runId);
    List<Row> unitRows = reads.analysedUnits(runId, baseConfigId);
    if (unitRows.isEmpty()) {
      List<String> configs = reads.configsOf(runId);
      throw new IllegalArgumentException("run '" + runId + "' has no analysis under configuration " + baseConfigId
          + " (the settings given)" + (configs.isEmpty() ? "; it has not been analysed at all"
              : "; it was analysed under " + String.join(", ", configs) + ": give the same settings as then")
          + ". Run `infoplane analyze` first.");
    }
    Map<String, Integer> expectedBatches = new TreeMap<>();
    // Every batch of a unit used the unit's width (scope 'checkpoint'): one todo row per batch, as
    // the entropy pass has them.
    List<Row> todo = new ArrayList<>();
    for (Row r : unitRows) {
      UnitKey u = PassRows.unit(r);
      int batches = r.<Integer>getAs("n_batches");
      expectedBatches.put(u.id(), batches);
      for (int b = 0; b < batches; b++) {
        todo.add(PassRows.unitRow(u, b, r.<Double>getAs("sigma"), r.<Double>getAs("sigma_raw")));
      }
    }
    Dataset<Row> classes = reads.classesOf(runId);
    String batching = config.batching().key();
    java.util.Set<String> withDistances = DistancePass.stored(spark, tables, batching, col("run_id").equalTo(runId));
    Broadcast<SerializableConfiguration> hadoop = archive == null ? null : JavaSparkContext
        .fromSparkContext(spark.sparkContext()).broadcast(new SerializableConfiguration(
            spark.sparkContext().hadoopConfiguration()));

    Dataset<Row> joined = EntropyPass.estimateInput(spark, tables, batching, todo, withDistances, classes)
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      requireDistances(joined, expectedBatches, runId);
      List<Row> out = new ArrayList<>();
      for (Combination c : combinations) {
        describe(baseConfigId, "alpha " + c.alpha() + ", sigma x " + c.sigmaScale() + " on " + unitRows.size()
            + " units");
        AnalysisConfig variant = config.withAlpha(c.alpha());
        UnitWork work = archive == null ? UnitWork.fromDistances(variant, false)
            : new UnitWork(archive, hadoop, variant, false);
        Column scaled = col("sigma").multiply(lit(c.sigmaScale()));
        // The entropy pass's own estimates and aggregation, at the variant's α and widths.
        List<Row> results = EntropyPass.results(EntropyPass.estimates(joined.withColumn("sigma", scaled), work),
            new Aggregates(variant));
        for (Row r : results) {
          String error = PassRows.resultError(r);
          if (error != null) {
            throw new IllegalStateException("sensitivity of run " + runId + " at alpha " + c.alpha() + ", sigma x "
                + c.sigmaScale() + " failed, nothing was written: " + error);
          }
        }
        for (Row r : results) {
          out.add(withCombination(r, baseConfigId, c.sigmaScale()));
        }
      }
      describe(baseConfigId, "committing " + out.size() + " rows");
      writes.using(spark.createDataFrame(out, RESULT_WITH_COMBINATION), v -> "MERGE INTO "
          + tables.name(IpTables.SENSITIVITY) + " t USING (SELECT " + SENSITIVITY_COLUMNS + " FROM " + v + ") s ON t.run_id = s.run_id AND t.split = s.split AND t.epoch = s.epoch"
          + " AND t.step = s.step AND t.layer_index = s.layer_index AND t.base_config_id = s.base_config_id"
          + " AND t.alpha = s.alpha AND t.sigma_scale = s.sigma_scale"
          + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
    } finally {
      joined.unpersist();
      spark.sparkContext().clearJobGroup();
    }
    // The variants' verdicts are tests on their own per-batch values, like the analysed plane's.
    new VerdictJob(spark, conf, writes).run(baseConfigId);
    LOG.info("sensitivity of run {} (configuration {}): {} units x {} combinations", runId, baseConfigId,
        unitRows.size(), combinations.size());
    return new Result(runId, baseConfigId, config.alpha(), unitRows.size(), combinations);
  }

  /** Every (α, s) pair, in the order given, without repeats; each value checked. */
  static List<Combination> combinations(List<Double> alphas, List<Double> sigmaScales) {
    if (alphas.isEmpty() || sigmaScales.isEmpty()) {
      throw new IllegalArgumentException("give at least one alpha and one sigma scale");
    }
    for (double a : alphas) {
      if (!(a > 0.0) || Double.isInfinite(a)) {
        throw new IllegalArgumentException("alpha must be > 0 and finite, got " + a);
      }
    }
    for (double s : sigmaScales) {
      if (!(s > 0.0) || Double.isInfinite(s)) {
        throw new IllegalArgumentException("sigma scale must be > 0 and finite, got " + s);
      }
    }
    LinkedHashSet<Combination> out = new LinkedHashSet<>();
    for (double a : alphas) {
      for (double s : sigmaScales) {
        out.add(new Combination(a, s));
      }
    }
    return List.copyOf(out);
  }

  /** Every unit must find all of its batches' distances: the analysis' own batches. */
  private static void requireDistances(Dataset<Row> joined, Map<String, Integer> expected, String runId) {
    Map<String, Integer> found = new TreeMap<>();
    for (Row r : joined.groupBy("run_id", "split", "epoch", "step", "layer_index", "layer_name", "layer_kind")
        .count().collectAsList()) {
      found.put(PassRows.unit(r).id(), r.<Long>getAs("count").intValue());
    }
    for (Map.Entry<String, Integer> e : expected.entrySet()) {
      int have = found.getOrDefault(e.getKey(), 0);
      if (have != e.getValue()) {
        throw new IllegalArgumentException("run " + runId + ": unit " + e.getKey() + " was analysed on "
            + e.getValue() + " batches, distance_matrices holds " + have + " of them; analyse the run again");
      }
    }
  }

  /** The {@code sensitivity} columns, in table order. */
  static final String SENSITIVITY_COLUMNS = "run_id, split, epoch, step, layer_index, layer_name, layer_kind,"
      + " base_config_id, alpha, sigma_scale, sigma, batch_size, n_batches, i_xt, i_ty, h_t, h_x, h_y,"
      + " i_xt_std, i_ty_std, h_t_std, computed_at, i_xt_se, i_ty_se, h_t_se, i_xt_ci_low, i_xt_ci_high,"
      + " i_ty_ci_low, i_ty_ci_high, h_t_ci_low, h_t_ci_high, i_xy, i_xy_se, h_x_se, i_xt_batches, i_ty_batches,"
      + " h_t_batches, h_x_batches, i_xy_batches";

  private static final org.apache.spark.sql.types.StructType RESULT_WITH_COMBINATION = Aggregates.RESULT_ROW
      .add("base_config_id", "string", false).add("sigma_scale", "double", false);

  private static Row withCombination(Row result, String baseConfigId, double sigmaScale) {
    Object[] values = new Object[result.length() + 2];
    for (int i = 0; i < result.length(); i++) {
      values[i] = result.get(i);
    }
    values[result.length()] = baseConfigId;
    values[result.length() + 1] = sigmaScale;
    return org.apache.spark.sql.RowFactory.create(values);
  }

  private void describe(String baseConfigId, String what) {
    spark.sparkContext().setJobGroup("infoplane", "InfoPlane sensitivity of " + baseConfigId + ": " + what, false);
  }
}
