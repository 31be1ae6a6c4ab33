package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.TableMaintenance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infoplane.catalog.type=jdbc} against a real PostgreSQL server ({@link PostgresServer}): the
 * concurrency scenario of {@link AnalysisConcurrencyTest} (two analyses at once, two spellings of one
 * archive, every key stored once), then re-analysis (nothing computed twice, new checkpoints only)
 * and table maintenance, with the table pointers in PostgreSQL. Skipped, saying why, where no server
 * can be started.
 */
class JdbcCatalogTest {

  static PostgresServer server;
  static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(PostgresServer.unavailable().isEmpty(),
        () -> "skipped: " + PostgresServer.unavailable().orElse(""));
    server = PostgresServer.start();
    spark = TestSpark.session();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (spark != null) {
        spark.stop();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  /** The exact settings that docs/tables.md gives for a JDBC catalog on PostgreSQL. */
  private ResolvedConf conf(Path warehouse, String catalog) {
    String p = "spark.sql.catalog." + catalog;
    return TestSpark.warehouse(warehouse, catalog, "infoplane.catalog.type=jdbc", p + ".uri=" + server.jdbcUri(),
        p + ".jdbc.user=" + PostgresServer.USER, p + ".jdbc.password=unused", "infoplane.commit.units=4");
  }

  @Test
  void overlappingAnalysesAndReanalysisOnPostgres() throws Exception {
    Path archivePath = dir.resolve("archive");
    SnapshotArchive archive = SnapshotArchive.open(archivePath.toString(), new Configuration());
    SyntheticRun run = new SyntheticRun(5);
    run.write(archive, "r1", 0, 2);
    ResolvedConf both = conf(dir.resolve("wh"), "pgboth");
    ResolvedConf single = conf(dir.resolve("wh-single"), "pgsingle");

    AnalysisConcurrencyTest.overlappingRunsWriteEachUnitOnce(spark, archivePath, both, single);

    // The catalog is PostgreSQL's: its table pointers are rows there, none in the warehouse.
    List<String> inPostgres = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(server.jdbcUri(), PostgresServer.USER, "unused");
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT table_name FROM iceberg_tables WHERE catalog_name = 'pgboth' AND table_namespace = 'ip'")) {
      while (rs.next()) {
        inPostgres.add(rs.getString(1));
      }
    }
    assertThat(inPostgres).contains(IpTables.INFORMATION_PLANE, IpTables.DISTANCE_MATRICES, IpTables.LAYER_WIDTHS,
        IpTables.RUNS);
    assertThat(dir.resolve("wh/ip/information_plane/metadata/version-hint.text")).doesNotExist();

    // Re-analysis: nothing is computed again; then only the new checkpoints are.
    AnalysisJob.Summary again = new AnalysisJob(spark, both, archivePath.toString()).run();
    assertThat(again.errors()).isEmpty();
    assertThat(again.computed().values()).as("nothing to compute").allMatch(n -> n == 0);
    run.write(archive, "r1", 2, 4);
    AnalysisJob.Summary later = new AnalysisJob(spark, both, archivePath.toString()).run();
    assertThat(later.errors()).isEmpty();
    assertThat(later.computed().get("pass 1/3 distances")).isEqualTo(2 * 2 * 3);
    assertThat(later.computed().get("pass 3/3 entropies")).isEqualTo(2 * 2 * 3);
    String t = "pgboth.ip.information_plane";
    long rows = spark.sql("SELECT * FROM " + t).count();
    assertThat(rows).isEqualTo(2 * 4 * 3);
    assertThat(spark.sql("SELECT DISTINCT run_id, split, epoch, step, layer_index, config_id FROM " + t).count())
        .isEqualTo(rows);

    // Maintenance through the JDBC catalog keeps every row.
    List<TableMaintenance.TableReport> reports = new TableMaintenance(spark, both).everything();
    assertThat(reports).extracting(TableMaintenance.TableReport::table).contains("pgboth.ip.information_plane");
    assertThat(reports).allSatisfy(r -> assertThat(r.orphansRemoved()).isZero());
    assertThat(spark.sql("SELECT * FROM " + t).count()).isEqualTo(rows);
  }
}
