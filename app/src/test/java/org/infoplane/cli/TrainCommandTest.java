package org.infoplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.infoplane.capture.ImageDataset;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.CheckpointMetrics;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.RunReader;
import org.infoplane.snapshot.SnapshotArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code infoplane train} end to end on a small slice of Fashion-MNIST, read back through the archive. */
class TrainCommandTest {

  @TempDir Path dir;
  String archive;

  @BeforeEach
  void needsFashionMnist() {
    assumeTrue(Files.isRegularFile(ImageDataset.FASHION_MNIST_DIR.resolve("train-images-idx3-ubyte.gz")),
        "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    archive = dir.resolve("archive").toString();
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = InfoPlaneCli.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  record Result(int code, String out, String err) {}

  /** The validation split of {@link #mlp} runs: small, to keep the tests fast. */
  static final int VALIDATION = 500;

  static String[] mlp(String archive, String run, String... more) {
    List<String> a = new ArrayList<>(List.of("train", "--model", "mlp", "--dataset", "fashion-mnist", "--epochs", "1",
        "--train-samples", "300", "--validation-samples", "" + VALIDATION, "--eval-samples", "100", "--seed", "5",
        "--archive", archive, "--run", run));
    a.addAll(Arrays.asList(more));
    return a.toArray(new String[0]);
  }

  @Test
  void mlpRunIsReadBack() {
    Result r = run(mlp(archive, "mlp1"));
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("5 recorded layers").contains("projected archive size: ")
        .contains("x 2 checkpoints").contains("run mlp1 done")
        .contains("evaluation sets train 100, test 100; validation split 500 held-out training images")
        .containsPattern("test_loss\\s+val_loss\\s+val_acc\\s+written");

    RunReader run = SnapshotArchive.open(archive, new Configuration()).run("mlp1");
    assertThat(run.manifest().model()).isEqualTo("mlp");
    assertThat(run.manifest().dataset()).isEqualTo("fashion-mnist");
    assertThat(run.manifest().layers()).extracting(LayerInfo::name)
        .containsExactly("dense1", "dense2", "dense3", "dense4", "softmax");
    long[] trainIds = run.manifest().sampleIds("train");
    assertThat(trainIds).hasSize(100).isSorted();
    // Drawn from the 300 images trained on: the first 300 outside the validation split.
    java.util.Set<Long> validation = new java.util.HashSet<>();
    for (int id : org.infoplane.capture.TrainingSplit.carve(60000, 300, VALIDATION, 5, "f").validationIds()) {
      validation.add((long) id);
    }
    long below = validation.stream().filter(id -> id < 300 + VALIDATION).count();
    assertThat(Arrays.stream(trainIds).max().getAsLong()).isLessThan(300 + below);
    assertThat(Arrays.stream(trainIds).boxed().filter(validation::contains)).as("no validation image").isEmpty();
    assertThat(run.manifest().properties()).containsEntry("validationSamples", "500")
        .as("no warm-up, as in runs made before warm-ups existed").doesNotContainKey("warmupSteps");
    assertThat(run.manifest().sampleIds("test")).hasSize(100).isSorted();

    // 300 images in batches of 100: 3 steps in the one epoch.
    List<CheckpointId> expected = List.of(new CheckpointId(0, 0), new CheckpointId(1, 3));
    for (String split : List.of("train", "test")) {
      assertThat(run.checkpoints(split)).as(split).isEqualTo(expected);
      assertThat(run.readLabels(split)).hasSize(100);
      assertThat(run.readInputs(split).shape()).containsExactly(100, 784);
      for (CheckpointId cp : expected) {
        for (LayerInfo l : run.manifest().layers()) {
          INDArray a = run.readActivations(split, cp, l.index());
          long[] shape = new long[l.shape().length + 1];
          shape[0] = 100;
          System.arraycopy(l.shape(), 0, shape, 1, l.shape().length);
          assertThat(a.shape()).as(split + " " + cp + " " + l).isEqualTo(shape);
          assertThat(a.isNaN().any() || a.isInfinite().any()).as("finite " + l).isFalse();
        }
        INDArray softmax = run.readActivations(split, cp, 4);
        assertThat(softmax.sum(1).sub(1).amaxNumber().doubleValue()).as("softmax rows sum to 1").isLessThan(1e-4);
      }
    }
    // The archive's inputs are the Fashion-MNIST pixels of the recorded sample ids.
    INDArray x = run.readInputs("test");
    INDArray expectedX = ImageDataset.fashionMnist().test().features(
        Arrays.stream(run.manifest().sampleIds("test")).mapToInt(i -> (int) i).toArray());
    assertThat(x.equalsWithEps(expectedX, 0)).isTrue();

    List<CheckpointMetrics> m = run.metrics();
    assertThat(m).extracting(CheckpointMetrics::checkpoint).isEqualTo(expected);
    for (CheckpointMetrics c : m) {
      assertThat(c.loss()).isPositive().isFinite();
      assertThat(c.trainAccuracy()).isBetween(0.0, 1.0);
      assertThat(c.testAccuracy()).isBetween(0.0, 1.0);
      assertThat(c.valLoss()).isPositive().isFinite();
      assertThat(c.valAccuracy()).isBetween(0.0, 1.0);
    }
    assertThat(m.get(1).valLoss()).as("three steps lower the validation loss too").isLessThan(m.get(0).valLoss());
    // Three SGD steps at lr 0.09 already move an untrained network above chance on the training samples.
    assertThat(m.get(1).loss()).isLessThan(m.get(0).loss());
    assertThat(m.get(1).trainAccuracy()).isGreaterThan(0.3);

    Path models = Path.of(archive, "runs", "run=mlp1", "models");
    assertThat(models.resolve("epoch=0-step=0.zip")).isRegularFile();
    assertThat(models.resolve("epoch=1-step=3.zip")).isRegularFile();

    Result again = run(mlp(archive, "mlp1"));
    assertThat(again.code).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(again.err.strip()).startsWith("infoplane train: run mlp1 already exists in the archive")
        .endsWith("choose another --run (or --resume to continue it)").doesNotContain("\n");
  }

  /**
   * An interrupted run (its last checkpoint half written: one split's activations and the model, no
   * metrics) resumed with --resume ends as the uninterrupted run did: the same activations, bit for
   * bit, and the same metrics.
   */
  @Test
  void resumeContinuesAnInterruptedRunToTheSameResult() throws Exception {
    Result r = run(mlp(archive, "res", "--every-steps", "1"));
    assertThat(r.code).as(r.err).isZero();
    RunReader run = SnapshotArchive.open(archive, new Configuration()).run("res");
    CheckpointId last = new CheckpointId(1, 3);
    List<INDArray> before = trainActivations(run, last);
    List<CheckpointMetrics> metricsBefore = run.metrics();
    // Interrupt: checkpoint (0, 2) lost its metrics; (1, 3) kept only the test split and the model.
    Path runDir = Path.of(archive, "runs", "run=res");
    Files.delete(runDir.resolve("metrics/epoch=0-step=2.json"));
    Files.delete(runDir.resolve("metrics/epoch=1-step=3.json"));
    try (var files = Files.walk(runDir.resolve("activations/split=train/epoch=1"))) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }

    Result resumed = run(mlp(archive, "res", "--every-steps", "1", "--resume"));
    assertThat(resumed.code).as(resumed.err).isZero();
    // Resumed from step 1, the last complete checkpoint: steps 2 and 3 recorded again.
    assertThat(resumed.out).contains("x 2 checkpoints").containsPattern("\\n\\s+0\\s+2\\s")
        .containsPattern("\\n\\s+1\\s+3\\s").doesNotContainPattern("\\n\\s+0\\s+1\\s");
    RunReader after = SnapshotArchive.open(archive, new Configuration()).run("res");
    assertThat(after.checkpoints("train")).containsExactly(new CheckpointId(0, 0), new CheckpointId(0, 1),
        new CheckpointId(0, 2), last);
    assertSameBitForBit(trainActivations(after, last), before);
    assertThat(after.metrics()).isEqualTo(metricsBefore);

    Result complete = run(mlp(archive, "res", "--every-steps", "1", "--resume"));
    assertThat(complete.code).isZero();
    assertThat(complete.out).contains("run res is complete already: nothing to train");

    Result other = run(mlp(archive, "res", "--every-steps", "1", "--resume", "--learning-rate", "0.05"));
    assertThat(other.code).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(other.err).contains("cannot resume run res").contains("learningRate=0.09")
        .contains("learningRate=0.05");
  }

  /**
   * VGG-16 drops units of its dense layers while it trains, with masks drawn at random. An interrupted
   * run resumed with --resume draws the masks the uninterrupted run drew: the same activations, bit
   * for bit, and the same metrics. (Before the masks were seeded per step, the resumed run trained on
   * from the generator state that building and loading the network left, and diverged.)
   */
  @Test
  void aRunWithDropoutResumesToTheSameResult() throws Exception {
    String[] vgg = {"train", "--model", "vgg16", "--width-multiplier", "0.0625", "--dataset", "fashion-mnist",
        "--epochs", "1", "--train-samples", "300", "--validation-samples", "" + VALIDATION, "--eval-samples", "100",
        "--seed", "5", "--every-steps", "1", "--archive", archive, "--run", "drop"};
    Result r = run(vgg);
    assertThat(r.code).as(r.err).isZero();
    RunReader run = SnapshotArchive.open(archive, new Configuration()).run("drop");
    CheckpointId last = new CheckpointId(1, 3);
    List<INDArray> before = trainActivations(run, last);
    List<CheckpointMetrics> metricsBefore = run.metrics();
    // Interrupt after step 1: the later checkpoints lost their metrics.
    Path runDir = Path.of(archive, "runs", "run=drop");
    Files.delete(runDir.resolve("metrics/epoch=0-step=2.json"));
    Files.delete(runDir.resolve("metrics/epoch=1-step=3.json"));

    String[] again = Arrays.copyOf(vgg, vgg.length + 1);
    again[vgg.length] = "--resume";
    Result resumed = run(again);
    assertThat(resumed.code).as(resumed.err).isZero();
    assertThat(resumed.out).contains("x 2 checkpoints").containsPattern("\\n\\s+1\\s+3\\s");
    RunReader after = SnapshotArchive.open(archive, new Configuration()).run("drop");
    assertSameBitForBit(trainActivations(after, last), before);
    assertThat(after.metrics()).isEqualTo(metricsBefore);
  }

  /** Every recorded layer's activations of the train evaluation set at checkpoint {@code cp}. */
  private static List<INDArray> trainActivations(RunReader run, CheckpointId cp) {
    List<INDArray> out = new ArrayList<>();
    for (int l = 0; l < run.manifest().layers().size(); l++) {
      out.add(run.readActivations("train", cp, l));
    }
    return out;
  }

  private static void assertSameBitForBit(List<INDArray> actual, List<INDArray> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int l = 0; l < expected.size(); l++) {
      assertThat(actual.get(l).equalsWithEps(expected.get(l), 0)).as("layer " + l).isTrue();
    }
  }

  /**
   * A run with a learning-rate warm-up records its length in the manifest and trains otherwise than
   * the run without; interrupted after step 1 of its 3 warm-up steps and resumed, it ends as the
   * uninterrupted run did, bit for bit: the resumed network takes steps 2 and 3 at 2/3 and 3/3 of the
   * rate, not at the 1/3 and 2/3 of a warm-up started again. Resuming it with another warm-up is refused.
   */
  @Test
  void aWarmupRunResumesWhereItsWarmupStopped() throws Exception {
    Result r = run(mlp(archive, "wu", "--every-steps", "1", "--warmup-steps", "3"));
    assertThat(r.code).as(r.err).isZero();
    RunReader run = SnapshotArchive.open(archive, new Configuration()).run("wu");
    assertThat(run.manifest().properties()).containsEntry("warmupSteps", "3");
    CheckpointId last = new CheckpointId(1, 3);
    List<INDArray> before = trainActivations(run, last);
    List<CheckpointMetrics> metricsBefore = run.metrics();
    Result plain = run(mlp(archive, "plain", "--every-steps", "1"));
    assertThat(plain.code).as(plain.err).isZero();
    RunReader plainRun = SnapshotArchive.open(archive, new Configuration()).run("plain");
    assertThat(plainRun.readActivations("train", new CheckpointId(0, 0), 4).equalsWithEps(
        run.readActivations("train", new CheckpointId(0, 0), 4), 0)).as("the same network before training").isTrue();
    assertThat(plainRun.readActivations("train", last, 4).equalsWithEps(before.get(4), 1e-6))
        .as("the warm-up changes training").isFalse();

    Path runDir = Path.of(archive, "runs", "run=wu");
    Files.delete(runDir.resolve("metrics/epoch=0-step=2.json"));
    Files.delete(runDir.resolve("metrics/epoch=1-step=3.json"));
    try (var files = Files.walk(runDir.resolve("activations/split=train/epoch=1"))) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
    Result resumed = run(mlp(archive, "wu", "--every-steps", "1", "--warmup-steps", "3", "--resume"));
    assertThat(resumed.code).as(resumed.err).isZero();
    assertThat(resumed.out).contains("x 2 checkpoints").doesNotContainPattern("\\n\\s+0\\s+1\\s");
    RunReader after = SnapshotArchive.open(archive, new Configuration()).run("wu");
    assertSameBitForBit(trainActivations(after, last), before);
    assertThat(after.metrics()).isEqualTo(metricsBefore);

    Result other = run(mlp(archive, "wu", "--every-steps", "1", "--warmup-steps", "2", "--resume"));
    assertThat(other.code).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(other.err).contains("cannot resume run wu").contains("warmupSteps=3").contains("warmupSteps=2");
    Result none = run(mlp(archive, "wu", "--every-steps", "1", "--resume"));
    assertThat(none.code).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(none.err).contains("cannot resume run wu").contains("warmupSteps=3");

    Result negative = run(mlp(archive, "neg", "--warmup-steps", "-1"));
    assertThat(negative.code).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(negative.err.strip())
        .isEqualTo("infoplane train: --warmup-steps must be >= 0 (0: no warm-up) and at most 5000, got -1");
  }

  /**
   * A complete run whose manifest has no steps_per_epoch (written before that property existed) is
   * kept by --resume, not refused as made with other options; another learning rate still is.
   */
  @Test
  void resumeKeepsARunRecordedWithoutStepsPerEpoch() throws Exception {
    Result r = run(mlp(archive, "old", "--every-steps", "1"));
    assertThat(r.code).as(r.err).isZero();
    Path manifest = Path.of(archive, "runs", "run=old", "manifest.json");
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode m =
        (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(manifest.toFile());
    com.fasterxml.jackson.databind.node.ObjectNode props =
        (com.fasterxml.jackson.databind.node.ObjectNode) m.get("properties");
    assertThat(props.remove("steps_per_epoch")).as("the property this test removes").isNotNull();
    json.writeValue(manifest.toFile(), m);
    Files.deleteIfExists(manifest.resolveSibling(".manifest.json.crc")); // Hadoop's checksum of the old text

    Result kept = run(mlp(archive, "old", "--every-steps", "1", "--resume"));
    assertThat(kept.code).as(kept.err).isZero();
    assertThat(kept.out).contains("run old is complete already: nothing to train");
    Result other = run(mlp(archive, "old", "--every-steps", "1", "--resume", "--learning-rate", "0.05"));
    assertThat(other.code).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(other.err).contains("cannot resume run old");
  }

  /**
   * A run made before validation splits (no validationSamples in its manifest; it trained on the first
   * images, as --validation-samples 0 does) is resumed without a validation split, whatever
   * --validation-samples says, to the same activations as the uninterrupted run; its metrics have no
   * validation loss.
   */
  @Test
  void resumeContinuesARunMadeBeforeValidationSplitsWithoutOne() throws Exception {
    List<String> made = withoutValidationOption(mlp(archive, "pre", "--every-steps", "1"));
    made.addAll(List.of("--validation-samples", "0"));
    Result r = run(made.toArray(new String[0]));
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("validation split none (no early stopping)");
    RunReader run = SnapshotArchive.open(archive, new Configuration()).run("pre");
    CheckpointId last = new CheckpointId(1, 3);
    INDArray before = run.readActivations("train", last, 4);
    assertThat(run.metrics()).allSatisfy(c -> assertThat(c.valLoss()).isNaN())
        .allSatisfy(c -> assertThat(c.other()).doesNotContainKey(CheckpointMetrics.VAL_LOSS));
    Path runDir = Path.of(archive, "runs", "run=pre");
    Path manifest = runDir.resolve("manifest.json");
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode m =
        (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(manifest.toFile());
    com.fasterxml.jackson.databind.node.ObjectNode props =
        (com.fasterxml.jackson.databind.node.ObjectNode) m.get("properties");
    for (String p : List.of("validationSamples", "validationRule", "validationIdsSha256")) {
      assertThat(props.remove(p)).as("the property this test removes: " + p).isNotNull();
    }
    json.writeValue(manifest.toFile(), m);
    Files.deleteIfExists(manifest.resolveSibling(".manifest.json.crc"));
    Files.delete(runDir.resolve("metrics/epoch=1-step=3.json"));

    // The default --validation-samples (10000) is not applied to it.
    Result resumed = run(withoutValidationOption(mlp(archive, "pre", "--every-steps", "1", "--resume"))
        .toArray(new String[0]));
    assertThat(resumed.code).as(resumed.err).isZero();
    assertThat(resumed.out).contains("x 1 checkpoints").containsPattern("\\n\\s+1\\s+3\\s");
    RunReader after = SnapshotArchive.open(archive, new Configuration()).run("pre");
    assertThat(after.readActivations("train", last, 4).equalsWithEps(before, 0)).isTrue();
    assertThat(after.metrics()).hasSize(4).allSatisfy(c -> assertThat(c.valLoss()).isNaN());
  }

  private static List<String> withoutValidationOption(String[] args) {
    List<String> a = new ArrayList<>(Arrays.asList(args));
    int v = a.indexOf("--validation-samples");
    a.remove(v + 1);
    a.remove(v);
    return a;
  }

  @Test
  void checkpointsPerEpochDivideTheEpoch() {
    // 300 images in batches of 100: 3 steps per epoch; 2 checkpoints per epoch do not divide them.
    Result bad = run(mlp(archive, "cpe", "--checkpoints-per-epoch", "2"));
    assertThat(bad.code).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(bad.err.strip()).isEqualTo("infoplane train: --checkpoints-per-epoch 2 does not divide the 3 steps"
        + " of an epoch (300 images in batches of 100)");
    Result ok = run(mlp(archive, "cpe", "--checkpoints-per-epoch", "3"));
    assertThat(ok.code).as(ok.err).isZero();
    assertThat(SnapshotArchive.open(archive, new Configuration()).run("cpe").checkpoints("test"))
        .containsExactly(new CheckpointId(0, 0), new CheckpointId(0, 1), new CheckpointId(0, 2), new CheckpointId(1, 3));
  }

  @Test
  void everyStepsRecordsTheLastStepToo() {
    Result r = run(mlp(archive, "steps", "--every-steps", "2"));
    assertThat(r.code).as(r.err).isZero();
    RunReader run = SnapshotArchive.open(archive, new Configuration()).run("steps");
    // Steps 1..3 in epoch 1: a checkpoint at step 2 (epoch 1 not complete) and at the final step 3.
    assertThat(run.checkpoints("train"))
        .containsExactly(new CheckpointId(0, 0), new CheckpointId(0, 2), new CheckpointId(1, 3));
  }

  @Test
  void badInputExitsWithOneLine() {
    Path missing = dir.resolve("missing-idx3-ubyte.gz");
    Path labels = ImageDataset.FASHION_MNIST_DIR.resolve("t10k-labels-idx1-ubyte.gz");
    Result r = run("train", "--model", "mlp", "--train-images", missing.toString(), "--train-labels", labels.toString(),
        "--test-images", missing.toString(), "--test-labels", labels.toString(), "--epochs", "1",
        "--archive", archive, "--run", "x");
    assertThat(r.code).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(r.err.strip()).isEqualTo("infoplane train: " + missing + ": no such file");

    Result model = run("train", "--model", "lenet", "--dataset", "fashion-mnist", "--epochs", "1",
        "--archive", archive, "--run", "x");
    assertThat(model.code).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(model.err.strip()).isEqualTo("infoplane train: unknown model 'lenet': choose one of mlp, cnn, vgg16");

    Result big = run("train", "--model", "mlp", "--dataset", "fashion-mnist", "--epochs", "1", "--train-samples",
        "70000", "--archive", archive, "--run", "big");
    assertThat(big.code).as(big.err).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(big.err).contains("--train-samples 70000 exceeds the 60000 images of");
    assertThat(Path.of(archive, "runs", "run=big")).doesNotExist();

    // 55,000 training images leave no room for the default validation split of 10,000.
    Result most = run("train", "--model", "mlp", "--dataset", "fashion-mnist", "--epochs", "1", "--train-samples",
        "55000", "--archive", archive, "--run", "most");
    assertThat(most.code).as(most.err).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(most.err.strip()).startsWith("infoplane train: --train-samples 55000 and --validation-samples 10000"
        + " need 65000 of the 60000 images of ").endsWith("(--validation-samples 0 trains without a validation split)");
  }
}
