package org.infoplane.analysis;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.infoplane.warehouse.IpTables;

/**
 * What the passes of an analysis record, in one place: per pass the units computed, skipped
 * (stored already) and blocked (an earlier pass failed for them); the errors, each also a row of
 * {@code analysis_errors}; the warnings; and the ids of the units that failed. The passes write
 * here only through its methods; the job's {@link AnalysisJob.Summary} is read from it.
 */
final class PassLedger {

  private final PassContext ctx;
  private final List<String> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final Map<String, Integer> computed = new LinkedHashMap<>();
  private final Map<String, Integer> skipped = new LinkedHashMap<>();
  private final Map<String, Integer> blocked = new LinkedHashMap<>();
  /** Ids of the units that failed in this run (any pass). */
  private final Set<String> failedIds = new HashSet<>();

  PassLedger(PassContext ctx) {
    this.ctx = ctx;
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

  void count(String pass, int todo, int skip) {
    count(pass, todo, skip, 0);
  }

  void count(String pass, int todo, int skip, int failedEarlier) {
    computed.put(pass, todo);
    skipped.put(pass, skip);
    blocked.put(pass, failedEarlier);
    PassContext.LOG.info("{}: {} units to compute, {} already done{}", pass, todo, skip,
        failedEarlier == 0 ? "" : ", " + failedEarlier + " left out (an earlier pass failed for them)");
  }

  /** Whether a pass computed any unit. */
  boolean computedAny() {
    return computed.values().stream().anyMatch(n -> n > 0);
  }

  /** Whether the unit failed in this run (in any pass so far). */
  boolean failed(String unitId) {
    return failedIds.contains(unitId);
  }

  /** A warning of the run: logged, and in its summary. */
  void warn(String warning) {
    warnings.add(warning);
    PassContext.LOG.warn(warning);
  }

  /** The run's summary: what the ledger holds, over {@code units} work units. */
  AnalysisJob.Summary summary(int units) {
    return new AnalysisJob.Summary(ctx.configId, units, computed, skipped, blocked, List.copyOf(errors),
        List.copyOf(warnings));
  }

  /**
   * Records the failed units among {@code out}: those whose {@code error} is not null, one row per
   * unit (its first error).
   */
  <T> void recordErrors(List<T> out, Function<T, UnitKey> unit, Function<T, String> error, String pass) {
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
  void insertErrors(Collection<UnitError> bad, String pass) {
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
      PassContext.LOG.warn("{}: {}", pass, e.reason());
      rows.add(u == null
          ? RowFactory.create(e.runId(), null, null, null, null, null, ctx.configId, pass, e.reason(), now)
          : RowFactory.create(e.runId(), u.split(), u.epoch(), u.step(), u.layerIndex(), u.layerName(), ctx.configId,
              pass, e.reason(), now));
    }
    Dataset<Row> errorRows = ctx.spark.createDataFrame(rows, new StructType()
        .add("run_id", "string", false).add("split", "string").add("epoch", "int").add("step", "bigint")
        .add("layer_index", "int").add("layer_name", "string").add("config_id", "string", false)
        .add("pass", "string", false).add("reason", "string", false).add("failed_at", "timestamp", false));
    ctx.writes.using(errorRows, s -> "INSERT INTO " + ctx.tables.name(IpTables.ANALYSIS_ERRORS) + " SELECT * FROM " + s);
  }
}
