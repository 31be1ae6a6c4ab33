package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.infoplane.config.ConfResolver;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.spark.Sessions;
import org.infoplane.warehouse.AnalysisLease;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.TableWrites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sensitivity} writes as the analysis does: holding the lease of the run's archive in the
 * warehouse (so it waits for an analysis of that archive, which may still be adding the run's
 * units, and a second sensitivity run waits for the first) and through {@link TableWrites}, whose
 * MERGE is retried on commit conflicts.
 */
class SensitivityWritesTest {

  @TempDir Path dir;

  @Test
  void sensitivityWaitsForTheLeaseOfTheRunsArchiveBeforeItReadsOrWrites() throws Exception {
    Path archive = dir.resolve("archive");
    new SyntheticRun(5).write(SnapshotArchive.open(archive.toString(), new Configuration()), "r1", 0, 2);
    ResolvedConf conf = new ConfResolver().pairs(List.of("infoplane.warehouse=" + dir.resolve("wh"),
        "infoplane.local.master=local[2]", "spark.sql.shuffle.partitions=2")).resolve();
    SparkSession spark = Sessions.create(conf, "SensitivityWritesTest");
    try {
      assertThat(new AnalysisJob(spark, conf, archive.toString()).run().errors()).isEmpty();
      IpTables tables = new IpTables(spark, conf);
      String sensitivity = tables.name(IpTables.SENSITIVITY);
      String uri = SnapshotArchive.canonicalUri(archive.toString(), spark.sparkContext().hadoopConfiguration());

      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread job;
      try (AnalysisLease held = AnalysisLease.acquire(conf.get(InfoPlaneConf.WAREHOUSE), uri,
          spark.sparkContext().hadoopConfiguration())) {
        job = new Thread(() -> {
          try {
            new SensitivityJob(spark, conf).run("r1", List.of(2.0), List.of(1.0));
          } catch (Throwable t) {
            failed.set(t);
          }
        }, "sensitivity");
        job.start();
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (job.isAlive() && !waitsForTheLease(job) && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(waitsForTheLease(job)).as("the sensitivity job waits for the archive's lease (it "
            + (job.isAlive() ? "is still running" : "finished, failure: " + failed.get()) + ")").isTrue();
        assertThat(spark.table(sensitivity).count()).as("written while another held the lease").isZero();
        held.requireHeld(); // still the test's: the job did not take it over
      }
      job.join(300_000);
      assertThat(failed.get()).isNull();
      assertThat(job.isAlive()).isFalse();
      assertThat(spark.table(sensitivity).count()).isEqualTo(spark.table(tables.name(IpTables.INFORMATION_PLANE))
          .count());
    } finally {
      spark.stop();
    }
  }

  private static boolean waitsForTheLease(Thread t) {
    return Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().equals(AnalysisLease.class.getName())
        && f.getMethodName().equals("acquire"));
  }
}
