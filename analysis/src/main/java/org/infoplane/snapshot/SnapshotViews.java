package org.infoplane.snapshot;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Spark SQL views over an archive, for users who want to look inside it:
 *
 * <ul>
 *   <li>{@code snapshot_activations}: run_id, split, epoch, step, layer_index, sample_id, values (the
 *       sample's float32 little-endian bytes);
 *   <li>{@code snapshot_inputs}: run_id, split, sample_id, label, values;
 *   <li>{@code snapshot_layers}: run_id, layer_index, name, kind, shape — one row per recorded layer.
 * </ul>
 *
 * The views read the archive's Parquet files directly (one scan across every run, keys taken from
 * the file paths); files of unpublished writes ({@code _tmp-…}) are left out.
 */
public final class SnapshotViews {

  private SnapshotViews() {}

  private static final String RUN = "regexp_extract(_metadata.file_path, '/run=([^/]+)/', 1) AS run_id";
  private static final String SPLIT = "regexp_extract(_metadata.file_path, '/split=([^/]+)/', 1) AS split";

  /** Registers the three temporary views for the archive at a URI or path. */
  public static void register(SparkSession spark, String archiveUriOrPath) {
    SnapshotArchive archive = SnapshotArchive.open(archiveUriOrPath, spark.sparkContext().hadoopConfiguration());
    String root = archive.root().toString();
    List<Row> layers = new ArrayList<>();
    for (String runId : archive.runIds()) {
      for (LayerInfo l : archive.run(runId).manifest().layers()) {
        List<Long> shape = new ArrayList<>();
        for (long s : l.shape()) {
          shape.add(s);
        }
        layers.add(RowFactory.create(runId, l.index(), l.name(), l.kind(), shape));
      }
    }
    spark.createDataFrame(layers, new StructType().add("run_id", "string").add("layer_index", "int")
            .add("name", "string").add("kind", "string").add("shape", "array<bigint>"))
        .createOrReplaceTempView("snapshot_layers");
    if (layers.isEmpty()) {
      throw new SnapshotFormatException("archive " + root + " holds no run");
    }
    Dataset<Row> acts = spark.read().option("recursiveFileLookup", "true").parquet(root + "/runs/*/activations")
        .where("_metadata.file_path NOT LIKE '%/\\_tmp-%'")
        .selectExpr(RUN, SPLIT,
            "CAST(regexp_extract(_metadata.file_path, '/epoch=([0-9]+)/', 1) AS INT) AS epoch",
            "CAST(regexp_extract(_metadata.file_path, '/step=([0-9]+)/', 1) AS BIGINT) AS step",
            "CAST(regexp_extract(_metadata.file_path, '/layer=([0-9]+)/', 1) AS INT) AS layer_index",
            "sample_id", "values");
    acts.createOrReplaceTempView("snapshot_activations");
    Dataset<Row> inputs = spark.read().option("recursiveFileLookup", "true").parquet(root + "/runs/*/inputs")
        .where("_metadata.file_path NOT LIKE '%/\\_tmp-%'")
        .selectExpr(RUN, SPLIT, "sample_id", "label", "values");
    inputs.createOrReplaceTempView("snapshot_inputs");
  }
}
