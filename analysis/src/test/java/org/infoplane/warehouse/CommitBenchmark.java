package org.infoplane.warehouse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infoplane.config.ConfResolver;
import org.infoplane.spark.Sessions;

/**
 * What one chunk's commit to {@code distance_matrices} costs as a plain append and as the
 * {@link TableWrites#insertAbsent} MERGE, on a table that already holds many units of the same run
 * (the worst case: the MERGE's condition cannot prune the run's partition).
 *
 * <p>Run from the module directory after {@code mvn test-compile} (see docs/tables.md for the
 * command); writes a JSON results file. Not a test.
 */
public final class CommitBenchmark {

  private CommitBenchmark() {}

  public static void main(String[] args) throws Exception {
    int stored = Integer.parseInt(arg(args, "--stored-units", "400"));
    int chunk = Integer.parseInt(arg(args, "--chunk-units", "8"));
    int batches = Integer.parseInt(arg(args, "--batches", "10"));
    int n = Integer.parseInt(arg(args, "--n", "100"));
    int reps = Integer.parseInt(arg(args, "--reps", "5"));
    Path out = Path.of(arg(args, "--out", "commit-benchmark.json"));
    Path dir = Files.createTempDirectory("commit-bench");
    SparkSession spark = Sessions.create(new ConfResolver().pairs(List.of("infoplane.local.master=local[2]",
        "infoplane.warehouse=" + dir.resolve("wh"), "infoplane.catalog.name=cb",
        "spark.sql.shuffle.partitions=2")).resolve(), "commit benchmark");
    spark.sql("CREATE NAMESPACE IF NOT EXISTS cb.ip");
    spark.sql("CREATE TABLE cb.ip.dm (run_id STRING NOT NULL, split STRING NOT NULL, epoch INT NOT NULL,"
        + " step BIGINT NOT NULL, layer_index INT NOT NULL, batching STRING NOT NULL, batch_index INT NOT NULL,"
        + " n INT NOT NULL, distances BINARY NOT NULL) USING iceberg PARTITIONED BY (run_id)"
        + " TBLPROPERTIES ('format-version'='2')");
    byte[] blob = new byte[n * (n - 1) / 2 * 8];
    new Random(1).nextBytes(blob);
    // the stored units, in chunks of 50 (as many commits as a real analysis would leave)
    int next = 0;
    while (next < stored) {
      int size = Math.min(50, stored - next);
      view(spark, next, size, batches, n, blob);
      spark.sql("INSERT INTO cb.ip.dm SELECT * FROM bench_new");
      next += size;
    }
    TableWrites writes = new TableWrites(spark, () -> { });
    List<String> key = List.of("run_id", "split", "epoch", "step", "layer_index", "batching", "batch_index");
    double[] append = new double[reps];
    double[] merge = new double[reps];
    double[] mergeOnRead = new double[reps];
    // the same table, with MERGE in merge-on-read mode, filled the same way
    spark.sql("CREATE TABLE cb.ip.dm_mor USING iceberg PARTITIONED BY (run_id)"
        + " TBLPROPERTIES ('format-version'='2', 'write.merge.mode'='merge-on-read') AS SELECT * FROM cb.ip.dm");
    for (int r = 0; r < reps; r++) {
      view(spark, next, chunk, batches, n, blob);
      long t0 = System.nanoTime();
      spark.sql("INSERT INTO cb.ip.dm SELECT * FROM bench_new");
      append[r] = (System.nanoTime() - t0) / 1e9;
      next += chunk;
      view(spark, next, chunk, batches, n, blob);
      t0 = System.nanoTime();
      writes.insertAbsent("cb.ip.dm", "bench_new", key, " AND t.run_id IN ('r1')");
      merge[r] = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      writes.insertAbsent("cb.ip.dm_mor", "bench_new", key, " AND t.run_id IN ('r1')");
      mergeOnRead[r] = (System.nanoTime() - t0) / 1e9;
      next += chunk;
    }
    long rows = spark.sql("SELECT * FROM cb.ip.dm").count();
    Map<String, Object> res = new LinkedHashMap<>();
    res.put("stored_units_before", stored);
    res.put("chunk_units", chunk);
    res.put("batches_per_unit", batches);
    res.put("n", n);
    res.put("rows_after", rows);
    res.put("append_seconds", append);
    res.put("merge_seconds", merge);
    res.put("append_median_seconds", median(append));
    res.put("merge_median_seconds", median(merge));
    res.put("merge_on_read_seconds", mergeOnRead);
    res.put("merge_on_read_median_seconds", median(mergeOnRead));
    res.put("ratio_merge_on_read_to_append", median(mergeOnRead) / median(append));
    res.put("ratio_merge_to_append", median(merge) / median(append));
    res.put("load_average_at_end", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    Files.writeString(out, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
        .writeValueAsString(res));
    System.out.printf(Locale.ROOT, "append %.2f s, merge %.2f s (medians of %d), ratio %.2f; %s%n", median(append),
        median(merge), reps, median(merge) / median(append), out);
    spark.stop();
  }

  private static void view(SparkSession spark, int from, int units, int batches, int n, byte[] blob) {
    List<Row> rows = new ArrayList<>();
    for (int u = from; u < from + units; u++) {
      for (int b = 0; b < batches; b++) {
        rows.add(RowFactory.create("r1", "train", u / 16, (long) u / 16, u % 16, "sorted:100", b, n, blob));
      }
    }
    // computed and kept before the write, as the job's chunk is (it is persisted for its two uses)
    org.apache.spark.sql.Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("run_id", "string", false)
        .add("split", "string", false)
        .add("epoch", "int", false).add("step", "bigint", false).add("layer_index", "int", false)
        .add("batching", "string", false).add("batch_index", "int", false).add("n", "int", false)
        .add("distances", "binary", false)).repartition(2).persist();
    df.count();
    df.createOrReplaceTempView("bench_new");
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String arg(String[] args, String name, String def) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return def;
  }
}
