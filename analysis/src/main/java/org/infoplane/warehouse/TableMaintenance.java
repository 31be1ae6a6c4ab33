package org.infoplane.warehouse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintenance of the InfoPlane tables with Iceberg's own Spark procedures: snapshot expiry
 * ({@code expire_snapshots}), compaction of small data files ({@code rewrite_data_files}),
 * manifest rewriting ({@code rewrite_manifests}) and orphan removal ({@code remove_orphan_files}).
 * Every table of the namespace is maintained, whatever InfoPlane version created it.
 *
 * <p>Two modes: {@link #afterAnalysis()} runs each step only where it is due (thresholds of
 * {@code infoplane.maintenance.*}), so that its cost is paid once per many analyses; {@link
 * #everything()} ({@code infoplane maintain}) runs every step that can do anything.
 *
 * <p>Safe next to other writers of the same tables: every step is an Iceberg commit validated
 * against concurrent commits, and a step that conflicts is retried through {@link TableWrites}
 * (re-reading the table); orphan removal only touches files older than {@code
 * infoplane.maintenance.orphans.olderThan}, far longer than any write's window between writing a
 * data file and committing it. Old metadata files are bounded by Iceberg's table properties
 * {@code write.metadata.delete-after-commit.enabled} and {@code write.metadata.previous-versions-max},
 * set here where a table has no value of its own.
 */
public final class TableMaintenance {

  private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);
  /** Table property: the table's data files after its last compaction. */
  static final String COMPACTED_FILES = "infoplane.maintenance.compacted-files";
  /** Table property: when orphan files were last removed (epoch milliseconds). */
  static final String ORPHANS_CHECKED = "infoplane.maintenance.orphans-checked-at";
  /** Old metadata files kept per table (Iceberg's {@code write.metadata.previous-versions-max}). */
  static final int PREVIOUS_METADATA_VERSIONS = 20;

  /**
   * What maintenance did to one table; {@code -1} where a step did not run. Metadata bytes are those
   * of the files under the table's {@code metadata/} directory (JSON metadata, manifest lists and
   * manifests), measured only where asked for.
   */
  public record TableReport(String table, int snapshotsBefore, int snapshotsAfter, long expiredSnapshots,
      long dataFilesRewritten, long dataFilesAdded, long manifestsRewritten, long orphansRemoved,
      long metadataBytesBefore, long metadataBytesAfter) {

    /** One line for a person: what was done, or that nothing was due. */
    public String describe() {
      List<String> done = new ArrayList<>();
      if (expiredSnapshots >= 0) {
        done.add("expired " + expiredSnapshots + " snapshots (" + snapshotsBefore + " -> " + snapshotsAfter + ")");
      }
      if (dataFilesRewritten >= 0) {
        done.add("compacted " + dataFilesRewritten + " data files into " + dataFilesAdded);
      }
      if (manifestsRewritten >= 0) {
        done.add("rewrote " + manifestsRewritten + " manifests");
      }
      if (orphansRemoved >= 0) {
        done.add("removed " + orphansRemoved + " orphan files");
      }
      String metadata = metadataBytesBefore < 0 ? ""
          : String.format(java.util.Locale.ROOT, "; metadata %,d -> %,d bytes", metadataBytesBefore, metadataBytesAfter);
      return table + ": " + (done.isEmpty() ? "nothing due (" + snapshotsAfter + " snapshots)" : String.join(", ", done))
          + metadata;
    }
  }

  private final SparkSession spark;
  private final ResolvedConf conf;
  private final TableWrites writes;
  private final IpTables tables;
  private final String catalog;

  /** Maintenance outside an analysis ({@code infoplane maintain}): no lease is checked. */
  public TableMaintenance(SparkSession spark, ResolvedConf conf) {
    this(spark, conf, new TableWrites(spark, () -> { }));
  }

  /** Maintenance inside an analysis: {@code writes} checks the analysis lease before every step. */
  public TableMaintenance(SparkSession spark, ResolvedConf conf, TableWrites writes) {
    this.spark = spark;
    this.conf = conf;
    this.writes = writes;
    this.tables = new IpTables(spark, conf);
    this.catalog = conf.get(InfoPlaneConf.CATALOG_NAME);
  }

  /** The steps that are due on each table, by the {@code infoplane.maintenance.*} thresholds. */
  public List<TableReport> afterAnalysis() {
    return maintainAll(false, false);
  }

  /** Every step that can do anything, on every table; measures the metadata before and after. */
  public List<TableReport> everything() {
    return maintainAll(true, true);
  }

  /** The tables of the InfoPlane namespace, sorted by name; none where the namespace is missing. */
  public List<String> tableNames() {
    if (!spark.catalog().databaseExists(tables.namespace())) {
      return List.of();
    }
    return spark.sql("SHOW TABLES IN " + tables.namespace()).collectAsList().stream()
        .filter(r -> !r.<Boolean>getAs("isTemporary"))
        .map(r -> r.<String>getAs("tableName")).sorted().toList();
  }

  private List<TableReport> maintainAll(boolean all, boolean measure) {
    List<TableReport> out = new ArrayList<>();
    for (String t : tableNames()) {
      out.add(maintain(t, all, measure));
    }
    return out;
  }

  private TableReport maintain(String name, boolean all, boolean measure) {
    // Fully qualified, also as the procedures' table argument: a namespace named as its catalog
    // (catalog ip, namespace ip) is then not read as the catalog.
    String qualified = tables.name(name);
    String shown = tables.displayName(name);
    Table table = load(qualified);
    long bytesBefore = measure ? metadataBytes(table) : -1;
    int snapshotsBefore = count(table.snapshots());
    setMetadataLimits(qualified, table);

    // Compaction first, so that the files it replaces can be expired with their snapshots later.
    long rewritten = -1;
    long added = -1;
    long files = dataFiles(table);
    long compacted = Long.parseLong(table.properties().getOrDefault(COMPACTED_FILES, "0"));
    if (files > 1 && (all || files - compacted >= conf.get(InfoPlaneConf.MAINTENANCE_COMPACT_NEW_FILES))) {
      Row r = call("compacting the data files of " + shown, "rewrite_data_files(table => " + Sql.string(qualified)
          + (all ? ", options => map('min-input-files', '2')" : "") + ")");
      rewritten = r.<Integer>getAs("rewritten_data_files_count");
      added = r.<Integer>getAs("added_data_files_count");
      table = load(qualified);
      setProperty(qualified, COMPACTED_FILES, Long.toString(dataFiles(table)));
    }

    long manifestsRewritten = -1;
    int manifests = table.currentSnapshot() == null ? 0 : table.currentSnapshot().allManifests(table.io()).size();
    if (all ? manifests > 1 : manifests > conf.get(InfoPlaneConf.MAINTENANCE_MANIFESTS_MAX)) {
      Row r = call("rewriting the manifests of " + shown, "rewrite_manifests(table => " + Sql.string(qualified)
          + ")");
      manifestsRewritten = r.<Integer>getAs("rewritten_manifests_count");
      table = load(qualified);
    }

    long expired = -1;
    Instant cutoff = Instant.now().minus(conf.get(InfoPlaneConf.MAINTENANCE_RETENTION));
    int retainLast = conf.get(InfoPlaneConf.MAINTENANCE_RETAIN_LAST);
    int expirable = expirable(table, cutoff, retainLast);
    if (expirable >= (all ? 1 : conf.get(InfoPlaneConf.MAINTENANCE_EXPIRE_MIN))) {
      int before = count(load(qualified).snapshots());
      call("expiring the snapshots of " + shown, "expire_snapshots(table => " + Sql.string(qualified)
          + ", older_than => TIMESTAMP " + Sql.string(timestamp(cutoff)) + ", retain_last => " + retainLast + ")");
      table = load(qualified);
      expired = before - count(table.snapshots());
    }

    long orphans = -1;
    String checked = table.properties().get(ORPHANS_CHECKED);
    Duration interval = conf.get(InfoPlaneConf.MAINTENANCE_ORPHANS_INTERVAL);
    // Never swept: the table's first commit counts as the last sweep, for no file of the table is
    // older than that. A fresh warehouse's first analysis lists no table's files.
    Instant lastSweep = checked != null ? Instant.ofEpochMilli(Long.parseLong(checked)) : firstCommit(table);
    if (all || (lastSweep != null && lastSweep.plus(interval).isBefore(Instant.now()))) {
      Instant olderThan = Instant.now().minus(conf.get(InfoPlaneConf.MAINTENANCE_ORPHANS_OLDER_THAN));
      orphans = callAll("removing orphan files of " + qualified, "remove_orphan_files(table => "
          + Sql.string(qualified) + ", older_than => TIMESTAMP " + Sql.string(timestamp(olderThan)) + ")").size();
      setProperty(qualified, ORPHANS_CHECKED, Long.toString(System.currentTimeMillis()));
      table = load(qualified);
    }

    TableReport report = new TableReport(shown, snapshotsBefore, count(table.snapshots()), expired, rewritten, added,
        manifestsRewritten, orphans, bytesBefore, measure ? metadataBytes(table) : -1);
    if (expired >= 0 || rewritten >= 0 || manifestsRewritten >= 0 || orphans > 0) {
      LOG.info("maintenance: {}", report.describe());
    }
    return report;
  }

  /** When the oldest snapshot the table keeps was committed; null for a table without one. */
  private static Instant firstCommit(Table table) {
    long first = Long.MAX_VALUE;
    for (Snapshot s : table.snapshots()) {
      first = Math.min(first, s.timestampMillis());
    }
    return first == Long.MAX_VALUE ? null : Instant.ofEpochMilli(first);
  }

  /**
   * Snapshots that {@code expire_snapshots} with this cutoff and {@code retain_last} would remove:
   * older than the cutoff, not among the newest {@code retainLast}, and not the current one.
   */
  static int expirable(Table table, Instant cutoff, int retainLast) {
    List<Snapshot> all = new ArrayList<>();
    table.snapshots().forEach(all::add);
    all.sort(Comparator.comparingLong(Snapshot::timestampMillis).reversed());
    Snapshot current = table.currentSnapshot();
    int n = 0;
    for (int i = retainLast; i < all.size(); i++) {
      Snapshot s = all.get(i);
      if (s.timestampMillis() < cutoff.toEpochMilli() && (current == null || s.snapshotId() != current.snapshotId())) {
        n++;
      }
    }
    return n;
  }

  /**
   * Bytes of the files under a table's {@code metadata/} directory. The walk lists each directory
   * ({@code listStatus}) instead of {@code listFiles}: on a local file system the latter builds a
   * {@code LocatedFileStatus} per file, which reads the file's permissions by running {@code ls} in
   * a child process, minutes for the tens of thousands of files of an unmaintained warehouse.
   */
  long metadataBytes(Table table) {
    Path dir = new Path(table.location(), "metadata");
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      long bytes = 0;
      java.util.ArrayDeque<Path> dirs = new java.util.ArrayDeque<>(List.of(dir));
      while (!dirs.isEmpty()) {
        for (org.apache.hadoop.fs.FileStatus s : fs.listStatus(dirs.pop())) {
          if (s.isDirectory()) {
            dirs.push(s.getPath());
          } else {
            bytes += s.getLen();
          }
        }
      }
      return bytes;
    } catch (java.io.FileNotFoundException e) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException("listing the metadata of table " + table.name() + " at " + dir, e);
    }
  }

  /** Sum of {@link #metadataBytes} over every table of the namespace. */
  public long metadataBytes() {
    long total = 0;
    for (String t : tableNames()) {
      total += metadataBytes(load(tables.name(t)));
    }
    return total;
  }

  /** The data files of a table's current snapshot, from its summary (no file is read). */
  private static long dataFiles(Table table) {
    Snapshot s = table.currentSnapshot();
    if (s == null) {
      return 0;
    }
    String n = s.summary().get("total-data-files");
    return n == null ? 0 : Long.parseLong(n);
  }

  /**
   * Bounds the old metadata JSON files that each commit leaves (Iceberg's own mechanism), unless the
   * table sets these properties itself.
   */
  private void setMetadataLimits(String qualified, Table table) {
    Map<String, String> p = table.properties();
    if (!p.containsKey("write.metadata.delete-after-commit.enabled")) {
      writes.run("ALTER TABLE " + qualified + " SET TBLPROPERTIES ('write.metadata.delete-after-commit.enabled'='true',"
          + " 'write.metadata.previous-versions-max'=" + Sql.string(Integer.toString(PREVIOUS_METADATA_VERSIONS)) + ")");
    }
  }

  private void setProperty(String qualified, String key, String value) {
    writes.run("ALTER TABLE " + qualified + " SET TBLPROPERTIES (" + Sql.string(key) + "=" + Sql.string(value) + ")");
  }

  private Table load(String qualified) {
    try {
      Table t = Spark3Util.loadIcebergTable(spark, qualified);
      t.refresh();
      return t;
    } catch (org.apache.spark.sql.catalyst.parser.ParseException
        | org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new IllegalStateException("table maintenance: cannot load the Iceberg table " + qualified, e);
    }
  }

  /** A TIMESTAMP literal of an instant in the session's time zone. */
  private String timestamp(Instant t) {
    ZoneId zone = ZoneId.of(spark.conf().get("spark.sql.session.timeZone"));
    return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(zone).format(t);
  }

  private Row call(String what, String procedure) {
    List<Row> rows = callAll(what, procedure);
    if (rows.size() != 1) {
      throw new IllegalStateException("table maintenance, " + what + ": expected one result row from CALL "
          + procedure + ", got " + rows.size());
    }
    return rows.get(0);
  }

  private List<Row> callAll(String what, String procedure) {
    spark.sparkContext().setJobGroup("infoplane", "InfoPlane maintenance: " + what, false);
    List<List<Row>> result = new ArrayList<>(1);
    writes.run(() -> {
      result.clear();
      result.add(spark.sql("CALL " + Sql.qualified(catalog, "system") + "." + procedure).collectAsList());
    });
    return result.get(0);
  }

  private static int count(Iterable<?> it) {
    int n = 0;
    for (Object o : it) {
      n++;
    }
    return n;
  }
}
