package org.infoplane.warehouse;

import static org.apache.spark.sql.functions.col;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructType;

/**
 * What the report ({@code org.infoplane.report.Report}) reads of the warehouse: the runs and models
 * with results, a run's or a model's plane and widths, its training metrics, the analysis
 * configuration, the verdicts of the tables and views, and the sensitivity rows. Each query is a
 * method; its values are bound as named parameters, never part of the SQL text. The analysis views
 * ({@link IpViews}) are registered in the session when the reads are made.
 */
public final class ReportReads {

  /**
   * The runs a report covers under one analysis configuration: one run, or every run of a model.
   * Its condition is over {@code information_plane p} joined with {@code runs r}; its values are
   * parameters.
   */
  public static final class Scope {

    private final String condition;
    private final Map<String, Object> values;
    private final String config;

    private Scope(String condition, Map<String, Object> values, String config) {
      this.condition = condition;
      this.values = values;
      this.config = config;
    }

    /** The results of one run under configuration {@code config}. */
    public static Scope run(String run, String config) {
      return new Scope("p.run_id = :run", Map.of("run", run), config);
    }

    /** The results of every run of a model under configuration {@code config}. */
    public static Scope model(String model, String config) {
      return new Scope("r.model = :model", Map.of("model", model), config);
    }

    /** The analysis configuration. */
    public String config() {
      return config;
    }

    /** The values of the condition's parameters and of {@code :config}. */
    private Map<String, Object> args() {
      Map<String, Object> a = new java.util.LinkedHashMap<>(values);
      a.put("config", config);
      return a;
    }
  }

  private final SparkSession spark;
  private final IpTables tables;

  /** Reads of the tables of {@code tables}; registers the views over them in the session. */
  public ReportReads(SparkSession spark, IpTables tables) {
    this.spark = spark;
    this.tables = tables;
    IpViews.register(spark, tables);
  }

  private List<Row> collect(String query, Map<String, Object> args) {
    return spark.sql(query, args).collectAsList();
  }

  private String t(String table) {
    return tables.name(table);
  }

  // ---- runs, models and configurations --------------------------------------------------------

  /** Run ids with results in {@code information_plane}, sorted. */
  public List<String> runsWithResults() {
    return collect("SELECT DISTINCT run_id FROM " + t(IpTables.INFORMATION_PLANE) + " ORDER BY run_id", Map.of())
        .stream().map(r -> r.<String>getAs("run_id")).toList();
  }

  /** The configuration of a run's most recent results (the smallest id among equally recent ones). */
  public String latestConfig(String run) {
    return collect("SELECT config_id FROM " + t(IpTables.INFORMATION_PLANE) + " WHERE run_id = :run"
        + " GROUP BY config_id ORDER BY MAX(computed_at) DESC, config_id LIMIT 1", Map.of("run", run))
        .get(0).getAs("config_id");
  }

  /** The models of {@code runs}, sorted. */
  public List<String> models() {
    return collect("SELECT DISTINCT model FROM " + t(IpTables.RUNS) + " WHERE model IS NOT NULL ORDER BY model",
        Map.of()).stream().map(r -> r.<String>getAs("model")).toList();
  }

  /** The configuration of a model's most recent results; empty when none of its runs has results. */
  public Optional<String> latestModelConfig(String model) {
    return collect("SELECT p.config_id FROM " + t(IpTables.INFORMATION_PLANE) + " p JOIN " + t(IpTables.RUNS)
        + " r ON p.run_id = r.run_id WHERE r.model = :model GROUP BY p.config_id"
        + " ORDER BY MAX(p.computed_at) DESC, p.config_id LIMIT 1", Map.of("model", model))
        .stream().map(r -> r.<String>getAs("config_id")).findFirst();
  }

  /** The runs of a model with results under a configuration, sorted. */
  public List<String> runsOfModel(String model, String config) {
    return collect("SELECT DISTINCT p.run_id FROM " + t(IpTables.INFORMATION_PLANE) + " p JOIN "
        + t(IpTables.RUNS) + " r ON p.run_id = r.run_id WHERE r.model = :model AND p.config_id = :config"
        + " ORDER BY p.run_id", Map.of("model", model, "config", config))
        .stream().map(r -> r.<String>getAs("run_id")).toList();
  }

  /** A run's row of {@code runs}: its model, dataset, seed, classes, producer and archive. */
  public Dataset<Row> run(String run) {
    return spark.sql("SELECT run_id, model, dataset, seed, num_classes, producer, archive, updated_at FROM "
        + t(IpTables.RUNS) + " WHERE run_id = :run", Map.of("run", run));
  }

  /** The rows of {@code runs} of a model, by run id. */
  public Dataset<Row> runsOf(String model) {
    return spark.sql("SELECT run_id, model, dataset, seed, archive, updated_at FROM " + t(IpTables.RUNS)
        + " WHERE model = :model ORDER BY run_id", Map.of("model", model));
  }

  /** The row of {@code analysis_configs} of a configuration; none where it is not registered. */
  public Dataset<Row> analysisConfig(String config) {
    return spark.sql("SELECT * FROM " + t(IpTables.ANALYSIS_CONFIGS) + " WHERE config_id = :config",
        Map.of("config", config));
  }

  // ---- the plane -------------------------------------------------------------------------------

  /**
   * A run's points under a configuration: split, epoch, step, layer_index, layer_name, i_xt, i_ty,
   * sigma, sigma_raw.
   */
  public List<Row> points(String run, String config) {
    return collect("SELECT split, epoch, step, layer_index, layer_name, i_xt, i_ty, sigma, sigma_raw FROM "
        + t(IpTables.INFORMATION_PLANE) + " WHERE run_id = :run AND config_id = :config",
        Map.of("run", run, "config", config));
  }

  /**
   * The points of a model under a configuration, mean over its runs (view {@code
   * ip_mean_over_runs}): split, epoch, step, layer_index, layer_name, i_xt_mean, i_ty_mean, i_xt_std,
   * i_ty_std, sigma_mean and sigma_raw_mean, the mean of the runs' own σ*.
   */
  public List<Row> meanPoints(String model, String config) {
    return collect("SELECT v.split, v.epoch, v.step, v.layer_index, v.layer_name, v.i_xt_mean, v.i_ty_mean, v.i_xt_std,"
        + " v.i_ty_std, v.sigma_mean, w.sigma_raw_mean FROM " + IpViews.MEAN_OVER_RUNS + " v JOIN (SELECT p.split,"
        + " p.epoch, p.step, p.layer_index, AVG(p.sigma_raw) AS sigma_raw_mean FROM " + t(IpTables.INFORMATION_PLANE)
        + " p JOIN " + t(IpTables.RUNS) + " r ON p.run_id = r.run_id WHERE r.model = :model AND p.config_id = :config"
        + " GROUP BY p.split, p.epoch, p.step, p.layer_index) w ON v.split = w.split AND v.epoch = w.epoch"
        + " AND v.step = w.step AND v.layer_index = w.layer_index WHERE v.model = :model AND v.config_id = :config",
        Map.of("model", model, "config", config));
  }

  /**
   * The reference values of the scope's rows, one row: h_y, h_x and i_xy (their means) and
   * batch_size (the largest); null where the scope has no rows.
   */
  public Row referenceValues(Scope scope) {
    return collect("SELECT AVG(p.h_y) AS h_y, MAX(p.batch_size) AS batch_size, AVG(p.h_x) AS h_x, AVG(p.i_xy) AS i_xy"
        + " FROM " + t(IpTables.INFORMATION_PLANE) + " p JOIN " + t(IpTables.RUNS) + " r ON p.run_id = r.run_id"
        + " WHERE p.config_id = :config AND " + scope.condition, scope.args()).get(0);
  }

  /**
   * Every point of the scope with its bootstrap intervals and width ({@code plane.csv}), by run,
   * split, step, epoch and layer.
   */
  public Dataset<Row> planeRows(Scope scope) {
    return spark.sql("SELECT p.run_id, p.config_id, p.split, p.epoch, p.step, p.layer_index, p.layer_name, p.i_xt,"
        + " p.i_xt_ci_low, p.i_xt_ci_high, p.i_ty, p.i_ty_ci_low, p.i_ty_ci_high, p.h_t, p.sigma, p.sigma_raw,"
        + " p.n_batches FROM " + t(IpTables.INFORMATION_PLANE) + " p JOIN " + t(IpTables.RUNS) + " r ON"
        + " p.run_id = r.run_id WHERE " + scope.condition + " AND p.config_id = :config"
        + " ORDER BY p.run_id, p.split, p.step, p.epoch, p.layer_index", scope.args());
  }

  /**
   * The width used and each checkpoint's own σ* per layer of the scope ({@code widths.csv}), by run,
   * split, layer, step and epoch.
   */
  public Dataset<Row> widthRows(Scope scope) {
    return spark.sql("SELECT p.run_id, p.config_id, p.split, p.epoch, p.step, p.layer_index, p.layer_name, p.sigma,"
        + " p.sigma_raw FROM " + t(IpTables.INFORMATION_PLANE) + " p JOIN " + t(IpTables.RUNS) + " r ON"
        + " p.run_id = r.run_id WHERE " + scope.condition + " AND p.config_id = :config"
        + " ORDER BY p.run_id, p.split, p.layer_index, p.step, p.epoch", scope.args());
  }

  // ---- training metrics ------------------------------------------------------------------------

  /**
   * A run's training metrics per checkpoint, by step and epoch: epoch, step, loss, train_accuracy,
   * test_accuracy, test_loss, val_loss, val_accuracy (NaN where the warehouse does not record a
   * value).
   */
  public Dataset<Row> metrics(String run) {
    return spark.sql("SELECT m.epoch, m.step, m.loss, m.train_accuracy, m.test_accuracy, "
        + metricsField("test_loss") + " AS test_loss, " + metricsField("val_loss") + " AS val_loss, "
        + metricsField("val_accuracy") + " AS val_accuracy FROM " + t(IpTables.RUNS)
        + " LATERAL VIEW explode(metrics) e AS m WHERE run_id = :run ORDER BY m.step, m.epoch", Map.of("run", run));
  }

  /**
   * The training metrics of a model's runs with results under a configuration, mean over the runs
   * per checkpoint, by step and epoch; the columns of {@link #metrics}.
   */
  public List<Row> meanMetrics(String model, String config) {
    return collect("SELECT m.epoch AS epoch, m.step AS step, AVG(m.loss) AS loss, AVG(m.train_accuracy) AS"
        + " train_accuracy, AVG(m.test_accuracy) AS test_accuracy, AVG(" + metricsField("test_loss")
        + ") AS test_loss, AVG(" + metricsField("val_loss") + ") AS val_loss, AVG(" + metricsField("val_accuracy")
        + ") AS val_accuracy FROM "
        + t(IpTables.RUNS) + " LATERAL VIEW explode(metrics) e AS m WHERE model = :model"
        + " AND run_id IN (SELECT DISTINCT run_id FROM " + t(IpTables.INFORMATION_PLANE) + " WHERE config_id = :config)"
        + " GROUP BY m.epoch, m.step ORDER BY m.step, m.epoch", Map.of("model", model, "config", config));
  }

  /**
   * The training metrics of each run of the scope ({@code metrics.csv} of a model), by run, step and
   * epoch: run_id and the columns of {@link #metrics}.
   */
  public Dataset<Row> metricsPerRun(Scope scope) {
    return spark.sql("SELECT r.run_id, m.epoch, m.step, m.loss, m.train_accuracy, m.test_accuracy, "
        + metricsField("test_loss") + " AS test_loss, " + metricsField("val_loss") + " AS val_loss, "
        + metricsField("val_accuracy") + " AS val_accuracy FROM " + t(IpTables.RUNS)
        + " r LATERAL VIEW explode(metrics) e AS m WHERE r.run_id IN (SELECT p.run_id FROM "
        + t(IpTables.INFORMATION_PLANE) + " p JOIN " + t(IpTables.RUNS) + " r ON p.run_id = r.run_id WHERE "
        + scope.condition + " AND p.config_id = :config) ORDER BY r.run_id, m.step, m.epoch", scope.args());
  }

  /**
   * A field of the metrics struct {@code m} as SQL, or NaN in a warehouse whose struct lacks it (an
   * older one).
   */
  private String metricsField(String field) {
    StructType element = (StructType) ((ArrayType) spark.table(t(IpTables.RUNS)).schema().apply("metrics")
        .dataType()).elementType();
    return Arrays.asList(element.fieldNames()).contains(field) ? "m." + field : "CAST('NaN' AS DOUBLE)";
  }

  // ---- verdicts --------------------------------------------------------------------------------

  /**
   * The checkpoints early stopping keeps in a run (table {@code early_stopping}), by patience:
   * patience, kept_epoch, kept_step; none where it never stops.
   */
  public List<Row> keptCheckpoints(String run, String config) {
    return collect("SELECT DISTINCT patience, kept_epoch, kept_step FROM " + t(IpTables.EARLY_STOPPING)
        + " WHERE source = 'analysis' AND run_id = :run AND config_id = :config AND kept_step IS NOT NULL"
        + " ORDER BY patience", Map.of("run", run, "config", config));
  }

  /** The patience values at which the runs of a model were judged (table {@code early_stopping}), sorted. */
  public List<Integer> patienceOfModel(String model, String config) {
    return collect("SELECT DISTINCT e.patience FROM " + t(IpTables.EARLY_STOPPING) + " e JOIN "
        + t(IpTables.RUNS) + " r ON e.run_id = r.run_id WHERE e.source = 'analysis' AND r.model = :model"
        + " AND e.config_id = :config ORDER BY e.patience", Map.of("model", model, "config", config))
        .stream().map(r -> r.<Integer>getAs("patience")).toList();
  }

  /** A run's rows of the view {@code dpi_check}, by split (descending), step and epoch. */
  public Dataset<Row> dpiOfRun(String run, String config) {
    return spark.sql("SELECT * FROM " + IpViews.DPI_CHECK + " WHERE run_id = :run AND config_id = :config"
        + " ORDER BY split DESC, step, epoch", Map.of("run", run, "config", config));
  }

  /** A run's rows of the view {@code compression_phases}, by split (descending) and layer. */
  public Dataset<Row> phasesOfRun(String run, String config) {
    return spark.sql("SELECT * FROM " + IpViews.COMPRESSION_PHASES + " WHERE run_id = :run AND config_id = :config"
        + " ORDER BY split DESC, layer_index", Map.of("run", run, "config", config));
  }

  /**
   * A run's rows of the table {@code early_stopping} for its page: per split, layer and patience, the
   * kept and stopping checkpoints, the layer's phase and how compression relates to the stop.
   */
  public Dataset<Row> earlyStoppingOfRun(String run, String config) {
    return spark.sql("SELECT split, layer_name, patience, kept_epoch, kept_step, stopped_step,"
        + " phase, peak_step, relation, drop_by_stop_effect, drop_by_stop_ci_low, drop_by_stop_ci_high, drop_by_stop_q"
        + " FROM " + t(IpTables.EARLY_STOPPING) + " WHERE source = 'analysis' AND run_id = :run AND config_id = :config"
        + " ORDER BY split DESC, layer_index, patience", Map.of("run", run, "config", config));
  }

  /** A model's rows of the view {@code early_stopping_summary}, by split (descending), layer and patience. */
  public Dataset<Row> earlyStoppingSummary(String model, String config) {
    return spark.sql("SELECT * FROM early_stopping_summary WHERE model = :model AND config_id = :config"
        + " ORDER BY split DESC, layer_index, patience", Map.of("model", model, "config", config));
  }

  /** A model's experiment-level rows of the view {@code compression_phases}, by split (descending) and layer. */
  public Dataset<Row> experimentPhases(String model, String config) {
    return spark.sql("SELECT * FROM " + IpViews.COMPRESSION_PHASES + " WHERE level = 'experiment' AND model = :model"
        + " AND config_id = :config ORDER BY split DESC, layer_index", Map.of("model", model, "config", config));
  }

  /**
   * A model's rows of the view {@code compression_phases}, both levels, by level, run, split
   * (descending) and layer.
   */
  public Dataset<Row> phasesOfModel(String model, String config) {
    return spark.sql("SELECT * FROM " + IpViews.COMPRESSION_PHASES + " WHERE model = :model"
        + " AND config_id = :config ORDER BY level, run_id, split DESC, layer_index", Map.of("model", model,
        "config", config));
  }

  /**
   * A model's rows of the view {@code dpi_check}, both levels, by level, run, split (descending) and
   * step.
   */
  public Dataset<Row> dpiOfModel(String model, String config) {
    return spark.sql("SELECT * FROM " + IpViews.DPI_CHECK + " WHERE model = :model AND config_id = :config"
        + " ORDER BY level, run_id, split DESC, step", Map.of("model", model, "config", config));
  }

  /**
   * The run-level rows of the view {@code dpi_check} of a model's runs, by run, split (descending),
   * step and epoch.
   */
  public Dataset<Row> dpiPerRun(String model, String config) {
    return spark.sql("SELECT d.* FROM " + IpViews.DPI_CHECK + " d JOIN " + t(IpTables.RUNS)
        + " r ON d.run_id = r.run_id WHERE r.model = :model AND d.config_id = :config"
        + " ORDER BY d.run_id, d.split DESC, d.step, d.epoch", Map.of("model", model, "config", config));
  }

  /**
   * The run-level rows of the view {@code compression_phases} of a model's runs, by run, split
   * (descending) and layer.
   */
  public Dataset<Row> phasesPerRun(String model, String config) {
    return spark.sql("SELECT c.* FROM " + IpViews.COMPRESSION_PHASES + " c JOIN " + t(IpTables.RUNS)
        + " r ON c.run_id = r.run_id WHERE r.model = :model AND c.config_id = :config"
        + " ORDER BY c.run_id, c.split DESC, c.layer_index", Map.of("model", model, "config", config));
  }

  // ---- sensitivity -----------------------------------------------------------------------------

  /**
   * The rows of the table {@code sensitivity} of {@code runs}, by run; empty where the warehouse has
   * no such table.
   */
  public Optional<Dataset<Row>> sensitivity(List<String> runs) {
    if (!tables.exists(IpTables.SENSITIVITY)) {
      return Optional.empty();
    }
    Dataset<Row> rows = spark.table(t(IpTables.SENSITIVITY));
    if (List.of(rows.columns()).contains("run_id")) {
      rows = rows.where(col("run_id").isin(runs.toArray())).orderBy("run_id");
    }
    return Optional.of(rows);
  }
}
