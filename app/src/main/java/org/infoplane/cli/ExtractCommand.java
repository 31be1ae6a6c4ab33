package org.infoplane.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.infoplane.capture.ExtractJob;
import org.infoplane.capture.ImageDataset;
import org.infoplane.capture.TrainingOptions;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infoplane extract}: records the activations of saved models into a new run, one Spark task per model. */
@Command(
    name = "extract",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Loads every saved model (files epoch=E-step=S.zip) of a directory in its own Spark task, computes the",
      "activations of the evaluation sets and writes them, with the metrics, as checkpoints of a new run.",
      "Use the --seed, --eval-samples, --train-samples and --validation-samples of the training run to get the",
      "same evaluation sets and validation split (--validation-samples 0 for models trained before validation splits)."
    })
public final class ExtractCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--archive", required = true, paramLabel = "URI", description = "The snapshot archive (path or URI).")
  String archive;

  @Option(names = "--run", required = true, paramLabel = "RUN", description = "The new run's id.")
  String run;

  @Option(names = "--models", required = true, paramLabel = "DIR", description = "Directory of saved models (path or URI).")
  String models;

  @Mixin DatasetOptions datasetOptions;

  @Option(names = "--eval-samples", defaultValue = "1000", paramLabel = "N",
      description = "Samples per evaluation split (default: ${DEFAULT-VALUE}).")
  int evalSamples;

  @Option(names = "--train-samples", defaultValue = "0", paramLabel = "N",
      description = "The models trained on the first N training images outside the validation split, from which the"
      + " train evaluation split draws (default: all of them).")
  int trainSamples;

  @Option(names = "--validation-samples", defaultValue = "" + TrainingOptions.DEFAULT_VALIDATION_SAMPLES,
      paramLabel = "N", description = "The training run's validation split: N training images drawn from the seed,"
      + " whose loss and accuracy each checkpoint records; 0: none (default: ${DEFAULT-VALUE}).")
  int validationSamples;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Seeds the evaluation sets (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() {
    if (evalSamples < 2) {
      throw new BadInputException("--eval-samples must be >= 2, got " + evalSamples);
    }
    if (trainSamples < 0) {
      throw new BadInputException("--train-samples must be >= 1, got " + trainSamples);
    }
    if (validationSamples < 0) {
      throw new BadInputException("--validation-samples must be >= 0 (0: no validation split), got "
          + validationSamples);
    }
    ImageDataset dataset = datasetOptions.resolve();
    ResolvedConf conf = confOptions.resolver().resolve();
    SparkSession spark = Sessions.create(conf, "InfoPlane extract " + run);
    long t0 = System.nanoTime();
    List<ExtractJob.Done> done;
    try {
      done = new ExtractJob(spark, archive, run, models).run(dataset, trainSamples, validationSamples, evalSamples,
          seed);
    } finally {
      spark.stop();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "%6s %8s %10s %9s %9s %10s %9s %8s%n", "epoch", "step", "loss", "train_acc", "test_acc",
        "val_loss", "val_acc", "seconds");
    for (ExtractJob.Done d : done) {
      out.printf(Locale.ROOT, "%6d %8d %10.4f %9.4f %9.4f %10.4f %9.4f %8.1f%n", d.epoch(), d.step(),
          d.loss(), d.trainAccuracy(), d.testAccuracy(), d.valLoss(), d.valAccuracy(), d.seconds());
    }
    out.printf(Locale.ROOT, "run %s: %d checkpoints extracted in %.1f s%n", run, done.size(), (System.nanoTime() - t0) / 1e9);
    out.flush();
    return 0;
  }
}
