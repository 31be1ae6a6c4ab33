package org.infoplane.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.infoplane.capture.ImageDataset;
import org.infoplane.cli.TrainCommandTest.Result;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.CheckpointMetrics;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.RunReader;
import org.infoplane.snapshot.SnapshotArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The Spark side of capture: training with DL4J Spark on local[2], and {@code extract}. */
class CaptureSparkTest {

  /** Same models, same inputs, same code on the same machine: activations agree to float rounding. */
  private static final double SAME_ACTIVATIONS = 1e-5;

  private static final String[] LOCAL2 = {"--conf", "infoplane.local.master=local[2]"};

  @TempDir Path dir;
  String archive;

  @BeforeEach
  void needsFashionMnist() {
    assumeTrue(Files.isRegularFile(ImageDataset.FASHION_MNIST_DIR.resolve("train-images-idx3-ubyte.gz")),
        "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    archive = dir.resolve("archive").toString();
  }

  @Test
  void tinyVgg16TrainsWithSparkOnLocal2() {
    Result r = TrainCommandTest.run("train", "--model", "vgg16", "--width-multiplier", "0.0625", "--dataset",
        "fashion-mnist", "--epochs", "1", "--train-samples", "200", "--validation-samples", "100", "--batch-size", "50",
        "--eval-samples", "50",
        "--seed", "3", "--archive", archive, "--run", "vgg", "--spark", LOCAL2[0], LOCAL2[1],
        "--checkpoints-per-epoch", "2");
    assertThat(r.code()).as(r.err()).isZero();
    RunReader run = SnapshotArchive.open(archive, new Configuration()).run("vgg");
    assertThat(run.manifest().layers()).hasSize(16);
    assertThat(run.manifest().properties().get("training")).startsWith("spark local[2]");
    // 200 images in batches of 50: 4 mini-batches in the epoch, processed by the 2 workers together,
    // in two distributed fits of 2 mini-batches with a checkpoint after each.
    List<CheckpointId> expected = List.of(new CheckpointId(0, 0), new CheckpointId(0, 2), new CheckpointId(1, 4));
    assertThat(run.checkpoints("train")).isEqualTo(expected);
    assertThat(run.checkpoints("test")).isEqualTo(expected);
    INDArray before = run.readActivations("train", expected.get(0), 15);
    INDArray after = run.readActivations("train", expected.get(2), 15);
    assertThat(after.shape()).containsExactly(50, 10);
    assertThat(after.isNaN().any()).isFalse();
    assertThat(after.equalsWithEps(before, 1e-6)).as("parameter averaging changed the network").isFalse();
    assertThat(run.metrics()).hasSize(3).allSatisfy(m -> {
      assertThat(m.valLoss()).isFinite().isPositive();
      assertThat(m.valAccuracy()).isBetween(0.0, 1.0);
    });
    assertThat(Path.of(archive, "runs", "run=vgg", "models", "epoch=1-step=4.zip")).isRegularFile();
  }

  /**
   * With Spark a learning-rate warm-up follows DL4J Spark's iteration count, which each averaging round
   * advances by the averaging frequency, whatever number of steps its workers took: here every
   * checkpoint's slice is one mini-batch, one worker's one step, and the saved models count 5, 10, 15.
   */
  @Test
  void withSparkTheWarmupFollowsTheIterationCountOfParameterAveraging() {
    Result r = TrainCommandTest.run(TrainCommandTest.mlp(archive, "wu", "--every-steps", "1", "--warmup-steps", "10",
        "--averaging-frequency", "5", "--spark", LOCAL2[0], LOCAL2[1]));
    assertThat(r.code()).as(r.err()).isZero();
    RunReader run = SnapshotArchive.open(archive, new Configuration()).run("wu");
    assertThat(run.manifest().properties()).containsEntry("warmupSteps", "10");
    int[] counts = new int[4];
    for (int step = 0; step <= 3; step++) {
      Path model = Path.of(archive, "runs", "run=wu", "models", "epoch=" + (step == 3 ? 1 : 0) + "-step=" + step + ".zip");
      counts[step] = org.infoplane.capture.ModelFiles.load(model.toString(), new Configuration())
          .getLayerWiseConfigurations().getIterationCount();
    }
    assertThat(counts).containsExactly(0, 5, 10, 15);
  }

  @Test
  void extractFromSavedModelsEqualsTheTrainingRun() {
    Result t = TrainCommandTest.run(TrainCommandTest.mlp(archive, "trained", "--every-steps", "2"));
    assertThat(t.code()).as(t.err()).isZero();
    String models = Path.of(archive, "runs", "run=trained", "models").toString();
    Result x = TrainCommandTest.run("extract", "--archive", archive, "--run", "extracted", "--models", models,
        "--dataset", "fashion-mnist", "--train-samples", "300", "--validation-samples", "" + TrainCommandTest.VALIDATION,
        "--eval-samples", "100", "--seed", "5", LOCAL2[0], LOCAL2[1]);
    assertThat(x.code()).as(x.err()).isZero();
    assertThat(x.out()).contains("run extracted: 3 checkpoints extracted");

    SnapshotArchive a = SnapshotArchive.open(archive, new Configuration());
    RunReader trained = a.run("trained");
    RunReader extracted = a.run("extracted");
    assertThat(extracted.manifest().layers()).isEqualTo(trained.manifest().layers());
    for (String p : List.of("validationSamples", "validationRule", "validationIdsSha256", "trainSamples")) {
      assertThat(extracted.manifest().properties().get(p)).as(p).isEqualTo(trained.manifest().properties().get(p))
          .isNotNull();
    }
    for (String split : List.of("train", "test")) {
      assertThat(extracted.manifest().sampleIds(split)).isEqualTo(trained.manifest().sampleIds(split));
      assertThat(extracted.checkpoints(split)).isEqualTo(trained.checkpoints(split)).hasSize(3);
      for (CheckpointId cp : trained.checkpoints(split)) {
        for (LayerInfo l : trained.manifest().layers()) {
          INDArray e = extracted.readActivations(split, cp, l.index());
          INDArray o = trained.readActivations(split, cp, l.index());
          assertThat(e.equalsWithEps(o, SAME_ACTIVATIONS)).as(split + " " + cp + " " + l).isTrue();
        }
      }
    }
    List<CheckpointMetrics> me = extracted.metrics();
    List<CheckpointMetrics> mt = trained.metrics();
    assertThat(me).hasSameSizeAs(mt);
    for (int i = 0; i < mt.size(); i++) {
      assertThat(me.get(i).testAccuracy()).isEqualTo(mt.get(i).testAccuracy());
      assertThat(me.get(i).loss()).isCloseTo(mt.get(i).loss(), org.assertj.core.api.Assertions.within(1e-5));
      assertThat(me.get(i).valAccuracy()).isEqualTo(mt.get(i).valAccuracy());
      assertThat(me.get(i).valLoss()).isFinite()
          .isCloseTo(mt.get(i).valLoss(), org.assertj.core.api.Assertions.within(1e-5));
    }

    Result again = TrainCommandTest.run("extract", "--archive", archive, "--run", "extracted", "--models", models,
        "--dataset", "fashion-mnist", LOCAL2[0], LOCAL2[1]);
    assertThat(again.code()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(again.err()).contains("run extracted already exists");
  }
}
