package org.infoplane.analysis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapGroupsFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.TableWrites;

/**
 * Pass 3 of the tensor-kernel estimator: per batch, from the stored distances and the smoothed
 * widths, the entropies and mutual informations ({@link PassRows.BatchEstimate}), averaged per
 * unit into {@code information_plane} ({@link Aggregates#RESULT_ROW}).
 *
 * <p>In: the layer units, their runs' class counts and pass 2's smoothed widths
 * ({@link PassRows.UnitWidths}). Out: the units' rows of {@code information_plane}, committed. The
 * per-batch estimates ({@link #estimates}) and their per-unit aggregation ({@link #results}) are
 * also the sensitivity job's; the commit ({@link #commitResults}) also the direct pass's.
 */
final class EntropyPass {

  static final String NAME = "pass 3/3 entropies";

  /** The columns that identify a row of {@code information_plane}. */
  private static final List<String> RESULT_KEY =
      List.of("run_id", "split", "epoch", "step", "layer_index", "config_id");

  /** The columns {@link UnitWork#estimates} reads, besides the unit's and its batch index. */
  static Column[] estimateInput() {
    return new Column[] {col("t.n"), col("t.distances"), col("x.distances").as("x_distances"), col("x.labels"),
        col("c.num_classes"), col("u.sigma"), col("u.sigma_raw")};
  }

  private final PassContext ctx;
  private final PassLedger ledger;
  private final UnitWork work;

  EntropyPass(PassContext ctx, PassLedger ledger, UnitWork work) {
    this.ctx = ctx;
    this.ledger = ledger;
    this.work = work;
  }

  /**
   * @param classes {@code run_id, num_classes} of the runs
   * @param sigmas unit id → its smoothed widths; a unit without is left out (an earlier pass failed
   *     for it)
   * @param withDistances ids of the units whose distances are stored; the others' are computed
   *     again from their activations
   */
  void run(List<UnitKey> layers, Dataset<Row> classes, Map<String, PassRows.UnitWidths> sigmas,
      Set<String> withDistances) {
    AnalysisConfig config = ctx.config;
    String pass = NAME;
    ctx.describe(pass + ": finding stored units");
    Map<String, Double> done = new HashMap<>();
    Set<String> doneIds = new HashSet<>();
    Set<String> lacking = new HashSet<>();
    for (Row r : storedResults(ctx).select(col("run_id"), col("split"), col("epoch"), col("step"),
        col("layer_index"), col("sigma"), col("i_xt_ci_low").isNull().or(col("i_xt_batches").isNull()).as("lacking"))
        .collectAsList()) {
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
      PassRows.UnitWidths s = sigmas.get(u.id());
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
    ledger.count(pass, todo.size(), layers.size() - todo.size() - noWidth, noWidth);
    Progress progress = new Progress(pass, todo.size());
    ctx.paced(todo, progress, chunk -> {
      ctx.describe(pass + ": " + config.estimator() + " (alpha " + config.alpha() + ") on " + chunk.size()
          + " units");
      List<Row> rows = new ArrayList<>();
      for (UnitKey u : chunk) {
        PassRows.UnitWidths s = sigmas.get(u.id());
        for (int b = 0; b < s.sigma().length; b++) {
          rows.add(PassRows.unitRow(u, b, s.sigma()[b], s.sigmaRaw()[b]));
        }
      }
      Dataset<Row> joined = estimateInput(ctx.spark, ctx.tables, config.batching().key(), rows, withDistances,
          classes);
      // The edge counts of this chunk's units only: they travel with the tasks.
      Map<String, Integer> chunkEdges = new HashMap<>();
      chunk.forEach(u -> chunkEdges.put(u.id(), edges.get(u.id())));
      commitResults(ctx, ledger, results(estimates(joined, work), new Aggregates(config, chunkEdges)), "entropies",
          chunk.stream().anyMatch(u -> doneIds.contains(u.id())));
    });
  }

  /** Rows of the units and batches to estimate, at their widths: the input of {@link #estimateInput(SparkSession, IpTables, String, List, Set, Dataset)}. */
  static final StructType TODO = PassRows.unitSchema().add("batch_index", "int").add("sigma", "double")
      .add("sigma_raw", "double");

  /**
   * What {@link UnitWork#estimates} reads for the rows of {@code todo} ({@link #TODO}): the rows of
   * units in {@code withDistances} joined with their stored distances ({@link DistancePass#layerJoin}),
   * spread over about two partitions per core; the rows of the others joined with their batch's
   * input row and class count alone, in the order given (a unit's batches one after the other, so
   * that a task reads the unit's activations once), and without {@code distances}, which the task
   * computes from the activations.
   */
  static Dataset<Row> estimateInput(SparkSession spark, IpTables tables, String batching, List<Row> todo,
      Set<String> withDistances, Dataset<Row> classes) {
    int cores = spark.sparkContext().defaultParallelism();
    List<Row> stored = new ArrayList<>();
    List<Row> fromArchive = new ArrayList<>();
    Set<UnitKey> storedUnits = new java.util.LinkedHashSet<>();
    Set<UnitKey> archiveUnits = new java.util.LinkedHashSet<>();
    for (Row r : todo) {
      UnitKey u = PassRows.unit(r);
      boolean has = withDistances.contains(u.id());
      (has ? stored : fromArchive).add(r);
      (has ? storedUnits : archiveUnits).add(u);
    }
    Dataset<Row> out = null;
    if (!stored.isEmpty()) {
      out = DistancePass.layerJoin(spark, tables, batching, spark.createDataFrame(stored, TODO), classes, true,
          storedUnits, estimateInput()).repartition(2 * cores);
    }
    if (!fromArchive.isEmpty()) {
      Dataset<Row> u = spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext())
          .parallelize(fromArchive, PassContext.unitPartitions(spark, archiveUnits.size())), TODO);
      Dataset<Row> read = DistancePass.inputJoin(spark, tables, batching, u, classes, archiveUnits,
          col("x.n").as("n"), lit(null).cast("binary").as("distances"), col("x.distances").as("x_distances"),
          col("x.labels"), col("c.num_classes"), col("u.sigma"), col("u.sigma_raw"));
      out = out == null ? read : out.unionByName(read);
    }
    if (out == null) {
      throw new IllegalArgumentException("no unit to estimate");
    }
    return out;
  }

  /**
   * Per batch, the estimates ({@link PassRows.BatchEstimate#SCHEMA} rows) of the rows of
   * {@link #estimateInput(SparkSession, IpTables, String, List, Set, Dataset)}: lazily, computed by
   * the action that reads them.
   */
  static Dataset<Row> estimates(Dataset<Row> joined, UnitWork work) {
    return joined.mapPartitions((MapPartitionsFunction<Row, Row>) work::estimates,
        Encoders.row(PassRows.BatchEstimate.SCHEMA));
  }

  /**
   * Per-batch estimates aggregated per unit ({@link Aggregates#RESULT_ROW} rows, errors included),
   * in unit order.
   */
  static List<Row> results(Dataset<Row> perBatch, Aggregates agg) {
    // Each unit's per-batch estimates meet in one task, which summarises them in batch order (means,
    // standard errors, bootstrap intervals); the driver receives one row per unit.
    List<Row> results = new ArrayList<>(perBatch
        .groupByKey((MapFunction<Row, String>) Aggregates::key, Encoders.STRING())
        .mapGroups((MapGroupsFunction<String, Row, Row>) agg::result, Encoders.row(Aggregates.RESULT_ROW))
        .collectAsList());
    results.sort(Comparator.comparing(Aggregates::key));
    return results;
  }

  /** The stored results of this configuration. */
  static Dataset<Row> storedResults(PassContext ctx) {
    return ctx.table(IpTables.INFORMATION_PLANE).where(col("config_id").equalTo(ctx.configId));
  }

  /**
   * Commits per-unit results ({@link #results}) to {@code information_plane}, recording the failed
   * units: a MERGE when some of the units have a row of this configuration already (their width
   * changed), else a plain append, which costs one commit and no read of the table.
   */
  static void commitResults(PassContext ctx, PassLedger ledger, List<Row> results, String passName,
      boolean replacesRows) {
    ledger.recordErrors(results, PassRows::unit, PassRows::resultError, passName);
    List<Row> good = results.stream().filter(r -> PassRows.resultError(r) == null).toList();
    if (good.isEmpty()) {
      return;
    }
    ctx.describe(passName + ": committing results");
    Dataset<Row> rows = ctx.spark.createDataFrame(good, Aggregates.RESULT_ROW).drop("error");
    if (!replacesRows) {
      ctx.writes.insertAbsent(ctx.tables.name(IpTables.INFORMATION_PLANE), rows, RESULT_KEY,
          TableWrites.Bounds.of("t", good.stream().map(PassRows::unitId).toList(), true));
      return;
    }
    ctx.writes.using(rows, s -> "MERGE INTO " + ctx.tables.name(IpTables.INFORMATION_PLANE) + " t USING " + s + " s"
        + " ON t.run_id = s.run_id AND t.split = s.split AND t.epoch = s.epoch AND t.step = s.step"
        + " AND t.layer_index = s.layer_index AND t.config_id = s.config_id"
        + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
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
}
