package org.infoplane.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The definitions of {@code experiments/}: what they hold, and the errors of a bad one. */
class ExperimentDefinitionTest {

  @TempDir Path dir;

  /** The four experiments of METHOD.md §8 with the paper's sizes where the method states them. */
  @Test
  void theShippedDefinitionsFollowTheMethod() {
    Path experiments = Path.of("..", "experiments");
    ExperimentDefinition tanh = ExperimentDefinition.read(experiments.resolve("mlp-tanh.properties"));
    ExperimentDefinition relu = ExperimentDefinition.read(experiments.resolve("mlp-relu.properties"));
    ExperimentDefinition cnn = ExperimentDefinition.read(experiments.resolve("cnn.properties"));
    ExperimentDefinition vgg = ExperimentDefinition.read(experiments.resolve("vgg16.properties"));
    assertThat(List.of(tanh.model(), tanh.activation(), relu.model(), relu.activation(), cnn.model(), vgg.model()))
        .containsExactly("mlp", "tanh", "mlp", "relu", "cnn", "vgg16");
    // The paper: 10 MLP runs, 5 VGG-16 runs; the CNN as VGG-16.
    assertThat(List.of(tanh.runs(), relu.runs(), cnn.runs(), vgg.runs())).containsExactly(10, 10, 5, 5);
    for (ExperimentDefinition d : List.of(tanh, relu, cnn, vgg)) {
      assertThat(d.learningRate()).as(d.name()).isEqualTo(0.09);
      assertThat(d.batchSize()).as(d.name()).isEqualTo(100);
      assertThat(d.checkpointsPerEpoch()).as(d.name()).isGreaterThan(1);
    }
    assertThat(tanh.epochs()).isEqualTo(10);
    assertThat(vgg.epochs()).isEqualTo(50);
    assertThat(vgg.widthMultiplier()).isEqualTo(1.0);
    // The paper has no warm-up; VGG-16 at 0.09 needs one (the measurements are in vgg16.properties).
    assertThat(List.of(tanh.warmupSteps(), relu.warmupSteps(), cnn.warmupSteps(), vgg.warmupSteps()))
        .containsExactly(0, 0, 0, 50);
    assertThat(vgg.trainArguments(1, "/a")).containsSequence("--warmup-steps", "50");
    // Run i is seeded seed + i - 1 and named after the experiment.
    List<String> args = tanh.trainArguments(3, "/a");
    assertThat(args).containsSequence("--seed", "3").containsSequence("--run", "mlp-tanh-3").contains("--resume");
    // A validation split of 10,000 leaves 50,000 images: 500 steps of 100, which the checkpoints per epoch divide.
    for (ExperimentDefinition d : List.of(tanh, relu, cnn, vgg)) {
      assertThat(d.validationSamples()).as(d.name()).isEqualTo(10_000);
      assertThat(d.trainArguments(1, "/a")).as(d.name()).containsSequence("--validation-samples", "10000");
      assertThat(50_000 / d.batchSize() % d.checkpointsPerEpoch()).as(d.name()).isZero();
    }
  }

  @Test
  void aBadDefinitionIsNamedWithItsKey() throws Exception {
    Path f = dir.resolve("x.properties");
    Files.writeString(f, "model=mlp\nruns=2\nepochs=1\neval-samples=100\ncheckpoints-per-epoch=2\nepoch=3\n");
    assertThatThrownBy(() -> ExperimentDefinition.read(f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(f + ": unknown keys [epoch]");
    Files.writeString(f, "model=mlp\nruns=2\neval-samples=100\ncheckpoints-per-epoch=2\n");
    assertThatThrownBy(() -> ExperimentDefinition.read(f)).hasMessage(f + ": the key 'epochs' is missing");
    Files.writeString(f, "model=mlp\nruns=two\nepochs=1\neval-samples=100\ncheckpoints-per-epoch=2\n");
    assertThatThrownBy(() -> ExperimentDefinition.read(f)).hasMessage(f + ": runs must be an integer, got 'two'");
    Files.writeString(f, "model=lenet\nruns=2\nepochs=1\neval-samples=100\ncheckpoints-per-epoch=2\n");
    assertThatThrownBy(() -> ExperimentDefinition.read(f))
        .hasMessage("experiment x: model must be mlp, cnn or vgg16, got 'lenet'");
    Files.writeString(f, "model=mlp\nruns=2\nepochs=1\neval-samples=100\ncheckpoints-per-epoch=2\nvalidation-samples=-1\n");
    assertThatThrownBy(() -> ExperimentDefinition.read(f))
        .hasMessage("experiment x: validation-samples must be >= 0 (0: none, and no early stopping), got -1");
    Files.writeString(f, "model=mlp\nruns=2\nepochs=1\neval-samples=100\ncheckpoints-per-epoch=2\n");
    assertThat(ExperimentDefinition.read(f).validationSamples()).as("the default").isEqualTo(10_000);
  }

  /** warmup-steps: default 0, passed to train, and a bad value named with the file and the key. */
  @Test
  void warmupStepsAreReadCheckedAndPassedToTrain() throws Exception {
    Path f = dir.resolve("w.properties");
    String base = "model=vgg16\nruns=1\nepochs=1\neval-samples=100\ncheckpoints-per-epoch=2\n";
    Files.writeString(f, base);
    ExperimentDefinition none = ExperimentDefinition.read(f);
    assertThat(none.warmupSteps()).as("the default").isZero();
    assertThat(none.trainArguments(1, "/a")).containsSequence("--warmup-steps", "0");
    Files.writeString(f, base + "warmup-steps=50\n");
    ExperimentDefinition fifty = ExperimentDefinition.read(f);
    assertThat(fifty.warmupSteps()).isEqualTo(50);
    assertThat(fifty.trainArguments(2, "/a")).containsSequence("--warmup-steps", "50");
    assertThat(fifty.with(null, 3, null, null, null, null, 0.125).warmupSteps()).as("kept by the overrides")
        .isEqualTo(50);
    Files.writeString(f, base + "warmup-steps=-5\n");
    assertThatThrownBy(() -> ExperimentDefinition.read(f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(f + ": warmup-steps must be >= 0 (0: no warm-up) and at most 5000, got -5");
    Files.writeString(f, base + "warmup-steps=fifty\n");
    assertThatThrownBy(() -> ExperimentDefinition.read(f)).hasMessage(f + ": warmup-steps must be an integer, got 'fifty'");
  }
}
