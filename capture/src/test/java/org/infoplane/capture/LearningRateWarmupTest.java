package org.infoplane.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The learning-rate warm-up of {@link NetworkSpec}: the rate DL4J applies at each SGD step against the
 * closed form η · min(1, (i + 1) / N) for step i counted from 0, read from the updater and measured from
 * the parameter change of plain SGD; a saved and reloaded network continues the warm-up where it stopped.
 */
class LearningRateWarmupTest {

  static final double LR = 0.09;
  /** Schedule values against the closed form: both are a product and a quotient of small integers and η. */
  static final double SCHEDULE_TOLERANCE = 1e-15;
  /**
   * The rate measured from a float32 parameter change (steps of about 1e-4 on weights of about 0.05 carry
   * a relative rounding error of about 1e-3 per weight; the fit over 784×1024 weights averages it down).
   */
  static final double MEASURED_RELATIVE_TOLERANCE = 1e-3;

  @TempDir Path dir;

  /** The closed form, written out independently of the code under test. */
  static double expected(int step, int warmupSteps) {
    return warmupSteps == 0 || step >= warmupSteps ? LR : LR * (step + 1) / warmupSteps;
  }

  private static Sgd updater(MultiLayerNetwork net, int layer) {
    return (Sgd) ((BaseLayer) net.getLayerWiseConfigurations().getConf(layer).getLayer()).getIUpdater();
  }

  @Test
  void everyLayersUpdaterFollowsTheLinearRamp() {
    int n = 4;
    MultiLayerNetwork net = new NetworkSpec(Architecture.MLP, "tanh", LR, n, 1, 1).build();
    int layers = 0;
    for (NeuralNetConfiguration c : net.getLayerWiseConfigurations().getConfs()) {
      if (c.getLayer() instanceof BaseLayer b) {
        layers++;
        Sgd sgd = (Sgd) b.getIUpdater();
        for (int i = 0; i < 3 * n; i++) {
          assertThat(sgd.getLearningRate(i, 0)).as(c.getLayer().getLayerName() + " step " + i)
              .isCloseTo(expected(i, n), within(SCHEDULE_TOLERANCE));
        }
        assertThat(sgd.getLearningRate(0, 0)).isCloseTo(LR / 4, within(SCHEDULE_TOLERANCE));
        assertThat(sgd.getLearningRate(n - 1, 0)).as("the last warm-up step uses the full rate").isEqualTo(LR);
        assertThat(sgd.getLearningRate(1_000_000, 0)).isEqualTo(LR);
      }
    }
    assertThat(layers).as("4 dense, 4 BatchNorm, the output layer").isEqualTo(9);
  }

  @Test
  void withoutWarmupTheUpdaterIsTheFixedRateSgd() {
    for (NetworkSpec spec : new NetworkSpec[] {NetworkSpec.of(Architecture.MLP, LR, 1, 1),
        new NetworkSpec(Architecture.MLP, "tanh", LR, 0, 1, 1)}) {
      Sgd sgd = updater(spec.build(), 0);
      assertThat(sgd.getLearningRateSchedule()).isNull();
      assertThat(sgd.getLearningRate()).isEqualTo(LR);
    }
  }

  /** A fixed mini-batch of 20 random images and labels. */
  private static DataSet batch() {
    Nd4j.getRandom().setSeed(11);
    INDArray x = Nd4j.rand(DataType.FLOAT, 20, NetworkSpec.SIDE * NetworkSpec.SIDE);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 20, ImageDataset.NUM_CLASSES);
    for (int r = 0; r < 20; r++) {
      y.putScalar(r, (r * 7) % ImageDataset.NUM_CLASSES, 1);
    }
    return new DataSet(x, y);
  }

  /**
   * One SGD step on {@code batch}: the learning rate it applied to the first layer's weights, measured
   * as the least-squares factor between the weights' change and the gradient computed before the step.
   * Plain SGD moves them by exactly −rate × gradient / batch size: DL4J's gradient of a mini-batch is the
   * sum over its samples, and its updater divides by the batch size (the network without warm-up below
   * checks this convention against its fixed rate).
   */
  private static double appliedRate(MultiLayerNetwork net, DataSet batch) {
    INDArray before = net.getParam("0_W").dup();
    net.setInput(batch.getFeatures());
    net.setLabels(batch.getLabels());
    net.computeGradientAndScore();
    INDArray g = net.gradient().getGradientFor("0_W").dup();
    net.fit(batch);
    INDArray delta = before.sub(net.getParam("0_W"));
    double factor = delta.mul(g).sumNumber().doubleValue() / g.mul(g).sumNumber().doubleValue();
    double residual = delta.sub(g.mul(factor)).norm2Number().doubleValue() / delta.norm2Number().doubleValue();
    assertThat(residual).as("the change is a multiple of the gradient").isLessThan(MEASURED_RELATIVE_TOLERANCE);
    return factor * batch.numExamples();
  }

  @Test
  void theRateAppliedAtEachStepIsTheRamps() {
    int n = 3;
    MultiLayerNetwork net = new NetworkSpec(Architecture.MLP, "tanh", LR, n, 1, 1).build();
    DataSet batch = batch();
    for (int i = 0; i < n + 2; i++) {
      assertThat(net.getLayerWiseConfigurations().getIterationCount()).as("DL4J's iteration count").isEqualTo(i);
      assertThat(appliedRate(net, batch)).as("step " + i)
          .isCloseTo(expected(i, n), within(expected(i, n) * MEASURED_RELATIVE_TOLERANCE));
    }
    MultiLayerNetwork plain = NetworkSpec.of(Architecture.MLP, LR, 1, 1).build();
    assertThat(appliedRate(plain, batch)).as("no warm-up").isCloseTo(LR, within(LR * MEASURED_RELATIVE_TOLERANCE));
  }

  /**
   * A network saved after 2 of 4 warm-up steps and loaded back (as {@code train --resume} does) has
   * DL4J's iteration count 2, applies η · 3/4 next, and ends where the uninterrupted network ends, bit
   * for bit.
   */
  @Test
  void aReloadedNetworkContinuesTheWarmupWhereItStopped() {
    int n = 4;
    NetworkSpec spec = new NetworkSpec(Architecture.MLP, "tanh", LR, n, 1, 1);
    DataSet batch = batch();
    MultiLayerNetwork uninterrupted = spec.build();
    MultiLayerNetwork interrupted = spec.build();
    for (int i = 0; i < 2; i++) {
      uninterrupted.fit(batch);
      interrupted.fit(batch);
    }
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir.resolve("epoch=0-step=2.zip").toUri());
    ModelFiles.save(interrupted, file, new Configuration());
    MultiLayerNetwork resumed = ModelFiles.load(file.toString(), new Configuration());
    assertThat(resumed.getLayerWiseConfigurations().getIterationCount()).isEqualTo(2);
    assertThat(updater(resumed, 0).getLearningRate(2, 0)).isCloseTo(LR * 3 / 4, within(SCHEDULE_TOLERANCE));
    assertThat(appliedRate(resumed, batch)).isCloseTo(LR * 3 / 4, within(LR * MEASURED_RELATIVE_TOLERANCE));
    resumed.fit(batch);
    for (int i = 2; i < 4; i++) {
      uninterrupted.fit(batch);
    }
    assertThat(Arrays.mismatch(resumed.params().data().asFloat(), uninterrupted.params().data().asFloat()))
        .as("first differing parameter").isEqualTo(-1);
  }

  @Test
  void aNegativeOrTooLongWarmupIsRefused() {
    assertThatThrownBy(() -> new NetworkSpec(Architecture.MLP, "tanh", LR, -1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warm-up steps must be >= 0 (0: no warm-up) and at most 5000, got -1");
    assertThatThrownBy(() -> NetworkSpec.of(Architecture.MLP, LR, 1, 1).withWarmupSteps(5001))
        .hasMessage("warm-up steps must be >= 0 (0: no warm-up) and at most 5000, got 5001");
  }

  /**
   * The longest warm-up on VGG-16 (whose configuration's size does not depend on the width multiplier)
   * stays well within what {@link ModelFiles#load} reads.
   */
  @Test
  void theLongestWarmupOfVgg16FitsTheConfigurationLimit() {
    String json = new NetworkSpec(Architecture.VGG16, "relu", LR, NetworkSpec.MAX_WARMUP_STEPS, 1.0 / 16, 1).build()
        .getLayerWiseConfigurations().toJson();
    org.slf4j.LoggerFactory.getLogger(LearningRateWarmupTest.class).info("VGG-16 configuration with {} warm-up steps:"
        + " {} bytes", NetworkSpec.MAX_WARMUP_STEPS, json.length());
    assertThat(json.length()).isLessThan(ModelFiles.MAX_CONFIGURATION_BYTES / 2);
  }
}
