package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.cli.InfoPlaneCli;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.SnapshotArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad units, fail-fast, and a job killed mid-way: real Spark, real files, a real killed JVM. */
class AnalysisRecoveryTest {

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

  private ResolvedConf conf(Path warehouse, String... pairs) {
    return TestSpark.warehouse(warehouse, TestSpark.catalog("r"), pairs);
  }

  private Path archiveWithOneCorruptUnit() throws IOException {
    Path archive = dir.resolve("archive");
    new SyntheticRun(5).write(SnapshotArchive.open(archive.toString(), new Configuration()), "r1", 0, 2);
    Path file = archive.resolve("runs/run=r1/activations/split=test/epoch=1/step=10/layer=1/part-0.parquet");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Files.deleteIfExists(file.resolveSibling(".part-0.parquet.crc"));
    return archive;
  }

  private long count(ResolvedConf c, String table, String where) {
    return spark.sql("SELECT count(*) FROM " + c.get(InfoPlaneConf.CATALOG_NAME) + ".ip." + table
        + (where.isEmpty() ? "" : " WHERE " + where)).first().getLong(0);
  }

  @Test
  void aCorruptUnitBecomesAnErrorRowAndTheRestIsComputed() throws Exception {
    Path archive = archiveWithOneCorruptUnit();
    ResolvedConf c = conf(dir.resolve("wh"));
    AnalysisJob.Summary s = new AnalysisJob(spark, c, archive.toString()).run();
    assertThat(s.ok()).isFalse();
    assertThat(s.errors()).hasSize(1);
    assertThat(s.errors().get(0)).contains("run r1", "split test", "epoch 1 step 10", "layer 1 (conv1)", "part-0.parquet");
    assertThat(count(c, "information_plane", "")).isEqualTo(2 * 2 * 3 - 1);
    Row err = spark.sql("SELECT * FROM " + c.get(InfoPlaneConf.CATALOG_NAME) + ".ip.analysis_errors").first();
    assertThat(err.<String>getAs("pass")).isEqualTo("distances");
    assertThat(err.<Integer>getAs("layer_index")).isEqualTo(1);
    assertThat(err.<String>getAs("reason")).contains("cannot be read");
    String where = "run r1, split test, epoch 1 step 10, layer 1 (conv1)";
    assertThat(err.<String>getAs("reason")).as("names the unit once").startsWith(where)
        .satisfies(r -> assertThat(r.indexOf(where, 1)).isEqualTo(-1));
    // the unit whose distances failed is left out of the later passes, not counted as done
    assertThat(s.skipped().get("pass 3/3 entropies")).isZero();
    assertThat(s.blocked().get("pass 3/3 entropies")).isEqualTo(1);
    assertThat(s.computed().get("pass 3/3 entropies")).isEqualTo(2 * 2 * 3 - 1);

    // The next run retries the bad unit only, and fails again the same way.
    AnalysisJob.Summary again = new AnalysisJob(spark, c, archive.toString()).run();
    assertThat(again.computed().get("pass 1/3 distances")).isEqualTo(1);
    assertThat(again.errors()).hasSize(1);
    assertThat(count(c, "information_plane", "")).isEqualTo(2 * 2 * 3 - 1);
  }

  /**
   * Runs whose manifest is truncated, of an unknown format version, or missing: one error row each,
   * naming the run and the file, and the good run is analysed; with fail-fast the job stops.
   */
  @Test
  void aRunWithABadOrMissingManifestIsAnErrorRowAndTheOtherRunsAreAnalysed() throws Exception {
    Path archive = dir.resolve("archive");
    SnapshotArchive a = SnapshotArchive.open(archive.toString(), new Configuration());
    new SyntheticRun(5).write(a, "r1", 0, 1);
    new SyntheticRun(6).write(a, "r2", 0, 1);
    new SyntheticRun(7).write(a, "r3", 0, 1);
    Path truncated = archive.resolve("runs/run=r2/manifest.json");
    Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(truncated), 40));
    Files.deleteIfExists(truncated.resolveSibling(".manifest.json.crc"));
    Path future = archive.resolve("runs/run=r3/manifest.json");
    Files.writeString(future, Files.readString(future).replaceFirst("\"formatVersion\"\\s*:\\s*\\d+", "\"formatVersion\" : 99"));
    Files.deleteIfExists(future.resolveSibling(".manifest.json.crc"));
    Files.createDirectories(archive.resolve("runs/run=r4/activations"));

    ResolvedConf c = conf(dir.resolve("wh"));
    AnalysisJob.Summary s = new AnalysisJob(spark, c, archive.toString()).run();
    assertThat(s.errors()).hasSize(3);
    assertThat(count(c, "information_plane", "run_id = 'r1'")).isEqualTo(2 * 1 * 3);
    assertThat(count(c, "information_plane", "run_id <> 'r1'")).isZero();
    List<Row> errs = spark.sql("SELECT run_id, pass, reason, split FROM " + c.get(InfoPlaneConf.CATALOG_NAME)
        + ".ip.analysis_errors ORDER BY run_id").collectAsList();
    assertThat(errs).extracting(r -> r.getString(0)).containsExactly("r2", "r3", "r4");
    assertThat(errs).allSatisfy(r -> assertThat(r.getString(1)).isEqualTo("listing"));
    assertThat(errs).allSatisfy(r -> assertThat(r.isNullAt(3)).isTrue());
    assertThat(errs.get(0).getString(2)).contains("run r2", truncated.toString());
    assertThat(errs.get(1).getString(2)).contains("run r3", future.toString(), "99");
    assertThat(errs.get(2).getString(2)).contains("run r4", "no manifest",
        archive.resolve("runs/run=r4/manifest.json").toString());

    ResolvedConf failFast = conf(dir.resolve("wh-ff"), "infoplane.failFast=true");
    assertThatThrownBy(() -> new AnalysisJob(spark, failFast, archive.toString()).run())
        .hasMessageContaining("run r2").hasMessageContaining(truncated.toString());
    assertThat(count(failFast, "information_plane", "")).isZero();
  }

  @Test
  void failFastStopsAtTheFirstBadUnitNamingIt() throws Exception {
    Path archive = archiveWithOneCorruptUnit();
    ResolvedConf c = conf(dir.resolve("wh"), "infoplane.failFast=true");
    assertThatThrownBy(() -> new AnalysisJob(spark, c, archive.toString()).run())
        .hasMessageContaining("run r1, split test, epoch 1 step 10, layer 1 (conv1)");
    assertThat(count(c, "information_plane", "")).isZero();
  }

  @Test
  void aJobKilledMidwayLeavesReadableTablesAndTheNextRunCompletesTheRest() throws Exception {
    Path archive = dir.resolve("archive");
    new SyntheticRun(6).write(SnapshotArchive.open(archive.toString(), new Configuration()), "r1", 0, 3);
    Path warehouse = dir.resolve("wh");

    // A real analyze in its own JVM, one unit per commit, killed with SIGKILL after its first commits.
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx2g", "-cp", System.getProperty("java.class.path")));
    cmd.addAll(jvmOpens());
    cmd.addAll(List.of(InfoPlaneCli.class.getName(), "analyze", "--archive", archive.toString(),
        "--warehouse", warehouse.toString(), "--conf", "infoplane.commit.units=1",
        "--conf", "infoplane.local.master=local[1]"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("child.log").toFile()).start();
    Path metadata = warehouse.resolve("ip/distance_matrices/metadata");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (commits(metadata) < 3 && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(p.isAlive()).as("the child was still working when killed; its log: "
        + Files.readString(dir.resolve("child.log"))).isTrue();
    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

    ResolvedConf c = conf(warehouse);
    long committed = count(c, "distance_matrices", "");
    assertThat(committed).as("committed distance rows survive the kill").isPositive();
    assertThat(count(c, "information_plane", "")).as("readable after the kill").isLessThan(2 * 3 * 3);

    AnalysisJob.Summary resumed = new AnalysisJob(spark, c, archive.toString()).run();
    assertThat(resumed.ok()).isTrue();
    assertThat(resumed.skipped().get("pass 1/3 distances")).as("committed units are not redone").isPositive();

    ResolvedConf fresh = conf(dir.resolve("wh-fresh"));
    new AnalysisJob(spark, fresh, archive.toString()).run();
    String cols = "run_id, split, epoch, step, layer_index, sigma, i_xt, i_ty, h_t, h_x, h_y";
    List<Row> a = spark.sql("SELECT " + cols + " FROM " + c.get(InfoPlaneConf.CATALOG_NAME)
        + ".ip.information_plane ORDER BY split, step, layer_index").collectAsList();
    List<Row> b = spark.sql("SELECT " + cols + " FROM " + fresh.get(InfoPlaneConf.CATALOG_NAME)
        + ".ip.information_plane ORDER BY split, step, layer_index").collectAsList();
    assertThat(a).hasSize(2 * 3 * 3).isEqualTo(b);
  }

  @Test
  void analyzeAndSqlCommandsEndToEnd() throws Exception {
    Path archive = dir.resolve("archive");
    new SyntheticRun(7).write(SnapshotArchive.open(archive.toString(), new Configuration()), "r1", 0, 1);
    Path warehouse = dir.resolve("wh");
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cl = InfoPlaneCli.commandLine();
    cl.setOut(new java.io.PrintWriter(out, true));
    // The commands stop the session they use; the next test class starts its own.
    int code = cl.execute("analyze", "--archive", archive.toString(), "--warehouse", warehouse.toString(),
        "--conf", "infoplane.catalog.name=cli1");
    assertThat(code).as(out.toString()).isZero();
    assertThat(out.toString()).contains("pass 3/3 entropies", "computed     6");
    out.getBuffer().setLength(0);
    code = cl.execute("sql", "--warehouse", warehouse.toString(), "--conf", "infoplane.catalog.name=cli2",
        "--format", "csv", "SELECT split, layer_name, n_batches FROM information_plane ORDER BY split, layer_index");
    assertThat(code).isZero();
    assertThat(out.toString().strip().split("\n")).containsExactly("split,layer_name,n_batches",
        "test,dense1,2", "test,conv1,2", "test,dead,2", "train,dense1,2", "train,conv1,2", "train,dead,2");
    spark = TestSpark.session();
  }

  private static int commits(Path metadata) throws IOException {
    if (!Files.isDirectory(metadata)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(metadata)) {
      return (int) s.filter(f -> f.getFileName().toString().endsWith(".metadata.json")).count();
    }
  }

  private static List<String> jvmOpens() {
    List<String> args = new ArrayList<>(List.of("-XX:+IgnoreUnrecognizedVMOptions"));
    for (String pkg : new String[] {"java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net",
        "java.nio", "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref",
        "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar"}) {
      args.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
    }
    args.add("-Djdk.reflect.useDirectMethodHandle=false");
    return args;
  }
}
