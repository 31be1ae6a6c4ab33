package org.infoplane.warehouse;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every write to the InfoPlane tables (the analysis', the verdicts', the sensitivity runs', the
 * calibration's and maintenance's), safe whatever else writes the same tables at the same time.
 *
 * <p>A unit's rows are inserted only where its key is absent ({@link #insertAbsent}): a MERGE whose
 * matched rows keep their stored values. Unlike an append, such a MERGE is validated at commit
 * (Iceberg's serializable isolation, the default of {@code write.merge.isolation-level}): when
 * another writer committed rows it would have matched since it read the table, the commit fails
 * with a conflict instead of adding a second copy. Conflicts ({@code ValidationException},
 * {@code CommitFailedException}) are retried, re-reading the table, at most {@link #MAX_ATTEMPTS}
 * times; the retry then finds the other writer's rows and keeps them.
 */
public final class TableWrites {

  private static final Logger LOG = LoggerFactory.getLogger(TableWrites.class);

  /** Attempts of one statement before a conflict is reported. */
  static final int MAX_ATTEMPTS = 8;
  /** The first wait after a conflict; it doubles with each attempt (with jitter), up to about 13 s. */
  static final long FIRST_BACKOFF_MS = 100;

  private static final List<String> CONFLICTS = List.of(
      "org.apache.iceberg.exceptions.ValidationException",
      "org.apache.iceberg.exceptions.CommitFailedException");

  private final SparkSession spark;
  private final Runnable beforeEachAttempt;

  /**
   * @param beforeEachAttempt runs before every attempt (the job checks its lease there); may throw
   *     to stop the write
   */
  public TableWrites(SparkSession spark, Runnable beforeEachAttempt) {
    this.spark = spark;
    this.beforeEachAttempt = beforeEachAttempt;
  }

  /**
   * A conjunction (starting with " AND ", or empty) that bounds the rows a statement reads of its
   * target, written with named parameter markers ({@code :name}), and the markers' values: Spark
   * binds them, they are never part of the statement's text.
   */
  public record Bounds(String condition, Map<String, Object> args) {
    static final Bounds NONE = new Bounds("", Map.of());

    /**
     * A conjunction (" AND …", or none for no units) that bounds the rows of table alias
     * {@code alias} to the runs of {@code units} and, with {@code ranges}, to the ranges of their
     * epochs, steps and layer indexes: Iceberg skips the data files whose column ranges lie outside
     * it. The values are parameters of the statement, not part of its text.
     */
    public static Bounds of(String alias, java.util.Collection<? extends UnitCoordinates> units, boolean ranges) {
      if (units.isEmpty()) {
        return NONE;
      }
      Map<String, Object> args = new java.util.LinkedHashMap<>();
      List<String> markers = new java.util.ArrayList<>();
      for (String run : units.stream().map(UnitCoordinates::runId).distinct().sorted().toList()) {
        String name = "bound_run" + markers.size();
        args.put(name, run);
        markers.add(":" + name);
      }
      String out = " AND " + alias + ".run_id IN (" + String.join(", ", markers) + ")";
      if (ranges) {
        java.util.LongSummaryStatistics steps = units.stream().mapToLong(UnitCoordinates::step).summaryStatistics();
        java.util.IntSummaryStatistics epochs = units.stream().mapToInt(UnitCoordinates::epoch).summaryStatistics();
        java.util.IntSummaryStatistics layers = units.stream().mapToInt(UnitCoordinates::layerIndex).summaryStatistics();
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
      return new Bounds(out, args);
    }
  }

  /** Runs a statement that writes a table, retrying it when its commit conflicts with another writer's. */
  void run(String statement) {
    run(() -> spark.sql(statement));
  }

  /** As {@link #run(String)}, with the values of the statement's named parameter markers. */
  void run(String statement, Map<String, Object> args) {
    run(() -> spark.sql(statement, args));
  }

  /**
   * Runs a write that commits once (a statement, or a DataFrame write such as an overwrite by
   * filter), retrying it when its commit conflicts with another writer's.
   */
  void run(Runnable write) {
    for (int attempt = 1; ; attempt++) {
      beforeEachAttempt.run();
      try {
        write.run();
        return;
      } catch (RuntimeException e) {
        String conflict = conflict(e);
        if (conflict == null) {
          throw e;
        }
        if (attempt == MAX_ATTEMPTS) {
          throw new IllegalStateException("a table write conflicted with other writers " + MAX_ATTEMPTS
              + " times in a row (last: " + conflict + "); nothing of it was committed: run the analysis again", e);
        }
        long wait = (FIRST_BACKOFF_MS << (attempt - 1)) + ThreadLocalRandom.current().nextLong(FIRST_BACKOFF_MS);
        LOG.info("commit conflict with another writer (attempt {} of {}), retrying in {} ms: {}", attempt,
            MAX_ATTEMPTS, wait, conflict);
        try {
          Thread.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while retrying a table write", ie);
        }
      }
    }
  }

  /**
   * Replaces the rows of {@code table} that {@code which} selects with {@code rows}, in one commit:
   * Iceberg's overwrite by filter deletes the matching rows and adds the new ones atomically.
   */
  public void overwrite(String table, Dataset<Row> rows, Column which) {
    run(() -> {
      try {
        rows.writeTo(table).overwrite(which);
      } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
        throw new IllegalStateException("table " + table + " vanished while rows were written to it", e);
      }
    });
  }

  /**
   * Inserts the rows of {@code view} whose key is absent from {@code table}; rows whose key is
   * present keep the stored values. {@code targetBounds} bounds the rows of {@code table} (alias
   * {@code t}) that the statement reads: a conjunction starting with " AND " that every row of
   * {@code view} satisfies (its runs, the ranges of its key columns; see {@link Bounds#of}).
   * The bounds are pushed into the table's scan, so that the files outside them are not read, and
   * they are the conflict filter of the commit: a concurrent commit of rows with the view's keys lies
   * inside them, and fails one of the two commits.
   */
  public void insertAbsent(String table, Dataset<Row> rows, List<String> keys, Bounds targetBounds) {
    using(rows, view -> insertAbsentStatement(table, view, keys, targetBounds.condition()), targetBounds.args());
  }

  /**
   * As {@link #insertAbsent(String, Dataset, List, Bounds)}, for rows registered as {@code view}
   * and bounds written out as SQL.
   */
  void insertAbsent(String table, String view, List<String> keys, String targetBounds) {
    run(insertAbsentStatement(table, view, keys, targetBounds));
  }

  /**
   * Runs the write that {@code statement} builds around a name of {@code rows}: a temporary view
   * registered for this write alone (a name no other write uses) and dropped after it, so that two
   * jobs in one session never read each other's rows.
   */
  public void using(Dataset<Row> rows, Function<String, String> statement) {
    using(rows, statement, Map.of());
  }

  /** As {@link #using(Dataset, Function)}, with the values of the statement's named parameter markers. */
  void using(Dataset<Row> rows, Function<String, String> statement, Map<String, Object> args) {
    String view = "ip_rows_" + UUID.randomUUID().toString().replace("-", "");
    rows.createOrReplaceTempView(view);
    try {
      run(statement.apply(view), args);
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  private static String insertAbsentStatement(String table, String view, List<String> keys, String targetBounds) {
    List<String> quoted = keys.stream().map(Sql::identifier).toList();
    String on = quoted.stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND "));
    return "MERGE INTO " + table + " t USING " + Sql.identifier(view) + " s ON " + on + targetBounds
        + " WHEN MATCHED THEN UPDATE SET t." + quoted.get(0) + " = t." + quoted.get(0)
        + " WHEN NOT MATCHED THEN INSERT *";
  }

  /**
   * The message with which Iceberg's copy-on-write scan refuses a row-level write whose table moved
   * on between planning and execution: another writer in the same Spark session committed in between
   * (seen with two writers racing over one table). Nothing was written; the statement, planned again,
   * succeeds or meets an ordinary conflict.
   */
  static final String MOVED_DURING_WRITE = "the table has been concurrently modified";

  /** The Iceberg conflict in a failure's causes, as "class: message", or null when there is none. */
  static String conflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (CONFLICTS.contains(t.getClass().getName()) || t instanceof IllegalStateException
          && t.getMessage() != null && t.getMessage().contains(MOVED_DURING_WRITE)) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return null;
  }
}
