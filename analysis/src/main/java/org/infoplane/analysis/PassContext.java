package org.infoplane.analysis;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.TableWrites;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the passes of one analysis share and only read: the session, the archive, the analysis
 * configuration, the tables and their lease-checking writes, and the commit pacing
 * ({@code infoplane.commit.units}, {@code infoplane.commit.interval}; see {@link CommitPacer}).
 * What the passes record (counts, errors, warnings) is the {@link PassLedger}'s.
 */
final class PassContext {

  /** The passes log under the job's name: their lines are the analysis job's. */
  static final Logger LOG = LoggerFactory.getLogger(AnalysisJob.class);
  private static final String GROUP = "infoplane";

  final SparkSession spark;
  final JavaSparkContext jsc;
  /** The archive's canonical URI (as the lease, runs.archive and the tasks name it). */
  final String archiveUri;
  final AnalysisConfig config;
  final String configId;
  final IpTables tables;
  final TableWrites writes;
  final boolean failFast;
  /** {@code infoplane.distances.keep=all}: every unit's distance matrices are stored. */
  final boolean keepAllDistances;
  private final int chunkSize;
  private final double commitInterval;
  private String step;
  private long stepStart;

  PassContext(SparkSession spark, ResolvedConf conf, String archiveUri, TableWrites writes) {
    this.spark = spark;
    this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.archiveUri = archiveUri;
    this.writes = writes;
    this.config = AnalysisConfig.from(conf);
    this.configId = config.configId();
    this.tables = new IpTables(spark, conf);
    this.failFast = conf.get(InfoPlaneConf.FAIL_FAST);
    this.keepAllDistances = "all".equals(conf.get(InfoPlaneConf.DISTANCES_KEEP));
    this.chunkSize = conf.get(InfoPlaneConf.COMMIT_UNITS);
    this.commitInterval = conf.get(InfoPlaneConf.COMMIT_INTERVAL);
  }

  /** A table of the warehouse. */
  Dataset<Row> table(String name) {
    return spark.table(tables.name(name));
  }

  /** The ids of the units that rows of {@code rows} name. */
  Set<String> existing(Dataset<Row> rows) {
    Set<String> ids = new HashSet<>();
    for (Row r : rows.selectExpr(PassRows.UNIT_ID_COLUMNS).distinct().collectAsList()) {
      ids.add(PassRows.unitId(r).id());
    }
    return ids;
  }

  /**
   * Computes and commits {@code todo} in consecutive chunks, each {@code commit}ted by one call,
   * sized by time and count ({@link CommitPacer}).
   */
  void paced(List<UnitKey> todo, Progress progress, Consumer<List<UnitKey>> commit) {
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
  int unitPartitions(int units) {
    return unitPartitions(spark, units);
  }

  /** As {@link #unitPartitions(int)}, for a job without a pass context (the sensitivity job's). */
  static int unitPartitions(SparkSession spark, int units) {
    return Math.max(1, Math.min(units, 16 * spark.sparkContext().defaultParallelism()));
  }

  /**
   * Rows read from the distance table, spread over about two partitions per core: the table's few
   * files would otherwise be read, and computed on, by as few tasks.
   */
  Dataset<Row> spread(Dataset<Row> rows) {
    return rows.repartition(2 * spark.sparkContext().defaultParallelism());
  }

  /** Names the Spark jobs that follow (the UI's job group); at debug level, times each step. */
  void describe(String what) {
    long now = System.nanoTime();
    if (step != null && LOG.isDebugEnabled()) {
      LOG.debug(String.format(java.util.Locale.ROOT, "%.2f s: %s", (now - stepStart) / 1e9, step));
    }
    step = what;
    stepStart = now;
    spark.sparkContext().setJobGroup(GROUP, "InfoPlane " + configId + ": " + what, false);
  }
}
