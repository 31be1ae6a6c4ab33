package org.infoplane.analysis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.infoplane.estimator.width.WidthSmoothing;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.TableWrites;

/**
 * Pass 2 of the tensor-kernel estimator: per batch, the width rule's choice on the stored
 * distances ({@link PassRows.BatchWidth}), averaged per checkpoint into {@code layer_widths}
 * ({@link PassRows.UnitWidth}); then, on the driver over that tiny table, the moving average of
 * the widths over each run's checkpoints.
 *
 * <p>In: the layer units, their runs' class counts, pass 1's {@link DistancePass.Outcome} and each
 * unit's training step. Out: unit id → its smoothed widths ({@link PassRows.UnitWidths}), for the
 * units with a stored width.
 */
final class WidthPass {

  static final String NAME = "pass 2/3 widths";

  /** The columns that identify a row of {@code layer_widths}. */
  private static final List<String> WIDTH_KEY =
      List.of("run_id", "split", "epoch", "step", "layer_index", "batching", "width_config");

  /** The columns {@link UnitWork#widths} reads, besides the unit's and its batch index. */
  private static Column[] widthInput() {
    return new Column[] {col("t.n"), col("t.dimension"), col("t.distances"), col("x.labels"), col("c.num_classes")};
  }

  private final PassContext ctx;
  private final PassLedger ledger;
  private final UnitWork work;
  private final Aggregates agg;

  WidthPass(PassContext ctx, PassLedger ledger, UnitWork work, Aggregates agg) {
    this.ctx = ctx;
    this.ledger = ledger;
    this.work = work;
    this.agg = agg;
  }

  /**
   * @param classes {@code run_id, num_classes} of the runs
   * @param smoothingSteps unit id → the training step its width is smoothed at (see
   *     {@link TrainingSteps})
   */
  Map<String, PassRows.UnitWidths> run(List<UnitKey> layers, Dataset<Row> classes, DistancePass.Outcome distances,
      Map<String, Long> smoothingSteps) {
    widths(layers, classes, distances);
    return smoothedWidths(layers, smoothingSteps);
  }

  private void widths(List<UnitKey> layers, Dataset<Row> classes, DistancePass.Outcome distances) {
    String pass = NAME;
    if (distances.stored() == 0) {
      // Pass 1 computed every unit, and with them their widths under this width rule (but for those
      // it failed on).
      int failed = (int) layers.stream().filter(u -> ledger.failed(u.id())).count();
      ledger.count(pass, 0, layers.size() - failed, failed);
      return;
    }
    ctx.describe(pass + ": finding stored units");
    Set<String> haveDistances = distances.withDistances();
    Set<String> have = ctx.existing(storedWidths(ctx));
    List<UnitKey> todo = layers.stream()
        .filter(u -> haveDistances.contains(u.id()) && !have.contains(u.id())).toList();
    // Units with neither: pass 1 failed for them (a unit whose distances are not kept has its widths
    // from pass 1).
    int noDistances = (int) layers.stream()
        .filter(u -> !haveDistances.contains(u.id()) && !have.contains(u.id())).count();
    ledger.count(pass, todo.size(), layers.size() - todo.size() - noDistances, noDistances);
    Progress progress = new Progress(pass, todo.size());
    ctx.paced(todo, progress, chunk -> {
      ctx.describe(pass + ": width rule " + ctx.config.widthRule() + " on " + chunk.size() + " units");
      Dataset<Row> todoRows = ctx.spark.createDataFrame(PassRows.unitRows(chunk), PassRows.unitSchema());
      Dataset<Row> joined = ctx.spread(DistancePass.layerJoin(ctx.spark, ctx.tables, ctx.config.batching().key(),
          todoRows, classes, false, chunk, widthInput()));
      List<PassRows.BatchWidth> perBatch = joined
          .mapPartitions((MapPartitionsFunction<Row, Row>) work::widths, Encoders.row(PassRows.BatchWidth.SCHEMA))
          .collectAsList().stream().map(PassRows.BatchWidth::of).toList();
      List<PassRows.UnitWidth> widths = Aggregates.perUnit(perBatch, PassRows.BatchWidth::unit, agg::width);
      ledger.recordErrors(widths, PassRows.UnitWidth::unit, PassRows.UnitWidth::error, "widths");
      ctx.describe(pass + ": committing widths");
      appendWidths(ctx, widths);
    });
  }

  /**
   * The moving average of every layer's widths over its run's checkpoints in training order, per
   * training step or per checkpoint (METHOD.md §4): of the checkpoint widths, or with
   * {@code infoplane.width.scope=batch} of each batch position's own widths. Warns once per layer
   * whose width search ended on a grid edge.
   */
  private Map<String, PassRows.UnitWidths> smoothedWidths(List<UnitKey> layers, Map<String, Long> smoothingSteps) {
    AnalysisConfig config = ctx.config;
    ctx.describe("smoothing widths over checkpoints");
    Map<String, PassRows.StoredWidth> stored = new HashMap<>();
    for (Row r : storedWidths(ctx).select("run_id", "split", "epoch", "step", "layer_index", "sigma_star",
        "n_batches", "edge_batches", "batch_sigma_stars").collectAsList()) {
      stored.put(PassRows.unitId(r).id(), PassRows.StoredWidth.of(r));
    }
    Map<String, List<UnitKey>> series = new LinkedHashMap<>();
    for (UnitKey u : layers) {
      if (stored.containsKey(u.id())) {
        series.computeIfAbsent(u.seriesKey(), k -> new ArrayList<>()).add(u);
      }
    }
    Map<String, PassRows.UnitWidths> out = new HashMap<>();
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
        out.put(u.id(), new PassRows.UnitWidths(sigma, sigmaRaw, edges));
        int[] c = edgesPerLayer.computeIfAbsent(u.runId() + "\u0000" + u.layerIndex() + "\u0000" + u.layerName(),
            k -> new int[2]);
        c[0] += edges;
        c[1] += n;
      }
    }
    edgesPerLayer.forEach((k, c) -> {
      if (c[0] > 0) {
        String[] p = k.split("\u0000");
        ledger.warn(String.format(java.util.Locale.ROOT, "run %s, layer %s (%s): %d of %d batches ended with the"
            + " alignment maximum on an edge of the width grid%s; their widths depend on where the grid stops (see"
            + " edge_batches in layer_widths and information_plane)", p[0], p[1], p[2], c[0], c[1],
            config.grid().extendEdges() ? " after extending it to its bounds" : " (infoplane.width.grid.edges=keep)"));
      }
    });
    return out;
  }

  /** The stored per-unit widths of this configuration's batching and width rule. */
  static Dataset<Row> storedWidths(PassContext ctx) {
    return ctx.table(IpTables.LAYER_WIDTHS).where(col("batching").equalTo(ctx.config.batching().key())
        .and(col("width_config").equalTo(ctx.config.widthConfig())));
  }

  /**
   * Appends per-unit checkpoint widths ({@link Aggregates#WIDTH_ROW} rows), leaving out errors: this
   * pass's, and pass 1's for the units it computed.
   */
  static void appendWidths(PassContext ctx, List<PassRows.UnitWidth> widths) {
    List<PassRows.UnitWidth> good = widths.stream().filter(w -> w.error() == null).toList();
    if (good.isEmpty()) {
      return;
    }
    Dataset<Row> rows = ctx.spark.createDataFrame(good.stream().map(PassRows.UnitWidth::toRow).toList(),
        PassRows.UnitWidth.SCHEMA).select(col("run_id"), col("split"),
        col("epoch"), col("step"), col("layer_index"), lit(ctx.config.batching().key()).as("batching"),
        lit(ctx.config.widthConfig()).as("width_config"), col("sigma_star"), col("n_batches"),
        current_timestamp().as("computed_at"), col("edge_batches"), col("batch_sigma_stars"));
    ctx.writes.insertAbsent(ctx.tables.name(IpTables.LAYER_WIDTHS), rows, WIDTH_KEY,
        TableWrites.Bounds.of("t", good.stream().map(PassRows.UnitWidth::unit).toList(), true));
  }
}
