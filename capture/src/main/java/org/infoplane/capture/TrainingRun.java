package org.infoplane.capture;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.RunManifest;
import org.infoplane.snapshot.RunReader;
import org.infoplane.snapshot.RunWriter;
import org.infoplane.snapshot.SnapshotArchive;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a network and records its activations into a new run of an archive: a checkpoint at step
 * 0 (before training), then at the end of every epoch or every K steps.
 *
 * <p>Checkpoint ids: {@code step} counts the SGD steps taken (with Spark, the mini-batches processed
 * by all workers together); {@code epoch} counts the epochs completed.
 *
 * <p>Locally, SGD runs on this JVM. With Spark, DL4J's parameter averaging trains on the session's
 * master (each worker takes {@code averagingFrequency} steps between averagings) and the driver
 * records after each epoch or, with {@code everySteps} K, after every K mini-batches of an epoch (each
 * such slice of an epoch is one distributed fit).
 *
 * <p>The network trains only on the training ids of a {@link TrainingSplit}: the validation split
 * ({@link TrainingOptions#validationSamples()} training images drawn from the seed) is held out, and
 * its loss and accuracy are recorded at every checkpoint. A run made before validation splits existed
 * (its manifest has no {@value TrainingSplit#VALIDATION_SAMPLES}) is resumed as it was made: without one.
 */
public final class TrainingRun {

  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  /**
   * The manifest property of the learning-rate warm-up's length in SGD steps ({@link NetworkSpec#warmupSteps()}),
   * recorded only when there is one: a run without it trained at the fixed learning rate throughout.
   */
  public static final String WARMUP_STEPS = "warmupSteps";

  /** Hears of the run's progress. */
  public interface Progress {
    /** Before training: the recorded layers and the projected size of the run. */
    void started(RunManifest manifest, long bytesPerCheckpoint, int checkpoints);

    /** After each checkpoint. */
    void checkpoint(CheckpointRecorder.Report report);
  }

  private final TrainingOptions options;
  private final ImageDataset dataset;
  private final SnapshotArchive archive;
  private final String runId;
  private final List<TrainingListener> listeners = new ArrayList<>();

  public TrainingRun(TrainingOptions options, ImageDataset dataset, SnapshotArchive archive, String runId) {
    this.options = options;
    this.dataset = dataset;
    this.archive = archive;
    this.runId = runId;
  }

  /**
   * Attaches DL4J listeners to the network before local training (with Spark they are not used): they
   * see every SGD step, its mini-batch included ({@link TrainingListener#onForwardPass}).
   *
   * @return this run
   */
  public TrainingRun listeners(TrainingListener... more) {
    listeners.addAll(Arrays.asList(more));
    return this;
  }

  /**
   * Runs locally ({@code spark} null) or with DL4J Spark on the session's master.
   *
   * @return the reports of every checkpoint, in order
   */
  public List<CheckpointRecorder.Report> run(SparkSession spark, Progress progress) {
    return run(spark, progress, false);
  }

  /**
   * As {@link #run(SparkSession, Progress)}; with {@code resume}, a run that exists already is
   * continued from its last complete checkpoint (activations of every split, model and metrics):
   * its saved model (configuration and parameters: SGD keeps no updater state) is loaded, the mini-batches it had seen are skipped in
   * the same seeded order, and what an interruption left of later checkpoints is replaced. The
   * existing run must have been made with the same options (its manifest's properties). A complete
   * run is left as it is.
   */
  public List<CheckpointRecorder.Report> run(SparkSession spark, Progress progress, boolean resume) {
    boolean exists = archive.hasRun(runId);
    if (exists && !resume) {
      throw new IllegalArgumentException("run " + runId + " already exists in the archive " + archive.root()
          + ": choose another --run (or --resume to continue it)");
    }
    LabeledImages train = dataset.train();
    LabeledImages test = dataset.test();
    int validationSamples = validationSamples(archive, runId, options.validationSamples(), resume);
    if (validationSamples != options.validationSamples()) {
      LOG.info("run {} was made before validation splits were recorded: it is resumed without one", runId);
    }
    TrainingSplit division = TrainingSplit.carve(train.count(), options.trainSamples(), validationSamples,
        options.seed(), dataset.trainImages());
    int n = division.trainCount();
    EvaluationData eval = EvaluationData.draw(train, division, test, options.evalSamples(), options.seed());
    EvaluationData.Split validation = division.hasValidation()
        ? EvaluationData.split(train, division.validationIds()) : null;

    NetworkSpec spec = options.network();
    MultiLayerNetwork net = spec.build();
    List<RecordedLayers.Recorded> recorded = RecordedLayers.of(net);
    List<LayerInfo> layers = RecordedLayers.describe(net, recorded, train.pixels());
    RunManifest manifest = new RunManifest(runId, spec.architecture().cliName(), dataset.name(), options.seed(),
        "infoplane train", RunManifest.FORMAT_VERSION, layers, eval.sampleIds(), ImageDataset.NUM_CLASSES,
        properties(division, spark));
    RunWriter writer;
    CheckpointId from = null;
    if (exists) {
      from = lastComplete(manifest, spark);
      long total = (long) options.epochs() * options.stepsPerEpoch(n);
      if (from != null && from.step() == total) {
        return List.of();
      }
      writer = archive.openRunForAppend(runId);
      if (from != null) {
        net = ModelFiles.load(archive.modelPath(runId, from).toString(), archive.conf());
      }
      // The saved model is a fresh network: the listeners are attached to it below.
      deleteModelsAfter(from);
    } else {
      writer = archive.createRun(manifest);
      eval.splits().forEach((split, s) -> writer.writeInputs(split, s.x(), s.labels()));
    }

    long perCheckpoint = 4L * (eval.totalSamples() * layers.stream().mapToLong(LayerInfo::size).sum() + net.numParams());
    long after = from == null ? -1 : from.step();
    progress.started(manifest, perCheckpoint,
        (int) options.recordedSteps(n, spark != null).stream().filter(s -> s > after).count());

    CheckpointRecorder recorder = new CheckpointRecorder(archive, writer, eval,
        new ActivationCapture(recorded, ActivationCapture.DEFAULT_CHUNK), true, exists, validation);
    List<CheckpointRecorder.Report> reports = new ArrayList<>();
    Recorder rec = (m, cp) -> {
      CheckpointRecorder.Report r = recorder.record(m, cp);
      reports.add(r);
      progress.checkpoint(r);
    };
    long start = from == null ? 0 : from.step();
    if (from == null) {
      rec.record(net, new CheckpointId(0, 0));
    }
    if (spark == null) {
      if (!listeners.isEmpty()) {
        net.addListeners(listeners.toArray(new TrainingListener[0]));
      }
      trainLocally(net, train, division, rec, start);
    } else {
      trainWithSpark(spark, net, train, division, rec, start);
    }
    return reports;
  }

  /**
   * The validation samples a run gets: {@code requested}, except for a run resumed that was made
   * before validation splits were recorded (its manifest lacks {@value TrainingSplit#VALIDATION_SAMPLES}):
   * it trained on images that a validation split would now hold out, so it continues without one (0).
   */
  public static int validationSamples(SnapshotArchive archive, String runId, int requested, boolean resume) {
    if (resume && archive.hasRun(runId)
        && !archive.run(runId).manifest().properties().containsKey(TrainingSplit.VALIDATION_SAMPLES)) {
      return 0;
    }
    return requested;
  }

  /**
   * The last checkpoint of an existing run whose activations (every split), model and metrics are all
   * there; null when there is none. Refuses a run made with other options.
   */
  private CheckpointId lastComplete(RunManifest wanted, SparkSession spark) {
    RunReader reader = archive.run(runId);
    RunManifest have = reader.manifest();
    Map<String, String> a = new LinkedHashMap<>(have.properties());
    Map<String, String> b = new LinkedHashMap<>(wanted.properties());
    a.remove("training");
    b.remove("training");
    if (!a.containsKey(RunManifest.STEPS_PER_EPOCH)) {
      // A run made before steps_per_epoch was recorded: it follows from the training samples and the
      // batch size, which are compared.
      b.remove(RunManifest.STEPS_PER_EPOCH);
    }
    if (!a.containsKey(TrainingSplit.VALIDATION_SAMPLES)) {
      // A run made before validation splits: it is resumed without one (run() saw to it).
      b.remove(TrainingSplit.VALIDATION_SAMPLES);
      b.remove(TrainingSplit.VALIDATION_RULE);
      b.remove(TrainingSplit.VALIDATION_IDS_SHA256);
    }
    if (!have.model().equals(wanted.model()) || have.seed() != wanted.seed() || !a.equals(b)
        || !have.dataset().equals(wanted.dataset())) {
      throw new IllegalArgumentException("cannot resume run " + runId + " in " + archive.root()
          + ": it was made with model " + have.model() + ", dataset " + have.dataset() + ", seed " + have.seed()
          + " and " + a + "; this command asks for model " + wanted.model() + ", dataset " + wanted.dataset()
          + ", seed " + wanted.seed() + " and " + b);
    }
    java.util.Set<CheckpointId> complete = new java.util.TreeSet<>();
    reader.metrics().forEach(m -> complete.add(m.checkpoint()));
    for (String split : have.splitSampleIds().keySet()) {
      complete.retainAll(reader.checkpoints(split));
    }
    CheckpointId last = null;
    for (CheckpointId cp : complete) {
      if (exists(archive.modelPath(runId, cp)) && (last == null || cp.compareTo(last) > 0)) {
        last = cp;
      }
    }
    return last;
  }

  private boolean exists(Path p) {
    try {
      return p.getFileSystem(archive.conf()).exists(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot reach " + p + ": " + e.getMessage(), e);
    }
  }

  /** Removes saved models of checkpoints after {@code last} (all when null): an interrupted run's leftovers. */
  private void deleteModelsAfter(CheckpointId last) {
    Path dir = archive.modelsDir(runId);
    try {
      org.apache.hadoop.fs.FileSystem fs = dir.getFileSystem(archive.conf());
      if (!fs.exists(dir)) {
        return;
      }
      for (org.apache.hadoop.fs.FileStatus s : fs.listStatus(dir)) {
        java.util.Optional<CheckpointId> cp = SnapshotArchive.parseModelFileName(s.getPath().getName());
        if (cp.isPresent() && (last == null || cp.get().compareTo(last) > 0)) {
          fs.delete(s.getPath(), false);
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot list the models of run " + runId + " in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface Recorder {
    void record(MultiLayerNetwork net, CheckpointId cp);
  }

  private void trainLocally(MultiLayerNetwork net, LabeledImages train, TrainingSplit division, Recorder rec,
      long start) {
    int n = division.trainCount();
    int b = options.batchSize();
    int k = options.everySteps();
    long step = 0;
    long lastRecorded = start;
    for (int epoch = 1; epoch <= options.epochs(); epoch++) {
      int[] order = shuffled(n, epoch);
      for (int from = 0; from < n; from += b) {
        if (step < start) {
          step++;
          continue;
        }
        int[] idx = division.idsAt(Arrays.copyOfRange(order, from, Math.min(n, from + b)));
        seedStep(step);
        net.fit(new DataSet(train.features(idx), train.oneHot(idx)));
        step++;
        if (k > 0 && step % k == 0) {
          rec.record(net, new CheckpointId(from + b >= n ? epoch : epoch - 1, step));
          lastRecorded = step;
        }
      }
      if (k == 0 && step > start) {
        rec.record(net, new CheckpointId(epoch, step));
        lastRecorded = step;
      }
    }
    if (lastRecorded != step) {
      rec.record(net, new CheckpointId(options.epochs(), step));
    }
  }

  private void trainWithSpark(SparkSession spark, MultiLayerNetwork net, LabeledImages train, TrainingSplit division,
      Recorder rec, long start) {
    int n = division.trainCount();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    File scratch = new File(System.getProperty("java.io.tmpdir"), "infoplane-dl4j-" + UUID.randomUUID());
    ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(options.batchSize())
        .batchSizePerWorker(options.batchSize())
        .averagingFrequency(options.averagingFrequency())
        .workerPrefetchNumBatches(0)
        .rngSeed(options.seed())
        .exportDirectory(scratch.toURI().toString())
        .build();
    SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(jsc, net, tm);
    int b = options.batchSize();
    long step = 0;
    try {
      for (int epoch = 1; epoch <= options.epochs(); epoch++) {
        int[] order = shuffled(n, epoch);
        List<DataSet> batches = new ArrayList<>();
        for (int from = 0; from < n; from += b) {
          int[] idx = division.idsAt(Arrays.copyOfRange(order, from, Math.min(n, from + b)));
          batches.add(new DataSet(train.features(idx), train.oneHot(idx)));
        }
        int k = options.everySteps() == 0 ? batches.size() : options.everySteps();
        for (int from = 0; from < batches.size(); from += k) {
          List<DataSet> slice = batches.subList(from, Math.min(batches.size(), from + k));
          if (step + slice.size() <= start) {
            step += slice.size();
            continue;
          }
          jsc.setJobGroup("infoplane-train", "InfoPlane train " + runId + ": epoch " + epoch + " of "
              + options.epochs() + ", mini-batches " + (from + 1) + "-" + (from + slice.size()) + " of "
              + batches.size(), false);
          JavaRDD<DataSet> rdd = jsc.parallelize(new ArrayList<>(slice),
              Math.max(1, Math.min(slice.size(), jsc.defaultParallelism())));
          MultiLayerNetwork trained = sparkNet.fit(rdd);
          step += slice.size();
          boolean endOfEpoch = from + slice.size() == batches.size();
          rec.record(trained, new CheckpointId(endOfEpoch ? epoch : epoch - 1, step));
        }
      }
    } finally {
      jsc.clearJobGroup();
      deleteScratch(scratch, spark);
    }
  }

  private void deleteScratch(File scratch, SparkSession spark) {
    try {
      Path p = new Path(scratch.toURI());
      p.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(p, true);
    } catch (IOException e) {
      LOG.warn("cannot delete DL4J's scratch directory {}: {}", scratch, e.getMessage());
    }
  }

  /**
   * Seeds ND4J's generator, which draws the dropout masks (VGG-16's dense layers), from the run's seed
   * and the step about to be taken. A step's masks then do not depend on where training started: a
   * resumed run draws the masks the uninterrupted run drew, where the generator's state would
   * otherwise be whatever building and loading the network left (DL4J reseeds it then). Networks
   * without dropout draw nothing while training, and train as before.
   */
  private void seedStep(long step) {
    Nd4j.getRandom().setSeed(new SplittableRandom(options.seed() * 1_000_003L - step - 1).nextLong());
  }

  /**
   * The training order of an epoch: a permutation of the positions [0, n) in the training ids, drawn
   * from the seed and the epoch.
   */
  private int[] shuffled(int n, int epoch) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(options.seed() * 1_000_003L + epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private Map<String, String> properties(TrainingSplit division, SparkSession spark) {
    int n = division.trainCount();
    NetworkSpec s = options.network();
    Map<String, String> p = new LinkedHashMap<>();
    p.put("activation", s.activation());
    p.put("learningRate", Double.toString(s.learningRate()));
    if (s.warmupSteps() > 0) {
      // Absent without a warm-up, as in every run made before warm-ups existed: those resume unchanged.
      p.put(WARMUP_STEPS, Integer.toString(s.warmupSteps()));
    }
    p.put("batchSize", Integer.toString(options.batchSize()));
    p.put("epochs", Integer.toString(options.epochs()));
    p.put("everySteps", Integer.toString(options.everySteps()));
    p.put("trainSamples", Integer.toString(n));
    p.put(RunManifest.STEPS_PER_EPOCH, Integer.toString(options.stepsPerEpoch(n)));
    p.put("evalSamples", Integer.toString(options.evalSamples()));
    p.putAll(division.properties());
    p.put("trainImages", dataset.trainImages().toString());
    p.put("testImages", dataset.testImages().toString());
    if (s.architecture() == Architecture.VGG16) {
      p.put("widthMultiplier", Double.toString(s.widthMultiplier()));
    }
    p.put("training", spark == null ? "local" : "spark " + spark.sparkContext().master()
        + ", parameter averaging every " + options.averagingFrequency() + " steps");
    return p;
  }
}
