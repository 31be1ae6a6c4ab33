package org.infoplane.analysis;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapGroupsFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
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
 * passes, each committed to its table in chunks sized by time and count ({@code infoplane.commit.interval},
 * {@code infoplane.commit.units}; see {@link CommitPacer}):
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
 * a killed run loses at most one chunk: about {@code infoplane.commit.interval} seconds of work.
 * Estimators that need the activations themselves (binning, multivariate) run one direct pass
 * instead. A unit that fails becomes a row of {@code analysis_errors}; with
 * {@code infoplane.failFast} the job stops at the first.
 */
public final class AnalysisJob {

  private static final Logger LOG = LoggerFactory.getLogger(AnalysisJob.class);
  private static final String GROUP = "infoplane";
  private static final String DISTANCE_PASS = "pass 1/3 distances";
  /** The columns {@link UnitWork#estimates} reads, besides the unit's and its batch index. */
  static Column[] estimateInput() {
    return new Column[] {col("t.n"), col("t.distances"), col("x.distances").as("x_distances"), col("x.labels"),
        col("c.num_classes"), col("u.sigma"), col("u.sigma_raw")};
  }

  /** The columns {@link UnitWork#widths} reads, besides the unit's and its batch index. */
  private static Column[] widthInput() {
    return new Column[] {col("t.n"), col("t.dimension"), col("t.distances"), col("x.labels"), col("c.num_classes")};
  }

  private final SparkSession spark;
  private final JavaSparkContext jsc;
  private final String archiveUri;
  private final AnalysisConfig config;
  private final String configId;
  private final IpTables tables;
  private final boolean failFast;
  private final int chunkSize;
  private final double commitInterval;
  private final String warehouse;
  private final ResolvedConf conf;
  private final List<String> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  /** Unit id → the training step its width is smoothed at (see {@link TrainingSteps}). */
  private final Map<String, Long> smoothingSteps = new HashMap<>();
  private final Map<String, Integer> computed = new LinkedHashMap<>();
  private final Map<String, Integer> skipped = new LinkedHashMap<>();
  private final Map<String, Integer> blocked = new LinkedHashMap<>();
  /** Ids of the units that failed in this run (any pass). */
  private final Set<String> failedIds = new HashSet<>();
  /** The lease this run holds while it runs; every table write checks it first. */
  private AnalysisLease lease;
  private final TableWrites writes;

  /**
   * What a run of the job did: per pass, the units computed, those skipped because their results
   * are stored already, and those left out because an earlier pass failed for them (their error is
   * among {@code errors}, or in {@code analysis_errors} from an earlier run).
   */
  public record Summary(String configId, int units, Map<String, Integer> computed, Map<String, Integer> skipped,
      Map<String, Integer> blocked, List<String> errors, List<String> warnings) {
    public boolean ok() {
      return errors.isEmpty();
    }
  }

  public AnalysisJob(SparkSession spark, ResolvedConf conf, String archiveUri) {
    this.spark = spark;
    this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // One archive, one name: the lease, runs.archive and the tasks all use the canonical URI.
    this.archiveUri = SnapshotArchive.canonicalUri(archiveUri, spark.sparkContext().hadoopConfiguration());
    this.writes = new TableWrites(spark, () -> {
      if (lease != null) {
        lease.requireHeld();
      }
    });
    this.config = AnalysisConfig.from(conf);
    this.configId = config.configId();
    this.tables = new IpTables(spark, conf);
    this.failFast = conf.get(InfoPlaneConf.FAIL_FAST);
    this.chunkSize = conf.get(InfoPlaneConf.COMMIT_UNITS);
    this.commitInterval = conf.get(InfoPlaneConf.COMMIT_INTERVAL);
    this.warehouse = conf.get(InfoPlaneConf.WAREHOUSE);
    this.conf = conf;
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
    List<String> runDirs = archive.runDirectoryIds();
    if (runDirs.isEmpty()) {
      throw new IllegalArgumentException("archive " + archiveUri + " holds no run");
    }
    List<String> runIds = new ArrayList<>();
    List<UnitError> unreadableRuns = new ArrayList<>();
    List<UnitKey> inputs = new ArrayList<>();
    List<UnitKey> layers = new ArrayList<>();
    Map<String, Integer> numClasses = new HashMap<>();
    List<Row> runRows = new ArrayList<>();
    List<UnitError> refusedRuns = new ArrayList<>();
    boolean perStep = config.usesDistances() && config.smoothing().smooths() && config.smoothing().perStep();
    for (String runId : runDirs) {
      RunReader reader;
      RunManifest m;
      List<CheckpointMetrics> metrics;
      try {
        reader = archive.run(runId);
        m = reader.manifest();
        metrics = reader.metrics();
      } catch (org.infoplane.snapshot.SnapshotFormatException | java.io.UncheckedIOException e) {
        // A run whose manifest is missing or unreadable is an error of that run; the others go on.
        if (failFast) {
          throw e;
        }
        unreadableRuns.add(UnitError.ofRun(runId, e.getMessage()));
        continue;
      }
      runIds.add(runId);
      numClasses.put(runId, m.numClasses());
      runRows.add(runRow(m, metrics));
      Map<String, List<CheckpointId>> checkpoints = new LinkedHashMap<>();
      Map<String, Map<CheckpointId, Long>> steps = new LinkedHashMap<>();
      String refusal = null;
      for (String split : m.splitSampleIds().keySet()) {
        List<CheckpointId> cps = reader.checkpoints(split);
        checkpoints.put(split, cps);
        java.util.Optional<Map<CheckpointId, Long>> st = perStep
            ? TrainingSteps.of(cps, m.stepsPerEpoch()) : java.util.Optional.of(TrainingSteps.positions(cps));
        if (st.isEmpty()) {
          refusal = refusal != null ? refusal : TrainingSteps.refusal(runId, split, cps);
        } else {
          steps.put(split, st.get());
        }
      }
      if (refusal != null) {
        refusedRuns.add(UnitError.ofRun(runId, refusal));
        continue;
      }
      for (Map.Entry<String, List<CheckpointId>> e : checkpoints.entrySet()) {
        String split = e.getKey();
        inputs.add(UnitKey.input(runId, split));
        for (CheckpointId cp : e.getValue()) {
          for (LayerInfo l : m.layers()) {
            UnitKey u = new UnitKey(runId, split, cp.epoch(), cp.step(), l.index(), l.name(), l.kind());
            layers.add(u);
            smoothingSteps.put(u.id(), steps.get(split).get(cp));
          }
        }
      }
    }
    insertErrors(unreadableRuns, "listing");
    if (runIds.isEmpty()) {
      return new Summary(configId, 0, computed, skipped, blocked, List.copyOf(errors), List.copyOf(warnings));
    }
    describe("updating the runs table");
    upsertRuns(runRows);
    // A run refused here is one error row naming it; the other runs are analysed.
    insertErrors(refusedRuns, "widths");
    LOG.info("archive {}: {} runs, {} work units (run x split x checkpoint x layer); config {}",
        archiveUri, runIds.size(), layers.size(), configId);

    Broadcast<SerializableConfiguration> hadoop =
        jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    UnitWork work = new UnitWork(archiveUri, hadoop, config, failFast);
    Aggregates agg = new Aggregates(config);
    Dataset<Row> classes = spark.createDataFrame(numClasses.entrySet().stream()
            .map(e -> RowFactory.create(e.getKey(), e.getValue())).toList(),
        new StructType().add("run_id", "string").add("num_classes", "int"));

    if (config.usesDistances()) {
      List<UnitKey> all = new ArrayList<>(inputs);
      all.addAll(layers);
      distancePass(all, work, agg);
      widthPass(layers, classes, work, agg);
      Map<String, UnitWidths> sigmas = smoothedWidths(layers);
      entropyPass(layers, classes, sigmas, work);
    } else {
      directPass(layers, work, agg);
    }
    // The verdicts are a function of the plane: computed again when it changed (or never was). A
    // re-analysis that computed nothing commits nothing; `infoplane verdicts` recomputes them at other
    // verdict settings.
    VerdictJob verdicts = new VerdictJob(spark, conf, writes);
    if (computed.values().stream().anyMatch(n -> n > 0) || !verdicts.has(configId)) {
      describe("verdicts: tests of the DPI, the phases and early stopping");
      verdicts.run(configId);
    }
    if (conf.get(InfoPlaneConf.MAINTENANCE_ENABLED)) {
      // Under this run's lease, with its lease-checking writes; only the steps that are due.
      describe("maintenance of the tables: what is due");
      new TableMaintenance(spark, conf, writes).afterAnalysis();
    }
    describe("done");
    spark.sparkContext().clearJobGroup();
    return new Summary(configId, layers.size(), computed, skipped, blocked, List.copyOf(errors),
        List.copyOf(warnings));
  }

  // ---- pass 1 ----------------------------------------------------------------------------------

  private void distancePass(List<UnitKey> units, UnitWork work, Aggregates agg) {
    String pass = DISTANCE_PASS;
    describe(pass + ": finding stored units");
    Set<String> have =
        existing(table(IpTables.DISTANCE_MATRICES).where(col("batching").equalTo(config.batching().key())));
    List<UnitKey> todo = units.stream().filter(u -> !have.contains(u.id())).toList();
    count(pass, todo.size(), units.size() - todo.size());
    Progress progress = new Progress(pass, todo.size());
    paced(todo, progress, chunk -> {
      describe(pass + ": reading activations of " + chunk.size() + " units");
      JavaRDD<Row> rdd = jsc.parallelize(unitRows(chunk), unitPartitions(chunk.size()));
      Dataset<Row> out = spark.createDataFrame(rdd, unitSchema())
          .mapPartitions((MapPartitionsFunction<Row, Row>) work::distances, Encoders.row(Schemas.DISTANCE_OUT))
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        // One action computes the chunk (kept for the insert below) and brings its small columns
        // to the driver: errors, and the per-batch widths that the driver averages per unit.
        List<PassRows.BatchWidth> small = out.selectExpr(PassRows.BatchWidth.SCHEMA.fieldNames()).collectAsList().stream()
            .map(PassRows.BatchWidth::of).toList();
        recordErrors(small, PassRows.BatchWidth::unit, PassRows.BatchWidth::error, "distances");
        describe(pass + ": committing distances");
        Dataset<Row> distances = out.where("error IS NULL").select("run_id", "split", "epoch", "step", "layer_index",
            "batching", "batch_index", "n", "dimension", "distances", "labels", "sample_ids", "created_at");
        // Only units without stored distances were computed; an overlapping writer's copy is kept.
        writes.insertAbsent(tables.name(IpTables.DISTANCE_MATRICES), distances, DISTANCE_KEY,
            bounds("t", chunk, true));
        describe(pass + ": committing widths");
        appendWidths(perUnit(small.stream().filter(b -> b.error() == null && !b.unit().isInput()).toList(),
            PassRows.BatchWidth::unit, agg::width));
      } finally {
        out.unpersist();
      }
    });
  }

  // ---- pass 2 ----------------------------------------------------------------------------------

  private void widthPass(List<UnitKey> layers, Dataset<Row> classes, UnitWork work, Aggregates agg) {
    String pass = "pass 2/3 widths";
    if (skipped.getOrDefault(DISTANCE_PASS, -1) == 0) {
      // Pass 1 computed every unit, and with them their widths under this width rule (but for those
      // it failed on).
      int failed = (int) layers.stream().filter(u -> failedIds.contains(u.id())).count();
      count(pass, 0, layers.size() - failed, failed);
      return;
    }
    describe(pass + ": finding stored units");
    Set<String> haveDistances =
        existing(table(IpTables.DISTANCE_MATRICES).where(col("batching").equalTo(config.batching().key())));
    Set<String> have = existing(storedWidths());
    List<UnitKey> todo = layers.stream()
        .filter(u -> haveDistances.contains(u.id()) && !have.contains(u.id())).toList();
    int noDistances = (int) layers.stream().filter(u -> !haveDistances.contains(u.id())).count();
    count(pass, todo.size(), layers.size() - todo.size() - noDistances, noDistances);
    Progress progress = new Progress(pass, todo.size());
    paced(todo, progress, chunk -> {
      describe(pass + ": width rule " + config.widthRule() + " on " + chunk.size() + " units");
      Dataset<Row> todoRows = spark.createDataFrame(unitRows(chunk), unitSchema());
      Dataset<Row> joined = spread(layerJoin(todoRows, classes, false, chunk, widthInput()));
      List<PassRows.BatchWidth> perBatch = joined
          .mapPartitions((MapPartitionsFunction<Row, Row>) work::widths, Encoders.row(PassRows.BatchWidth.SCHEMA))
          .collectAsList().stream().map(PassRows.BatchWidth::of).toList();
      List<PassRows.UnitWidth> widths = perUnit(perBatch, PassRows.BatchWidth::unit, agg::width);
      recordErrors(widths, PassRows.UnitWidth::unit, PassRows.UnitWidth::error, "widths");
      describe(pass + ": committing widths");
      appendWidths(widths);
    });
  }

  /** A unit's widths: per batch, the smoothed width used and the rule's choice (either null). */
  record UnitWidths(Double[] sigma, Double[] sigmaRaw, int edgeBatches) {}

  /**
   * The moving average of every layer's widths over its run's checkpoints in training order, per
   * training step or per checkpoint (METHOD.md §4): of the checkpoint widths, or with
   * {@code infoplane.width.scope=batch} of each batch position's own widths. Warns once per layer
   * whose width search ended on a grid edge.
   */
  private Map<String, UnitWidths> smoothedWidths(List<UnitKey> layers) {
    describe("smoothing widths over checkpoints");
    Map<String, PassRows.StoredWidth> stored = new HashMap<>();
    for (Row r : storedWidths().select("run_id", "split", "epoch", "step", "layer_index", "sigma_star", "n_batches",
        "edge_batches", "batch_sigma_stars").collectAsList()) {
      stored.put(PassRows.unitId(r).id(), PassRows.StoredWidth.of(r));
    }
    Map<String, List<UnitKey>> series = new LinkedHashMap<>();
    for (UnitKey u : layers) {
      if (stored.containsKey(u.id())) {
        series.computeIfAbsent(u.seriesKey(), k -> new ArrayList<>()).add(u);
      }
    }
    Map<String, UnitWidths> out = new HashMap<>();
    Map<String, int[]> edgesPerLayer = new LinkedHashMap<>();
    for (List<UnitKey> s : series.values()) {
      s.sort(Comparator.comparingLong((UnitKey u) -> smoothingSteps.get(u.id())));
      long[] steps = s.stream().mapToLong(u -> smoothingSteps.get(u.id())).toArray();
      int nBatches = 0;
      for (UnitKey u : s) {
        nBatches = Math.max(nBatches, stored.get(u.id()).nBatches());
      }
      // One series per batch position with scope=batch, else one of the checkpoint widths.
      int positions = config.perBatchWidth() ? nBatches : 1;
      List<List<OptionalDouble>> raw = new ArrayList<>();
      for (int b = 0; b < positions; b++) {
        List<OptionalDouble> r = new ArrayList<>(s.size());
        for (UnitKey u : s) {
          PassRows.StoredWidth row = stored.get(u.id());
          Double v;
          if (!config.perBatchWidth()) {
            v = row.sigmaStar();
          } else {
            List<Double> per = row.batchSigmaStars();
            if (per == null) {
              throw new IllegalStateException(u.describe() + ": layer_widths holds no per-batch widths");
            }
            v = b < per.size() ? per.get(b) : null;
          }
          r.add(v == null ? OptionalDouble.empty() : OptionalDouble.of(v));
        }
        raw.add(r);
      }
      List<List<OptionalDouble>> smooth = new ArrayList<>();
      AnalysisConfig.Smoothing smoothing = config.smoothing();
      for (List<OptionalDouble> r : raw) {
        smooth.add(!smoothing.smooths() ? r
            : smoothing.perStep()
            ? WidthSmoothing.exponentialMovingAverage(r, steps, smoothing.beta(), smoothing.betaOnNew())
            : WidthSmoothing.perCheckpoint(r, smoothing.beta(), smoothing.betaOnNew()));
      }
      for (int i = 0; i < s.size(); i++) {
        UnitKey u = s.get(i);
        PassRows.StoredWidth row = stored.get(u.id());
        int n = row.nBatches();
        Double[] sigma = new Double[n];
        Double[] sigmaRaw = new Double[n];
        for (int b = 0; b < n; b++) {
          int p = config.perBatchWidth() ? b : 0;
          OptionalDouble sm = smooth.get(p).get(i);
          OptionalDouble rw = raw.get(p).get(i);
          sigma[b] = sm.isPresent() ? sm.getAsDouble() : null;
          sigmaRaw[b] = rw.isPresent() ? rw.getAsDouble() : null;
        }
        int edges = row.edgeBatches() == null ? 0 : row.edgeBatches();
        out.put(u.id(), new UnitWidths(sigma, sigmaRaw, edges));
        int[] c = edgesPerLayer.computeIfAbsent(u.runId() + "\u0000" + u.layerIndex() + "\u0000" + u.layerName(),
            k -> new int[2]);
        c[0] += edges;
        c[1] += n;
      }
    }
    edgesPerLayer.forEach((k, c) -> {
      if (c[0] > 0) {
        String[] p = k.split("\u0000");
        String w = String.format(java.util.Locale.ROOT, "run %s, layer %s (%s): %d of %d batches ended with the"
            + " alignment maximum on an edge of the width grid%s; their widths depend on where the grid stops (see"
            + " edge_batches in layer_widths and information_plane)", p[0], p[1], p[2], c[0], c[1],
            config.grid().extendEdges() ? " after extending it to its bounds" : " (infoplane.width.grid.edges=keep)");
        warnings.add(w);
        LOG.warn(w);
      }
    });
    return out;
  }

  // ---- pass 3 ----------------------------------------------------------------------------------

  private void entropyPass(List<UnitKey> layers, Dataset<Row> classes, Map<String, UnitWidths> sigmas,
      UnitWork work) {
    String pass = "pass 3/3 entropies";
    describe(pass + ": finding stored units");
    Map<String, Double> done = new HashMap<>();
    Set<String> doneIds = new HashSet<>();
    Set<String> lacking = new HashSet<>();
    for (Row r : storedResults().select(col("run_id"), col("split"), col("epoch"), col("step"), col("layer_index"),
        col("sigma"), col("i_xt_ci_low").isNull().or(col("i_xt_batches").isNull()).as("lacking")).collectAsList()) {
      String id = PassRows.unitId(r).id();
      doneIds.add(id);
      done.put(id, r.getAs("sigma"));
      if (r.<Boolean>getAs("lacking")) {
        lacking.add(id); // written before rows had intervals or batch values: computed again, once
      }
    }
    List<UnitKey> todo = new ArrayList<>();
    Map<String, Integer> edges = new HashMap<>();
    int noWidth = 0;
    for (UnitKey u : layers) {
      UnitWidths s = sigmas.get(u.id());
      if (s == null) {
        noWidth++; // no width: its distances or widths failed, and the error is recorded
        continue;
      }
      edges.put(u.id(), s.edgeBatches());
      if (!doneIds.contains(u.id()) || !sameWidth(done.get(u.id()), unitWidth(s.sigma()))
          || lacking.contains(u.id())) {
        todo.add(u);
      }
    }
    count(pass, todo.size(), layers.size() - todo.size() - noWidth, noWidth);
    Progress progress = new Progress(pass, todo.size());
    paced(todo, progress, chunk -> {
      describe(pass + ": " + config.estimator() + " (alpha " + config.alpha() + ") on " + chunk.size() + " units");
      List<Row> rows = new ArrayList<>();
      for (UnitKey u : chunk) {
        UnitWidths s = sigmas.get(u.id());
        for (int b = 0; b < s.sigma().length; b++) {
          rows.add(PassRows.unitRow(u, b, s.sigma()[b], s.sigmaRaw()[b]));
        }
      }
      Dataset<Row> todoRows = spark.createDataFrame(rows, unitSchema().add("batch_index", "int").add("sigma", "double")
          .add("sigma_raw", "double"));
      Dataset<Row> joined = spread(layerJoin(todoRows, classes, true, chunk, estimateInput()));
      Dataset<Row> out = joined
          .mapPartitions((MapPartitionsFunction<Row, Row>) work::estimates, Encoders.row(PassRows.BatchEstimate.SCHEMA));
      // The edge counts of this chunk's units only: they travel with the tasks.
      Map<String, Integer> chunkEdges = new HashMap<>();
      chunk.forEach(u -> chunkEdges.put(u.id(), edges.get(u.id())));
      commitResults(out, new Aggregates(config, chunkEdges), "entropies",
          chunk.stream().anyMatch(u -> doneIds.contains(u.id())));
    });
  }

  private void directPass(List<UnitKey> layers, UnitWork work, Aggregates agg) {
    String pass = "pass 1/1 " + config.estimator();
    Set<String> have = existing(storedResults());
    // Rows written before rows had intervals or batch values are computed again, once.
    Set<String> lacking = existing(storedResults().where(col("i_xt_ci_low").isNull().or(col("i_xt_batches").isNull())));
    List<UnitKey> todo = layers.stream().filter(u -> !have.contains(u.id()) || lacking.contains(u.id())).toList();
    count(pass, todo.size(), layers.size() - todo.size());
    Progress progress = new Progress(pass, todo.size());
    paced(todo, progress, chunk -> {
      describe(pass + ": reading activations of " + chunk.size() + " units");
      JavaRDD<Row> rdd = jsc.parallelize(unitRows(chunk), unitPartitions(chunk.size()));
      Dataset<Row> out = spark.createDataFrame(rdd, unitSchema())
          .mapPartitions((MapPartitionsFunction<Row, Row>) work::direct, Encoders.row(PassRows.BatchEstimate.SCHEMA));
      commitResults(out, agg, config.estimator(), chunk.stream().anyMatch(u -> lacking.contains(u.id())));
    });
  }

  /**
   * Aggregates per-batch estimates per unit and commits them to {@code information_plane}: a MERGE
   * when some of the units have a row of this configuration already (their width changed), else a
   * plain append, which costs one commit and no read of the table.
   */
  private void commitResults(Dataset<Row> perBatch, Aggregates agg, String passName, boolean replacesRows) {
    // Each unit's per-batch estimates meet in one task, which summarises them in batch order (means,
    // standard errors, bootstrap intervals); the driver receives one row per unit.
    List<Row> results = new ArrayList<>(perBatch
        .groupByKey((MapFunction<Row, String>) Aggregates::key, Encoders.STRING())
        .mapGroups((MapGroupsFunction<String, Row, Row>) agg::result, Encoders.row(Aggregates.RESULT_ROW))
        .collectAsList());
    results.sort(Comparator.comparing(Aggregates::key));
    recordErrors(results, PassRows::unit, PassRows::resultError, passName);
    List<Row> good = results.stream().filter(r -> PassRows.resultError(r) == null).toList();
    if (good.isEmpty()) {
      return;
    }
    describe(passName + ": committing results");
    Dataset<Row> rows = spark.createDataFrame(good, Aggregates.RESULT_ROW).drop("error");
    if (!replacesRows) {
      writes.insertAbsent(tables.name(IpTables.INFORMATION_PLANE), rows, RESULT_KEY,
          bounds("t", good.stream().map(PassRows::unitId).toList(), true));
      return;
    }
    writes.using(rows, s -> "MERGE INTO " + tables.name(IpTables.INFORMATION_PLANE) + " t USING " + s + " s"
        + " ON t.run_id = s.run_id AND t.split = s.split AND t.epoch = s.epoch AND t.step = s.step"
        + " AND t.layer_index = s.layer_index AND t.config_id = s.config_id"
        + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
  }

  /**
   * Records grouped by unit (first-seen order), each group reduced by {@code f} (given the unit's
   * id) to one.
   */
  static <T, R> List<R> perUnit(List<T> rows, java.util.function.Function<T, UnitKey> unit,
      BiFunction<String, List<T>, R> f) {
    Map<String, List<T>> groups = new LinkedHashMap<>();
    for (T r : rows) {
      groups.computeIfAbsent(unit.apply(r).id(), k -> new ArrayList<>()).add(r);
    }
    List<R> out = new ArrayList<>(groups.size());
    groups.forEach((key, group) -> out.add(f.apply(key, group)));
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

  /** A table of the warehouse. */
  private Dataset<Row> table(String name) {
    return spark.table(tables.name(name));
  }

  /** The stored per-unit widths of this configuration's batching and width rule. */
  private Dataset<Row> storedWidths() {
    return table(IpTables.LAYER_WIDTHS).where(col("batching").equalTo(config.batching().key())
        .and(col("width_config").equalTo(config.widthConfig())));
  }

  /** The stored results of this configuration. */
  private Dataset<Row> storedResults() {
    return table(IpTables.INFORMATION_PLANE).where(col("config_id").equalTo(configId));
  }

  /** The columns that identify a row of each table the passes fill. */
  private static final List<String> DISTANCE_KEY =
      List.of("run_id", "split", "epoch", "step", "layer_index", "batching", "batch_index");
  private static final List<String> WIDTH_KEY =
      List.of("run_id", "split", "epoch", "step", "layer_index", "batching", "width_config");
  private static final List<String> RESULT_KEY =
      List.of("run_id", "split", "epoch", "step", "layer_index", "config_id");

  /** Appends per-unit checkpoint widths ({@link Aggregates#WIDTH_ROW} rows), leaving out errors. */
  private void appendWidths(List<PassRows.UnitWidth> widths) {
    List<PassRows.UnitWidth> good = widths.stream().filter(w -> w.error() == null).toList();
    if (good.isEmpty()) {
      return;
    }
    Dataset<Row> rows = spark.createDataFrame(good.stream().map(PassRows.UnitWidth::toRow).toList(),
        PassRows.UnitWidth.SCHEMA).select(col("run_id"), col("split"),
        col("epoch"), col("step"), col("layer_index"), lit(config.batching().key()).as("batching"),
        lit(config.widthConfig()).as("width_config"), col("sigma_star"), col("n_batches"),
        current_timestamp().as("computed_at"), col("edge_batches"), col("batch_sigma_stars"));
    writes.insertAbsent(tables.name(IpTables.LAYER_WIDTHS), rows, WIDTH_KEY,
        bounds("t", good.stream().map(PassRows.UnitWidth::unit).toList(), true));
  }

  /**
   * The distance rows of {@code todo}'s units ({@code chunk}), joined with their batch's input row;
   * see {@link #layerJoin(SparkSession, IpTables, String, Dataset, Dataset, boolean, Collection, Column...)}.
   */
  private Dataset<Row> layerJoin(Dataset<Row> todo, Dataset<Row> classes, boolean perBatchTodo,
      Collection<UnitKey> chunk, Column... columns) {
    return layerJoin(spark, tables, config.batching().key(), todo, classes, perBatchTodo, chunk, columns);
  }

  /**
   * The distance rows (alias {@code t}) of the units of {@code todo} (alias {@code u}: rows whose
   * first columns are {@link Schemas#UNIT_FIELDS}; with {@code perBatchTodo}, also a
   * {@code batch_index}: one row per unit and batch), joined with their batch's input row (alias
   * {@code x}) and their run's class count ({@code classes}: {@code run_id, num_classes}, alias
   * {@code c}). The result's columns are the unit's, {@code batch_index}, then {@code columns}. For
   * any tables and batching: also the sensitivity job's input, so that both compute from the same
   * rows.
   *
   * <p>{@code units} are the units of {@code todo}: the scans of the distance table are bounded by
   * their runs and the ranges of their epochs, steps and layers, so that Iceberg skips the data
   * files that cannot hold them (files are written a chunk of units at a time) instead of reading
   * the whole table for every chunk.
   */
  static Dataset<Row> layerJoin(SparkSession spark, IpTables tables, String batching, Dataset<Row> todo,
      Dataset<Row> classes, boolean perBatchTodo, Collection<UnitKey> units, Column... columns) {
    String dm = tables.name(IpTables.DISTANCE_MATRICES);
    // The units, the input rows (one per run, split and batch) and the class counts are small: each
    // is broadcast, so that the layer rows (a distance matrix each) are joined where they are read
    // instead of being shuffled for a sort-merge join.
    Dataset<Row> u = broadcast(todo).as("u");
    Dataset<Row> t = spark.table(dm).where(col("batching").equalTo(batching).and(bounds(units, true))).as("t");
    Dataset<Row> x = broadcast(spark.table(dm).where(col("batching").equalTo(batching)
        .and(col("layer_index").equalTo(-1)).and(bounds(units, false)))).as("x");
    Dataset<Row> c = broadcast(classes).as("c");
    Column unit = col("t.run_id").equalTo(col("u.run_id")).and(col("t.split").equalTo(col("u.split")))
        .and(col("t.epoch").equalTo(col("u.epoch"))).and(col("t.step").equalTo(col("u.step")))
        .and(col("t.layer_index").equalTo(col("u.layer_index")));
    if (perBatchTodo) {
      unit = unit.and(col("t.batch_index").equalTo(col("u.batch_index")));
    }
    Column input = col("x.run_id").equalTo(col("t.run_id")).and(col("x.split").equalTo(col("t.split")))
        .and(col("x.batch_index").equalTo(col("t.batch_index")));
    List<Column> select = new ArrayList<>(List.of(col("u.run_id"), col("u.split"), col("u.epoch"), col("u.step"),
        col("u.layer_index"), col("u.layer_name"), col("u.layer_kind"), col("t.batch_index")));
    select.addAll(List.of(columns));
    return u.join(t, unit).join(x, input).join(c, col("c.run_id").equalTo(col("u.run_id")))
        .select(select.toArray(new Column[0]));
  }

  /**
   * A condition that bounds the rows of the distance table to the runs of {@code units} and, with
   * {@code ranges}, to the ranges of their epochs, steps and layer indexes (true for no units):
   * Iceberg skips the data files whose column ranges lie outside it.
   */
  static Column bounds(Collection<UnitKey> units, boolean ranges) {
    if (units.isEmpty()) {
      return lit(true);
    }
    Column out = col("run_id").isin(units.stream().map(UnitKey::runId).distinct().sorted().toArray());
    if (ranges) {
      java.util.LongSummaryStatistics steps = units.stream().mapToLong(UnitKey::step).summaryStatistics();
      java.util.IntSummaryStatistics epochs = units.stream().mapToInt(UnitKey::epoch).summaryStatistics();
      java.util.IntSummaryStatistics layers = units.stream().mapToInt(UnitKey::layerIndex).summaryStatistics();
      out = out.and(col("step").between(steps.getMin(), steps.getMax()))
          .and(col("epoch").between(epochs.getMin(), epochs.getMax()))
          .and(col("layer_index").between(layers.getMin(), layers.getMax()));
    }
    return out;
  }

  /**
   * A conjunction (" AND …", or none for no units) that bounds the rows of table alias
   * {@code alias} to the runs of {@code units} and, with {@code ranges}, to the ranges of their
   * epochs, steps and layer indexes: Iceberg skips the data files whose column ranges lie outside
   * it. The values are parameters of the statement, not part of its text.
   */
  static TableWrites.Bounds bounds(String alias, Collection<UnitKey> units, boolean ranges) {
    if (units.isEmpty()) {
      return TableWrites.Bounds.NONE;
    }
    Map<String, Object> args = new LinkedHashMap<>();
    List<String> markers = new ArrayList<>();
    for (String run : units.stream().map(UnitKey::runId).distinct().sorted().toList()) {
      String name = "bound_run" + markers.size();
      args.put(name, run);
      markers.add(":" + name);
    }
    String out = " AND " + alias + ".run_id IN (" + String.join(", ", markers) + ")";
    if (ranges) {
      java.util.LongSummaryStatistics steps = units.stream().mapToLong(UnitKey::step).summaryStatistics();
      java.util.IntSummaryStatistics epochs = units.stream().mapToInt(UnitKey::epoch).summaryStatistics();
      java.util.IntSummaryStatistics layers = units.stream().mapToInt(UnitKey::layerIndex).summaryStatistics();
      args.put("bound_step_min", steps.getMin());
      args.put("bound_step_max", steps.getMax());
      args.put("bound_epoch_min", epochs.getMin());
      args.put("bound_epoch_max", epochs.getMax());
      args.put("bound_layer_min", layers.getMin());
      args.put("bound_layer_max", layers.getMax());
      out += " AND " + alias + ".step BETWEEN :bound_step_min AND :bound_step_max"
          + " AND " + alias + ".epoch BETWEEN :bound_epoch_min AND :bound_epoch_max"
          + " AND " + alias + ".layer_index BETWEEN :bound_layer_min AND :bound_layer_max";
    }
    return new TableWrites.Bounds(out, args);
  }

  /**
   * A failure: of a unit (its key and layer name), or with a null {@code unit} of a whole run.
   *
   * @param reason what failed, naming the run (and the unit)
   */
  record UnitError(String runId, UnitKey unit, String reason) {
    static UnitError ofRun(String runId, String reason) {
      return new UnitError(runId, null, reason);
    }
  }

  /**
   * Records the failed units among {@code out}: those whose {@code error} is not null, one row per
   * unit (its first error).
   */
  private <T> void recordErrors(List<T> out, java.util.function.Function<T, UnitKey> unit,
      java.util.function.Function<T, String> error, String pass) {
    Map<String, UnitError> bad = new LinkedHashMap<>();
    for (T r : out) {
      String reason = error.apply(r);
      if (reason != null) {
        UnitKey u = unit.apply(r);
        bad.putIfAbsent(u.id(), new UnitError(u.runId(), u, reason));
      }
    }
    insertErrors(bad.values(), pass);
  }

  /** Inserts rows of {@code analysis_errors} (a run's error leaves the unit's columns null). */
  private void insertErrors(Collection<UnitError> bad, String pass) {
    if (bad.isEmpty()) {
      return;
    }
    Timestamp now = new Timestamp(System.currentTimeMillis());
    List<Row> rows = new ArrayList<>();
    for (UnitError e : bad) {
      UnitKey u = e.unit();
      if (u != null) {
        failedIds.add(u.id());
      }
      errors.add(e.reason());
      LOG.warn("{}: {}", pass, e.reason());
      rows.add(u == null
          ? RowFactory.create(e.runId(), null, null, null, null, null, configId, pass, e.reason(), now)
          : RowFactory.create(e.runId(), u.split(), u.epoch(), u.step(), u.layerIndex(), u.layerName(), configId, pass,
              e.reason(), now));
    }
    Dataset<Row> errorRows = spark.createDataFrame(rows, new StructType()
        .add("run_id", "string", false).add("split", "string").add("epoch", "int").add("step", "bigint")
        .add("layer_index", "int").add("layer_name", "string").add("config_id", "string", false)
        .add("pass", "string", false).add("reason", "string", false).add("failed_at", "timestamp", false));
    writes.using(errorRows, s -> "INSERT INTO " + tables.name(IpTables.ANALYSIS_ERRORS) + " SELECT * FROM " + s);
  }

  private void registerConfig() {
    Dataset<Row> row = spark.createDataFrame(List.of(RowFactory.create(configId, config.estimator(), config.alpha(),
                config.kernel().sigmaX(), config.kernel().sigmaY(), config.widthRule(), config.smoothing().beta(),
                config.batchSize(), config.batching().shuffle(), config.batching().seed(),
                new Timestamp(System.currentTimeMillis()), config.entropyMethodSpec(),
                config.smoothing().unit().spec(), config.preset().spec())),
            new StructType().add("config_id", "string", false).add("estimator", "string").add("alpha", "double")
                .add("sigma_x", "double").add("sigma_y", "double").add("width_rule", "string")
                .add("width_smoothing", "double").add("batch_size", "int").add("batch_shuffle", "boolean")
                .add("batch_seed", "bigint").add("created_at", "timestamp").add("entropy_method", "string")
                .add("width_smoothing_unit", "string").add("preset", "string"));
    if (table(IpTables.ANALYSIS_CONFIGS).where(col("config_id").equalTo(configId)).isEmpty()) {
      String cols = String.join(", ", row.columns());
      String values = String.join(", ", java.util.Arrays.stream(row.columns()).map(c -> "s." + c).toList());
      writes.using(row, s -> "MERGE INTO " + tables.name(IpTables.ANALYSIS_CONFIGS) + " t USING " + s + " s"
          + " ON t.config_id = s.config_id WHEN MATCHED THEN UPDATE SET t.config_id = t.config_id"
          + " WHEN NOT MATCHED THEN INSERT (" + cols + ") VALUES (" + values + ")");
      // a MERGE with a matched clause is validated at commit
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
      ms.add(IpTables.metricsRow(c));
    }
    return RowFactory.create(m.runId(), m.model(), m.dataset(), m.seed(), m.producer(), m.formatVersion(),
        m.numClasses(), layers, scala.collection.JavaConverters.mapAsScalaMap(splits), ms, archiveUri,
        new Timestamp(System.currentTimeMillis()));
  }

  private void upsertRuns(List<Row> rows) {
    StructType schema = spark.table(tables.name(IpTables.RUNS)).schema();
    Dataset<Row> incoming = spark.createDataFrame(rows, schema);
    // Rows equal to the stored ones but for updated_at need no commit (a re-analysis of an unchanged
    // archive); otherwise one merge adds new runs and updates grown ones.
    String[] cols = {"run_id", "model", "dataset", "seed", "producer", "format_version", "num_classes", "layers",
        "map_entries(splits) AS splits", "metrics", "archive"};
    boolean changed = !incoming.selectExpr(cols).except(table(IpTables.RUNS).selectExpr(cols)).isEmpty();
    if (changed) {
      writes.using(incoming, s -> "MERGE INTO " + tables.name(IpTables.RUNS) + " t USING " + s + " s ON t.run_id = s.run_id"
          + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
    }
  }

  /** The ids of the units that rows of {@code rows} name. */
  private Set<String> existing(Dataset<Row> rows) {
    Set<String> ids = new HashSet<>();
    for (Row r : rows.selectExpr(PassRows.UNIT_ID_COLUMNS).distinct().collectAsList()) {
      ids.add(PassRows.unitId(r).id());
    }
    return ids;
  }

  /** A unit's reported width: as {@link Aggregates}' (the common width, or the batches' mean). */
  private static Double unitWidth(Double[] perBatch) {
    boolean same = true;
    double sum = 0.0;
    int count = 0;
    for (Double v : perBatch) {
      same &= java.util.Objects.equals(v, perBatch[0]);
      if (v != null) {
        sum += v;
        count++;
      }
    }
    return perBatch.length == 0 ? null : same ? perBatch[0] : count == 0 ? null : sum / count;
  }

  private static boolean sameWidth(Double a, Double b) {
    if (a == null || b == null) {
      return a == null && b == null;
    }
    return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  }

  private void count(String pass, int todo, int skip) {
    count(pass, todo, skip, 0);
  }

  private void count(String pass, int todo, int skip, int failedEarlier) {
    computed.put(pass, todo);
    skipped.put(pass, skip);
    blocked.put(pass, failedEarlier);
    LOG.info("{}: {} units to compute, {} already done{}", pass, todo, skip,
        failedEarlier == 0 ? "" : ", " + failedEarlier + " left out (an earlier pass failed for them)");
  }

  /**
   * Computes and commits {@code todo} in consecutive chunks, each {@code commit}ted by one call,
   * sized by time and count ({@link CommitPacer}).
   */
  private void paced(List<UnitKey> todo, Progress progress, java.util.function.Consumer<List<UnitKey>> commit) {
    CommitPacer pacer = new CommitPacer(chunkSize, commitInterval);
    for (int i = 0; i < todo.size(); ) {
      int n = pacer.next(todo.size() - i);
      long t0 = System.nanoTime();
      commit.accept(todo.subList(i, i + n));
      pacer.done(n, (System.nanoTime() - t0) / 1e9);
      progress.advance(n);
      i += n;
    }
  }

  /**
   * Partitions of a chunk of units read directly from the archive: one unit each up to 16 per
   * core of the application, so that a large chunk is not as many tasks as units.
   */
  private int unitPartitions(int units) {
    return Math.max(1, Math.min(units, 16 * spark.sparkContext().defaultParallelism()));
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
    return units.stream().map(u -> PassRows.unitRow(u)).toList();
  }
}
