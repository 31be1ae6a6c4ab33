package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.config.ConfResolver;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.spark.Sessions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysis jar (the submit jar without DL4J) on a real Spark standalone cluster with HDFS: a
 * Master and two Workers as separate JVMs on 127.0.0.1, started from the build's own jars (a
 * SPARK_HOME whose {@code jars/} links the provided classpath, Hadoop's client 3.3.4 included), an
 * HDFS {@code MiniDFSCluster} (a NameNode and one DataNode on 127.0.0.1, in the test JVM) holding the
 * archive, and
 * {@code spark-submit target/infoplane-analysis.jar analyze --archive hdfs://… --warehouse hdfs://…} in
 * client mode. The tables it writes to HDFS must equal those of a local[2] run in the test JVM that
 * reads the same {@code hdfs://} archive and writes a local {@code file:} warehouse, also when one
 * Worker (and its executor) is killed while the job runs.
 *
 * <p>So the driver and the executors of the cluster read the archive, write the Iceberg tables
 * (atomic renames of the hadoop catalog) and hold the analysis lease (an HDFS create without
 * overwrite) through HDFS only; the test watches for the first data file with Hadoop's FileSystem API
 * and reads the HDFS warehouses with a catalog of its own.
 *
 * <p>Runs in {@code integration-test} (failsafe), after {@code package} built the shaded jar.
 */
class StandaloneClusterIT {

  static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);
  static final String[] TABLES = {"distance_matrices", "layer_widths", "information_plane"};

  /** Runtime-scope jars that are Spark's own dependencies, hence part of a Spark distribution. */
  static final Pattern SPARK_DIST = Pattern.compile("/(org/scala-lang|org/slf4j|org/apache/logging/log4j"
      + "|com/fasterxml/jackson|org/apache/commons|commons-[a-z]+|com/clearspring|joda-time)/");

  @TempDir static Path dir;

  static Path target;
  static List<String> opens;
  static String providedCp;
  static Path sparkHome;
  static int masterPort;
  static Process master;
  static final List<Process> workers = new ArrayList<>();
  static MiniDFSCluster hdfs;
  /** {@code hdfs://127.0.0.1:PORT}, the NameNode. */
  static String hdfsUri;
  static Configuration hadoop;
  static String archive;
  static SparkSession local;
  static ResolvedConf localConf;

  @BeforeAll
  static void startCluster() throws Exception {
    target = Paths.get(System.getProperty("infoplane.target", "target")).toAbsolutePath();
    Path jar = target.resolve("infoplane-analysis.jar");
    assertThat(jar).as("the shaded analysis jar (built by package)").exists();
    Files.createDirectories(target.resolve("cluster-it"));
    String provided = Files.readString(target.resolve("classpath-provided.txt")).trim();
    String runtime = Files.readString(target.resolve("classpath.txt")).trim();
    opens = List.of(System.getProperty("infoplane.spark.opens", "").trim().split("\\s+"));

    // SPARK_HOME/jars holds what a Spark distribution holds: the provided scope, and those of Spark's
    // own dependencies that Maven places in runtime scope because InfoPlane uses them too. Nothing of
    // InfoPlane's (Iceberg, ND4J, picocli): executors must find those in the submit jar.
    sparkHome = dir.resolve("spark-home");
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    List<String> entries = new ArrayList<>(List.of(provided.split(File.pathSeparator)));
    for (String p : runtime.split(File.pathSeparator)) {
      if (SPARK_DIST.matcher(p).find()) {
        entries.add(p);
      }
    }
    for (String p : entries) {
      Path src = Paths.get(p);
      if (p.endsWith(".jar") && !Files.exists(jars.resolve(src.getFileName()))) {
        Files.createSymbolicLink(jars.resolve(src.getFileName()), src);
      }
    }
    providedCp = jars + File.separator + "*";
    Runtime.getRuntime().addShutdownHook(new Thread(StandaloneClusterIT::stopAll));

    masterPort = freePort();
    master = start("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
        "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(freePort())), Map.of());
    waitForLog("master", "I have been elected leader", Duration.ofSeconds(60));
    for (int i = 0; i < 2; i++) {
      startWorker(i);
    }

    // HDFS: a NameNode on a port of its choosing and one DataNode, both on 127.0.0.1; one replica.
    Configuration c = new Configuration();
    c.setInt("dfs.replication", 1);
    hdfs = new MiniDFSCluster.Builder(c, dir.resolve("hdfs").toFile()).nameNodePort(0).numDataNodes(1).build();
    hdfs.waitActive();
    hdfsUri = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
    hadoop = new Configuration(hdfs.getConfiguration(0));

    archive = hdfsUri + "/archive";
    SyntheticRun run = new SyntheticRun(11);
    run.write(SnapshotArchive.open(archive, hadoop), "r1", 0, 3);

    // The reference: local[2] in this JVM, reading the same hdfs:// archive, writing a local warehouse.
    localConf = new ConfResolver().pairs(List.of("infoplane.local.master=local[2]",
        "infoplane.warehouse=" + dir.resolve("wh-local"), "infoplane.catalog.name=loc",
        "spark.sql.shuffle.partitions=2", "spark.ui.enabled=false", "spark.hadoop.dfs.replication=1")).resolve();
    local = Sessions.create(localConf, "local reference");
    AnalysisJob.Summary s = new AnalysisJob(local, localConf, archive).run();
    assertThat(s.errors()).isEmpty();
  }

  static void startWorker(int i) throws IOException {
    Path work = Files.createDirectories(dir.resolve("worker-work-" + i));
    Process w = start("worker-" + i, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
        "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort()), "--cores", "1",
        "--memory", "2g", "--work-dir", work.toString(), "spark://127.0.0.1:" + masterPort), Map.of());
    workers.add(w);
    waitForLog("worker-" + i, "Successfully registered with master", Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopAll() {
    if (local != null) {
      local.stop();
      local = null;
    }
    for (Process w : workers) {
      kill(w);
    }
    if (master != null) {
      kill(master);
      master = null;
    }
    if (hdfs != null) {
      hdfs.shutdown();
      hdfs = null;
    }
  }

  @Test
  void analyzeOnTheClusterEqualsALocalRun() throws Exception {
    String wh = hdfsUri + "/wh-cluster";
    Process submit = submit("submit-plain", wh, 64); // the default: one commit per pass, as the local run
    assertThat(submit.waitFor(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("the job finishes").isTrue();
    assertThat(submit.exitValue()).as("exit status; log in " + log("submit-plain")).isZero();
    assertLeaseReleased(wh);
    assertSameTables(wh);
  }

  @Test
  void aWorkerKilledWhileTheJobRunsChangesNothing() throws Exception {
    String wh = hdfsUri + "/wh-kill";
    Process submit = submit("submit-kill", wh, 4); // five commits per pass: the kill lands mid-job
    try {
      // Kill once the first chunk of the first pass has written a data file (its commit is under way,
      // most of the job still to come).
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (!hasDataFile(wh + "/ip/distance_matrices") && submit.isAlive()) {
        assertThat(System.nanoTime()).as("a first data file appears").isLessThan(deadline);
        Thread.sleep(100);
      }
      assertThat(submit.isAlive()).as("the job still runs when the first data file lands").isTrue();
      Process victim = workers.get(1);
      assertThat(victim.descendants().count()).as("the worker runs an executor").isPositive();
      kill(victim);
      assertThat(submit.waitFor(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("the job finishes").isTrue();
      assertThat(submit.exitValue()).as("exit status; log in " + log("submit-kill")).isZero();
      assertThat(Files.readString(log("submit-kill"))).as("the driver saw the executor go")
          .containsAnyOf("Lost executor", "lost worker", "Removal of executor", "removed");
    } finally {
      kill(submit);
      workers.remove(1);
      startWorker(2); // leave two workers for any later test
    }
    assertLeaseReleased(wh);
    assertSameTables(wh);
  }

  private static Process submit(String name, String wh, int commitUnits) throws IOException {
    List<String> args = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit",
        "--master", "spark://127.0.0.1:" + masterPort, "--deploy-mode", "client",
        "--class", "org.infoplane.cli.InfoPlaneCli",
        "--executor-memory", "1500m", "--total-executor-cores", "2",
        "--conf", "spark.task.maxFailures=8", "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1", "--conf", "spark.ui.enabled=false",
        "--conf", "spark.executorEnv.OMP_NUM_THREADS=1",
        "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", opens),
        "--conf", "spark.hadoop.dfs.replication=1",
        target.resolve("infoplane-analysis.jar").toString(),
        "analyze", "--archive", archive, "--warehouse", wh,
        "--conf", "infoplane.catalog.name=ip", "--conf", "infoplane.commit.units=" + commitUnits,
        "--conf", "spark.sql.shuffle.partitions=2"));
    return start(name, args, Map.of());
  }

  private void assertSameTables(String wh) {
    ResolvedConf conf = new ConfResolver().pairs(List.of("infoplane.warehouse=" + wh,
        "infoplane.catalog.name=c" + wh.substring(wh.lastIndexOf('/') + 1).replace('-', '_'))).resolve();
    Sessions.create(conf, "read cluster tables"); // registers the catalog in the shared session
    String c = conf.get(InfoPlaneConf.CATALOG_NAME);
    String l = localConf.get(InfoPlaneConf.CATALOG_NAME);
    for (String t : TABLES) {
      long ours = local.sql("SELECT * FROM " + l + ".ip." + t).count();
      assertThat(ours).as(t + " has rows").isPositive();
      assertThat(local.sql("SELECT * FROM " + c + ".ip." + t).count()).as(t + " rows").isEqualTo(ours);
    }
    List<Row> a = rows(l);
    List<Row> b = rows(c);
    assertThat(b).hasSameSizeAs(a);
    for (int i = 0; i < a.size(); i++) {
      assertThat(b.get(i).toString()).as("information_plane row " + i).isEqualTo(a.get(i).toString());
    }
  }

  private static List<Row> rows(String catalog) {
    return local.sql("SELECT run_id, split, epoch, step, layer_index, config_id, sigma, sigma_raw, i_xt, i_ty,"
        + " h_t, h_x, h_y, i_xt_std, n_batches FROM " + catalog + ".ip.information_plane"
        + " ORDER BY run_id, split, step, layer_index").collectAsList();
  }

  /** The analysis lease was taken on HDFS (its directory exists) and released (no lease file is left). */
  private static void assertLeaseReleased(String wh) throws IOException {
    org.apache.hadoop.fs.Path leases = new org.apache.hadoop.fs.Path(wh + "/_leases");
    FileSystem fs = leases.getFileSystem(hadoop);
    assertThat(fs.exists(leases)).as(leases + " exists").isTrue();
    assertThat(fs.listStatus(leases)).as("lease files left in " + leases).isEmpty();
  }

  /** Whether an Iceberg table on HDFS has a Parquet data file yet (Hadoop's FileSystem API). */
  private static boolean hasDataFile(String table) throws IOException {
    org.apache.hadoop.fs.Path data = new org.apache.hadoop.fs.Path(table + "/data");
    FileSystem fs = data.getFileSystem(hadoop);
    if (!fs.exists(data)) {
      return false;
    }
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(data, true);
    while (files.hasNext()) {
      if (files.next().getPath().getName().endsWith(".parquet")) {
        return true;
      }
    }
    return false;
  }

  private static Process start(String name, List<String> mainAndArgs, Map<String, String> env) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1500m");
    cmd.addAll(opens);
    cmd.add("-cp");
    cmd.add(providedCp);
    cmd.addAll(mainAndArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(name).toFile());
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.12");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("SPARK_LOCAL_DIRS", dir.resolve("spark-local").toString());
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().putAll(env);
    return pb.start();
  }

  private static Path log(String name) {
    return target.resolve("cluster-it").resolve(name + ".log");
  }

  private static void waitForLog(String name, String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        if (Files.exists(log(name)) && Files.readString(log(name)).contains(text)) {
          return;
        }
        Thread.sleep(200);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError(name + " did not log '" + text + "' within " + timeout + "; see " + log(name));
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
