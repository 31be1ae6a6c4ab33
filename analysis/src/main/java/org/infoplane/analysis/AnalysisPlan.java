package org.infoplane.analysis;

import static org.apache.spark.sql.functions.col;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.CheckpointMetrics;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.RunManifest;
import org.infoplane.snapshot.RunReader;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.warehouse.IpTables;

/**
 * The work units of an archive, as its manifests list them: the inputs (one per run and split)
 * and the layers (run × split × checkpoint × layer), each layer's training step for the width
 * smoothing, each run's class count and its row of {@code runs}; and the runs left out, with why.
 * Also the two rows the analysis registers before its passes: its configuration and the runs.
 *
 * @param smoothingSteps unit id → the training step its width is smoothed at (see
 *     {@link TrainingSteps})
 * @param unreadableRuns runs whose manifest is missing or unreadable
 * @param refusedRuns runs whose checkpoints give no training steps to smooth the widths over
 * @param unkept ids of the layer units whose distance matrices are not kept
 *     ({@code infoplane.distances.keep=auto}): those of layers narrower than a batch less one,
 *     whose batch of float32 activations (4·B·D bytes) takes fewer bytes than its distances'
 *     upper triangle in float64 (4·B·(B − 1) bytes); the passes read their activations again
 *     instead
 */
record AnalysisPlan(List<String> runIds, List<UnitKey> inputs, List<UnitKey> layers, Map<String, Integer> numClasses,
    List<Row> runRows, Map<String, Long> smoothingSteps, List<PassLedger.UnitError> unreadableRuns,
    List<PassLedger.UnitError> refusedRuns, java.util.Set<String> unkept) {

  /**
   * Lists the archive's runs and their units.
   *
   * @throws IllegalArgumentException when the archive holds no run
   */
  static AnalysisPlan of(PassContext ctx) {
    AnalysisConfig config = ctx.config;
    SnapshotArchive archive = SnapshotArchive.open(ctx.archiveUri, ctx.spark.sparkContext().hadoopConfiguration());
    List<String> runDirs = archive.runDirectoryIds();
    if (runDirs.isEmpty()) {
      throw new IllegalArgumentException("archive " + ctx.archiveUri + " holds no run");
    }
    List<String> runIds = new ArrayList<>();
    List<PassLedger.UnitError> unreadableRuns = new ArrayList<>();
    List<UnitKey> inputs = new ArrayList<>();
    List<UnitKey> layers = new ArrayList<>();
    Map<String, Integer> numClasses = new HashMap<>();
    List<Row> runRows = new ArrayList<>();
    Map<String, Long> smoothingSteps = new HashMap<>();
    List<PassLedger.UnitError> refusedRuns = new ArrayList<>();
    java.util.Set<String> unkept = new java.util.HashSet<>();
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
        if (ctx.failFast) {
          throw e;
        }
        unreadableRuns.add(PassLedger.UnitError.ofRun(runId, e.getMessage()));
        continue;
      }
      runIds.add(runId);
      numClasses.put(runId, m.numClasses());
      runRows.add(runRow(m, metrics, ctx.archiveUri));
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
        refusedRuns.add(PassLedger.UnitError.ofRun(runId, refusal));
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
            if (!ctx.keepAllDistances && !keepsDistances(l.size(), config.batchSize())) {
              unkept.add(u.id());
            }
          }
        }
      }
    }
    return new AnalysisPlan(runIds, inputs, layers, numClasses, runRows, smoothingSteps, unreadableRuns,
        refusedRuns, unkept);
  }

  /**
   * Whether a layer of {@code dimension} features keeps its distance matrices at batches of
   * {@code batch} samples (every batch has B; a split with fewer samples fails in its units' tasks,
   * as before): when a batch of its float32 activations (4·B·D bytes) takes at least the
   * bytes of its distances' upper triangle in float64 (8·B(B − 1)/2 = 4·B·(B − 1)), that is
   * D ≥ B − 1. Narrower layers are cheaper to read again than to store and read back.
   */
  static boolean keepsDistances(long dimension, int batch) {
    return dimension >= batch - 1L;
  }

  /** The class count of every run ({@code run_id, num_classes}). */
  Dataset<Row> classes(PassContext ctx) {
    return ctx.spark.createDataFrame(numClasses.entrySet().stream()
            .map(e -> RowFactory.create(e.getKey(), e.getValue())).toList(),
        new StructType().add("run_id", "string").add("num_classes", "int"));
  }

  /** Adds the analysis configuration to {@code analysis_configs}, unless it is there. */
  static void registerConfig(PassContext ctx) {
    AnalysisConfig config = ctx.config;
    String configId = ctx.configId;
    Dataset<Row> row = ctx.spark.createDataFrame(List.of(RowFactory.create(configId, config.estimator(),
                config.alpha(), config.kernel().sigmaX(), config.kernel().sigmaY(), config.widthRule(),
                config.smoothing().beta(), config.batchSize(), config.batching().shuffle(), config.batching().seed(),
                new Timestamp(System.currentTimeMillis()), config.entropyMethodSpec(),
                config.smoothing().unit().spec(), config.preset().spec())),
            new StructType().add("config_id", "string", false).add("estimator", "string").add("alpha", "double")
                .add("sigma_x", "double").add("sigma_y", "double").add("width_rule", "string")
                .add("width_smoothing", "double").add("batch_size", "int").add("batch_shuffle", "boolean")
                .add("batch_seed", "bigint").add("created_at", "timestamp").add("entropy_method", "string")
                .add("width_smoothing_unit", "string").add("preset", "string"));
    if (ctx.table(IpTables.ANALYSIS_CONFIGS).where(col("config_id").equalTo(configId)).isEmpty()) {
      String cols = String.join(", ", row.columns());
      String values = String.join(", ", java.util.Arrays.stream(row.columns()).map(c -> "s." + c).toList());
      ctx.writes.using(row, s -> "MERGE INTO " + ctx.tables.name(IpTables.ANALYSIS_CONFIGS) + " t USING " + s + " s"
          + " ON t.config_id = s.config_id WHEN MATCHED THEN UPDATE SET t.config_id = t.config_id"
          + " WHEN NOT MATCHED THEN INSERT (" + cols + ") VALUES (" + values + ")");
      // a MERGE with a matched clause is validated at commit
    }
  }

  private static Row runRow(RunManifest m, List<CheckpointMetrics> metrics, String archiveUri) {
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

  /** Adds the plan's runs to {@code runs}, and updates those that grew. */
  void upsertRuns(PassContext ctx) {
    StructType schema = ctx.spark.table(ctx.tables.name(IpTables.RUNS)).schema();
    Dataset<Row> incoming = ctx.spark.createDataFrame(runRows, schema);
    // Rows equal to the stored ones but for updated_at need no commit (a re-analysis of an unchanged
    // archive); otherwise one merge adds new runs and updates grown ones.
    String[] cols = {"run_id", "model", "dataset", "seed", "producer", "format_version", "num_classes", "layers",
        "map_entries(splits) AS splits", "metrics", "archive"};
    boolean changed = !incoming.selectExpr(cols).except(ctx.table(IpTables.RUNS).selectExpr(cols)).isEmpty();
    if (changed) {
      ctx.writes.using(incoming, s -> "MERGE INTO " + ctx.tables.name(IpTables.RUNS) + " t USING " + s
          + " s ON t.run_id = s.run_id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
    }
  }
}
