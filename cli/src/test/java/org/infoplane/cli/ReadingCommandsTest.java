package org.infoplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.infoplane.cli.ImportCommandTest.Result;
import org.infoplane.config.ConfResolver;
import org.infoplane.io.NpyFiles;
import org.infoplane.snapshot.NpzCase;
import org.infoplane.spark.Sessions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that read tables refuse a missing or empty warehouse (naming its absolute location and
 * {@code --warehouse}) and create nothing; sessions keep Spark's own catalog directory out of the
 * working directory; commands that need no Spark start none.
 */
class ReadingCommandsTest {

  @TempDir Path dir;

  @Test
  void sqlAndReportRefuseAMissingWarehouseAndCreateNothing() {
    Path missing = dir.resolve("no-such-warehouse");
    for (String[] args : List.of(
        new String[] {"sql", "--warehouse", missing.toString(), "SELECT count(*) FROM information_plane"},
        new String[] {"report", "--run", "r1", "--warehouse", missing.toString(), "--out", dir.resolve("rep").toString()})) {
      Result r = ImportCommandTest.run(args);
      assertThat(r.code()).as(r.out()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
      assertThat(r.err().strip()).isEqualTo("infoplane " + args[0] + ": there is no warehouse at " + missing.toUri()
          + " (infoplane.warehouse = '" + missing + "'); give --warehouse with"
          + " the warehouse that `infoplane analyze` wrote, or run analyze first");
      assertThat(missing).doesNotExist();
      assertThat(dir.resolve("rep")).doesNotExist();
    }
  }

  @Test
  void aRelativeWarehouseIsNamedByItsAbsolutePathAndAnEmptyOneIsRefused() throws Exception {
    String relative = "no-warehouse-" + ProcessHandle.current().pid();
    Result r = ImportCommandTest.run("sql", "--warehouse", relative, "SELECT 1");
    assertThat(r.code()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(r.err()).contains("there is no warehouse at " + Path.of(relative).toAbsolutePath().toUri(),
        "resolved against the working directory", "--warehouse");
    assertThat(Path.of(relative)).doesNotExist();

    Path empty = Files.createDirectories(dir.resolve("empty"));
    Files.createDirectories(empty.resolve("ip").resolve("runs")); // a namespace begun, tables never written
    Result e = ImportCommandTest.run("sql", "--warehouse", empty.toUri().toString(), "SELECT 1");
    assertThat(e.code()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(e.err().strip()).isEqualTo("infoplane sql: the warehouse " + empty.toUri() + " holds no InfoPlane tables"
        + " (missing: information_plane, runs) (infoplane.warehouse = '" + empty.toUri() + "'); give --warehouse with the"
        + " warehouse that `infoplane analyze` wrote, or run analyze first");
    try (var s = Files.list(empty)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("ip");
    }
  }

  /**
   * A warehouse of an earlier version (information_plane without the uncertainty columns, no
   * sensitivity table) is brought up to date by sql, whose views read those columns and that table.
   */
  @Test
  void sqlReadsAWarehouseOfAnEarlierVersion() {
    Path wh = dir.resolve("old-warehouse");
    org.infoplane.config.ResolvedConf conf = new ConfResolver().pairs(List.of("infoplane.warehouse=" + wh,
        "infoplane.local.master=local[1]")).resolve();
    SparkSession spark = Sessions.create(conf, "ReadingCommandsTest");
    org.infoplane.warehouse.IpTables tables = new org.infoplane.warehouse.IpTables(spark, conf);
    tables.createAll();
    String plane = tables.name(org.infoplane.warehouse.IpTables.INFORMATION_PLANE);
    spark.sql("ALTER TABLE " + plane + " DROP COLUMNS (i_xt_se, i_ty_se, h_t_se, i_xt_ci_low, i_xt_ci_high,"
        + " i_ty_ci_low, i_ty_ci_high, h_t_ci_low, h_t_ci_high, h_t_err, i_xt_err, i_ty_err)");
    spark.sql("DROP TABLE " + tables.name(org.infoplane.warehouse.IpTables.SENSITIVITY) + " PURGE");
    assertThat(List.of(spark.table(plane).schema().fieldNames())).doesNotContain("i_xt_se");

    Result r = ImportCommandTest.run("sql", "--warehouse", wh.toString(), "--format", "csv",
        "SELECT (SELECT count(*) FROM dpi_check) AS dpi, (SELECT count(*) FROM sensitivity) AS sens,"
            + " (SELECT count(*) FROM information_plane WHERE i_xt_se IS NULL) AS plane");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().strip().lines()).containsExactly("dpi,sens,plane", "0,0,0");
  }

  @Test
  void sessionsKeepSparksCatalogDirectoryOutOfTheWorkingDirectory() {
    Path cwdWarehouse = Path.of("spark-warehouse").toAbsolutePath();
    Assumptions.assumeFalse(Files.exists(cwdWarehouse), "a spark-warehouse/ from elsewhere is in the way");
    SparkSession spark = Sessions.create(new ConfResolver().pairs(List.of("infoplane.local.master=local[1]")).resolve(),
        "ReadingCommandsTest");
    try {
      spark.sql("SHOW DATABASES").collectAsList(); // the built-in catalog is used, its directory made
      Path used = Path.of(java.net.URI.create(spark.conf().get("spark.sql.warehouse.dir")));
      assertThat(used).exists();
      assertThat(used.startsWith(Path.of("").toAbsolutePath())).as(used.toString()).isFalse();
      assertThat(cwdWarehouse).doesNotExist();
    } finally {
      spark.stop();
    }
  }

  @Test
  void importValidateMiAndConfigStartNoSpark() throws Exception {
    Path npz = NpzCase.of(10, 1, 2).write(dir.resolve("e0.npz"));
    Path archive = dir.resolve("archive");
    float[] v = new float[10 * 2];
    for (int i = 0; i < v.length; i++) {
      v[i] = i % 7;
    }
    Path x = NpyFiles.writeFloat32(dir.resolve("x.npy"), new long[] {10, 2}, v);
    Path y = NpyFiles.writeInt64(dir.resolve("y.npy"), new long[] {0, 1, 0, 1, 0, 1, 0, 1, 0, 1});
    // a fresh JVM: sessions other tests leave in this one can neither hide nor fake a result
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath, NoSparkCommands.class.getName(),
        "import", "npz", "--archive", archive.toString(), "--run", "r", "--split", "s", "--epoch", "0", npz.toString(),
        "---", "validate", "--archive", archive.toString(),
        "---", "mi", "--x", x.toString(), "--t", x.toString(), "--y", y.toString(), "--batch-size", "10",
        "---", "config"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(output).isZero();
    assertThat(output).contains("no Spark session after [import, npz");
    assertThat(archive.resolve("runs").resolve("run=r").resolve("manifest.json")).exists();
  }
}
