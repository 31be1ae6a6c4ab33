package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.SnapshotArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two analyses of one archive, spelled two ways, into one warehouse started at the same moment: no
 * unit is written twice, none is lost, and the numbers equal those of a single run.
 */
class AnalysisConcurrencyTest {

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
    return TestSpark.warehouse(warehouse, catalog, "infoplane.commit.units=4");
  }

  /**
   * The two runs name the archive differently (a relative path, and a file URI with a trailing
   * slash): it is one archive, with one lease and one name in runs.archive.
   */
  @Test
  void twoOverlappingRunsWriteEachUnitOnceAndEqualASingleRun() throws Exception {
    Path archive = dir.resolve("archive");
    new SyntheticRun(5).write(SnapshotArchive.open(archive.toString(), new Configuration()), "r1", 0, 2);
    overlappingRunsWriteEachUnitOnce(spark, archive, conf(dir.resolve("wh"), "both"),
        conf(dir.resolve("wh-single"), "single"));
  }

  /**
   * The scenario, for any catalog: {@code single} analyses {@code archive} (one run "r1" of 2
   * checkpoints of 3 layers on 2 splits) alone; then two analyses into {@code both}, started at the
   * same moment with two spellings of the archive. Every key is stored once, the numbers equal the
   * single run's, and runs.archive holds one name.
   */
  static void overlappingRunsWriteEachUnitOnce(SparkSession spark, Path archive, ResolvedConf both,
      ResolvedConf single) throws Exception {
    String relative = Path.of("").toAbsolutePath().relativize(archive.toAbsolutePath()).toString();
    String uri = archive.toAbsolutePath().toUri().toString() + "/";
    new AnalysisJob(spark, single, archive.toString()).run();

    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<AnalysisJob.Summary>> runs = List.of(
          pool.submit(() -> {
            start.await();
            return new AnalysisJob(spark, both, relative).run();
          }),
          pool.submit(() -> {
            start.await();
            return new AnalysisJob(spark, both, uri).run();
          }));
      int computedTotal = 0;
      for (Future<AnalysisJob.Summary> f : runs) {
        AnalysisJob.Summary s = f.get(5, TimeUnit.MINUTES);
        assertThat(s.errors()).isEmpty();
        computedTotal += s.computed().get("pass 3/3 entropies");
      }
      assertThat(computedTotal).as("each entropy unit computed by exactly one of the two runs").isEqualTo(2 * 2 * 3);
    } finally {
      pool.shutdownNow();
    }

    String b = both.get(InfoPlaneConf.CATALOG_NAME);
    String s = single.get(InfoPlaneConf.CATALOG_NAME);
    for (TableKey t : TableKey.PASS_TABLES) {
      long rows = spark.sql("SELECT * FROM " + b + ".ip." + t.table()).count();
      long keys = spark.sql("SELECT DISTINCT " + t.columns() + " FROM " + b + ".ip." + t.table()).count();
      assertThat(keys).as(t.table() + ": no key twice").isEqualTo(rows);
      assertThat(rows).as(t.table() + ": every unit present")
          .isEqualTo(spark.sql("SELECT * FROM " + s + ".ip." + t.table()).count());
    }
    String cols = "run_id, split, epoch, step, layer_index, sigma, sigma_raw, i_xt, i_ty, h_t, h_x, h_y, n_batches,"
        + " i_xt_std, i_ty_std, h_t_std";
    List<Row> a = spark.sql("SELECT " + cols + " FROM " + b + ".ip.information_plane ORDER BY run_id, split, step, layer_index").collectAsList();
    List<Row> c = spark.sql("SELECT " + cols + " FROM " + s + ".ip.information_plane ORDER BY run_id, split, step, layer_index").collectAsList();
    assertThat(a).hasSize(2 * 2 * 3);
    assertThat(a.toString()).isEqualTo(c.toString());
    List<Row> archives = spark.sql("SELECT DISTINCT archive FROM " + b + ".ip.runs").collectAsList();
    assertThat(archives).hasSize(1);
    assertThat(archives.get(0).getString(0)).isEqualTo("file:" + archive.toRealPath());
  }
}
