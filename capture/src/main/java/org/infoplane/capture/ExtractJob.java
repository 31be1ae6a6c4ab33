package org.infoplane.capture;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.CheckpointMetrics;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.RunManifest;
import org.infoplane.snapshot.RunReader;
import org.infoplane.snapshot.RunWriter;
import org.infoplane.snapshot.SnapshotArchive;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Records the activations of saved models into a new run, one Spark task per model: the driver
 * lists the models, creates the run from the first model's recorded layers and writes the
 * evaluation inputs; each task loads its model, reads the inputs back from the archive, computes
 * the activations and metrics and writes its checkpoint (atomic per checkpoint). The validation split
 * of the training run ({@link TrainingSplit}) travels to the tasks as a broadcast; its loss and
 * accuracy join each checkpoint's metrics.
 */
public final class ExtractJob {

  private final SparkSession spark;
  private final SnapshotArchive archive;
  private final String archiveUri;
  private final String runId;
  private final String modelsDir;

  public ExtractJob(SparkSession spark, String archiveUri, String runId, String modelsDir) {
    this.spark = spark;
    this.archive = SnapshotArchive.open(archiveUri, spark.sparkContext().hadoopConfiguration());
    this.archiveUri = archiveUri;
    this.runId = runId;
    this.modelsDir = modelsDir;
  }

  /** What a task recorded (plain values: it travels back from the executors). */
  public record Done(int epoch, long step, double loss, double trainAccuracy, double testAccuracy, double valLoss,
      double valAccuracy, double seconds) implements Serializable {}

  /** The validation split's images (row-major, rows × width, float32 in [0, 1]) and labels, for the tasks. */
  private record ValidationImages(float[] pixels, int width, int[] labels) implements Serializable {}

  /**
   * Runs the job.
   *
   * @param trainSamples the training images the models were trained on (the first this many outside the
   *     validation split; 0 for all of them) and the evaluation train split draws from
   * @param validationSamples the validation split the models were trained without (0: none); with the
   *     training run's values and seed, the ids (evaluation sets and validation split) match its own
   * @return one entry per model, in training order
   */
  public List<Done> run(ImageDataset dataset, int trainSamples, int validationSamples, int evalSamples, long seed) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    if (archive.hasRun(runId)) {
      throw new IllegalArgumentException("run " + runId + " already exists in the archive " + archive.root()
          + ": choose another --run");
    }
    List<ModelFiles.SavedModel> models = ModelFiles.list(modelsDir, hadoop);
    LabeledImages train = dataset.train();
    LabeledImages test = dataset.test();
    TrainingSplit division = TrainingSplit.carve(train.count(), trainSamples, validationSamples, seed,
        dataset.trainImages());
    int n = division.trainCount();
    EvaluationData eval = EvaluationData.draw(train, division, test, evalSamples, seed);

    MultiLayerNetwork first = ModelFiles.load(models.get(0).uri(), hadoop);
    List<LayerInfo> layers = RecordedLayers.describe(first, RecordedLayers.of(first), train.pixels());
    Map<String, String> props = new LinkedHashMap<>();
    props.put("models", modelsDir);
    props.put("trainSamples", Integer.toString(n));
    props.put("evalSamples", Integer.toString(evalSamples));
    props.putAll(division.properties());
    props.put("trainImages", dataset.trainImages().toString());
    props.put("testImages", dataset.testImages().toString());
    RunManifest manifest = new RunManifest(runId, "dl4j model of " + first.getnLayers() + " layers", dataset.name(),
        seed, "infoplane extract", RunManifest.FORMAT_VERSION, layers, eval.sampleIds(), ImageDataset.NUM_CLASSES,
        props);
    RunWriter writer = archive.createRun(manifest);
    eval.splits().forEach((split, s) -> writer.writeInputs(split, s.x(), s.labels()));

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(hadoop));
    Broadcast<ValidationImages> validation = division.hasValidation()
        ? jsc.broadcast(new ValidationImages(train.features(division.validationIds()).data().asFloat(), train.pixels(),
            train.labels(division.validationIds())))
        : null;
    List<String[]> work = new ArrayList<>();
    for (ModelFiles.SavedModel m : models) {
      work.add(new String[] {m.uri(), Integer.toString(m.checkpoint().epoch()), Long.toString(m.checkpoint().step())});
    }
    jsc.setJobGroup("infoplane-extract", "InfoPlane extract " + runId + ": " + models.size() + " models from "
        + modelsDir, false);
    try {
      return jsc.parallelize(work, work.size()).map(new ExtractTask(archiveUri, runId, conf, validation))
          .collect();
    } finally {
      jsc.clearJobGroup();
    }
  }

  /** One model: load, capture both splits, write the checkpoint and its metrics. */
  private static final class ExtractTask implements Function<String[], Done> {
    private static final long serialVersionUID = 1L;
    private final String archiveUri;
    private final String runId;
    private final Broadcast<SerializableConfiguration> conf;
    private final Broadcast<ValidationImages> validation;

    ExtractTask(String archiveUri, String runId, Broadcast<SerializableConfiguration> conf,
        Broadcast<ValidationImages> validation) {
      this.archiveUri = archiveUri;
      this.runId = runId;
      this.conf = conf;
      this.validation = validation;
    }

    @Override
    public Done call(String[] w) {
      long t0 = System.nanoTime();
      CheckpointId cp = new CheckpointId(Integer.parseInt(w[1]), Long.parseLong(w[2]));
      Configuration hadoop = conf.value().value();
      SnapshotArchive archive = SnapshotArchive.open(archiveUri, hadoop);
      RunReader reader = archive.run(runId);
      RunWriter writer = archive.openRunForAppend(runId);
      MultiLayerNetwork net = ModelFiles.load(w[0], hadoop);
      List<RecordedLayers.Recorded> recorded = RecordedLayers.of(net);
      if (recorded.size() != reader.manifest().layers().size()) {
        throw new IllegalArgumentException("model " + w[0] + " records " + recorded.size() + " layers, run " + runId
            + " (made from the first model) has " + reader.manifest().layers().size());
      }
      ActivationCapture capture = new ActivationCapture(recorded, ActivationCapture.DEFAULT_CHUNK);
      double loss = Double.NaN;
      double trainAcc = Double.NaN;
      double testAcc = Double.NaN;
      double testLoss = Double.NaN;
      for (String split : reader.manifest().splitSampleIds().keySet()) {
        INDArray x = reader.readInputs(split);
        x = x.reshape('c', x.size(0), x.length() / x.size(0));
        ActivationCapture.Result r = capture.run(net, x, reader.readLabels(split));
        writer.writeCheckpoint(split, cp, r.layers(), false);
        if (split.equals(EvaluationSets.TRAIN)) {
          loss = r.loss();
          trainAcc = r.accuracy();
        } else if (split.equals(EvaluationSets.TEST)) {
          testAcc = r.accuracy();
          testLoss = r.loss();
        }
      }
      double valLoss = Double.NaN;
      double valAcc = Double.NaN;
      if (validation != null) {
        ValidationImages v = validation.value();
        double[] r = capture.evaluate(net,
            Nd4j.create(v.pixels(), new long[] {v.labels().length, v.width()}, 'c'), v.labels());
        valLoss = r[0];
        valAcc = r[1];
      }
      writer.appendMetrics(CheckpointMetrics.withValidation(cp, loss, trainAcc, testAcc, testLoss, valLoss, valAcc));
      return new Done(cp.epoch(), cp.step(), loss, trainAcc, testAcc, valLoss, valAcc, (System.nanoTime() - t0) / 1e9);
    }
  }
}
