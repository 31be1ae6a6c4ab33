package org.infoplane.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The archive stays readable from Spark SQL as plain Parquet with partition discovery, as
 * docs/snapshot-format.md shows: the {@code values} binary column holds the same float32 bytes the
 * reader returns.
 */
class SparkReadsArchiveTest {

  private static final int N = 5;
  private static SparkSession spark;

  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[1]").appName("SparkReadsArchiveTest")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void sparkReadsActivationsWithPartitionColumnsAndTheValuesBytes() {
    SnapshotArchive archive = SnapshotArchive.open(dir.toString(), new Configuration());
    for (String runId : List.of("a", "b")) {
      RunManifest m = new RunManifest(runId, "cnn", "toy", 1L, "test", 1,
          List.of(new LayerInfo(0, "conv1", "conv", new long[] {2, 1, 1}), new LayerInfo(3, "fc", "dense", new long[] {3})),
          Map.of("train", LongStream.range(100, 100 + N).toArray()), 2, Map.of());
      RunWriter w = archive.createRun(m);
      w.writeInputs("train", Nd4j.create(NpzCase.random(N * 2, 1), new long[] {N, 2}, 'c'), new int[] {0, 1, 0, 1, 0});
      for (int e = 0; e < 2; e++) {
        w.writeCheckpoint("train", new CheckpointId(e, 10L * e), List.of(
            Nd4j.create(NpzCase.random(N * 2, e + 2), new long[] {N, 2, 1, 1}, 'c'),
            Nd4j.create(NpzCase.random(N * 3, e + 7), new long[] {N, 3}, 'c')), false);
      }
    }
    String root = dir.toUri().toString();

    Dataset<Row> one = spark.read().parquet(root + "/runs/run=a/activations");
    assertThat(one.columns()).containsExactly("sample_id", "values", "split", "epoch", "step", "layer");
    assertThat(one.count()).isEqualTo(2L * 2 * N);

    // across runs the partition columns cannot be inferred (one root per run): read the files
    // recursively and take run, split, epoch, step and layer from the path
    Dataset<Row> all = spark.read().option("recursiveFileLookup", "true").parquet(root + "/runs/*/activations")
        .selectExpr("sample_id", "values",
            "regexp_extract(_metadata.file_path, '/run=([^/]+)/', 1) AS run",
            "regexp_extract(_metadata.file_path, '/split=([^/]+)/', 1) AS split",
            "CAST(regexp_extract(_metadata.file_path, '/epoch=([0-9]+)/', 1) AS INT) AS epoch",
            "CAST(regexp_extract(_metadata.file_path, '/step=([0-9]+)/', 1) AS BIGINT) AS step",
            "CAST(regexp_extract(_metadata.file_path, '/layer=([0-9]+)/', 1) AS INT) AS layer");
    assertThat(all.groupBy("run").count().orderBy("run").collectAsList())
        .extracting(r -> r.getString(0) + "=" + r.getLong(1)).containsExactly("a=20", "b=20");

    Row row = all.where("run = 'b' AND epoch = 1 AND step = 10 AND layer = 3 AND sample_id = 102")
        .select("values").first();
    float[] fromSpark = new float[3];
    ByteBuffer.wrap((byte[]) row.get(0)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(fromSpark);
    INDArray fromReader = archive.run("b").readActivations("train", new CheckpointId(1, 10), 3);
    assertThat(fromSpark).containsExactly(fromReader.getRow(2).toFloatVector());

    // The product's views give the same rows, keyed by run, split, checkpoint and layer.
    SnapshotViews.register(spark, dir.toString());
    assertThat(spark.sql("SELECT run_id, count(*) FROM snapshot_activations GROUP BY run_id ORDER BY run_id")
        .collectAsList()).extracting(r -> r.getString(0) + "=" + r.getLong(1)).containsExactly("a=20", "b=20");
    Row viaView = spark.sql("SELECT values FROM snapshot_activations WHERE run_id = 'b' AND epoch = 1"
        + " AND step = 10 AND layer_index = 3 AND sample_id = 102").first();
    assertThat((byte[]) viaView.get(0)).isEqualTo((byte[]) row.get(0));
    assertThat(spark.sql("SELECT count(*) FROM snapshot_layers").first().getLong(0)).isEqualTo(4L);
    assertThat(spark.sql("SELECT sum(label) FROM snapshot_inputs WHERE run_id = 'a'").first().getLong(0)).isEqualTo(2L);

    Dataset<Row> inputs = spark.read().parquet(root + "/runs/run=a/inputs");
    assertThat(inputs.columns()).containsExactly("sample_id", "label", "values", "split");
    assertThat(inputs.selectExpr("sum(label)").first().getLong(0)).isEqualTo(2L);
  }
}
