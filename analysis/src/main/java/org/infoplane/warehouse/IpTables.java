package org.infoplane.warehouse;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructType;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;

/**
 * The InfoPlane tables in their Iceberg catalog, documented in {@code docs/tables.md}. Created on
 * first use; every statement is idempotent.
 */
public final class IpTables {

  public static final String INFORMATION_PLANE = "information_plane";
  public static final String RUNS = "runs";
  public static final String ANALYSIS_ERRORS = "analysis_errors";
  public static final String ANALYSIS_CONFIGS = "analysis_configs";
  public static final String DISTANCE_MATRICES = "distance_matrices";
  public static final String LAYER_WIDTHS = "layer_widths";
  public static final String SENSITIVITY = "sensitivity";
  /**
   * The verdict tables ({@link org.infoplane.analysis.VerdictJob}): one row per test, replaced
   * whenever the verdicts are computed.
   */
  public static final String DPI_TESTS = "dpi_tests";
  public static final String PHASE_TESTS = "phase_tests";
  public static final String EARLY_STOPPING = "early_stopping";
  public static final String SPLIT_TESTS = "split_tests";
  public static final String SPLIT_FALL_TESTS = "split_fall_tests";
  /** How often each verdict is right on archives with a known answer ({@code infoplane calibrate}). */
  public static final String CALIBRATION = "calibration";

  /**
   * The columns of {@link #CALIBRATION}, in order. The table is created by {@link
   * #createCalibration}, not with the others: only {@code infoplane calibrate} writes it.
   */
  public static final StructType CALIBRATION_SCHEMA = new StructType().add("config_id", "string", false)
      .add("scenario", "string", false).add("claim", "string", false).add("level", "string", false)
      .add("planted_bits", "double", false).add("series", "int", false).add("hits", "int", false)
      .add("rate", "double", false).add("rate_ci_low", "double", true).add("rate_ci_high", "double", true)
      .add("mean_effect", "double", true).add("expectation", "string", false).add("computed_at", "timestamp", false);

  /** How uncertain a mean over batches is: standard errors and bootstrap intervals (bits). */
  private static final String UNCERTAINTY_COLUMNS = """
      i_xt_se DOUBLE COMMENT 'standard error of i_xt over batches: i_xt_std / sqrt(n_batches), bits',
      i_ty_se DOUBLE COMMENT 'standard error of i_ty over batches, bits',
      h_t_se DOUBLE COMMENT 'standard error of h_t over batches, bits',
      i_xt_ci_low DOUBLE COMMENT 'seeded percentile-bootstrap 95 % interval of i_xt over batches, low end, bits',
      i_xt_ci_high DOUBLE COMMENT 'high end of the bootstrap interval of i_xt, bits',
      i_ty_ci_low DOUBLE COMMENT 'low end of the bootstrap interval of i_ty, bits',
      i_ty_ci_high DOUBLE COMMENT 'high end of the bootstrap interval of i_ty, bits',
      h_t_ci_low DOUBLE COMMENT 'low end of the bootstrap interval of h_t, bits',
      h_t_ci_high DOUBLE COMMENT 'high end of the bootstrap interval of h_t, bits'""";

  /**
   * The input's own terms and each row's per-batch values, in batch order (batch b holds the same
   * samples at every layer and checkpoint of a run and split: comparisons between such rows are
   * paired). The verdicts ({@code VerdictJob}) test from these.
   */
  private static final String BATCH_COLUMNS = """
      i_xy DOUBLE COMMENT 'I(X;Y) in bits, mean over batches: the head of the chain for I(T;Y); null for estimators without it',
      i_xy_se DOUBLE COMMENT 'standard error of i_xy over batches, bits',
      h_x_se DOUBLE COMMENT 'standard error of h_x over batches, bits',
      i_xt_batches ARRAY<DOUBLE> COMMENT 'I(X;T) of each batch, in batch order, bits',
      i_ty_batches ARRAY<DOUBLE> COMMENT 'I(T;Y) of each batch, in batch order, bits',
      h_t_batches ARRAY<DOUBLE> COMMENT 'S(T) of each batch, in batch order, bits',
      h_x_batches ARRAY<DOUBLE> COMMENT 'S(X) of each batch, in batch order, bits',
      i_xy_batches ARRAY<DOUBLE> COMMENT 'I(X;Y) of each batch, in batch order, bits'""";

  /**
   * Columns that {@code information_plane} gained after its first release, in order: tables made
   * before them get them (null in old rows) when they are opened. Each entry is one column's DDL.
   */
  static final List<String> INFORMATION_PLANE_ADDED = columnList(UNCERTAINTY_COLUMNS);
  /** Columns that {@code information_plane} and {@code sensitivity} gained with the tested verdicts. */
  static final List<String> BATCH_VALUES_ADDED = columnList(BATCH_COLUMNS);

  private final SparkSession spark;
  private final String namespace;
  private final String displayNamespace;

  public IpTables(SparkSession spark, ResolvedConf conf) {
    this.spark = spark;
    this.namespace = namespace(conf.get(InfoPlaneConf.CATALOG_NAME), conf.get(InfoPlaneConf.NAMESPACE));
    this.displayNamespace = conf.get(InfoPlaneConf.CATALOG_NAME) + "." + conf.get(InfoPlaneConf.NAMESPACE);
  }

  /** {@code `catalog`.`namespace`}, each part a quoted identifier, for SQL text. */
  public String namespace() {
    return namespace;
  }

  /** The fully qualified name of a table, {@code `catalog`.`namespace`.`table`}, for SQL text. */
  public String name(String table) {
    return namespace + "." + Sql.identifier(table);
  }

  /**
   * A table's name for people, {@code catalog.namespace.table} without quotes (both parts are
   * identifiers, as the configuration requires): for messages and reports, never for SQL text.
   */
  String displayName(String table) {
    return displayNamespace + "." + table;
  }

  /**
   * The namespace of a catalog as SQL text: each part a quoted identifier, so that a catalog or
   * namespace named like a keyword, or with characters outside an unquoted identifier, is still one
   * name.
   */
  static String namespace(String catalog, String namespace) {
    return Sql.qualified(catalog, namespace);
  }

  /** Whether the catalog holds {@code table}, one of this class's table names. */
  public boolean exists(String table) {
    return spark.catalog().tableExists(name(table));
  }

  /** Creates the namespace and every table that does not exist yet. */
  public void createAll() {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + namespace);
    create(INFORMATION_PLANE, """
        run_id STRING NOT NULL, split STRING NOT NULL, epoch INT NOT NULL, step BIGINT NOT NULL,
        layer_index INT NOT NULL, layer_name STRING NOT NULL, layer_kind STRING,
        estimator STRING NOT NULL, alpha DOUBLE NOT NULL, batch_size INT NOT NULL, n_batches INT NOT NULL,
        sigma DOUBLE COMMENT 'kernel width used for the layer (smoothed); null for a constant layer or a width-free estimator',
        sigma_raw DOUBLE COMMENT 'the checkpoint width before smoothing: mean of the per-batch widths',
        i_xt DOUBLE NOT NULL COMMENT 'I(X;T) in bits, mean over batches',
        i_ty DOUBLE NOT NULL COMMENT 'I(T;Y) in bits, mean over batches',
        h_t DOUBLE NOT NULL COMMENT 'S(T) in bits', h_x DOUBLE NOT NULL COMMENT 'S(X) in bits',
        h_y DOUBLE NOT NULL COMMENT 'S(Y) in bits',
        i_xt_std DOUBLE NOT NULL COMMENT 'standard deviation of I(X;T) over batches, bits',
        i_ty_std DOUBLE NOT NULL COMMENT 'standard deviation of I(T;Y) over batches, bits',
        h_t_std DOUBLE NOT NULL,
        config_id STRING NOT NULL, computed_at TIMESTAMP NOT NULL,
        """ + EDGE_BATCHES_COLUMN + ", " + String.join(", ", INFORMATION_PLANE_ADDED) + ", "
        + String.join(", ", ERROR_COLUMNS) + ", " + String.join(", ", BATCH_VALUES_ADDED), "config_id");
    create(RUNS, """
        run_id STRING NOT NULL, model STRING, dataset STRING, seed BIGINT, producer STRING,
        format_version INT, num_classes INT,
        layers ARRAY<STRUCT<layer_index: INT, name: STRING, kind: STRING, shape: ARRAY<BIGINT>>>,
        splits MAP<STRING, INT> COMMENT 'evaluation samples per split',
        metrics ARRAY<STRUCT<epoch: INT, step: BIGINT, loss: DOUBLE, train_accuracy: DOUBLE, test_accuracy: DOUBLE,
            test_loss: DOUBLE, val_loss: DOUBLE, val_accuracy: DOUBLE>>,
        archive STRING, updated_at TIMESTAMP""", null);
    create(ANALYSIS_ERRORS, """
        run_id STRING NOT NULL, split STRING, epoch INT, step BIGINT, layer_index INT, layer_name STRING,
        config_id STRING NOT NULL, pass STRING NOT NULL, reason STRING NOT NULL, failed_at TIMESTAMP NOT NULL""", null);
    create(ANALYSIS_CONFIGS, """
        config_id STRING NOT NULL, estimator STRING, alpha DOUBLE, sigma_x DOUBLE, sigma_y DOUBLE,
        width_rule STRING, width_smoothing DOUBLE, batch_size INT, batch_shuffle BOOLEAN, batch_seed BIGINT,
        created_at TIMESTAMP, """ + ENTROPY_METHOD_COLUMN + ", " + SMOOTHING_UNIT_COLUMN + ", " + PRESET_COLUMN, null);
    create(DISTANCE_MATRICES, """
        run_id STRING NOT NULL, split STRING NOT NULL, epoch INT NOT NULL, step BIGINT NOT NULL,
        layer_index INT NOT NULL COMMENT '-1 for the input X',
        batching STRING NOT NULL, batch_index INT NOT NULL, n INT NOT NULL, dimension BIGINT NOT NULL,
        distances BINARY NOT NULL COMMENT 'upper triangle of the squared distances, row by row, float64 little-endian',
        labels ARRAY<INT> COMMENT 'labels of the batch (input rows only)',
        sample_ids ARRAY<BIGINT> COMMENT 'sample ids of the batch (input rows only)',
        created_at TIMESTAMP NOT NULL""", "run_id");
    create(LAYER_WIDTHS, """
        run_id STRING NOT NULL, split STRING NOT NULL, epoch INT NOT NULL, step BIGINT NOT NULL,
        layer_index INT NOT NULL, batching STRING NOT NULL, width_config STRING NOT NULL,
        sigma_star DOUBLE COMMENT 'mean of the per-batch widths; null for a constant layer',
        n_batches INT NOT NULL, computed_at TIMESTAMP NOT NULL,
        """ + EDGE_BATCHES_COLUMN + ", " + BATCH_SIGMA_STARS_COLUMN, null);
    create(SENSITIVITY, """
        run_id STRING NOT NULL, split STRING NOT NULL, epoch INT NOT NULL, step BIGINT NOT NULL,
        layer_index INT NOT NULL, layer_name STRING NOT NULL, layer_kind STRING,
        base_config_id STRING NOT NULL COMMENT 'the analysed configuration varied (information_plane.config_id)',
        alpha DOUBLE NOT NULL COMMENT 'Renyi order of this variant',
        sigma_scale DOUBLE NOT NULL COMMENT 'factor on the analysed layer width sigma',
        sigma DOUBLE COMMENT 'layer width used: sigma_scale times the analysed sigma; null for a constant layer',
        batch_size INT NOT NULL, n_batches INT NOT NULL,
        i_xt DOUBLE NOT NULL, i_ty DOUBLE NOT NULL, h_t DOUBLE NOT NULL, h_x DOUBLE NOT NULL, h_y DOUBLE NOT NULL,
        i_xt_std DOUBLE NOT NULL, i_ty_std DOUBLE NOT NULL, h_t_std DOUBLE NOT NULL,
        computed_at TIMESTAMP NOT NULL,
        """ + UNCERTAINTY_COLUMNS + ", " + BATCH_COLUMNS, "run_id");
    createVerdictTables();
    migrate();
  }

  private static final String EXPERIMENT_COLUMNS = """
      source STRING NOT NULL COMMENT 'analysis (information_plane) or sensitivity (a variant of it)',
      config_id STRING NOT NULL COMMENT 'the analysed configuration', alpha DOUBLE NOT NULL,
      sigma_scale DOUBLE NOT NULL COMMENT 'factor on the analysed widths (1 for the analysis)',
      model STRING COMMENT 'the experiment: runs.model',
      level STRING NOT NULL COMMENT 'run (tests on the batches of one run) or experiment (tests over the runs)',
      run_id STRING COMMENT 'the run; null at experiment level',
      n_runs INT NOT NULL COMMENT 'runs the verdict rests on',""";

  private static String test(String prefix, String what) {
    return prefix + "_effect DOUBLE COMMENT '" + what + ", bits', "
        + prefix + "_ci_low DOUBLE COMMENT 'low end of its confidence interval (1 - level), bits', "
        + prefix + "_ci_high DOUBLE COMMENT 'high end of its confidence interval, bits', "
        + prefix + "_p DOUBLE COMMENT 'two-sided p-value of its t-test', "
        + prefix + "_q DOUBLE COMMENT 'Benjamini-Hochberg q-value over the family of the view', "
        + prefix + "_df DOUBLE COMMENT 'degrees of freedom of its t-test (0: undecided)'";
  }

  private void createVerdictTables() {
    create(DPI_TESTS, EXPERIMENT_COLUMNS + """
        split STRING NOT NULL, epoch INT NOT NULL, step BIGINT NOT NULL,
        quantity STRING NOT NULL COMMENT 'i_xt (chain S(X), I(X;T1), ...) or i_ty (chain I(X;Y), I(T1;Y), ...)',
        from_index INT NOT NULL COMMENT 'the earlier element of the pair: -1 for the input X',
        from_name STRING NOT NULL, to_index INT NOT NULL COMMENT 'the later element: a layer', to_name STRING NOT NULL,
        n INT NOT NULL COMMENT 'batches (run level) or runs (experiment level) tested',
        """ + test("diff", "later minus earlier: positive is a violation") + """
        , verdict STRING NOT NULL COMMENT 'holds, violated (significantly positive) or undecided',
        computed_at TIMESTAMP NOT NULL""", "config_id");
    create(PHASE_TESTS, EXPERIMENT_COLUMNS + """
        split STRING NOT NULL, layer_index INT NOT NULL, layer_name STRING NOT NULL, n_checkpoints INT NOT NULL,
        first_epoch INT, first_step BIGINT, peak_epoch INT, peak_step BIGINT, trough_epoch INT, trough_step BIGINT,
        """ + test("fit", "I(X;T) at the peak minus at the first checkpoint") + ", "
        + test("drop", "I(X;T) at the peak minus at the trough after it: positive is a fall") + ", "
        + test("ty_drop", "I(T;Y) at the peak minus at the trough") + ", "
        + test("transient", "I(X;T) at the first checkpoint minus at the trough") + """
        , phase STRING NOT NULL COMMENT 'constant, undecided, flat, fitting, fitting, then compression, fitting, then I(X;T) and I(T;Y) fall, initial transient',
        computed_at TIMESTAMP NOT NULL""", "config_id");
    create(EARLY_STOPPING, EXPERIMENT_COLUMNS + """
        split STRING NOT NULL, layer_index INT NOT NULL, layer_name STRING NOT NULL,
        patience INT NOT NULL COMMENT 'checkpoints without improvement of the validation loss before stopping',
        kept_epoch INT COMMENT 'the checkpoint early stopping keeps (lowest validation loss); null when it never stops',
        kept_step BIGINT, stopped_epoch INT COMMENT 'the checkpoint at which training stops', stopped_step BIGINT,
        phase STRING NOT NULL COMMENT 'the run-level phase verdict of the layer (phase_tests)',
        peak_epoch INT, peak_step BIGINT,
        relation STRING NOT NULL COMMENT 'before, after (compression started before or after the kept checkpoint), no compression, undecided, no early stop, no validation loss',
        """ + test("drop_by_stop", "I(X;T) at the peak minus at the kept checkpoint") + """
        , computed_at TIMESTAMP NOT NULL""", "config_id");
    create(SPLIT_TESTS, EXPERIMENT_COLUMNS + """
        first_split STRING NOT NULL, second_split STRING NOT NULL, epoch INT NOT NULL, step BIGINT NOT NULL,
        layer_index INT NOT NULL, layer_name STRING NOT NULL, quantity STRING NOT NULL COMMENT 'i_xt or i_ty',
        n INT NOT NULL COMMENT 'batches of the first split (run level) or runs (experiment level)',
        """ + test("diff", "the first split minus the second (Welch at run level)") + """
        , computed_at TIMESTAMP NOT NULL""", "config_id");
    create(SPLIT_FALL_TESTS, EXPERIMENT_COLUMNS + """
        layer_index INT NOT NULL, layer_name STRING NOT NULL,
        n_checkpoints INT NOT NULL COMMENT 'checkpoints the layer has on both splits (of every run, at experiment level)',
        peak_epoch INT COMMENT 'the I(X;T) peak, chosen once for both splits', peak_step BIGINT,
        trough_epoch INT COMMENT 'the lowest checkpoint after the peak; null when the peak is the last', trough_step BIGINT,
        train_fall DOUBLE COMMENT 'I(X;T) at the peak minus at the trough on the train split, on the tested data, bits',
        test_fall DOUBLE COMMENT 'the same on the test split, bits',
        n INT NOT NULL COMMENT 'odd batches of both splits (run level) or test runs (experiment level)',
        """ + test("diff", "train_fall minus test_fall (Welch at run level)") + """
        , verdict STRING NOT NULL COMMENT 'train falls more, test falls more, no difference or undecided',
        computed_at TIMESTAMP NOT NULL""", "config_id");
  }

  private static final String EDGE_BATCHES_COLUMN = "edge_batches INT COMMENT 'batches whose width search ended"
      + " with its maximum on a grid edge (after any extension): their width depends on where the grid stops'";
  /** The error columns of the randomized entropy method, in bits. */
  private static final String[] ERROR_COLUMNS = {
    "h_t_err DOUBLE COMMENT 'estimated standard error of h_t from the randomized entropy method, bits; 0 when"
        + " exact; null in rows written before the column existed'",
    "i_xt_err DOUBLE COMMENT 'estimated standard error of i_xt from the randomized entropy method, bits; 0 when exact'",
    "i_ty_err DOUBLE COMMENT 'estimated standard error of i_ty from the randomized entropy method, bits; 0 when exact'",
  };
  private static final String ENTROPY_METHOD_COLUMN = "entropy_method STRING COMMENT 'exact, or"
      + " randomized(probes=..,rank=..,steps=..,seed=..); null in rows written before the setting existed (exact)'";
  private static final String SMOOTHING_UNIT_COLUMN = "width_smoothing_unit STRING COMMENT 'what one factor of"
      + " width_smoothing spans: step (a training step) or checkpoint'";
  private static final String PRESET_COLUMN = "preset STRING COMMENT 'the preset the settings came from (paper,"
      + " authors-code, ipdl)'";
  private static final String BATCH_SIGMA_STARS_COLUMN = "batch_sigma_stars ARRAY<DOUBLE> COMMENT 'the width"
      + " rule choice per batch, in batch order (null for a constant layer)'";

  /**
   * Brings tables created by an earlier version up to this one's columns: each missing column is
   * added (null in the rows that exist), nothing else changes.
   */
  private void migrate() {
    addColumnIfMissing(INFORMATION_PLANE, "edge_batches", EDGE_BATCHES_COLUMN);
    addColumnIfMissing(LAYER_WIDTHS, "edge_batches", EDGE_BATCHES_COLUMN);
    addColumnIfMissing(LAYER_WIDTHS, "batch_sigma_stars", BATCH_SIGMA_STARS_COLUMN);
    addMissingColumns(INFORMATION_PLANE, INFORMATION_PLANE_ADDED);
    for (String c : ERROR_COLUMNS) {
      addColumnIfMissing(INFORMATION_PLANE, c.substring(0, c.indexOf(' ')), c);
    }
    addMissingColumns(INFORMATION_PLANE, BATCH_VALUES_ADDED);
    addMissingColumns(SENSITIVITY, BATCH_VALUES_ADDED);
    addColumnIfMissing(ANALYSIS_CONFIGS, "entropy_method", ENTROPY_METHOD_COLUMN);
    addColumnIfMissing(ANALYSIS_CONFIGS, "width_smoothing_unit", SMOOTHING_UNIT_COLUMN);
    addColumnIfMissing(ANALYSIS_CONFIGS, "preset", PRESET_COLUMN);
    addMetricsFields();
  }

  private void addColumnIfMissing(String table, String column, String definition) {
    if (!java.util.Arrays.asList(spark.table(name(table)).schema().fieldNames()).contains(column)) {
      spark.sql("ALTER TABLE " + name(table) + " ADD COLUMN " + definition);
    }
  }

  /** The column DDLs of a comma-separated list (no commas inside a column's DDL). */
  private static List<String> columnList(String ddl) {
    return Arrays.stream(ddl.split(",\\s*\n")).map(String::strip).toList();
  }

  /**
   * Adds the columns of {@code columns} (DDLs) that {@code table} lacks, in order: the migration of
   * tables written by an older InfoPlane. Existing rows read null in them.
   */
  private void addMissingColumns(String table, List<String> columns) {
    Set<String> have = new HashSet<>(Arrays.asList(spark.table(name(table)).schema().fieldNames()));
    List<String> missing = columns.stream().filter(c -> !have.contains(c.split("\\s+", 2)[0])).toList();
    if (!missing.isEmpty()) {
      spark.sql("ALTER TABLE " + name(table) + " ADD COLUMNS (" + String.join(", ", missing) + ")");
    }
  }

  /** The fields of the {@code runs} table's metrics struct added after the first release, in order. */
  private static final List<String> METRICS_ADDED = List.of("test_loss", "val_loss", "val_accuracy");

  /**
   * One element of the {@code runs} table's {@code metrics} array: epoch, step, loss, train_accuracy,
   * test_accuracy, test_loss, val_loss, val_accuracy, in the struct's field order (a table created
   * by an older version has the same order after {@link #migrate}). Unrecorded values are NaN.
   */
  public static org.apache.spark.sql.Row metricsRow(org.infoplane.snapshot.CheckpointMetrics c) {
    return org.apache.spark.sql.RowFactory.create(c.checkpoint().epoch(), c.checkpoint().step(), c.loss(),
        c.trainAccuracy(), c.testAccuracy(), c.testLoss(), c.valLoss(), c.valAccuracy());
  }

  /**
   * Warehouses created before the test loss, or the validation split's loss and accuracy, were
   * recorded: adds the missing fields of {@code metrics.element} ({@link #METRICS_ADDED}, DOUBLE, at the
   * end, in order; null in the existing rows; the next analysis of their archives fills them where
   * recorded).
   */
  private void addMetricsFields() {
    ArrayType metrics = (ArrayType) spark.table(name(RUNS)).schema().apply("metrics").dataType();
    StructType element = (StructType) metrics.elementType();
    for (String field : METRICS_ADDED) {
      if (!Arrays.asList(element.fieldNames()).contains(field)) {
        spark.sql("ALTER TABLE " + name(RUNS) + " ADD COLUMN metrics.element." + field + " DOUBLE");
      }
    }
  }

  /** Creates the table {@link #CALIBRATION} unless it exists. */
  public void createCalibration() {
    spark.sql("CREATE TABLE IF NOT EXISTS " + name(CALIBRATION) + " (" + CALIBRATION_SCHEMA.toDDL() + ") USING iceberg"
        + " TBLPROPERTIES ('format-version'='2')");
  }

  private void create(String table, String columns, String partition) {
    spark.sql("CREATE TABLE IF NOT EXISTS " + name(table) + " (" + columns + ") USING iceberg"
        + (partition == null ? "" : " PARTITIONED BY (" + partition + ")")
        + " TBLPROPERTIES ('format-version'='2')");
  }
}
