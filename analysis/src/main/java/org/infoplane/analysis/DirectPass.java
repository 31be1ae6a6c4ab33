package org.infoplane.analysis;

import static org.apache.spark.sql.functions.col;

import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * The one pass of the estimators that need the activations themselves (binning, multivariate):
 * per batch, the estimates from a unit's activations read from the archive
 * ({@link PassRows.BatchEstimate}), aggregated and committed per unit as the entropy pass's
 * ({@link EntropyPass#results}, {@link EntropyPass#commitResults}).
 *
 * <p>In: the layer units. Out: their rows of {@code information_plane}, committed.
 */
final class DirectPass {

  private final PassContext ctx;
  private final PassLedger ledger;
  private final UnitWork work;
  private final Aggregates agg;

  DirectPass(PassContext ctx, PassLedger ledger, UnitWork work, Aggregates agg) {
    this.ctx = ctx;
    this.ledger = ledger;
    this.work = work;
    this.agg = agg;
  }

  void run(List<UnitKey> layers) {
    String pass = "pass 1/1 " + ctx.config.estimator();
    Set<String> have = ctx.existing(EntropyPass.storedResults(ctx));
    // Rows written before rows had intervals or batch values are computed again, once.
    Set<String> lacking = ctx.existing(EntropyPass.storedResults(ctx)
        .where(col("i_xt_ci_low").isNull().or(col("i_xt_batches").isNull())));
    List<UnitKey> todo = layers.stream().filter(u -> !have.contains(u.id()) || lacking.contains(u.id())).toList();
    ledger.count(pass, todo.size(), layers.size() - todo.size());
    Progress progress = new Progress(pass, todo.size());
    ctx.paced(todo, progress, chunk -> {
      ctx.describe(pass + ": reading activations of " + chunk.size() + " units");
      JavaRDD<Row> rdd = ctx.jsc.parallelize(PassRows.unitRows(chunk), ctx.unitPartitions(chunk.size()));
      Dataset<Row> out = ctx.spark.createDataFrame(rdd, PassRows.unitSchema())
          .mapPartitions((MapPartitionsFunction<Row, Row>) work::direct, Encoders.row(PassRows.BatchEstimate.SCHEMA));
      EntropyPass.commitResults(ctx, ledger, EntropyPass.results(out, agg), ctx.config.estimator(),
          chunk.stream().anyMatch(u -> lacking.contains(u.id())));
    });
  }
}
