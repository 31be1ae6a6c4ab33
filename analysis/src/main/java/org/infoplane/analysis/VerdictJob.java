package org.infoplane.analysis;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.TableWrites;
import org.infoplane.warehouse.WarehouseReads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes the verdict tables ({@code dpi_tests}, {@code phase_tests}, {@code early_stopping},
 * {@code split_tests}, {@code split_fall_tests}) from
 * the per-batch values of {@code information_plane} and {@code sensitivity}: one Spark task per
 * experiment (the runs of one model under one configuration, α and width factor), each computing
 * {@link Verdicts#of} on plain records. The verdicts of every configuration it computes replace the
 * stored ones in one commit per table; they are a function of the plane and the settings
 * {@code infoplane.verdict.level} and {@code infoplane.verdict.patience}, so running it again
 * gives the same rows. Rows without per-batch values (written by an older version) take no part;
 * the next {@code analyze} computes their values.
 */
public final class VerdictJob {

  private static final Logger LOG = LoggerFactory.getLogger(VerdictJob.class);

  private static final String DPI_TESTS = IpTables.DPI_TESTS;
  private static final String PHASE_TESTS = IpTables.PHASE_TESTS;
  private static final String EARLY_STOPPING = IpTables.EARLY_STOPPING;

  private final SparkSession spark;
  private final IpTables tables;
  private final WarehouseReads reads;
  private final TableWrites writes;
  private final double level;
  private final List<Integer> patience;

  /** What a run computed: experiments and rows per table. */
  public record Summary(int experiments, int dpiRows, int phaseRows, int stopRows, int splitFallRows) {}

  public VerdictJob(SparkSession spark, ResolvedConf conf) {
    this(spark, conf, new TableWrites(spark, () -> {}));
  }

  VerdictJob(SparkSession spark, ResolvedConf conf, TableWrites writes) {
    this.spark = spark;
    this.tables = new IpTables(spark, conf);
    this.reads = new WarehouseReads(spark, tables);
    this.writes = writes;
    this.level = conf.get(InfoPlaneConf.VERDICT_LEVEL);
    this.patience = conf.get(InfoPlaneConf.VERDICT_PATIENCE);
  }

  /** Whether the verdict tables hold rows of the configuration (the tables exist once created). */
  public boolean has(String configId) {
    tables.createAll();
    return reads.hasVerdicts(configId);
  }

  /** The key columns of an experiment, in every verdict table. */
  private static final String GROUP = "source, config_id, alpha, sigma_scale, model";

  /**
   * Computes the verdicts of the analysed configuration {@code configId} (its plane and its
   * sensitivity variants), or of every configuration when it is null, and replaces their rows.
   */
  public Summary run(String configId) {
    tables.createAll();
    spark.sparkContext().setJobGroup("infoplane", "InfoPlane verdicts" + (configId == null ? "" : " of " + configId),
        false);
    try {
      return compute(configId);
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  private Summary compute(String configId) {
    Dataset<Row> rows = reads.batchValues(configId);

    Broadcast<HashMap<String, List<Verdicts.ValidationLoss>>> losses =
        new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext()).broadcast(validationLosses());
    double lvl = level;
    List<Integer> pat = patience;
    List<Experiment> results = rows
        .groupByKey((MapFunction<Row, String>) VerdictJob::groupKey, Encoders.STRING())
        .flatMapGroups((FlatMapGroupsFunction<String, Row, Experiment>) (key, group) ->
            List.of(experiment(key, group, losses.value(), lvl, pat)).iterator(),
            Encoders.javaSerialization(Experiment.class))
        .collectAsList();
    Timestamp now = new Timestamp(System.currentTimeMillis());
    List<Row> dpi = new ArrayList<>();
    List<Row> phases = new ArrayList<>();
    List<Row> stops = new ArrayList<>();
    List<Row> splits = new ArrayList<>();
    List<Row> falls = new ArrayList<>();
    for (Experiment e : results) {
      for (Verdicts.FallRow f : e.result().falls()) {
        falls.add(fallRow(e, f, now));
      }
      for (Verdicts.SplitRow d : e.result().splits()) {
        splits.add(splitRow(e, d, now));
      }
      for (Verdicts.DpiRow d : e.result().dpi()) {
        dpi.add(dpiRow(e, d, now));
      }
      for (Verdicts.PhaseRow p : e.result().phases()) {
        phases.add(phaseRow(e, p, now));
      }
      for (Verdicts.StopRow s : e.result().stops()) {
        stops.add(stopRow(e, s, now));
      }
    }
    replace(DPI_TESTS, DPI_SCHEMA, dpi, configId);
    replace(PHASE_TESTS, PHASE_SCHEMA, phases, configId);
    replace(EARLY_STOPPING, STOP_SCHEMA, stops, configId);
    replace(IpTables.SPLIT_TESTS, SPLIT_SCHEMA, splits, configId);
    replace(IpTables.SPLIT_FALL_TESTS, FALL_SCHEMA, falls, configId);
    LOG.info("verdicts: {} experiments, {} DPI tests, {} phase verdicts, {} early-stopping rows, {} split-fall"
        + " comparisons", results.size(), dpi.size(), phases.size(), stops.size(), falls.size());
    return new Summary(results.size(), dpi.size(), phases.size(), stops.size(), falls.size());
  }

  /** One experiment's key and verdicts. */
  public record Experiment(String source, String configId, double alpha, double sigmaScale, String model,
      Verdicts.Result result) implements java.io.Serializable {}

  /**
   * The experiment of a row of {@link WarehouseReads#batchValues}: its {@link #GROUP} columns, read
   * by name.
   */
  private static String groupKey(Row r) {
    String model = r.getAs("model");
    return r.<String>getAs("source") + "\u0000" + r.<String>getAs("config_id") + "\u0000"
        + r.<Double>getAs("alpha").doubleValue() + "\u0000" + r.<Double>getAs("sigma_scale").doubleValue() + "\u0000"
        + (model == null ? "" : model);
  }

  private static Experiment experiment(String key, Iterator<Row> group, Map<String, List<Verdicts.ValidationLoss>> losses,
      double level, List<Integer> patience) {
    List<Verdicts.Point> points = new ArrayList<>();
    List<Verdicts.ValidationLoss> validation = new ArrayList<>();
    java.util.Set<String> runs = new java.util.HashSet<>();
    Row first = null;
    while (group.hasNext()) {
      Row r = group.next();
      first = first == null ? r : first;
      String run = r.getAs("run_id");
      if (runs.add(run)) {
        validation.addAll(losses.getOrDefault(run, List.of()));
      }
      points.add(new Verdicts.Point(run, r.getAs("split"), r.<Integer>getAs("epoch"), r.<Long>getAs("step"),
          r.<Integer>getAs("layer_index"), r.getAs("layer_name"), doubles(r, "i_xt_batches"),
          doubles(r, "i_ty_batches"), doubles(r, "h_t_batches"), doubles(r, "h_x_batches"),
          doubles(r, "i_xy_batches")));
    }
    return new Experiment(first.getAs("source"), first.getAs("config_id"), first.<Double>getAs("alpha"),
        first.<Double>getAs("sigma_scale"), first.getAs("model"), Verdicts.of(points, validation, level, patience));
  }

  private static double[] doubles(Row r, String column) {
    int i = r.fieldIndex(column);
    if (r.isNullAt(i)) {
      return null;
    }
    List<Double> list = r.getList(i);
    double[] out = new double[list.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = list.get(k);
    }
    return out;
  }

  /** Each run's validation loss per checkpoint, from {@code runs.metrics} (none where not recorded). */
  private HashMap<String, List<Verdicts.ValidationLoss>> validationLosses() {
    HashMap<String, List<Verdicts.ValidationLoss>> out = new HashMap<>();
    for (Row r : reads.validationLosses()) {
      String run = r.getAs("run_id");
      out.computeIfAbsent(run, k -> new ArrayList<>()).add(new Verdicts.ValidationLoss(run, r.<Integer>getAs("epoch"),
          r.<Long>getAs("step"), r.<Double>getAs("val_loss")));
    }
    return out;
  }

  // ---- the tables ------------------------------------------------------------------------------

  private static final StructType EXPERIMENT_SCHEMA = new StructType()
      .add("source", "string", false).add("config_id", "string", false).add("alpha", "double", false)
      .add("sigma_scale", "double", false).add("model", "string", true).add("level", "string", false)
      .add("run_id", "string", true).add("n_runs", "int", false);

  private static StructType withTest(StructType s, String prefix) {
    return s.add(prefix + "_effect", "double").add(prefix + "_ci_low", "double").add(prefix + "_ci_high", "double")
        .add(prefix + "_p", "double").add(prefix + "_q", "double").add(prefix + "_df", "double");
  }

  static final StructType DPI_SCHEMA = withTest(EXPERIMENT_SCHEMA.add("split", "string", false)
      .add("epoch", "int", false).add("step", "bigint", false).add("quantity", "string", false)
      .add("from_index", "int", false).add("from_name", "string", false).add("to_index", "int", false)
      .add("to_name", "string", false).add("n", "int", false), "diff")
      .add("verdict", "string", false).add("computed_at", "timestamp", false);

  static final StructType PHASE_SCHEMA = withTest(withTest(withTest(withTest(EXPERIMENT_SCHEMA
      .add("split", "string", false).add("layer_index", "int", false).add("layer_name", "string", false)
      .add("n_checkpoints", "int", false).add("first_epoch", "int").add("first_step", "bigint")
      .add("peak_epoch", "int").add("peak_step", "bigint").add("trough_epoch", "int").add("trough_step", "bigint"),
      "fit"), "drop"), "ty_drop"), "transient").add("phase", "string", false).add("computed_at", "timestamp", false);

  static final StructType STOP_SCHEMA = withTest(EXPERIMENT_SCHEMA.add("split", "string", false)
      .add("layer_index", "int", false).add("layer_name", "string", false).add("patience", "int", false)
      .add("kept_epoch", "int").add("kept_step", "bigint").add("stopped_epoch", "int").add("stopped_step", "bigint")
      .add("phase", "string", false).add("peak_epoch", "int").add("peak_step", "bigint")
      .add("relation", "string", false), "drop_by_stop").add("computed_at", "timestamp", false);

  static final StructType SPLIT_SCHEMA = withTest(EXPERIMENT_SCHEMA.add("first_split", "string", false)
      .add("second_split", "string", false).add("epoch", "int", false).add("step", "bigint", false)
      .add("layer_index", "int", false).add("layer_name", "string", false).add("quantity", "string", false)
      .add("n", "int", false), "diff").add("computed_at", "timestamp", false);

  static final StructType FALL_SCHEMA = withTest(EXPERIMENT_SCHEMA.add("layer_index", "int", false)
      .add("layer_name", "string", false).add("n_checkpoints", "int", false).add("peak_epoch", "int")
      .add("peak_step", "bigint").add("trough_epoch", "int").add("trough_step", "bigint").add("train_fall", "double")
      .add("test_fall", "double").add("n", "int", false), "diff").add("verdict", "string", false)
      .add("computed_at", "timestamp", false);

  private static Row fallRow(Experiment e, Verdicts.FallRow f, Timestamp now) {
    List<Object> v = experimentValues(e, f.level(), f.runId(), f.nRuns());
    v.addAll(Arrays.asList(f.layerIndex(), f.layerName(), f.nCheckpoints(), epoch(f.peak()), step(f.peak()),
        epoch(f.trough()), step(f.trough()), finite(f.trainFall()), finite(f.testFall()), f.difference().n()));
    addTest(v, f.difference());
    v.add(f.verdict());
    v.add(now);
    return RowFactory.create(v.toArray());
  }

  private static Row splitRow(Experiment e, Verdicts.SplitRow d, Timestamp now) {
    List<Object> v = experimentValues(e, d.level(), d.runId(), d.nRuns());
    v.addAll(Arrays.asList(d.firstSplit(), d.secondSplit(), d.epoch(), d.step(), d.layerIndex(), d.layerName(),
        d.quantity(), d.test().n()));
    addTest(v, d.test());
    v.add(now);
    return RowFactory.create(v.toArray());
  }

  private static List<Object> experimentValues(Experiment e, String level, String runId, int nRuns) {
    return new ArrayList<>(Arrays.asList(e.source(), e.configId(), e.alpha(), e.sigmaScale(), e.model(), level, runId,
        nRuns));
  }

  private static void addTest(List<Object> v, Verdicts.Tested t) {
    if (t == null) {
      v.addAll(Arrays.asList(null, null, null, null, null, null));
      return;
    }
    v.addAll(Arrays.asList(finite(t.effect()), finite(t.ciLow()), finite(t.ciHigh()), finite(t.p()), finite(t.q()),
        t.df()));
  }

  /** NaN (an undecided test's interval and p) is stored as null, which SQL compares as unknown. */
  private static Double finite(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static Integer epoch(Verdicts.Checkpoint c) {
    return c == null ? null : c.epoch();
  }

  private static Long step(Verdicts.Checkpoint c) {
    return c == null ? null : c.step();
  }

  private static Row dpiRow(Experiment e, Verdicts.DpiRow d, Timestamp now) {
    List<Object> v = experimentValues(e, d.level(), d.runId(), d.nRuns());
    v.addAll(Arrays.asList(d.split(), d.epoch(), d.step(), d.quantity(), d.fromIndex(), d.fromName(), d.toIndex(),
        d.toName(), d.test().n()));
    addTest(v, d.test());
    v.add(d.verdict());
    v.add(now);
    return RowFactory.create(v.toArray());
  }

  private static Row phaseRow(Experiment e, Verdicts.PhaseRow p, Timestamp now) {
    List<Object> v = experimentValues(e, p.level(), p.runId(), p.nRuns());
    v.addAll(Arrays.asList(p.split(), p.layerIndex(), p.layerName(), p.nCheckpoints(), epoch(p.first()), step(p.first()),
        epoch(p.peak()), step(p.peak()), epoch(p.trough()), step(p.trough())));
    addTest(v, p.fitting());
    addTest(v, p.drop());
    addTest(v, p.tyDrop());
    addTest(v, p.transientFall());
    v.add(p.phase());
    v.add(now);
    return RowFactory.create(v.toArray());
  }

  private static Row stopRow(Experiment e, Verdicts.StopRow s, Timestamp now) {
    List<Object> v = experimentValues(e, Verdicts.RUN, s.runId(), 1);
    v.addAll(Arrays.asList(s.split(), s.layerIndex(), s.layerName(), s.patience(), epoch(s.kept()), step(s.kept()),
        epoch(s.stopped()), step(s.stopped()), s.phase(), epoch(s.peak()), step(s.peak()), s.relation()));
    addTest(v, s.dropByStop());
    v.add(now);
    return RowFactory.create(v.toArray());
  }

  /**
   * Replaces the rows of the configurations computed (one, or all) with {@code rows}, in one
   * commit: Iceberg's overwrite by filter deletes the matching rows and adds the new ones atomically.
   */
  private void replace(String table, StructType schema, List<Row> rows, String configId) {
    org.apache.spark.sql.Column which = configId == null ? org.apache.spark.sql.functions.lit(true)
        : org.apache.spark.sql.functions.col("config_id").equalTo(configId);
    writes.overwrite(tables.name(table), spark.createDataFrame(rows, schema), which);
  }
}
