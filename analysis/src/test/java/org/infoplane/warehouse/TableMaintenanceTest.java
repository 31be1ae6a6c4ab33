package org.infoplane.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.analysis.AnalysisJob;
import org.infoplane.analysis.SyntheticRun;
import org.infoplane.analysis.TableKey;
import org.infoplane.analysis.TestSpark;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.SnapshotArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table maintenance with real Spark and Iceberg (file-based catalog): after each analysis (what is
 * due), on demand (everything: snapshots expired to the retention, small files compacted, orphans
 * past their age removed and younger files kept, every row kept), and next to an analysis that
 * writes the same tables at the same time.
 */
class TableMaintenanceTest {

  static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void startSpark() {
    spark = TestSpark.session();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private ResolvedConf conf(Path warehouse, String catalog) {
    return conf(warehouse, catalog, "0s");
  }

  private ResolvedConf conf(Path warehouse, String catalog, String retention) {
    return TestSpark.warehouse(warehouse, catalog, "infoplane.commit.units=4",
        "infoplane.maintenance.retention=" + retention, "infoplane.maintenance.retainLast=2");
  }

  private static List<Row> planeRows(String catalog) {
    return spark.sql("SELECT run_id, split, step, layer_index, i_xt, i_ty, h_t FROM " + catalog
        + ".ip.information_plane ORDER BY run_id, split, step, layer_index").collectAsList();
  }

  @Test
  void maintenanceExpiresCompactsAndRemovesOldOrphansOnlyKeepingEveryRow() throws Exception {
    Path archivePath = dir.resolve("archive");
    SnapshotArchive archive = SnapshotArchive.open(archivePath.toString(), new Configuration());
    SyntheticRun run = new SyntheticRun(3);
    ResolvedConf conf = conf(dir.resolve("wh"), "mt");
    for (int c = 0; c < 3; c++) {
      run.write(archive, "r1", c, c + 1); // one new checkpoint per analysis
      AnalysisJob.Summary s = new AnalysisJob(spark, conf, archivePath.toString()).run();
      assertThat(s.errors()).isEmpty();
    }
    // The orphan sweep is due one interval (1d) after the table's first commit, since no file of the
    // table can be older: three analyses of a fresh warehouse list no table's files.
    Table plane = Spark3Util.loadIcebergTable(spark, "mt.ip.information_plane");
    plane.refresh();
    assertThat(plane.properties()).doesNotContainKey(TableMaintenance.ORPHANS_CHECKED)
        .containsEntry("write.metadata.delete-after-commit.enabled", "true");
    int snapshotsBefore = 0;
    for (var s : plane.snapshots()) {
      snapshotsBefore++;
    }
    assertThat(snapshotsBefore).as("three analyses, three commits at least").isGreaterThanOrEqualTo(3);
    List<Row> rows = planeRows("mt");
    assertThat(rows).hasSize(2 * 3 * 3);

    // Two files no snapshot references: one past the orphan age, one written a moment ago (as by a
    // writer that has not committed yet).
    Path data = dir.resolve("wh/ip/information_plane/data");
    Path old = Files.writeString(data.resolve("orphan-old.parquet"), "not referenced");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(4))));
    Path young = Files.writeString(data.resolve("orphan-young.parquet"), "not referenced yet");

    TableMaintenance m = new TableMaintenance(spark, conf);
    List<TableMaintenance.TableReport> reports = m.everything();
    assertThat(reports).extracting(TableMaintenance.TableReport::table)
        .contains("mt.ip.information_plane", "mt.ip.distance_matrices", "mt.ip.runs", "mt.ip.dpi_tests");
    TableMaintenance.TableReport r = reports.stream()
        .filter(x -> x.table().equals("mt.ip.information_plane")).findFirst().orElseThrow();
    assertThat(r.expiredSnapshots()).isPositive();
    assertThat(r.snapshotsAfter()).as("retainLast with retention 0s").isEqualTo(2);
    assertThat(r.dataFilesRewritten()).as("one file per commit, compacted").isGreaterThan(r.dataFilesAdded());
    assertThat(r.orphansRemoved()).isEqualTo(1);
    assertThat(old).doesNotExist();
    assertThat(young).exists();
    // The expired snapshots' manifest lists are gone with them: one left per kept snapshot. (The
    // metadata of so young a table need not shrink: maintenance's own commits add metadata versions,
    // which write.metadata.previous-versions-max bounds only once there are more than 20.)
    try (var files = Files.list(dir.resolve("wh/ip/information_plane/metadata"))) {
      assertThat(files.filter(f -> f.getFileName().toString().startsWith("snap-")).count())
          .isEqualTo(r.snapshotsAfter());
    }
    assertThat(r.metadataBytesBefore()).isPositive();
    assertThat(r.metadataBytesAfter()).isPositive();
    assertThat(planeRows("mt")).isEqualTo(rows);
    assertThat(r.describe()).contains("expired", "compacted", "removed 1 orphan files", "metadata");
  }

  @Test
  void theFirstOrphanSweepIsDueOneIntervalAfterTheTablesFirstCommit() throws Exception {
    Path archivePath = dir.resolve("archive-sweep");
    new SyntheticRun(5).write(SnapshotArchive.open(archivePath.toString(), new Configuration()), "r1", 0, 1);
    ResolvedConf conf = TestSpark.warehouse(dir.resolve("wh-sweep"), "ms", "infoplane.maintenance.orphans.interval=0s");
    assertThat(new AnalysisJob(spark, conf, archivePath.toString()).run().errors()).isEmpty();
    Table plane = Spark3Util.loadIcebergTable(spark, "ms.ip.information_plane");
    plane.refresh();
    // An interval of 0s: due as soon as the table has a commit, so the hook swept and noted when.
    assertThat(plane.properties()).containsKey(TableMaintenance.ORPHANS_CHECKED);
  }

  @Test
  void maintenanceNextToAnAnalysisOfTheSameTablesLosesNoRow() throws Exception {
    Path archivePath = dir.resolve("archive");
    SnapshotArchive archive = SnapshotArchive.open(archivePath.toString(), new Configuration());
    new SyntheticRun(4).write(archive, "r1", 0, 2);
    // Compaction and manifest rewrites next to the writer; the retention outlasts the test, as the
    // default 7 days outlasts an analysis: expiry removes the files of snapshots older than it, and a
    // reader still planning on such a snapshot would fail (the other test covers expiry itself).
    ResolvedConf conf = conf(dir.resolve("wh"), "mc", "1h");
    new AnalysisJob(spark, conf, archivePath.toString()).run();
    Path second = dir.resolve("archive2");
    new SyntheticRun(6).write(SnapshotArchive.open(second.toString(), new Configuration()), "r2", 0, 2);

    AtomicBoolean analysing = new AtomicBoolean(true);
    AtomicInteger rounds = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<AnalysisJob.Summary> analysis = pool.submit(() -> {
        try {
          return new AnalysisJob(spark, conf, second.toString()).run();
        } finally {
          analysing.set(false);
        }
      });
      // Maintenance from another session, with catalogs of its own, as `infoplane maintain` in another
      // process: Iceberg's caching catalog is not meant to be written from two threads of one session.
      SparkSession other = spark.newSession();
      scala.collection.JavaConverters.mapAsJavaMap(spark.conf().getAll()).forEach((k, v) -> {
        if (k.startsWith("spark.sql.catalog.")) {
          other.conf().set(k, v);
        }
      });
      Future<?> maintenance = pool.submit(() -> {
        while (analysing.get()) {
          new TableMaintenance(other, conf).everything(); // compaction, manifests (nothing is old enough to expire)
          rounds.incrementAndGet();
        }
        return null;
      });
      AnalysisJob.Summary s = analysis.get(10, TimeUnit.MINUTES);
      maintenance.get(10, TimeUnit.MINUTES);
      assertThat(s.errors()).isEmpty();
    } finally {
      pool.shutdownNow();
    }
    assertThat(rounds.get()).as("maintenance ran while the analysis wrote").isPositive();
    for (TableKey t : TableKey.PASS_TABLES) {
      for (String runId : List.of("r1", "r2")) {
        String where = " FROM mc.ip." + t.table() + " WHERE run_id = '" + runId + "'";
        long n = spark.sql("SELECT *" + where).count();
        assertThat(spark.sql("SELECT DISTINCT " + t.columns() + where).count())
            .as(t.table() + " " + runId + ": no key twice").isEqualTo(n);
        assertThat(n).as(t.table() + " " + runId + ": every unit present").isEqualTo(
            spark.sql("SELECT *" + where.replace("'" + runId + "'", "'r1'")).count());
      }
    }
  }
}
