package org.infoplane.analysis;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.estimator.width.WidthSmoothing;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.CheckpointMetrics;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.RunManifest;
import org.infoplane.snapshot.RunReader;
import org.infoplane.snapshot.SnapshotArchive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysis job: an archive of activation snapshots in, information-plane tables out.
 *
 * <p>Work is partitioned by (run, split, checkpoint, layer); each task reads only its own unit's
 * activations, directly from the archive. For the tensor-kernel estimator the job runs in three
 * passes, each committed to its table in chunks of {@code infoplane.commit.units} units:
 *
 * <ol>
 *   <li><b>distances</b>: per batch, the squared-distance matrix of each layer (and once per run and
 *       split of the input X, with the batch's labels), kept in {@code distance_matrices} so that a
 *       re-analysis with another α, width rule or smoothing never reads activations again;
 *   <li><b>widths</b>: per batch, the width rule's choice, averaged per checkpoint into
 *       {@code layer_widths};
 *   <li><b>entropies</b>: the moving average of the widths over each run's checkpoints (on the
 *       driver, over a tiny table), then per batch the entropies and mutual informations, averaged
 *       per unit into {@code information_plane}.
 * </ol>
 *
 * <p>Each pass computes only what its table lacks, so a second run computes nothing, a run after new
 * checkpoints arrived computes only the new units (and any unit whose smoothed width changed), and
 * a killed run loses at most one chunk. Estimators that need the activations themselves (binning,
 * multivariate) run one direct pass instead. A unit that fails becomes a row of
 * {@code analysis_errors}; with {@code infoplane.failFast} the job stops at the first.
 */
public final class AnalysisJob {

  private static final Logger LOG = LoggerFactory.getLogger(AnalysisJob.class);
  private static final String GROUP = "infoplane";
  private static final String DISTANCE_PASS = "pass 1/3 distances";

  private final SparkSession spark;
  private final JavaSparkContext jsc;
  private final String archiveUri;
  private final AnalysisConfig config;
  private final String configId;
  private final IpTables tables;
  private final boolean failFast;
  private final int chunkSize;
  private final String warehouse;
  private final List<String> errors = new ArrayList<>();
  private final Map<String, Integer> computed = new LinkedHashMap<>();
  private final Map<String, Integer> skipped = new LinkedHashMap<>();
  /** The lease this run holds while it runs; every table write checks it first. */
  private AnalysisLease lease;

  /** What a run of the job did. */
  public record Summary(String configId, int units, Map<String, Integer> computed, Map<String, Integer> skipped,
      List<String> errors) {
    public boolean ok() {
      return errors.isEmpty();
    }
  }

  public AnalysisJob(SparkSession spark, ResolvedConf conf, String archiveUri) {
    this.spark = spark;
    this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.archiveUri = archiveUri;
    this.config = AnalysisConfig.from(conf);
    this.configId = config.configId();
    this.tables = new IpTables(spark, conf);
    this.failFast = conf.get(InfoPlaneConf.FAIL_FAST);
    this.chunkSize = conf.get(InfoPlaneConf.COMMIT_UNITS);
    this.warehouse = conf.get(InfoPlaneConf.WAREHOUSE);
  }

  /**
   * Runs the three passes, holding the {@link AnalysisLease} of this archive in this warehouse: an
   * overlapping analysis of the same archive waits for this one, then computes what is left.
   */
  public Summary run() {
    try (AnalysisLease held = AnalysisLease.acquire(warehouse, archiveUri, spark.sparkContext().hadoopConfiguration())) {
      lease = held;
      return runLeased();
    } finally {
      lease = null;
    }
  }

  private Summary runLeased() {
    describe("preparing the tables");
    tables.createAll();
    describe("registering the configuration");
    registerConfig();

    describe("listing the archive");
    SnapshotArchive archive = SnapshotArchive.open(archiveUri, spark.sparkContext().hadoopConfiguration());
    List<String> runIds = archive.runIds();
    if (runIds.isEmpty()) {
      throw new IllegalArgumentException("archive " + archiveUri + " holds no run");
    }
    List<UnitKey> inputs = new ArrayList<>();
    List<UnitKey> layers = new ArrayList<>();
    Map<String, Integer> numClasses = new HashMap<>();
    List<Row> runRows = new ArrayList<>();
    for (String runId : runIds) {
      RunReader reader = archive.run(runId);
      RunManifest m = reader.manifest();
      numClasses.put(runId, m.numClasses());
      runRows.add(runRow(m, reader.metrics()));
      for (String split : m.splitSampleIds().keySet()) {
        inputs.add(UnitKey.input(runId, split));
        for (CheckpointId cp : reader.checkpoints(split)) {
          for (LayerInfo l : m.layers()) {
            layers.add(new UnitKey(runId, split, cp.epoch(), cp.step(), l.index(), l.name(), l.kind()));
          }
        }
      }
    }
    describe("updating the runs table");
    upsertRuns(runRows);
    LOG.info("archive {}: {} runs, {} work units (run x split x checkpoint x layer); config {}",
        archiveUri, runIds.size(), layers.size(), configId);

    Broadcast<SerializableConfiguration> hadoop =
        jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    UnitWork work = new UnitWork(archiveUri, hadoop, config, failFast);
    Aggregates agg = new Aggregates(config);
    spark.createDataFrame(numClasses.entrySet().stream()
            .map(e -> RowFactory.create(e.getKey(), e.getValue())).toList(),
        new StructType().add("run_id", "string").add("num_classes", "int"))
        .createOrReplaceTempView("ip_num_classes");

    if (config.usesDistances()) {
      List<UnitKey> all = new ArrayList<>(inputs);
      all.addAll(layers);
      distancePass(all, work, agg);
      widthPass(layers, work, agg);
      Map<String, Double[]> sigmas = smoothedWidths(layers);
      entropyPass(layers, sigmas, work, agg);
    } else {
      directPass(layers, work, agg);
    }
    describe("done");
    spark.sparkContext().clearJobGroup();
    return new Summary(configId, layers.size(), computed, skipped, List.copyOf(errors));
  }

  // ---- pass 1 ----------------------------------------------------------------------------------

  private void distancePass(List<UnitKey> units, UnitWork work, Aggregates agg) {
    String pass = DISTANCE_PASS;
    describe(pass + ": finding stored units");
    Set<String> have = existing("SELECT DISTINCT run_id, split, epoch, step, layer_index FROM "
        + tables.name(IpTables.DISTANCE_MATRICES) + " WHERE batching = '" + config.batching() + "'");
    List<UnitKey> todo = units.stream().filter(u -> !have.contains(u.id())).toList();
    count(pass, todo.size(), units.size() - todo.size());
    Progress progress = new Progress(pass, todo.size());
    for (List<UnitKey> chunk : chunks(todo)) {
      describe(pass + ": reading activations of " + chunk.size() + " units");
      JavaRDD<Row> rdd = jsc.parallelize(unitRows(chunk), chunk.size());
      Dataset<Row> out = spark.createDataFrame(rdd, unitSchema())
          .mapPartitions((MapPartitionsFunction<Row, Row>) work::distances, Encoders.row(Schemas.DISTANCE_OUT))
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        // One action computes the chunk (kept for the insert below) and brings its small columns
        // to the driver: errors, and the per-batch widths that the driver averages per unit.
        List<Row> small = out.select("run_id", "split", "epoch", "step", "layer_index", "layer_name", "layer_kind",
            "batch_index", "sigma_star", "error").collectAsList();
        recordErrors(small, 9, "distances");
        describe(pass + ": committing distances");
        out.where("error IS NULL").select("run_id", "split", "epoch", "step", "layer_index", "batching",
            "batch_index", "n", "dimension", "distances", "labels", "sample_ids", "created_at")
            .createOrReplaceTempView("ip_new_distances");
        // Only units without stored distances were computed: a plain append, no merge needed.
        write("INSERT INTO " + tables.name(IpTables.DISTANCE_MATRICES) + " SELECT * FROM ip_new_distances");
        describe(pass + ": committing widths");
        appendWidths(perUnit(small.stream().filter(r -> r.isNullAt(9) && r.getInt(4) >= 0).toList(), agg::width));
      } finally {
        out.unpersist();
      }
      progress.advance(chunk.size());
    }
  }

  // ---- pass 2 ----------------------------------------------------------------------------------

  private void widthPass(List<UnitKey> layers, UnitWork work, Aggregates agg) {
    String pass = "pass 2/3 widths";
    if (skipped.getOrDefault(DISTANCE_PASS, -1) == 0) {
      // Pass 1 computed every unit, and with them their widths under this width rule.
      count(pass, 0, layers.size());
      return;
    }
    describe(pass + ": finding stored units");
    Set<String> haveDistances = existing("SELECT DISTINCT run_id, split, epoch, step, layer_index FROM "
        + tables.name(IpTables.DISTANCE_MATRICES) + " WHERE batching = '" + config.batching() + "'");
    Set<String> have = existing("SELECT run_id, split, epoch, step, layer_index FROM "
        + tables.name(IpTables.LAYER_WIDTHS) + " WHERE batching = '" + config.batching()
        + "' AND width_config = '" + sql(config.widthConfig()) + "'");
    List<UnitKey> todo = layers.stream()
        .filter(u -> haveDistances.contains(u.id()) && !have.contains(u.id())).toList();
    count(pass, todo.size(), layers.size() - todo.size());
    Progress progress = new Progress(pass, todo.size());
    for (List<UnitKey> chunk : chunks(todo)) {
      describe(pass + ": width rule " + config.widthRule() + " on " + chunk.size() + " units");
      spark.createDataFrame(unitRows(chunk), unitSchema()).createOrReplaceTempView("ip_todo");
      Dataset<Row> joined = spread(spark.sql(layerJoin("t.n, t.dimension, t.distances, x.labels, c.num_classes")));
      List<Row> perBatch = joined
          .mapPartitions((MapPartitionsFunction<Row, Row>) work::widths, Encoders.row(Schemas.WIDTH_OUT))
          .collectAsList();
      List<Row> widths = perUnit(perBatch, agg::width);
      recordErrors(widths, 9, "widths");
      describe(pass + ": committing widths");
      appendWidths(widths);
      progress.advance(chunk.size());
    }
  }

  /**
   * The moving average of every layer's widths over its run's checkpoints in training order (by
   * step, then epoch): unit id → {smoothed σ, checkpoint σ*}, either null for a constant layer.
   */
  private Map<String, Double[]> smoothedWidths(List<UnitKey> layers) {
    describe("smoothing widths over checkpoints");
    Map<String, Double> stars = new HashMap<>();
    for (Row r : spark.sql("SELECT run_id, split, epoch, step, layer_index, sigma_star FROM "
        + tables.name(IpTables.LAYER_WIDTHS) + " WHERE batching = '" + config.batching()
        + "' AND width_config = '" + sql(config.widthConfig()) + "'").collectAsList()) {
      stars.put(new UnitKey(r.getString(0), r.getString(1), r.getInt(2), r.getLong(3), r.getInt(4), "", "").id(),
          r.isNullAt(5) ? null : r.getDouble(5));
    }
    Map<String, List<UnitKey>> series = new LinkedHashMap<>();
    for (UnitKey u : layers) {
      if (stars.containsKey(u.id())) {
        series.computeIfAbsent(u.seriesKey(), k -> new ArrayList<>()).add(u);
      }
    }
    Map<String, Double[]> out = new HashMap<>();
    for (List<UnitKey> s : series.values()) {
      s.sort(Comparator.comparingLong(UnitKey::step).thenComparingInt(UnitKey::epoch));
      List<OptionalDouble> raw = new ArrayList<>(s.size());
      for (UnitKey u : s) {
        Double v = stars.get(u.id());
        raw.add(v == null ? OptionalDouble.empty() : OptionalDouble.of(v));
      }
      List<OptionalDouble> smooth = WidthSmoothing.exponentialMovingAverage(raw, config.smoothing());
      for (int i = 0; i < s.size(); i++) {
        out.put(s.get(i).id(), new Double[] {
            smooth.get(i).isPresent() ? smooth.get(i).getAsDouble() : null,
            raw.get(i).isPresent() ? raw.get(i).getAsDouble() : null});
      }
    }
    return out;
  }

  // ---- pass 3 ----------------------------------------------------------------------------------

  private void entropyPass(List<UnitKey> layers, Map<String, Double[]> sigmas, UnitWork work, Aggregates agg) {
    String pass = "pass 3/3 entropies";
    describe(pass + ": finding stored units");
    Map<String, Double> done = new HashMap<>();
    Set<String> doneIds = new HashSet<>();
    for (Row r : spark.sql("SELECT run_id, split, epoch, step, layer_index, sigma FROM "
        + tables.name(IpTables.INFORMATION_PLANE) + " WHERE config_id = '" + configId + "'").collectAsList()) {
      String id = new UnitKey(r.getString(0), r.getString(1), r.getInt(2), r.getLong(3), r.getInt(4), "", "").id();
      doneIds.add(id);
      done.put(id, r.isNullAt(5) ? null : r.getDouble(5));
    }
    List<UnitKey> todo = new ArrayList<>();
    for (UnitKey u : layers) {
      Double[] s = sigmas.get(u.id());
      if (s == null) {
        continue; // no width: its distances or widths failed, and the error is recorded
      }
      if (!doneIds.contains(u.id()) || !sameWidth(done.get(u.id()), s[0])) {
        todo.add(u);
      }
    }
    count(pass, todo.size(), layers.size() - todo.size());
    Progress progress = new Progress(pass, todo.size());
    for (List<UnitKey> chunk : chunks(todo)) {
      describe(pass + ": " + config.estimator() + " (alpha " + config.alpha() + ") on " + chunk.size() + " units");
      List<Row> rows = new ArrayList<>();
      for (UnitKey u : chunk) {
        Double[] s = sigmas.get(u.id());
        rows.add(RowFactory.create(u.runId(), u.split(), u.epoch(), u.step(), u.layerIndex(), u.layerName(),
            u.layerKind(), s[0], s[1]));
      }
      spark.createDataFrame(rows, unitSchema().add("sigma", "double").add("sigma_raw", "double"))
          .createOrReplaceTempView("ip_todo");
      Dataset<Row> joined = spread(spark.sql(layerJoin(
          "t.n, t.distances, x.distances AS x_distances, x.labels, c.num_classes, u.sigma, u.sigma_raw")));
      Dataset<Row> out = joined
          .mapPartitions((MapPartitionsFunction<Row, Row>) work::estimates, Encoders.row(Schemas.ESTIMATE_OUT));
      commitResults(out, agg, "entropies", chunk.stream().anyMatch(u -> doneIds.contains(u.id())));
      progress.advance(chunk.size());
    }
  }

  private void directPass(List<UnitKey> layers, UnitWork work, Aggregates agg) {
    String pass = "pass 1/1 " + config.estimator();
    Set<String> have = existing("SELECT run_id, split, epoch, step, layer_index FROM "
        + tables.name(IpTables.INFORMATION_PLANE) + " WHERE config_id = '" + configId + "'");
    List<UnitKey> todo = layers.stream().filter(u -> !have.contains(u.id())).toList();
    count(pass, todo.size(), layers.size() - todo.size());
    Progress progress = new Progress(pass, todo.size());
    for (List<UnitKey> chunk : chunks(todo)) {
      describe(pass + ": reading activations of " + chunk.size() + " units");
      JavaRDD<Row> rdd = jsc.parallelize(unitRows(chunk), chunk.size());
      Dataset<Row> out = spark.createDataFrame(rdd, unitSchema())
          .mapPartitions((MapPartitionsFunction<Row, Row>) work::direct, Encoders.row(Schemas.ESTIMATE_OUT));
      commitResults(out, agg, config.estimator(), false); // only units without a row are computed
      progress.advance(chunk.size());
    }
  }

  /**
   * Aggregates per-batch estimates per unit and commits them to {@code information_plane}: a MERGE
   * when some of the units have a row of this configuration already (their width changed), else a
   * plain append, which costs one commit and no read of the table.
   */
  private void commitResults(Dataset<Row> perBatch, Aggregates agg, String passName, boolean replacesRows) {
    // Per-batch estimates are a few numbers each: the driver averages them per unit, in batch order.
    List<Row> results = perUnit(perBatch.collectAsList(), agg::result);
    int errorColumn = Aggregates.RESULT_ROW.fieldIndex("error");
    recordErrors(results, errorColumn, passName);
    List<Row> good = results.stream().filter(r -> r.isNullAt(errorColumn)).toList();
    if (good.isEmpty()) {
      return;
    }
    describe(passName + ": committing results");
    spark.createDataFrame(good, Aggregates.RESULT_ROW).drop("error").createOrReplaceTempView("ip_new_results");
    if (!replacesRows) {
      write("INSERT INTO " + tables.name(IpTables.INFORMATION_PLANE) + " SELECT * FROM ip_new_results");
      return;
    }
    write("MERGE INTO " + tables.name(IpTables.INFORMATION_PLANE) + " t USING ip_new_results s"
        + " ON t.run_id = s.run_id AND t.split = s.split AND t.epoch = s.epoch AND t.step = s.step"
        + " AND t.layer_index = s.layer_index AND t.config_id = s.config_id"
        + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
  }

  /** Rows grouped by unit (first-seen order), each group reduced by {@code f} to one row. */
  private static List<Row> perUnit(List<Row> rows, BiFunction<String, Iterator<Row>, Row> f) {
    Map<String, List<Row>> groups = new LinkedHashMap<>();
    for (Row r : rows) {
      groups.computeIfAbsent(Aggregates.key(r), k -> new ArrayList<>()).add(r);
    }
    List<Row> out = new ArrayList<>(groups.size());
    groups.forEach((key, group) -> out.add(f.apply(key, group.iterator())));
    return out;
  }

  /**
   * Rows read from the distance table, spread over about two partitions per core: the table's few
   * files would otherwise be read, and computed on, by as few tasks.
   */
  private Dataset<Row> spread(Dataset<Row> rows) {
    return rows.repartition(2 * spark.sparkContext().defaultParallelism());
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Runs a statement that writes a table, once the lease is known to outlast it. */
  private void write(String statement) {
    if (lease != null) {
      lease.requireHeld();
    }
    spark.sql(statement);
  }

  /** Appends per-unit checkpoint widths ({@link Aggregates#WIDTH_ROW} rows), leaving out errors. */
  private void appendWidths(List<Row> widths) {
    List<Row> good = widths.stream().filter(r -> r.isNullAt(9)).toList();
    if (good.isEmpty()) {
      return;
    }
    spark.createDataFrame(good, Aggregates.WIDTH_ROW).createOrReplaceTempView("ip_new_widths");
    write("INSERT INTO " + tables.name(IpTables.LAYER_WIDTHS) + " SELECT run_id, split, epoch, step,"
        + " layer_index, '" + config.batching() + "' AS batching, '" + sql(config.widthConfig())
        + "' AS width_config, sigma_star, n_batches, current_timestamp() AS computed_at FROM ip_new_widths");
  }

  /** T distance rows of the units in {@code ip_todo}, joined with their batch's input row. */
  private String layerJoin(String columns) {
    String dm = tables.name(IpTables.DISTANCE_MATRICES);
    return "SELECT u.run_id, u.split, u.epoch, u.step, u.layer_index, u.layer_name, u.layer_kind, t.batch_index, "
        + columns + " FROM ip_todo u"
        + " JOIN " + dm + " t ON t.run_id = u.run_id AND t.split = u.split AND t.epoch = u.epoch"
        + " AND t.step = u.step AND t.layer_index = u.layer_index AND t.batching = '" + config.batching() + "'"
        + " JOIN " + dm + " x ON x.run_id = t.run_id AND x.split = t.split AND x.batching = t.batching"
        + " AND x.batch_index = t.batch_index AND x.layer_index = -1"
        + " JOIN ip_num_classes c ON c.run_id = u.run_id";
  }

  /**
   * Records the failed units of rows whose first columns are the unit's and whose column
   * {@code errorColumn} is the error (null when the unit succeeded): one row per failed unit.
   */
  private void recordErrors(List<Row> out, int errorColumn, String pass) {
    Map<String, Row> bad = new LinkedHashMap<>();
    for (Row r : out) {
      if (!r.isNullAt(errorColumn)) {
        bad.putIfAbsent(Aggregates.key(r), RowFactory.create(r.getString(0), r.getString(1), r.getInt(2),
            r.getLong(3), r.getInt(4), r.getString(5), r.getString(errorColumn)));
      }
    }
    if (bad.isEmpty()) {
      return;
    }
    Timestamp now = new Timestamp(System.currentTimeMillis());
    List<Row> rows = new ArrayList<>();
    for (Row r : bad.values()) {
      String reason = r.getString(6);
      errors.add(reason);
      LOG.warn("{}: {}", pass, reason);
      rows.add(RowFactory.create(r.getString(0), r.getString(1), r.getInt(2), r.getLong(3), r.getInt(4),
          r.getString(5), configId, pass, reason, now));
    }
    spark.createDataFrame(rows, new StructType()
            .add("run_id", "string", false).add("split", "string").add("epoch", "int").add("step", "bigint")
            .add("layer_index", "int").add("layer_name", "string").add("config_id", "string", false)
            .add("pass", "string", false).add("reason", "string", false).add("failed_at", "timestamp", false))
        .createOrReplaceTempView("ip_new_errors");
    write("INSERT INTO " + tables.name(IpTables.ANALYSIS_ERRORS) + " SELECT * FROM ip_new_errors");
  }

  private void registerConfig() {
    spark.createDataFrame(List.of(RowFactory.create(configId, config.estimator(), config.alpha(), config.sigmaX(),
                config.sigmaY(), config.widthRule(), config.smoothing(), config.batchSize(), config.shuffle(),
                config.seed(), new Timestamp(System.currentTimeMillis()))),
            new StructType().add("config_id", "string", false).add("estimator", "string").add("alpha", "double")
                .add("sigma_x", "double").add("sigma_y", "double").add("width_rule", "string")
                .add("width_smoothing", "double").add("batch_size", "int").add("batch_shuffle", "boolean")
                .add("batch_seed", "bigint").add("created_at", "timestamp"))
        .createOrReplaceTempView("ip_config");
    if (spark.sql("SELECT 1 FROM " + tables.name(IpTables.ANALYSIS_CONFIGS) + " WHERE config_id = '" + configId
        + "'").isEmpty()) {
      write("MERGE INTO " + tables.name(IpTables.ANALYSIS_CONFIGS) + " t USING ip_config s"
          + " ON t.config_id = s.config_id WHEN NOT MATCHED THEN INSERT *");
    }
  }

  private Row runRow(RunManifest m, List<CheckpointMetrics> metrics) {
    List<Row> layers = new ArrayList<>();
    for (LayerInfo l : m.layers()) {
      List<Long> shape = new ArrayList<>();
      for (long s : l.shape()) {
        shape.add(s);
      }
      layers.add(RowFactory.create(l.index(), l.name(), l.kind(), shape));
    }
    Map<String, Integer> splits = new LinkedHashMap<>();
    m.splitSampleIds().forEach((k, v) -> splits.put(k, v.length));
    List<Row> ms = new ArrayList<>();
    for (CheckpointMetrics c : metrics) {
      ms.add(RowFactory.create(c.checkpoint().epoch(), c.checkpoint().step(), c.loss(), c.trainAccuracy(),
          c.testAccuracy()));
    }
    return RowFactory.create(m.runId(), m.model(), m.dataset(), m.seed(), m.producer(), m.formatVersion(),
        m.numClasses(), layers, scala.collection.JavaConverters.mapAsScalaMap(splits), ms, archiveUri,
        new Timestamp(System.currentTimeMillis()));
  }

  private void upsertRuns(List<Row> rows) {
    StructType schema = spark.table(tables.name(IpTables.RUNS)).schema();
    spark.createDataFrame(rows, schema).createOrReplaceTempView("ip_runs");
    // Rows equal to the stored ones but for updated_at need no commit (a re-analysis of an unchanged
    // archive); otherwise one merge adds new runs and updates grown ones.
    String cols = "run_id, model, dataset, seed, producer, format_version, num_classes, layers, "
        + "map_entries(splits) AS splits, metrics, archive";
    boolean changed = !spark.sql("SELECT " + cols + " FROM ip_runs EXCEPT SELECT " + cols + " FROM "
        + tables.name(IpTables.RUNS)).isEmpty();
    if (changed) {
      write("MERGE INTO " + tables.name(IpTables.RUNS) + " t USING ip_runs s ON t.run_id = s.run_id"
          + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
    }
  }

  private Set<String> existing(String query) {
    Set<String> ids = new HashSet<>();
    for (Row r : spark.sql(query).collectAsList()) {
      ids.add(new UnitKey(r.getString(0), r.getString(1), r.getInt(2), r.getLong(3), r.getInt(4), "", "").id());
    }
    return ids;
  }

  private static boolean sameWidth(Double a, Double b) {
    if (a == null || b == null) {
      return a == null && b == null;
    }
    return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  }

  private void count(String pass, int todo, int skip) {
    computed.put(pass, todo);
    skipped.put(pass, skip);
    LOG.info("{}: {} units to compute, {} already done", pass, todo, skip);
  }

  private <T> List<List<T>> chunks(List<T> all) {
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += chunkSize) {
      out.add(all.subList(i, Math.min(all.size(), i + chunkSize)));
    }
    return out;
  }

  private String step;
  private long stepStart;

  /** Names the Spark jobs that follow (the UI's job group); at debug level, times each step. */
  private void describe(String what) {
    long now = System.nanoTime();
    if (step != null && LOG.isDebugEnabled()) {
      LOG.debug(String.format(java.util.Locale.ROOT, "%.2f s: %s", (now - stepStart) / 1e9, step));
    }
    step = what;
    stepStart = now;
    spark.sparkContext().setJobGroup(GROUP, "InfoPlane " + configId + ": " + what, false);
  }

  private static StructType unitSchema() {
    return new StructType(Schemas.UNIT_FIELDS.toArray(new org.apache.spark.sql.types.StructField[0]));
  }

  private static List<Row> unitRows(Collection<UnitKey> units) {
    List<Row> rows = new ArrayList<>(units.size());
    for (UnitKey u : units) {
      rows.add(RowFactory.create(u.runId(), u.split(), u.epoch(), u.step(), u.layerIndex(), u.layerName(),
          u.layerKind()));
    }
    return rows;
  }

  private static String sql(String literal) {
    return literal.replace("'", "''");
  }
}
