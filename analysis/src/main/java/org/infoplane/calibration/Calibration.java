package org.infoplane.calibration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.commons.math3.stat.interval.ClopperPearsonInterval;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.infoplane.analysis.AnalysisConfig;
import org.infoplane.analysis.AnalysisJob;
import org.infoplane.config.ResolvedConf;
import org.infoplane.estimator.ip.InformationPlaneEstimator;
import org.infoplane.estimator.ip.IpBatch;
import org.infoplane.estimator.ip.IpEstimate;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.RunManifest;
import org.infoplane.snapshot.RunWriter;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.TableWrites;
import org.infoplane.warehouse.WarehouseReads;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code infoplane calibrate}: archives whose answer is known, analysed with the current settings,
 * and how often each verdict is right (METHOD.md §10).
 *
 * <ul>
 *   <li><b>null</b>: every layer of every checkpoint a fresh random function from one distribution
 *       ({@link SyntheticLayers#planted} at one λ): no trend over checkpoints, and layers exchangeable,
 *       so any "fitting", "compression" or DPI violation between layers is false;
 *   <li><b>planted compression</b> of a given size in bits: I(X;T) rises by {@link #FITTING_BITS}
 *       to a peak, then falls by the size, the λ of each checkpoint found by a pilot (below);
 *   <li><b>drifting networks</b>: the null and the planted compressions again, with each layer of a
 *       run one network that drifts between checkpoints ({@link SyntheticLayers.Network#drift})
 *       instead of a fresh function at each: the fall then varies between runs as much as the
 *       drift makes it, and the power depends on it;
 *   <li><b>initial transient</b>: I(X;T) falls by {@link #TRANSIENT_BITS} from the first checkpoint,
 *       with no fitting before it: it must never be called compression;
 *   <li><b>chain</b>: each layer a fixed lossy map of the previous one: how often the estimate
 *       itself violates the DPI;
 *   <li><b>Gaussian channels</b> T = X W + noise (X W of unit variance, the labels a function of
 *       X): the Shannon I(X;T) falls as the noise grows; the table says, at each B, whether the
 *       estimate does.
 * </ul>
 *
 * <p>The planted sizes are in the estimator's own bits: a pilot estimates the mean I(X;T) of a
 * layer as a function of λ on fresh draws (with the current estimator and width rule, one width
 * per batch), and each checkpoint's λ is read off that curve for its target. The calibration
 * table also reports the mean planted effect that the analysis itself measured, so the size is
 * checked, not assumed.
 */
public final class Calibration {

  /** The rise of I(X;T) before a planted compression, bits. */
  public static final double FITTING_BITS = 0.6;
  /** The fall of I(X;T) of the initial-transient scenario, bits. */
  public static final double TRANSIENT_BITS = 0.6;
  /** Training steps between checkpoints: the width moving average then keeps β^100 ≈ 0 of the old width. */
  static final long STEPS_PER_CHECKPOINT = 100;
  /** λ of the null layers and of the planted peak. */
  static final double LAMBDA_PEAK = 0.3;

  /**
   * The sizes of a calibration.
   *
   * @param nullExperiments experiments of the null scenario (each {@code layers} series per split)
   * @param plantedExperiments experiments per planted size
   * @param plantedBits the planted compression sizes, bits
   * @param transientExperiments experiments of the initial-transient scenario
   * @param chainExperiments experiments of the chain scenario
   * @param drifts the drifts d of the drifting-network variants (each layer of a run one network
   *     that moves by d between checkpoints, {@link SyntheticLayers.Network#drift}), each with
   *     its own null and planted scenarios; the main scenarios draw a fresh function at every
   *     checkpoint (d = 1)
   * @param driftNullExperiments null experiments per drift
   * @param runs runs per experiment
   * @param layers layers per run
   * @param checkpoints checkpoints per run
   * @param batches batches of the evaluation set (of the configured batch size B,
   *     {@code infoplane.batch.size})
   * @param seed the seed of every draw
   */
  public record Settings(int nullExperiments, int plantedExperiments, double[] plantedBits, int transientExperiments,
      int chainExperiments, double[] drifts, int driftNullExperiments, int runs, int layers, int checkpoints,
      int batches, long seed) {
    public Settings {
      if (runs < 2 || layers < 2 || checkpoints < 4 || batches < 4) {
        throw new IllegalArgumentException("a calibration needs >= 2 runs, >= 2 layers, >= 4 checkpoints and >= 4"
            + " batches");
      }
      for (double d : drifts) {
        if (!(d > 0.0 && d < 1.0)) {
          throw new IllegalArgumentException("a drift must be in (0, 1), got " + d);
        }
      }
    }

    /**
     * The sizes of the documented calibration (docs/calibration.md): 25 null experiments of 5 runs
     * with 8 layers each (200 experiment-level series), 3 experiments (24 series) per planted size,
     * 4 checkpoints, 10 batches; drifting networks at d = 0.1 and 0.3 with 10 null experiments
     * (80 series) each.
     */
    public static Settings full() {
      return new Settings(25, 3, new double[] {0.1, 0.2, 0.4}, 2, 2, new double[] {0.1, 0.3}, 10, 5, 8, 4, 10,
          20261206L);
    }

    /** A few minutes' worth, as the test suite runs it (with B = 50). */
    public static Settings small() {
      return new Settings(2, 2, new double[] {0.6}, 2, 1, new double[] {0.3}, 1, 4, 2, 5, 6, 7L);
    }
  }

  /** One line of the calibration table. */
  public record Result(String scenario, String claim, String level, double plantedBits, int series, int hits,
      double rate, double rateLow, double rateHigh, double meanEffect, String expectation) {}

  private final SparkSession spark;
  private final ResolvedConf conf;
  private final Consumer<String> progress;

  public Calibration(SparkSession spark, ResolvedConf conf, Consumer<String> progress) {
    this.spark = spark;
    this.conf = conf;
    this.progress = progress;
  }

  /** Writes the archive under {@code archiveDir}, analyses it, and returns (and stores) the table. */
  public List<Result> run(Settings s, String archiveDir) {
    AnalysisConfig config = AnalysisConfig.from(conf);
    progress.accept("pilot: mean I(X;T) against lambda with estimator " + config.estimator() + ", width rule "
        + config.widthRule());
    int b = config.batchSize();
    Pilot pilot = Pilot.measure(config.buildEstimator(), b, s.seed());
    Map<String, double[]> schedules = new LinkedHashMap<>();
    schedules.put("null", constant(s.checkpoints(), LAMBDA_PEAK));
    for (double bits : s.plantedBits()) {
      schedules.put(plantedName(bits), pilot.lambdas(plantedTargets(pilot.at(LAMBDA_PEAK), bits, s.checkpoints())));
    }
    schedules.put("transient", pilot.lambdas(transientTargets(pilot.at(LAMBDA_PEAK), s.checkpoints())));
    progress.accept("writing the archive " + archiveDir);
    SnapshotArchive archive = SnapshotArchive.open(archiveDir, spark.sparkContext().hadoopConfiguration());
    SplittableRandom root = new SplittableRandom(s.seed());
    for (Map.Entry<String, double[]> e : schedules.entrySet()) {
      int experiments = e.getKey().equals("null") ? s.nullExperiments()
          : e.getKey().equals("transient") ? s.transientExperiments() : s.plantedExperiments();
      for (int x = 0; x < experiments; x++) {
        for (int r = 0; r < s.runs(); r++) {
          writePlantedRun(archive, e.getKey() + "-e" + x, r, e.getValue(), 1.0, s, b, root.split());
        }
      }
    }
    for (double d : s.drifts()) {
      for (Map.Entry<String, double[]> e : schedules.entrySet()) {
        boolean isNull = e.getKey().equals("null");
        if (!isNull && !e.getKey().startsWith("compress")) {
          continue;
        }
        for (int x = 0; x < (isNull ? s.driftNullExperiments() : s.plantedExperiments()); x++) {
          for (int r = 0; r < s.runs(); r++) {
            writePlantedRun(archive, driftName(e.getKey(), d) + "-e" + x, r, e.getValue(), d, s, b, root.split());
          }
        }
      }
    }
    for (int x = 0; x < s.chainExperiments(); x++) {
      for (int r = 0; r < s.runs(); r++) {
        writeChainRun(archive, "chain-e" + x, r, s, b, root.split());
      }
    }
    progress.accept("analysing it with the current settings");
    AnalysisJob.Summary summary = new AnalysisJob(spark, conf, archiveDir).run();
    if (!summary.ok()) {
      throw new IllegalStateException("the analysis of the calibration archive failed: " + summary.errors().get(0));
    }
    List<Result> results = new ArrayList<>(tally(summary.configId(), s));
    results.addAll(gaussianChannels(config.buildEstimator(), s, b));
    store(results, summary.configId());
    return results;
  }

  static String plantedName(double bits) {
    return String.format(Locale.ROOT, "compress%.2f", bits).replace('.', '_');
  }

  /** The scenario of a drifting network: {@code null-d0_10}, {@code compress0_20-d0_10}. */
  static String driftName(String scenario, double drift) {
    return scenario + String.format(Locale.ROOT, "-d%.2f", drift).replace('.', '_');
  }

  private static double[] constant(int n, double v) {
    double[] out = new double[n];
    java.util.Arrays.fill(out, v);
    return out;
  }

  /** Targets of I(X;T): rise by FITTING_BITS over the first half, then fall by {@code bits}. */
  static double[] plantedTargets(double peak, double bits, int checkpoints) {
    int peakAt = checkpoints / 2 - 1;
    double[] t = new double[checkpoints];
    for (int c = 0; c < checkpoints; c++) {
      t[c] = c <= peakAt ? peak - FITTING_BITS * (peakAt - c) / Math.max(1, peakAt)
          : peak - bits * (c - peakAt) / (checkpoints - 1 - peakAt);
    }
    return t;
  }

  /** Targets of I(X;T): a fall by TRANSIENT_BITS from the first checkpoint. */
  static double[] transientTargets(double start, int checkpoints) {
    double[] t = new double[checkpoints];
    for (int c = 0; c < checkpoints; c++) {
      t[c] = start - TRANSIENT_BITS * c / (checkpoints - 1);
    }
    return t;
  }

  // ---- the archive -----------------------------------------------------------------------------

  private static RunManifest manifest(String runId, String model, List<LayerInfo> layers, long[] ids, long seed) {
    return new RunManifest(runId, model, "synthetic-calibration", seed, "infoplane calibrate",
        RunManifest.FORMAT_VERSION, layers, Map.of("train", ids), SyntheticLayers.CLASSES,
        Map.of(RunManifest.STEPS_PER_EPOCH, Long.toString(STEPS_PER_CHECKPOINT)));
  }

  private static long[] ids(int n) {
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i;
    }
    return ids;
  }

  /**
   * One run of planted layers: at drift 1 every checkpoint's layer a fresh function; below 1 each
   * layer one network that drifts by {@code drift} from each checkpoint to the next.
   */
  private static void writePlantedRun(SnapshotArchive archive, String experiment, int run, double[] lambdas,
      double drift, Settings s, int batchSize, SplittableRandom r) {
    int n = s.batches() * batchSize;
    List<LayerInfo> layers = new ArrayList<>();
    for (int l = 0; l < s.layers(); l++) {
      layers.add(new LayerInfo(l, "layer" + (l + 1), "dense", new long[] {SyntheticLayers.LAYER_DIM}));
    }
    RunWriter w = archive.createRun(manifest(experiment + "-r" + run, experiment, layers, ids(n), s.seed()));
    INDArray x = SyntheticLayers.inputs(n, r);
    int[] y = SyntheticLayers.labels(n, r);
    w.writeInputs("train", x, y);
    SyntheticLayers.Network[] nets = new SyntheticLayers.Network[s.layers()];
    for (int c = 0; c < lambdas.length; c++) {
      List<INDArray> acts = new ArrayList<>();
      for (int l = 0; l < s.layers(); l++) {
        if (drift >= 1.0) {
          acts.add(SyntheticLayers.planted(x, y, lambdas[c], r));
        } else {
          nets[l] = c == 0 ? SyntheticLayers.Network.draw(r) : nets[l].drift(drift, r);
          acts.add(SyntheticLayers.planted(x, y, lambdas[c], nets[l]));
        }
      }
      w.writeCheckpoint("train", new CheckpointId(c, c * STEPS_PER_CHECKPOINT), acts, false);
    }
  }

  private static void writeChainRun(SnapshotArchive archive, String experiment, int run, Settings s, int batchSize,
      SplittableRandom r) {
    int n = s.batches() * batchSize;
    int[] units = new int[s.layers()];
    List<LayerInfo> layers = new ArrayList<>();
    for (int l = 0; l < s.layers(); l++) {
      units[l] = Math.max(4, 64 >> l); // 64, 32, 16, ...: each map loses information
      layers.add(new LayerInfo(l, "layer" + (l + 1), "dense", new long[] {units[l]}));
    }
    RunWriter w = archive.createRun(manifest(experiment + "-r" + run, experiment, layers, ids(n), s.seed()));
    INDArray x = SyntheticLayers.inputs(n, r);
    int[] y = SyntheticLayers.labels(n, r);
    w.writeInputs("train", x, y);
    List<INDArray> acts = new ArrayList<>();
    INDArray prev = x;
    for (int l = 0; l < s.layers(); l++) {
      prev = SyntheticLayers.randomFeatures(prev, units[l], r);
      acts.add(prev);
    }
    // The same chain at every checkpoint: the DPI holds in truth at each.
    for (int c = 0; c < 2; c++) {
      w.writeCheckpoint("train", new CheckpointId(c, c * STEPS_PER_CHECKPOINT), acts, false);
    }
  }

  // ---- the pilot -------------------------------------------------------------------------------

  /** The mean I(X;T) of a planted layer on a grid of λ, from fresh draws. */
  record Pilot(double[] lambdas, double[] meanIxt) {
    static final int GRID = 21;
    static final int DRAWS = 12;

    static Pilot measure(InformationPlaneEstimator estimator, int batchSize, long seed) {
      SplittableRandom r = new SplittableRandom(seed ^ 0x5EEDL);
      double[] lambdas = new double[GRID];
      double[] means = new double[GRID];
      for (int g = 0; g < GRID; g++) {
        lambdas[g] = g / (GRID - 1.0);
        double sum = 0.0;
        for (int d = 0; d < DRAWS; d++) {
          INDArray x = SyntheticLayers.inputs(batchSize, r);
          int[] y = SyntheticLayers.labels(batchSize, r);
          INDArray t = SyntheticLayers.planted(x, y, lambdas[g], r);
          IpBatch b = IpBatch.of(x, t, y, SyntheticLayers.CLASSES);
          OptionalDouble sigma = estimator.selectWidth(b);
          IpEstimate e = estimator.estimate(b, sigma);
          sum += e.iXT();
        }
        means[g] = sum / DRAWS;
      }
      return new Pilot(lambdas, means);
    }

    /** The mean I(X;T) at λ, interpolated. */
    double at(double lambda) {
      for (int g = 1; g < lambdas.length; g++) {
        if (lambda <= lambdas[g]) {
          double f = (lambda - lambdas[g - 1]) / (lambdas[g] - lambdas[g - 1]);
          return meanIxt[g - 1] + f * (meanIxt[g] - meanIxt[g - 1]);
        }
      }
      return meanIxt[meanIxt.length - 1];
    }

    /** The λ whose mean I(X;T) is each target, on the curve's falling stretch from λ = 0. */
    double[] lambdas(double[] targets) {
      double[] out = new double[targets.length];
      for (int i = 0; i < targets.length; i++) {
        out[i] = lambdaOf(targets[i]);
      }
      return out;
    }

    private double lambdaOf(double target) {
      for (int g = 1; g < lambdas.length; g++) {
        double hi = meanIxt[g - 1];
        double lo = meanIxt[g];
        if (hi >= target && target >= lo && hi > lo) {
          return lambdas[g - 1] + (hi - target) / (hi - lo) * (lambdas[g] - lambdas[g - 1]);
        }
      }
      throw new IllegalStateException(String.format(Locale.ROOT, "no lambda gives a mean I(X;T) of %.3f bits"
          + " with these settings (the pilot spans %.3f to %.3f bits): the calibration cannot plant it",
          target, meanIxt[meanIxt.length - 1], meanIxt[0]));
    }
  }

  // ---- the tally -------------------------------------------------------------------------------

  private List<Result> tally(String configId, Settings s) {
    WarehouseReads reads = new WarehouseReads(spark, new IpTables(spark, conf));
    List<Result> out = new ArrayList<>();
    List<Row> phaseRows = reads.phaseVerdicts(configId);
    for (String level : List.of("experiment", "run")) {
      add(out, phaseRows, level, "null", "fitting (false)", 0.0, ph -> ph.startsWith("fitting"), "at most the level",
          s);
      add(out, phaseRows, level, "null", "compression (false)", 0.0, ph -> ph.equals("fitting, then compression"),
          "at most the level", s);
      add(out, phaseRows, level, "null", "initial transient (false)", 0.0, ph -> ph.equals("initial transient"),
          "at most the level", s);
      for (double bits : s.plantedBits()) {
        add(out, phaseRows, level, plantedName(bits), "compression found", bits,
            ph -> ph.equals("fitting, then compression"), bits >= 0.2 ? "at least 80 % at 0.2 bits and 5 runs" : "power",
            s);
      }
      add(out, phaseRows, level, "transient", "initial transient found", TRANSIENT_BITS,
          ph -> ph.equals("initial transient"), "power", s);
      add(out, phaseRows, level, "transient", "compression (false)", 0.0, ph -> ph.equals("fitting, then compression"),
          "never", s);
      for (double d : s.drifts()) {
        add(out, phaseRows, level, driftName("null", d), "fitting (false)", 0.0, ph -> ph.startsWith("fitting"),
            "at most the level", s);
        add(out, phaseRows, level, driftName("null", d), "compression (false)", 0.0,
            ph -> ph.equals("fitting, then compression"), "at most the level", s);
        for (double bits : s.plantedBits()) {
          add(out, phaseRows, level, driftName(plantedName(bits), d), "compression found", bits,
              ph -> ph.equals("fitting, then compression"),
              bits >= 0.2 ? "at least 80 % at 0.2 bits and 5 runs" : "power", s);
        }
      }
    }
    List<Row> dpiRows = reads.decidedDpiTests(configId);
    for (String level : List.of("experiment", "run")) {
      for (String quantity : List.of("i_xt", "i_ty")) {
        dpiTally(out, dpiRows, level, "null", quantity, false, "DPI violation between layers (false)",
            "at most the level");
        for (double d : s.drifts()) {
          dpiTally(out, dpiRows, level, driftName("null", d), quantity, false, "DPI violation between layers (false)",
              "at most the level");
        }
        dpiTally(out, dpiRows, level, "chain", quantity, true, "DPI violation, input included (estimator)",
            "the estimator's own rate");
      }
    }
    return out;
  }

  /**
   * Tallies the phase verdicts of one scenario and level; {@code rows} are {@code phase_tests} rows,
   * read by column name ({@code level, model, phase, drop_effect}).
   */
  private static void add(List<Result> out, List<Row> rows, String level, String scenario, String claim, double bits,
      java.util.function.Predicate<String> hit, String expectation, Settings s) {
    int series = 0;
    int hits = 0;
    double effect = 0.0;
    int effects = 0;
    for (Row r : rows) {
      String model = r.getAs("model");
      if (!r.<String>getAs("level").equals(level) || model == null || !model.startsWith(scenario + "-e")) {
        continue;
      }
      series++;
      if (hit.test(r.getAs("phase"))) {
        hits++;
      }
      Double drop = r.getAs("drop_effect");
      if (drop != null) {
        effect += drop;
        effects++;
      }
    }
    if (series == 0) {
      return;
    }
    out.add(result(scenario, claim, level, bits, series, hits, effects == 0 ? Double.NaN : effect / effects,
        expectation));
  }

  /**
   * Tallies the DPI verdicts of one scenario, level and quantity; {@code rows} are {@code dpi_tests}
   * rows, read by column name ({@code level, model, quantity, from_index, verdict, diff_effect}).
   */
  private static void dpiTally(List<Result> out, List<Row> rows, String level, String scenario, String quantity,
      boolean withInput, String claim, String expectation) {
    int tests = 0;
    int violations = 0;
    double effect = 0.0;
    for (Row r : rows) {
      String model = r.getAs("model");
      if (!r.<String>getAs("level").equals(level) || model == null || !model.startsWith(scenario + "-e")
          || !r.<String>getAs("quantity").equals(quantity) || (!withInput && r.<Integer>getAs("from_index") < 0)) {
        continue;
      }
      tests++;
      if (r.<String>getAs("verdict").equals("violated")) {
        violations++;
      }
      Double diff = r.getAs("diff_effect");
      effect += diff == null ? 0.0 : diff;
    }
    if (tests > 0) {
      out.add(result(scenario, claim + " " + (quantity.equals("i_xt") ? "I(X;T)" : "I(T;Y)"), level, 0.0, tests,
          violations, effect / tests, expectation));
    }
  }

  private static Result result(String scenario, String claim, String level, double bits, int n, int hits,
      double meanEffect, String expectation) {
    ConfidenceInterval ci = n > 0 && hits > 0 && hits < n
        ? new ClopperPearsonInterval().createInterval(n, hits, 0.95) : null;
    double low = ci != null ? ci.getLowerBound() : hits == 0 ? 0.0 : Math.pow(0.025, 1.0 / n);
    double high = ci != null ? ci.getUpperBound() : hits == 0 ? 1.0 - Math.pow(0.025, 1.0 / n) : 1.0;
    return new Result(scenario, claim, level, bits, n, hits, (double) hits / n, low, high, meanEffect, expectation);
  }

  // ---- Gaussian channels -------------------------------------------------------------------------

  /** I(X;T) of T = X W + noise at growing noise and three batch sizes: it must fall as noise grows. */
  private List<Result> gaussianChannels(InformationPlaneEstimator estimator, Settings s, int batchSize) {
    progress.accept("Gaussian channels T = X W + noise, direct estimator calls");
    List<Result> out = new ArrayList<>();
    double[] noise = {0.05, 0.2, 0.5, 1.0, 2.0};
    SplittableRandom r = new SplittableRandom(s.seed() ^ 0xC4A77E1L);
    for (int b : new int[] {batchSize / 2, batchSize, 2 * batchSize}) {
      double previous = Double.POSITIVE_INFINITY;
      int falls = 0;
      StringBuilder curve = new StringBuilder();
      for (double sd : noise) {
        double sum = 0.0;
        for (int d = 0; d < s.batches(); d++) {
          INDArray x = SyntheticLayers.inputs(b, r);
          INDArray signal = linear(x, r);
          int[] y = SyntheticLayers.labelsOf(signal, r);
          INDArray t = signal.add(gaussian(b, sd, r));
          IpBatch batch = IpBatch.of(x, t, y, SyntheticLayers.CLASSES);
          sum += estimator.estimate(batch, estimator.selectWidth(batch)).iXT();
        }
        double mean = sum / s.batches();
        if (mean < previous) {
          falls++;
        }
        curve.append(curve.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f: %.3f", sd, mean));
        previous = mean;
      }
      out.add(new Result("gaussian-channel", "I(X;T) falls as the noise grows (noise sd: mean bits) " + curve,
          "batch", 0.0, noise.length - 1, falls - 1, (falls - 1.0) / (noise.length - 1), Double.NaN, Double.NaN,
          Double.NaN, "B = " + b + ": every step falls"));
    }
    return out;
  }

  /** X W with W of entries N(0, 1/INPUT_DIM), on the centred inputs: a linear channel's signal. */
  private static INDArray linear(INDArray x, SplittableRandom r) {
    float[] w = new float[SyntheticLayers.INPUT_DIM * SyntheticLayers.LAYER_DIM];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (r.nextGaussian() / Math.sqrt(SyntheticLayers.INPUT_DIM));
    }
    return x.sub(0.5).mmul(org.nd4j.linalg.factory.Nd4j.create(w,
        new long[] {SyntheticLayers.INPUT_DIM, SyntheticLayers.LAYER_DIM}, 'c')).muli(Math.sqrt(12.0));
  }

  private static INDArray gaussian(int n, double sd, SplittableRandom r) {
    float[] v = new float[n * SyntheticLayers.LAYER_DIM];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * sd);
    }
    return org.nd4j.linalg.factory.Nd4j.create(v, new long[] {n, SyntheticLayers.LAYER_DIM}, 'c');
  }

  // ---- the table -------------------------------------------------------------------------------

  /** Replaces the configuration's rows of the table {@code calibration} with {@code results}. */
  private void store(List<Result> results, String configId) {
    IpTables t = new IpTables(spark, conf);
    t.createCalibration();
    Timestamp now = new Timestamp(System.currentTimeMillis());
    List<Row> rows = new ArrayList<>();
    for (Result r : results) {
      rows.add(RowFactory.create(configId, r.scenario(), r.claim(), r.level(), r.plantedBits(), r.series(), r.hits(),
          r.rate(), nan(r.rateLow()), nan(r.rateHigh()), nan(r.meanEffect()), r.expectation(), now));
    }
    new TableWrites(spark, () -> { }).overwrite(t.name(IpTables.CALIBRATION),
        spark.createDataFrame(rows, IpTables.CALIBRATION_SCHEMA),
        org.apache.spark.sql.functions.col("config_id").equalTo(configId));
  }

  private static Double nan(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** The table as Markdown, with the settings it ran under. */
  public static String markdown(List<Result> results, Settings s, String configId, String settingsLine,
      int batchSize) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Configuration `%s` (%s); %d runs per experiment, %d layers, %d checkpoints,"
        + " %d batches of B = %d.%n%n", configId, settingsLine, s.runs(), s.layers(), s.checkpoints(), s.batches(),
        batchSize));
    md.append("| scenario | claim | level | planted (bits) | series or tests | right / found | rate | 95 % interval"
        + " | mean effect (bits) | expected |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %d | %.3f | %s | %s | %s |%n", r.scenario(),
          r.claim(), r.level(), r.plantedBits() == 0.0 ? "" : String.format(Locale.ROOT, "%.2f", r.plantedBits()),
          r.series(), r.hits(), r.rate(), Double.isNaN(r.rateLow()) ? ""
              : String.format(Locale.ROOT, "%.3f – %.3f", r.rateLow(), r.rateHigh()),
          Double.isNaN(r.meanEffect()) ? "" : String.format(Locale.ROOT, "%.3f", r.meanEffect()), r.expectation()));
    }
    return md.toString();
  }

  /** Writes {@code text} to {@code file}, creating its directory. */
  public static void write(Path file, String text) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
