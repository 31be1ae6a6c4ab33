package org.infoplane.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.infoplane.analysis.AnalysisConfig;
import org.infoplane.analysis.AnalysisJob;
import org.infoplane.config.ResolvedConf;
import org.infoplane.estimator.batch.BatchPlan;
import org.infoplane.estimator.ip.InformationPlane;
import org.infoplane.estimator.ip.InformationPlaneEstimator;
import org.infoplane.estimator.ip.IpBatch;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.RunManifest;
import org.infoplane.snapshot.RunWriter;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.spark.Sessions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many small units against the same arithmetic in one process: an archive of one run, one split of
 * N = 100 samples (inputs of 784 values), {@value #LAYERS} dense layers of {@value #WIDTH} units and
 * K / {@value #LAYERS} checkpoints, so K units of one batch each. The analysis is a from-scratch run
 * of the whole job into a fresh warehouse; the reference computes every unit's batch (distances,
 * width search, entropies) with the estimator {@code mi} uses, on the same data, in this JVM, with no
 * Spark and no tables: once on one thread, and once on as many threads as the job's Spark master has
 * cores.
 */
public final class ManyUnitsBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(ManyUnitsBenchmark.class);
  static final int LAYERS = 10;
  static final int WIDTH = 32;
  static final int INPUT = 784;
  static final int CLASSES = 10;
  static final String RUN = "small-units";

  private ManyUnitsBenchmark() {}

  static List<LayerInfo> layers() {
    List<LayerInfo> layers = new ArrayList<>();
    for (int i = 0; i < LAYERS; i++) {
      layers.add(new LayerInfo(i, "dense" + (i + 1), "dense", new long[] {WIDTH}));
    }
    return layers;
  }

  /** The synthetic data, reproducible from the seed: inputs, labels and each unit's activations. */
  record Data(INDArray x, int[] labels, List<List<INDArray>> checkpoints) {}

  static Data data(int samples, int checkpoints, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] labels = new int[samples];
    for (int i = 0; i < samples; i++) {
      labels[i] = r.nextInt(CLASSES);
    }
    INDArray x = AnalysisBenchmark.random(r, samples, INPUT, labels, 0);
    List<List<INDArray>> cps = new ArrayList<>();
    for (int c = 0; c < checkpoints; c++) {
      List<INDArray> acts = new ArrayList<>();
      for (int l = 0; l < LAYERS; l++) {
        acts.add(AnalysisBenchmark.random(r, samples, WIDTH, labels, c + 1));
      }
      cps.add(acts);
    }
    return new Data(x, labels, cps);
  }

  /** Writes the archive unless it holds the run already. */
  static void write(Path archive, Data d) {
    write(archive, RUN, d);
  }

  static void writeRun(Path archive, String run, Data d) {
    write(archive, run, d);
  }

  private static void write(Path archive, String run, Data d) {
    SnapshotArchive a = SnapshotArchive.open(archive.toString(), new Configuration());
    if (a.runIds().contains(run)) {
      LOG.info("re-using the archive in {}", archive);
      return;
    }
    long[] ids = LongStream.range(0, d.labels().length).toArray();
    RunWriter w = a.createRun(new RunManifest(run, "mlp", "synthetic", 1L, "benchmark", RunManifest.FORMAT_VERSION,
        layers(), Map.of("test", ids), CLASSES, Map.of(RunManifest.STEPS_PER_EPOCH, "100")));
    w.writeInputs("test", d.x(), d.labels());
    for (int c = 0; c < d.checkpoints().size(); c++) {
      w.writeCheckpoint("test", new CheckpointId(c, 100L * c), d.checkpoints().get(c), false);
    }
  }

  /** The 1-, 5- and 15-minute load averages, where the system reports them. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** Every unit's arithmetic with {@code threads} threads; returns the seconds taken. */
  static double reference(Data d, AnalysisConfig config, int threads) throws Exception {
    long[] ids = LongStream.range(0, d.labels().length).toArray();
    BatchPlan plan = BatchPlan.sorted(config.batchSize());
    List<INDArray> units = new ArrayList<>();
    d.checkpoints().forEach(units::addAll);
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long t0 = System.nanoTime();
    try {
      List<Future<Double>> parts = new ArrayList<>();
      for (int k = 0; k < threads; k++) {
        parts.add(pool.submit(() -> {
          InformationPlaneEstimator estimator = config.buildEstimator();
          double checksum = 0;
          for (int u = next.getAndIncrement(); u < units.size(); u = next.getAndIncrement()) {
            List<IpBatch> batches = IpBatch.cut(d.x(), units.get(u), d.labels(), CLASSES, ids, plan);
            checksum += InformationPlane.estimateCheckpoint(estimator, batches, OptionalDouble.empty(),
                config.perBatchWidth()).iXT().mean();
          }
          return checksum;
        }));
      }
      for (Future<Double> f : parts) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * Runs the benchmark and writes the results file.
   *
   * @param priorAnalyses analyses of other archives (one run of one checkpoint each: 10 units) into
   *     the same warehouse before the measured one, so that it meets tables with that history
   */
  public static Map<String, Object> run(Path dir, int units, int priorAnalyses, ResolvedConf conf, Path out)
      throws Exception {
    if (units < LAYERS || units % LAYERS != 0) {
      throw new IllegalArgumentException("--units must be a positive multiple of " + LAYERS + ", got " + units);
    }
    int samples = 100;
    int checkpoints = units / LAYERS;
    String loadAtStart = loadAverage();
    Path archive = dir.resolve("archive-units-" + units);
    long g0 = System.nanoTime();
    Data d = data(samples, checkpoints, 7L);
    write(archive, d);
    double generateSeconds = (System.nanoTime() - g0) / 1e9;

    Path warehouse = dir.resolve("warehouse-units-" + System.currentTimeMillis());
    ResolvedConf analysisConf = AnalysisBenchmark.withWarehouse(conf, warehouse);
    AnalysisConfig config = AnalysisConfig.from(analysisConf);
    SparkSession spark = Sessions.create(analysisConf, "InfoPlane benchmark");
    Map<String, Object> result = new LinkedHashMap<>();
    try {
      int cores = spark.sparkContext().defaultParallelism();
      // Warm-up: the reference's code paths (and BLAS) once on a tenth of the units.
      reference(new Data(d.x(), d.labels(), d.checkpoints().subList(0, Math.max(1, checkpoints / 10))), config, cores);
      double oneThread = reference(d, config, 1);
      double allCores = reference(d, config, cores);
      LOG.info("reference: {} units in {} s on 1 thread, {} s on {} threads", units, oneThread, allCores, cores);

      long p0 = System.nanoTime();
      for (int p = 0; p < priorAnalyses; p++) {
        Path prior = dir.resolve("archive-prior-" + p);
        write(prior, "prior-" + p, data(samples, 1, 1000L + p));
        AnalysisJob.Summary ps = new AnalysisJob(spark, analysisConf, prior.toString()).run();
        if (!ps.ok()) {
          throw new IllegalStateException("prior analysis " + p + " failed: " + ps.errors());
        }
        LOG.info("prior analysis {} of {} done", p + 1, priorAnalyses);
      }
      double priorSeconds = (System.nanoTime() - p0) / 1e9;

      long a0 = System.nanoTime();
      AnalysisJob.Summary s = new AnalysisJob(spark, analysisConf, archive.toString()).run();
      double analysisSeconds = (System.nanoTime() - a0) / 1e9;
      result.put("case", "many-units");
      result.put("units", s.units());
      result.put("unit_errors", s.errors().size());
      result.put("samples_per_unit", samples);
      result.put("layer_width", WIDTH);
      result.put("input_width", INPUT);
      result.put("prior_analyses", priorAnalyses);
      result.put("prior_analyses_seconds", priorSeconds);
      result.put("generate_seconds", generateSeconds);
      result.put("reference_seconds_1_thread", oneThread);
      result.put("reference_seconds_all_cores", allCores);
      result.put("analysis_seconds", analysisSeconds);
      result.put("analysis_units_per_s", s.units() / analysisSeconds);
      result.put("ratio_analysis_to_reference_all_cores", analysisSeconds / allCores);
      result.put("ratio_analysis_to_reference_1_thread", analysisSeconds / oneThread);
      result.put("load_average_at_start", loadAtStart);
      result.put("load_average_at_end", loadAverage());
      result.put("openblas_coretype", String.valueOf(System.getenv("OPENBLAS_CORETYPE")));
      result.put("spark_master", spark.sparkContext().master());
      result.put("cores", cores);
      result.put("settings", Map.of("infoplane.commit.units", String.valueOf(
          analysisConf.get(org.infoplane.config.InfoPlaneConf.COMMIT_UNITS)), "config_id", config.configId()));
    } finally {
      spark.stop();
    }
    AnalysisBenchmark.writeResults(result, out);
    return result;
  }
}
