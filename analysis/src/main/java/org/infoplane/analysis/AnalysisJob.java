package org.infoplane.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.warehouse.AnalysisLease;
import org.infoplane.warehouse.TableMaintenance;
import org.infoplane.warehouse.TableWrites;

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
 *
 * <p>This class is the sequence: lease, plan ({@link AnalysisPlan}), passes, summary. Each pass is
 * a class of its own ({@link DistancePass}, {@link WidthPass}, {@link EntropyPass},
 * {@link DirectPass}) taking the records of {@link PassRows} and returning them; the passes share
 * a {@link PassContext}, which they only read, and record counts and errors in a
 * {@link PassLedger}.
 */
public final class AnalysisJob {

  private final SparkSession spark;
  private final ResolvedConf conf;
  private final String warehouse;
  /** What the passes share; they read it only. */
  private final PassContext ctx;
  /** What the passes record: counts, errors, warnings. */
  private final PassLedger ledger;
  /** The lease this run holds while it runs; every table write checks it first. */
  private AnalysisLease lease;

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
    this.conf = conf;
    this.warehouse = conf.get(InfoPlaneConf.WAREHOUSE);
    TableWrites writes = new TableWrites(spark, () -> {
      if (lease != null) {
        lease.requireHeld();
      }
    });
    // One archive, one name: the lease, runs.archive and the tasks all use the canonical URI.
    this.ctx = new PassContext(spark, conf,
        SnapshotArchive.canonicalUri(archiveUri, spark.sparkContext().hadoopConfiguration()), writes);
    this.ledger = new PassLedger(ctx);
  }

  /**
   * Runs the three passes, holding the {@link AnalysisLease} of this archive in this warehouse: an
   * overlapping analysis of the same archive waits for this one, then computes what is left.
   */
  public Summary run() {
    try (AnalysisLease held = AnalysisLease.acquire(warehouse, ctx.archiveUri,
        spark.sparkContext().hadoopConfiguration())) {
      lease = held;
      return runLeased();
    } finally {
      lease = null;
    }
  }

  private Summary runLeased() {
    ctx.describe("preparing the tables");
    ctx.tables.createAll();
    ctx.describe("registering the configuration");
    AnalysisPlan.registerConfig(ctx);

    ctx.describe("listing the archive");
    AnalysisPlan plan = AnalysisPlan.of(ctx);
    ledger.insertErrors(plan.unreadableRuns(), "listing");
    if (plan.runIds().isEmpty()) {
      return ledger.summary(0);
    }
    ctx.describe("updating the runs table");
    plan.upsertRuns(ctx);
    // A run refused here is one error row naming it; the other runs are analysed.
    ledger.insertErrors(plan.refusedRuns(), "widths");
    List<UnitKey> layers = plan.layers();
    PassContext.LOG.info("archive {}: {} runs, {} work units (run x split x checkpoint x layer); config {}",
        ctx.archiveUri, plan.runIds().size(), layers.size(), ctx.configId);

    Broadcast<SerializableConfiguration> hadoop =
        ctx.jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    UnitWork work = new UnitWork(ctx.archiveUri, hadoop, ctx.config, ctx.failFast);
    Aggregates agg = new Aggregates(ctx.config);
    if (ctx.config.usesDistances()) {
      Dataset<Row> classes = plan.classes(ctx);
      List<UnitKey> all = new ArrayList<>(plan.inputs());
      all.addAll(layers);
      DistancePass.Outcome distances = new DistancePass(ctx, ledger, work, agg).run(all, plan.unkept());
      Map<String, PassRows.UnitWidths> sigmas =
          new WidthPass(ctx, ledger, work, agg).run(layers, classes, distances, plan.smoothingSteps());
      new EntropyPass(ctx, ledger, work).run(layers, classes, sigmas, distances.withDistances());
    } else {
      new DirectPass(ctx, ledger, work, agg).run(layers);
    }
    // The verdicts are a function of the plane: computed again when it changed (or never was). A
    // re-analysis that computed nothing commits nothing; `infoplane verdicts` recomputes them at other
    // verdict settings.
    VerdictJob verdicts = new VerdictJob(spark, conf, ctx.writes);
    if (ledger.computedAny() || !verdicts.has(ctx.configId)) {
      ctx.describe("verdicts: tests of the DPI, the phases and early stopping");
      verdicts.run(ctx.configId);
    }
    if (conf.get(InfoPlaneConf.MAINTENANCE_ENABLED)) {
      // Under this run's lease, with its lease-checking writes; only the steps that are due.
      ctx.describe("maintenance of the tables: what is due");
      new TableMaintenance(spark, conf, ctx.writes).afterAnalysis();
    }
    ctx.describe("done");
    spark.sparkContext().clearJobGroup();
    return ledger.summary(layers.size());
  }
}
