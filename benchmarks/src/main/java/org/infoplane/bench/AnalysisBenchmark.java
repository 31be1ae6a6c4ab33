package org.infoplane.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.analysis.AnalysisJob;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.RunManifest;
import org.infoplane.snapshot.RunWriter;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.spark.Sessions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysis job against a plain Spark scan of the same archive: a VGG-16-shaped synthetic archive
 * (16 layers of VGG-16 on 32×32 inputs, D up to 65,536 per sample), N evaluation samples and C
 * checkpoints of one split; the scan reads every activation byte (and, in a second variant, decodes
 * every float); the analysis is a from-scratch run of the whole job into a fresh warehouse.
 */
public final class AnalysisBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(AnalysisBenchmark.class);

  /** VGG-16's recorded layers on 32×32 inputs: 13 conv block outputs, two dense layers, softmax. */
  static List<LayerInfo> vgg16Layers() {
    int[][] convs = {{64, 32}, {64, 32}, {128, 16}, {128, 16}, {256, 8}, {256, 8}, {256, 8},
        {512, 4}, {512, 4}, {512, 4}, {512, 2}, {512, 2}, {512, 2}};
    List<LayerInfo> layers = new ArrayList<>();
    for (int i = 0; i < convs.length; i++) {
      layers.add(new LayerInfo(i, "conv" + (i + 1), "conv", new long[] {convs[i][0], convs[i][1], convs[i][1]}));
    }
    layers.add(new LayerInfo(13, "fc1", "dense", new long[] {4096}));
    layers.add(new LayerInfo(14, "fc2", "dense", new long[] {4096}));
    layers.add(new LayerInfo(15, "softmax", "output", new long[] {10}));
    return layers;
  }

  private AnalysisBenchmark() {}

  /** Writes the synthetic archive unless it exists; returns the activation bytes (float32) written. */
  static long generate(Path archive, int samples, int checkpoints, long seed) {
    SnapshotArchive a = SnapshotArchive.open(archive.toString(), new Configuration());
    List<LayerInfo> layers = vgg16Layers();
    long perCheckpoint = 0;
    for (LayerInfo l : layers) {
      perCheckpoint += 4L * samples * l.size();
    }
    if (a.runIds().contains("vgg16-synthetic")) {
      LOG.info("re-using the synthetic archive in {}", archive);
      return perCheckpoint * checkpoints;
    }
    long[] ids = new long[samples];
    for (int i = 0; i < samples; i++) {
      ids[i] = i;
    }
    RunWriter w = a.createRun(new RunManifest("vgg16-synthetic", "vgg16", "synthetic", seed, "benchmark",
        RunManifest.FORMAT_VERSION, layers, Map.of("test", ids), 10, Map.of()));
    SplittableRandom r = new SplittableRandom(seed);
    int[] labels = new int[samples];
    for (int i = 0; i < samples; i++) {
      labels[i] = r.nextInt(10);
    }
    w.writeInputs("test", random(r, samples, 3 * 32 * 32, labels, 0).reshape(samples, 3, 32, 32), labels);
    for (int c = 0; c < checkpoints; c++) {
      List<INDArray> acts = new ArrayList<>();
      for (LayerInfo l : layers) {
        long[] shape = new long[l.shape().length + 1];
        shape[0] = samples;
        System.arraycopy(l.shape(), 0, shape, 1, l.shape().length);
        acts.add(random(r, samples, (int) l.size(), labels, c + 1).reshape(shape));
      }
      LOG.info("writing synthetic checkpoint {} of {} ({} MB of activations)", c + 1, checkpoints, perCheckpoint >> 20);
      w.writeCheckpoint("test", new CheckpointId(c, 100L * c), acts, false);
    }
    return perCheckpoint * checkpoints;
  }

  /** Uniform values in [0, 1) plus a class-dependent offset that grows with the checkpoint. */
  static INDArray random(SplittableRandom r, int n, int d, int[] labels, int checkpoint) {
    float[] v = new float[n * d];
    for (int i = 0; i < n; i++) {
      float shift = 0.05f * checkpoint * labels[i];
      for (int f = 0; f < d; f++) {
        v[i * d + f] = (float) r.nextDouble() + ((f % 10) == labels[i] ? shift : 0f);
      }
    }
    return Nd4j.create(v, new long[] {n, d}, 'c');
  }

  /** Runs the benchmark and writes the results file. */
  public static Map<String, Object> run(Path dir, int samples, int checkpoints, ResolvedConf conf, Path out)
      throws IOException {
    Path archive = dir.resolve("archive");
    long t0 = System.nanoTime();
    long activationBytes = generate(archive, samples, checkpoints, 42L);
    double generateSeconds = (System.nanoTime() - t0) / 1e9;
    long fileBytes;
    try (Stream<Path> files = Files.walk(archive.resolve("runs/run=vgg16-synthetic/activations"))) {
      fileBytes = files.filter(p -> p.toString().endsWith(".parquet")).mapToLong(p -> p.toFile().length()).sum();
    }

    SparkSession spark = Sessions.create(conf, "InfoPlane benchmark");
    Map<String, Object> result = new LinkedHashMap<>();
    try {
      String glob = archive.resolve("runs").toUri() + "run=*/activations";
      // Warm the JVM and the file cache alike for both contenders.
      spark.read().parquet(glob).selectExpr("sum(length(values))").first();

      long s0 = System.nanoTime();
      long scanned = spark.read().parquet(glob).selectExpr("sum(length(values)) AS bytes").first().<Long>getAs("bytes");
      double scanSeconds = (System.nanoTime() - s0) / 1e9;

      long d0 = System.nanoTime();
      double decodedSum = spark.read().parquet(glob).select("values")
          .mapPartitions((MapPartitionsFunction<Row, Double>) it -> {
            double sum = 0;
            while (it.hasNext()) {
              FloatBuffer fb = ByteBuffer.wrap(it.next().<byte[]>getAs("values")).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
              while (fb.hasRemaining()) {
                sum += fb.get();
              }
            }
            return List.of(sum).iterator();
          }, Encoders.DOUBLE()).reduce((org.apache.spark.api.java.function.ReduceFunction<Double>) Double::sum);
      double decodeSeconds = (System.nanoTime() - d0) / 1e9;

      Path warehouse = dir.resolve("warehouse-" + System.currentTimeMillis());
      ResolvedConf analysisConf = withWarehouse(conf, warehouse);
      Sessions.create(analysisConf, "InfoPlane benchmark");
      long a0 = System.nanoTime();
      AnalysisJob.Summary s = new AnalysisJob(spark, analysisConf, archive.toString()).run();
      double analysisSeconds = (System.nanoTime() - a0) / 1e9;

      result.put("samples", samples);
      result.put("checkpoints", checkpoints);
      result.put("layers", vgg16Layers().size());
      result.put("units", s.units());
      result.put("unit_errors", s.errors().size());
      result.put("activation_bytes", activationBytes);
      result.put("parquet_bytes", fileBytes);
      result.put("generate_seconds", generateSeconds);
      result.put("scan_bytes", scanned);
      result.put("scan_seconds", scanSeconds);
      result.put("scan_mb_per_s", activationBytes / 1e6 / scanSeconds);
      result.put("decode_scan_seconds", decodeSeconds);
      result.put("decode_scan_mb_per_s", activationBytes / 1e6 / decodeSeconds);
      result.put("decode_checksum", decodedSum);
      result.put("analysis_seconds", analysisSeconds);
      result.put("analysis_mb_per_s", activationBytes / 1e6 / analysisSeconds);
      result.put("ratio_analysis_to_scan", analysisSeconds / scanSeconds);
      result.put("ratio_analysis_to_decode_scan", analysisSeconds / decodeSeconds);
      result.put("spark_master", spark.sparkContext().master());
      result.put("cores", Runtime.getRuntime().availableProcessors());
    } finally {
      spark.stop();
    }
    writeResults(result, out);
    return result;
  }

  /** {@code conf} with the warehouse {@code warehouse}: a benchmark's analysis starts from its own tables. */
  static ResolvedConf withWarehouse(ResolvedConf conf, Path warehouse) {
    return new org.infoplane.config.ConfResolver()
        .pairs(conf.values().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
        .pairs(List.of("infoplane.warehouse=" + warehouse))
        .resolve();
  }

  /** Writes a benchmark's results file: the entries in order, as indented JSON. */
  static void writeResults(Map<String, Object> result, Path out) throws IOException {
    Files.createDirectories(out.toAbsolutePath().getParent());
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), result);
  }
}
