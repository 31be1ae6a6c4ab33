package org.infoplane.analysis;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.TableWrites;

/**
 * Pass 1 of the tensor-kernel estimator: per batch, the squared-distance matrix of each layer (and
 * once per run and split of the input X, with the batch's labels), kept in
 * {@code distance_matrices} so that a re-analysis with another α, width rule or smoothing never
 * reads activations again; and with them, per batch, the width rule's choice, averaged per unit
 * into {@code layer_widths} (so that pass 2 has nothing left to do for these units).
 *
 * <p>In: the units (inputs and layers). Out: how many of them it computed and how many were
 * stored already ({@link Outcome}). Per chunk, the tasks' {@link PassRows.BatchDistances} are
 * inserted, and their small columns come to the driver as {@link PassRows.BatchWidth}s, averaged
 * into {@link PassRows.UnitWidth}s. Also the reads of the distance table that the later passes and
 * the sensitivity job join on ({@link #layerJoin}).
 */
final class DistancePass {

  static final String NAME = "pass 1/3 distances";

  /** The columns that identify a row of {@code distance_matrices}. */
  private static final List<String> DISTANCE_KEY =
      List.of("run_id", "split", "epoch", "step", "layer_index", "batching", "batch_index");

  /**
   * What pass 1 did.
   *
   * @param computed the units it computed
   * @param stored the units it left out because what it would write was stored already: their
   *     distances, or for units whose distances are not kept their widths
   * @param withDistances the ids of the units whose distances the table now holds
   */
  record Outcome(int computed, int stored, Set<String> withDistances) {}

  private final PassContext ctx;
  private final PassLedger ledger;
  private final UnitWork work;
  private final Aggregates agg;

  DistancePass(PassContext ctx, PassLedger ledger, UnitWork work, Aggregates agg) {
    this.ctx = ctx;
    this.ledger = ledger;
    this.work = work;
    this.agg = agg;
  }

  /**
   * @param unkept ids of the units whose distances are not kept ({@link AnalysisPlan#unkept}):
   *     computed for their widths when those are not stored, and not written
   */
  Outcome run(List<UnitKey> units, Set<String> unkept) {
    String pass = NAME;
    ctx.describe(pass + ": finding stored units");
    Set<String> have = stored(ctx);
    Set<String> haveWidths = unkept.isEmpty() ? Set.of() : ctx.existing(WidthPass.storedWidths(ctx));
    List<UnitKey> todo = units.stream().filter(u -> !have.contains(u.id())
        && (!unkept.contains(u.id()) || !haveWidths.contains(u.id()))).toList();
    Set<String> withDistances = new HashSet<>(have);
    ledger.count(pass, todo.size(), units.size() - todo.size());
    Progress progress = new Progress(pass, todo.size());
    ctx.paced(todo, progress, chunk -> {
      ctx.describe(pass + ": reading activations of " + chunk.size() + " units");
      JavaRDD<Row> rdd = ctx.jsc.parallelize(PassRows.unitRows(chunk), ctx.unitPartitions(chunk.size()));
      Set<String> chunkUnkept = new HashSet<>();
      chunk.stream().map(UnitKey::id).filter(unkept::contains).forEach(chunkUnkept::add);
      Dataset<Row> out = ctx.spark.createDataFrame(rdd, PassRows.unitSchema())
          .mapPartitions(work.distancesKeeping(chunkUnkept), Encoders.row(Schemas.DISTANCE_OUT))
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        // One action computes the chunk (kept for the insert below) and brings its small columns
        // to the driver: errors, and the per-batch widths that the driver averages per unit.
        List<PassRows.BatchWidth> small = out.selectExpr(PassRows.BatchWidth.SCHEMA.fieldNames()).collectAsList().stream()
            .map(PassRows.BatchWidth::of).toList();
        ledger.recordErrors(small, PassRows.BatchWidth::unit, PassRows.BatchWidth::error, "distances");
        Set<String> failed = new HashSet<>();
        small.stream().filter(b -> b.error() != null).forEach(b -> failed.add(b.unit().id()));
        List<UnitKey> kept = chunk.stream().filter(u -> !chunkUnkept.contains(u.id())).toList();
        if (!kept.isEmpty()) {
          ctx.describe(pass + ": committing distances");
          Dataset<Row> distances = out.where("error IS NULL AND distances IS NOT NULL").select("run_id", "split",
              "epoch", "step", "layer_index", "batching", "batch_index", "n", "dimension", "distances", "labels",
              "sample_ids", "created_at");
          // Only units without stored distances were computed; an overlapping writer's copy is kept.
          ctx.writes.insertAbsent(ctx.tables.name(IpTables.DISTANCE_MATRICES), distances, DISTANCE_KEY,
              TableWrites.Bounds.of("t", kept, true));
          kept.stream().map(UnitKey::id).filter(id -> !failed.contains(id)).forEach(withDistances::add);
        }
        ctx.describe(pass + ": committing widths");
        WidthPass.appendWidths(ctx, Aggregates.perUnit(
            small.stream().filter(b -> b.error() == null && !b.unit().isInput()).toList(),
            PassRows.BatchWidth::unit, agg::width));
      } finally {
        out.unpersist();
      }
    });
    return new Outcome(todo.size(), units.size() - todo.size(), withDistances);
  }

  /** The ids of the units whose distances under this configuration's batching are stored. */
  static Set<String> stored(PassContext ctx) {
    return stored(ctx.spark, ctx.tables, ctx.config.batching().key(), lit(true));
  }

  /** The ids of the units of rows {@code where} holds whose distances under {@code batching} are stored. */
  static Set<String> stored(SparkSession spark, IpTables tables, String batching, Column where) {
    Set<String> ids = new HashSet<>();
    for (Row r : spark.table(tables.name(IpTables.DISTANCE_MATRICES)).where(col("batching").equalTo(batching)
        .and(where)).selectExpr(PassRows.UNIT_ID_COLUMNS).distinct().collectAsList()) {
      ids.add(PassRows.unitId(r).id());
    }
    return ids;
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
    return u.join(t, unit).join(inputs(spark, tables, batching, units), input)
        .join(broadcast(classes).as("c"), col("c.run_id").equalTo(col("u.run_id")))
        .select(select.toArray(new Column[0]));
  }

  /**
   * The rows of {@code todo} (alias {@code u}: a unit's columns and a {@code batch_index}) joined
   * with their batch's input row (alias {@code x}) and their run's class count (alias {@code c}),
   * both broadcast, so that the rows keep their partitions and their order: for units whose
   * distances the tasks compute from the activations. The result's columns are the unit's,
   * {@code batch_index}, then {@code columns}.
   */
  static Dataset<Row> inputJoin(SparkSession spark, IpTables tables, String batching, Dataset<Row> todo,
      Dataset<Row> classes, Collection<UnitKey> units, Column... columns) {
    Column input = col("x.run_id").equalTo(col("u.run_id")).and(col("x.split").equalTo(col("u.split")))
        .and(col("x.batch_index").equalTo(col("u.batch_index")));
    List<Column> select = new ArrayList<>(List.of(col("u.run_id"), col("u.split"), col("u.epoch"), col("u.step"),
        col("u.layer_index"), col("u.layer_name"), col("u.layer_kind"), col("u.batch_index")));
    select.addAll(List.of(columns));
    return todo.as("u").join(inputs(spark, tables, batching, units), input)
        .join(broadcast(classes).as("c"), col("c.run_id").equalTo(col("u.run_id")))
        .select(select.toArray(new Column[0]));
  }

  /** The input rows (alias {@code x}; one per run, split and batch) of the runs of {@code units}. */
  private static Dataset<Row> inputs(SparkSession spark, IpTables tables, String batching, Collection<UnitKey> units) {
    return broadcast(spark.table(tables.name(IpTables.DISTANCE_MATRICES)).where(col("batching").equalTo(batching)
        .and(col("layer_index").equalTo(-1)).and(bounds(units, false)))).as("x");
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
}
