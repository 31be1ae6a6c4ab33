package org.infoplane.capture;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.RampSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * A network to train: the architecture and its hyper-parameters. Builds an initialised DL4J
 * {@link MultiLayerNetwork} (float32, SGD, softmax output with multi-class cross-entropy).
 *
 * <p>Learning-rate warm-up: with {@code warmupSteps} N &gt; 0 the SGD learning rate rises linearly over
 * the first N steps and stays at {@code learningRate} (η) after them. Step i (counted from 0, DL4J's
 * iteration count before the step) uses
 *
 * <pre>  η_i = η · (i + 1) / N   for i &lt; N,     η_i = η   for i ≥ N,</pre>
 *
 * <p>so the first step uses η / N and step N − 1 the full η: ND4J's {@link RampSchedule} over a
 * {@link FixedSchedule}. Its values are stored as a {@link MapSchedule} (one entry per warm-up step),
 * because ND4J 1.0.0-M2.1 writes a {@code RampSchedule} into a saved model's configuration without its
 * fields and cannot read it back. The schedule follows the network's iteration count, which DL4J keeps
 * in the configuration saved with each model: a run resumed from a saved model continues the warm-up
 * where it stopped. N = 0 (no warm-up) builds the plain fixed-rate {@link Sgd} of earlier runs.
 *
 * @param activation hidden activation: {@code tanh} or {@code relu}
 * @param learningRate SGD learning rate η (the paper: 0.09), reached after the warm-up
 * @param warmupSteps N, the SGD steps of the linear learning-rate warm-up; 0 for none (the paper has none), at
 *     most {@link #MAX_WARMUP_STEPS}
 * @param widthMultiplier scales VGG-16's channels and dense widths (1 = the paper's network); other
 *     architectures ignore it
 * @param seed seeds the weight initialisation
 */
public record NetworkSpec(Architecture architecture, String activation, double learningRate, int warmupSteps,
    double widthMultiplier, long seed) {

  /** The image side of the datasets (28×28). */
  public static final int SIDE = 28;
  /** VGG-16's zero-padded input side. */
  public static final int VGG_SIDE = 32;
  /** Retain probability of VGG-16's dropout (DL4J's convention: the probability to keep a unit). */
  public static final double VGG_RETAIN = 0.5;

  private static final int[][] VGG_BLOCKS = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
  private static final int VGG_DENSE = 4096;

  /**
   * The longest warm-up: its schedule is written into every saved model's configuration, once per layer
   * with parameters (about 1 KB per warm-up step for VGG-16's 29 such layers: 5 MB at 5,000 steps), and
   * {@link ModelFiles#load} reads at most 16 MiB of configuration. 5,000 steps are 10 epochs of the
   * paper's 500 steps.
   */
  public static final int MAX_WARMUP_STEPS = 5_000;

  public NetworkSpec {
    Objects.requireNonNull(architecture, "architecture");
    activation = activation.toLowerCase(Locale.ROOT);
    if (!activation.equals("tanh") && !activation.equals("relu")) {
      throw new IllegalArgumentException("activation must be tanh or relu, got '" + activation + "'");
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
    }
    String warmup = warmupStepsProblem("warm-up steps", warmupSteps);
    if (warmup != null) {
      throw new IllegalArgumentException(warmup);
    }
    if (!(widthMultiplier > 0) || widthMultiplier > 16) {
      throw new IllegalArgumentException("width multiplier must be in (0, 16], got " + widthMultiplier);
    }
  }

  /**
   * What is wrong with a warm-up length, named as its source names it ({@code --warmup-steps}, the
   * definition key {@code warmup-steps}), or null: the one range check of every place that takes one.
   */
  public static String warmupStepsProblem(String name, int steps) {
    return steps < 0 || steps > MAX_WARMUP_STEPS
        ? name + " must be >= 0 (0: no warm-up) and at most " + MAX_WARMUP_STEPS + ", got " + steps : null;
  }

  /** The spec without learning-rate warm-up. */
  public NetworkSpec(Architecture architecture, String activation, double learningRate, double widthMultiplier,
      long seed) {
    this(architecture, activation, learningRate, 0, widthMultiplier, seed);
  }

  /** The spec with the architecture's default activation, without warm-up. */
  public static NetworkSpec of(Architecture architecture, double learningRate, double widthMultiplier, long seed) {
    return new NetworkSpec(architecture, architecture.defaultActivation(), learningRate, widthMultiplier, seed);
  }

  /** This spec with a warm-up of {@code steps} SGD steps (0: none). */
  public NetworkSpec withWarmupSteps(int steps) {
    return new NetworkSpec(architecture, activation, learningRate, steps, widthMultiplier, seed);
  }

  /**
   * The SGD updater: the fixed learning rate, or with a warm-up the schedule of the class comment (a
   * {@link MapSchedule} over iterations holding {@link RampSchedule}'s values at steps 0 to N − 1; past
   * its last key a {@code MapSchedule} keeps the last value, η).
   */
  Sgd updater() {
    if (warmupSteps == 0) {
      return new Sgd(learningRate);
    }
    ISchedule ramp = new RampSchedule(new FixedSchedule(learningRate), warmupSteps);
    Map<Integer, Double> values = new LinkedHashMap<>();
    for (int i = 0; i < warmupSteps; i++) {
      values.put(i, ramp.valueAt(i, 0));
    }
    return new Sgd(new MapSchedule(ScheduleType.ITERATION, values));
  }

  /** Builds and initialises the network. */
  public MultiLayerNetwork build() {
    Activation act = activation.equals("tanh") ? Activation.TANH : Activation.RELU;
    WeightInit init = activation.equals("tanh") ? WeightInit.XAVIER : WeightInit.RELU;
    NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .updater(updater())
        .weightInit(init)
        .list();
    switch (architecture) {
      case MLP -> {
        for (int width : new int[] {1024, 20, 20, 20}) {
          b.layer(new DenseLayer.Builder().nOut(width).activation(act).build());
          b.layer(new BatchNormalization.Builder().build());
        }
        b.layer(softmax());
        b.setInputType(InputType.feedForward((long) SIDE * SIDE));
      }
      case CNN -> {
        b.layer(conv(4, act));
        b.layer(conv(8, act));
        b.layer(maxPool());
        b.layer(conv(16, act));
        b.layer(maxPool());
        b.layer(new DenseLayer.Builder().nOut(256).activation(act).build());
        b.layer(softmax());
        b.setInputType(InputType.convolutionalFlat(SIDE, SIDE, 1));
      }
      case VGG16 -> {
        int pad = (VGG_SIDE - SIDE) / 2;
        b.layer(new ZeroPaddingLayer.Builder(pad, pad).build());
        for (int[] block : VGG_BLOCKS) {
          for (int channels : block) {
            // The authors' block order (their published VGG16): conv -> BatchNorm -> activation.
            b.layer(conv(scaled(channels), Activation.IDENTITY));
            b.layer(new BatchNormalization.Builder().build());
            b.layer(new ActivationLayer.Builder().activation(act).build());
          }
          b.layer(maxPool());
        }
        b.layer(new DenseLayer.Builder().nOut(scaled(VGG_DENSE)).activation(act).build());
        // DL4J applies a layer's dropout to its input: these two drop the outputs of the dense layers.
        b.layer(new DenseLayer.Builder().nOut(scaled(VGG_DENSE)).activation(act).dropOut(VGG_RETAIN).build());
        b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(ImageDataset.NUM_CLASSES)
            .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).dropOut(VGG_RETAIN).build());
        b.setInputType(InputType.convolutionalFlat(SIDE, SIDE, 1));
      }
      default -> throw new IllegalStateException("unhandled architecture " + architecture);
    }
    MultiLayerNetwork net = new MultiLayerNetwork(b.build());
    net.init();
    return net;
  }

  /** A width times the multiplier, at least 1. */
  int scaled(int width) {
    return Math.max(1, (int) Math.round(width * widthMultiplier));
  }

  private static ConvolutionLayer conv(int channels, Activation act) {
    return new ConvolutionLayer.Builder(3, 3).nOut(channels).stride(1, 1)
        .convolutionMode(ConvolutionMode.Same).activation(act).build();
  }

  private static SubsamplingLayer maxPool() {
    return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
  }

  private static OutputLayer softmax() {
    return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(ImageDataset.NUM_CLASSES)
        .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build();
  }
}
