package org.infoplane.warehouse;

import static org.apache.spark.sql.functions.col;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructType;

/**
 * The queries of the InfoPlane tables that the commands and the jobs make, other than the passes'
 * reads of the tables they compute from: the session of {@code infoplane sql}, a run's plane for
 * {@code infoplane demo}, the sensitivity summary, what the verdict and sensitivity jobs read and
 * what the calibration tallies. Each query is a method; its values are bound as named parameters or
 * through the DataFrame API, never part of the SQL text. The report's queries are {@link
 * ReportReads}.
 */
public final class WarehouseReads {

  private final SparkSession spark;
  private final IpTables tables;

  public WarehouseReads(SparkSession spark, IpTables tables) {
    this.spark = spark;
    this.tables = tables;
  }

  private String t(String table) {
    return tables.name(table);
  }

  // ---- the commands ----------------------------------------------------------------------------

  /**
   * Prepares the session for a person's own SQL ({@code infoplane sql}): the tables of a warehouse
   * of an earlier version gain the newer tables and columns that the views read, the views are
   * registered, and the InfoPlane namespace is the current one, so that unqualified names are its
   * tables.
   */
  public void prepareForUserQueries() {
    tables.createAll();
    IpViews.register(spark, tables);
    spark.sql("USE " + tables.namespace());
  }

  /**
   * A run's information plane under an estimator and α, by split (descending), step and layer:
   * split, epoch, step, layer_index, layer_name, i_xt, i_ty.
   */
  public List<Row> plane(String run, String estimator, double alpha) {
    return spark.sql("SELECT split, epoch, step, layer_index, layer_name, i_xt, i_ty FROM "
        + t(IpTables.INFORMATION_PLANE) + " WHERE run_id = :run AND estimator = :estimator AND alpha = :alpha"
        + " ORDER BY split DESC, step, layer_index", Map.<String, Object>of("run", run, "estimator", estimator,
            "alpha", alpha)).collectAsList();
  }

  /**
   * A run's rows of the view {@code sensitivity_summary} under the analysed configuration
   * {@code baseConfigId}, by split, α and width factor; registers the views first.
   */
  public List<Row> sensitivitySummary(String run, String baseConfigId) {
    IpViews.register(spark, tables);
    return spark.sql("SELECT split, alpha, sigma_scale, dpi_share, base_dpi_share, dpi_share_changed,"
        + " n_layers_changed, n_layers, layers_changed FROM " + IpViews.SENSITIVITY_SUMMARY
        + " WHERE run_id = :run AND base_config_id = :config ORDER BY split, alpha, sigma_scale",
        Map.<String, Object>of("run", run, "config", baseConfigId)).collectAsList();
  }

  // ---- the verdict job -------------------------------------------------------------------------

  /** Whether the verdict table {@code phase_tests} holds rows of the configuration. */
  public boolean hasVerdicts(String configId) {
    return !spark.sql("SELECT 1 FROM " + t(IpTables.PHASE_TESTS) + " WHERE config_id = :config LIMIT 1",
        Map.of("config", configId)).isEmpty();
  }

  /**
   * The per-batch values that the verdicts test, of the analysed configuration {@code configId} (its
   * plane and its sensitivity variants), or of every configuration when it is null: one row per unit
   * with per-batch values (rows of an older version without them take no part), with the columns
   * source ({@code analysis} or {@code sensitivity}), config_id (the analysed configuration), alpha,
   * sigma_scale (1 for the analysis), model (of {@code runs}), run_id, split, epoch, step,
   * layer_index, layer_name, i_xt_batches, i_ty_batches, h_t_batches, h_x_batches, i_xy_batches.
   */
  public Dataset<Row> batchValues(String configId) {
    String where = configId == null ? "" : " AND p.config_id = :config";
    String planes = "SELECT 'analysis' AS source, p.config_id, p.alpha, 1D AS sigma_scale, r.model, p.run_id,"
        + " p.split, p.epoch, p.step, p.layer_index, p.layer_name, p.i_xt_batches, p.i_ty_batches, p.h_t_batches,"
        + " p.h_x_batches, p.i_xy_batches FROM " + t(IpTables.INFORMATION_PLANE) + " p JOIN "
        + t(IpTables.RUNS) + " r ON p.run_id = r.run_id WHERE p.i_xt_batches IS NOT NULL" + where
        + " UNION ALL SELECT 'sensitivity', p.base_config_id, p.alpha, p.sigma_scale, r.model, p.run_id, p.split,"
        + " p.epoch, p.step, p.layer_index, p.layer_name, p.i_xt_batches, p.i_ty_batches, p.h_t_batches,"
        + " p.h_x_batches, p.i_xy_batches FROM " + t(IpTables.SENSITIVITY) + " p JOIN "
        + t(IpTables.RUNS) + " r ON p.run_id = r.run_id WHERE p.i_xt_batches IS NOT NULL"
        + where.replace("p.config_id", "p.base_config_id");
    Map<String, Object> args = configId == null ? Map.of() : Map.of("config", configId);
    return spark.sql(planes, args);
  }

  /**
   * Every run's validation loss per checkpoint, from {@code runs.metrics}: run_id, epoch, step,
   * val_loss; none where it is not recorded (and none in a warehouse whose metrics lack the field).
   */
  public List<Row> validationLosses() {
    StructType element = (StructType) ((ArrayType) spark.table(t(IpTables.RUNS)).schema()
        .apply("metrics").dataType()).elementType();
    if (!Arrays.asList(element.fieldNames()).contains("val_loss")) {
      return List.of();
    }
    return spark.sql("SELECT run_id, m.epoch AS epoch, m.step AS step, m.val_loss AS val_loss FROM "
        + t(IpTables.RUNS) + " LATERAL VIEW explode(metrics) e AS m WHERE m.val_loss IS NOT NULL")
        .collectAsList();
  }

  // ---- the sensitivity job ---------------------------------------------------------------------

  /** The archive that {@code runs} names for a run; empty for an unknown run or one without it. */
  public Optional<String> archiveOf(String run) {
    return spark.sql("SELECT archive FROM " + t(IpTables.RUNS) + " WHERE run_id = :run AND archive IS NOT NULL",
        Map.<String, Object>of("run", run)).as(Encoders.STRING()).collectAsList().stream().findFirst();
  }

  /**
   * The units of a run analysed under a configuration, one row each of {@code information_plane}:
   * run_id, split, epoch, step, layer_index, layer_name, layer_kind, sigma, sigma_raw, n_batches.
   */
  public List<Row> analysedUnits(String run, String configId) {
    return spark.table(t(IpTables.INFORMATION_PLANE))
        .where(col("run_id").equalTo(run).and(col("config_id").equalTo(configId)))
        .select("run_id", "split", "epoch", "step", "layer_index", "layer_name", "layer_kind", "sigma", "sigma_raw",
            "n_batches")
        .collectAsList();
  }

  /** The configurations a run was analysed under, sorted. */
  public List<String> configsOf(String run) {
    return spark.table(t(IpTables.INFORMATION_PLANE)).where(col("run_id").equalTo(run)).select("config_id")
        .distinct().orderBy("config_id").as(Encoders.STRING()).collectAsList();
  }

  /** A run's row of {@code runs} with its number of classes: run_id, num_classes. */
  public Dataset<Row> classesOf(String run) {
    return spark.table(t(IpTables.RUNS)).where(col("run_id").equalTo(run)).select("run_id", "num_classes");
  }

  // ---- the calibration -------------------------------------------------------------------------

  /**
   * The analysed plane's phase verdicts of a configuration (table {@code phase_tests}): level, model,
   * split, layer_index, phase, drop_effect.
   */
  public List<Row> phaseVerdicts(String configId) {
    return spark.sql("SELECT level, model, split, layer_index, phase, drop_effect FROM "
        + t(IpTables.PHASE_TESTS) + " WHERE source = 'analysis' AND config_id = :config",
        Map.<String, Object>of("config", configId)).collectAsList();
  }

  /**
   * The analysed plane's decided DPI tests of a configuration (table {@code dpi_tests}, verdict not
   * {@code undecided}): level, model, quantity, from_index, verdict, diff_effect.
   */
  public List<Row> decidedDpiTests(String configId) {
    return spark.sql("SELECT level, model, quantity, from_index, verdict, diff_effect FROM "
        + t(IpTables.DPI_TESTS) + " WHERE source = 'analysis' AND config_id = :config AND verdict <> 'undecided'",
        Map.<String, Object>of("config", configId)).collectAsList();
  }
}
