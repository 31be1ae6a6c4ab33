package org.infoplane.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infoplane.analysis.TestSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers that insert the same units into one Iceberg table at the same moment, with no lease
 * between them: each key is stored once, with the first committed copy's values, and no writer
 * fails (conflicting commits are retried). Two rounds, each on a new run.
 */
class TableWritesTest {

  @TempDir static Path dir;
  static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    TestSpark.warehouse(dir.resolve("wh"), "tw");
    spark = TestSpark.session();
    spark.sql("CREATE NAMESPACE IF NOT EXISTS tw.ip");
    spark.sql("CREATE TABLE tw.ip.units (run_id STRING NOT NULL, unit INT NOT NULL, batch INT NOT NULL,"
        + " writer STRING NOT NULL) USING iceberg PARTITIONED BY (run_id) TBLPROPERTIES ('format-version'='2')");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void writersRacingOverTheSameUnitsStoreEachKeyOnce() throws Exception {
    int writers = 3;
    int rounds = 2;
    for (int round = 0; round < rounds; round++) {
      CyclicBarrier start = new CyclicBarrier(writers);
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      try {
        List<Future<?>> runs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          String writer = "w" + w;
          int r = round;
          runs.add(pool.submit(() -> {
            List<Row> rows = new ArrayList<>();
            for (int unit = 0; unit < 4; unit++) {
              for (int batch = 0; batch < 3; batch++) {
                rows.add(RowFactory.create("run" + r, unit, batch, writer));
              }
            }
            String view = "tw_new_" + writer;
            spark.createDataFrame(rows, new StructType().add("run_id", "string", false).add("unit", "int", false)
                .add("batch", "int", false).add("writer", "string", false)).createOrReplaceTempView(view);
            start.await();
            // Bounded as the job bounds a chunk: its run and the range of its units.
            new TableWrites(spark, () -> { }).insertAbsent("tw.ip.units", view, List.of("run_id", "unit", "batch"),
                " AND t.run_id IN ('run" + r + "') AND t.unit BETWEEN 0 AND 3");
            return null;
          }));
        }
        for (Future<?> f : runs) {
          f.get(3, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      String where = " FROM tw.ip.units WHERE run_id = 'run" + round + "'";
      assertThat(spark.sql("SELECT *" + where).count()).as("round " + round + ": 12 keys, once each").isEqualTo(12);
      assertThat(spark.sql("SELECT DISTINCT writer" + where).count())
          .as("round " + round + ": all rows from the one writer that committed first").isEqualTo(1);
    }
  }

  @Test
  void aConflictIsFoundAmongTheCauses() {
    RuntimeException wrapped = new RuntimeException("job aborted",
        new org.apache.iceberg.exceptions.ValidationException("Found conflicting files: %s", "a.parquet"));
    assertThat(TableWrites.conflict(wrapped)).isEqualTo("ValidationException: Found conflicting files: a.parquet");
    assertThat(TableWrites.conflict(new IllegalStateException("other"))).isNull();
    // Iceberg 1.x's SparkCopyOnWriteScan.filter, when a writer in the same session committed between
    // the MERGE's planning and its runtime filtering (seen in writersRacingOverTheSameUnitsStoreEachKeyOnce).
    String moved = "Runtime file filtering is not possible: the table has been concurrently modified. Row-level"
        + " operation scan snapshot ID: 3457922201227643341, current table snapshot ID: 6779398436950765412.";
    assertThat(TableWrites.conflict(new RuntimeException("job aborted", new IllegalStateException(moved))))
        .isEqualTo("IllegalStateException: " + moved);
  }
}
