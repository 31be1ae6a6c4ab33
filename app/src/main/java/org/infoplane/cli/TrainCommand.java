package org.infoplane.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.infoplane.capture.Architecture;
import org.infoplane.capture.CheckpointRecorder;
import org.infoplane.capture.ImageDataset;
import org.infoplane.capture.NetworkSpec;
import org.infoplane.capture.TrainingOptions;
import org.infoplane.capture.TrainingRun;
import org.infoplane.capture.TrainingSplit;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.RunManifest;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.spark.Sessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infoplane train}: trains a network and records its activations into a new run. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Trains an MLP, a small CNN or VGG-16 (DL4J) and records, at step 0 and after every epoch (or every K",
      "steps), the activations of fixed evaluation sets of the training and test images, the model and the",
      "metrics (with the loss and accuracy of a validation split held out of the training images) into a new",
      "run of a snapshot archive. See docs/training.md."
    })
public final class TrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "MODEL", description = "mlp, cnn or vgg16.")
  String model;

  @Mixin DatasetOptions datasetOptions;

  @Option(names = "--epochs", required = true, paramLabel = "E", description = "Epochs to train.")
  int epochs;

  @Option(names = "--archive", required = true, paramLabel = "URI", description = "The snapshot archive (path or URI).")
  String archive;

  @Option(names = "--run", required = true, paramLabel = "RUN", description = "The new run's id.")
  String run;

  @Option(names = "--eval-samples", defaultValue = "1000", paramLabel = "N",
      description = "Samples per evaluation split (default: ${DEFAULT-VALUE}).")
  int evalSamples;

  @Option(names = "--every-steps", defaultValue = "0", paramLabel = "K",
      description = "Record every K SGD steps instead of at the end of every epoch.")
  int everySteps;

  @Option(names = "--checkpoints-per-epoch", defaultValue = "0", paramLabel = "P",
      description = "Record P times per epoch, evenly (P must divide the steps per epoch; instead of --every-steps).")
  int checkpointsPerEpoch;

  @Option(names = "--resume", description = "Continue the run from its last complete checkpoint if it exists"
      + " (same options); a complete run is left as it is.")
  boolean resume;

  @Option(names = "--train-samples", defaultValue = "0", paramLabel = "N",
      description = "Train on the first N training images outside the validation split (default: all of them).")
  int trainSamples;

  @Option(names = "--validation-samples", defaultValue = "" + TrainingOptions.DEFAULT_VALIDATION_SAMPLES,
      paramLabel = "N", description = "Training images held out as the validation split, drawn from the seed and"
      + " never trained on; its loss and accuracy are recorded at every checkpoint. 0: none, and then no early"
      + " stopping (default: ${DEFAULT-VALUE}).")
  int validationSamples;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "S",
      description = "Seeds evaluation sets, initialisation and shuffling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--activation", paramLabel = "ACT",
      description = "Hidden activation, tanh or relu (default: tanh for mlp, relu for cnn and vgg16).")
  String activation;

  @Option(names = "--learning-rate", defaultValue = "0.09", paramLabel = "LR", description = "SGD learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--warmup-steps", defaultValue = "0", paramLabel = "N",
      description = "Linear learning-rate warm-up over the first N SGD steps: step i (from 0) uses LR*(i+1)/N,"
      + " then LR; recorded in the run's manifest (default: ${DEFAULT-VALUE}, none).")
  int warmupSteps;

  @Option(names = "--batch-size", defaultValue = "100", paramLabel = "B", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--width-multiplier", defaultValue = "1", paramLabel = "M",
      description = "VGG-16 only: scales every channel count and dense width (default: ${DEFAULT-VALUE}).")
  double widthMultiplier;

  @Option(names = "--spark", description = "Train with DL4J Spark (parameter averaging) on the Spark master.")
  boolean useSpark;

  @Option(names = "--averaging-frequency", defaultValue = "5", paramLabel = "K",
      description = "With --spark: steps per worker between parameter averagings (default: ${DEFAULT-VALUE}).")
  int averagingFrequency;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() {
    Architecture arch = Architecture.parse(model);
    String warmup = NetworkSpec.warmupStepsProblem("--warmup-steps", warmupSteps);
    if (warmup != null) {
      throw new BadInputException(warmup);
    }
    NetworkSpec net = new NetworkSpec(arch, activation == null ? arch.defaultActivation() : activation, learningRate,
        warmupSteps, widthMultiplier, seed);
    ImageDataset dataset = datasetOptions.resolve();
    if (validationSamples < 0) {
      throw new BadInputException("--validation-samples must be >= 0 (0: no validation split), got "
          + validationSamples);
    }
    PrintWriter out = spec.commandLine().getOut();
    SparkSession spark = null;
    SnapshotArchive store;
    if (useSpark) {
      ResolvedConf conf = confOptions.resolver().resolve();
      spark = Sessions.create(conf, "InfoPlane train " + run);
      store = SnapshotArchive.open(archive, spark.sparkContext().hadoopConfiguration());
    } else {
      store = SnapshotArchive.open(archive, new Configuration());
    }
    long t0 = System.nanoTime();
    try {
      // A resumed run made before validation splits continues without one: its epochs are as long as they were.
      int validation = TrainingRun.validationSamples(store, run, validationSamples, resume);
      int k = everySteps;
      if (checkpointsPerEpoch != 0) {
        k = everyStepsFor(checkpointsPerEpoch, everySteps,
            trainSamples == 0 ? Math.max(1, dataset.train().count() - validation) : trainSamples, batchSize);
      }
      TrainingOptions options = new TrainingOptions(net, epochs, batchSize, k, trainSamples, validation, evalSamples,
          seed, averagingFrequency);
      if (new TrainingRun(options, dataset, store, run).run(spark, new Printer(out), resume).isEmpty() && resume) {
        out.printf("run %s is complete already: nothing to train%n", run);
      }
    } finally {
      if (spark != null) {
        spark.stop();
      }
    }
    out.printf(Locale.ROOT, "run %s done in %.1f s%n", run, (System.nanoTime() - t0) / 1e9);
    out.flush();
    return 0;
  }

  /** The steps between checkpoints that record {@code perEpoch} times per epoch, evenly. */
  static int everyStepsFor(int perEpoch, int everySteps, int trainImages, int batchSize) {
    if (everySteps != 0) {
      throw new BadInputException("give --checkpoints-per-epoch or --every-steps, not both");
    }
    if (perEpoch < 1) {
      throw new BadInputException("--checkpoints-per-epoch must be >= 1, got " + perEpoch);
    }
    int steps = (trainImages + batchSize - 1) / batchSize;
    if (steps % perEpoch != 0) {
      throw new BadInputException("--checkpoints-per-epoch " + perEpoch + " does not divide the " + steps
          + " steps of an epoch (" + trainImages + " images in batches of " + batchSize + ")");
    }
    return steps / perEpoch;
  }

  /** The command's progress lines. */
  private static final class Printer implements TrainingRun.Progress {
    private final PrintWriter out;

    Printer(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void started(RunManifest m, long bytesPerCheckpoint, int checkpoints) {
      out.printf(Locale.ROOT, "run %s: %s on %s, %d recorded layers, evaluation sets %s%n", m.runId(), m.model(),
          m.dataset(), m.layers().size(), describeSplits(m));
      for (LayerInfo l : m.layers()) {
        out.printf(Locale.ROOT, "  layer %2d %-8s %-6s %s%n", l.index(), l.name(), l.kind(),
            Arrays.toString(l.shape()));
      }
      out.printf(Locale.ROOT, "projected archive size: %s per checkpoint x %d checkpoints = %s "
          + "(float32 activations and model parameters, before compression)%n",
          bytes(bytesPerCheckpoint), checkpoints, bytes(bytesPerCheckpoint * checkpoints));
      out.printf(Locale.ROOT, "%6s %8s %10s %9s %9s %10s %10s %9s %10s %8s%n", "epoch", "step", "loss", "train_acc",
          "test_acc", "test_loss", "val_loss", "val_acc", "written", "seconds");
      out.flush();
    }

    @Override
    public void checkpoint(CheckpointRecorder.Report r) {
      out.printf(Locale.ROOT, "%6d %8d %10.4f %9.4f %9.4f %10.4f %10s %9s %10s %8.1f%n", r.checkpoint().epoch(),
          r.checkpoint().step(), r.loss(), r.trainAccuracy(), r.testAccuracy(), r.testLoss(), cell(r.valLoss(), 10),
          cell(r.valAccuracy(), 9), bytes(r.bytes()), r.seconds());
      out.flush();
    }

    /** A metric with 4 decimals, or "-" when not measured (a run without a validation split). */
    private static String cell(double v, int width) {
      return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%" + width + ".4f", v).strip();
    }

    private static String describeSplits(RunManifest m) {
      StringBuilder sb = new StringBuilder();
      m.splitSampleIds().forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(v.length));
      String v = m.properties().getOrDefault(TrainingSplit.VALIDATION_SAMPLES, "0");
      sb.append("; validation split ").append(v.equals("0") ? "none (no early stopping)" : v + " held-out training images");
      return sb.toString();
    }
  }

  /** Bytes in binary units. */
  static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
