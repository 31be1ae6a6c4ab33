package org.infoplane.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.NpzImport;
import org.infoplane.snapshot.SnapshotArchive;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code infoplane import}: brings activations recorded elsewhere into a snapshot archive. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = "Imports activations recorded by other tools into a snapshot archive.",
    subcommands = {ImportCommand.Npz.class})
public final class ImportCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a format is required: npz");
  }

  /** {@code infoplane import npz}: one checkpoint from NumPy .npz files (see {@link NpzImport}). */
  @Command(
      name = "npz",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Imports one checkpoint of one split from .npz files into the archive.",
        "Each file: x (N × …), y (N integer labels), optional sample_id (N; default 0…N−1 across the files),",
        "and one float array per layer named L<index>_<name> (N × …), e.g. L0_conv1, L12_fc2.",
        "Several files are consecutive chunks of the samples of the same checkpoint (joined along axis 0).",
        "The first import of a run creates its manifest; a new split is added to it; a split's samples,",
        "x and y are fixed at its first import. An existing checkpoint is refused unless --replace."
      })
  public static final class Npz implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--archive", required = true, paramLabel = "DIR", description = "Archive root (a path or a URI).")
    String archive;

    @Option(names = "--run", required = true, paramLabel = "RUN", description = "Run id.")
    String run;

    @Option(names = "--split", required = true, paramLabel = "SPLIT", description = "Evaluation split, e.g. train or test.")
    String split;

    @Option(names = "--epoch", required = true, paramLabel = "E", description = "Epoch of the checkpoint (>= 0).")
    int epoch;

    @Option(names = "--step", defaultValue = "0", paramLabel = "S",
        description = "Step of the checkpoint (>= 0; default: ${DEFAULT-VALUE}).")
    long step;

    @Option(names = "--steps-per-epoch", paramLabel = "K",
        description = "Training steps per epoch, recorded in the run's manifest: checkpoints imported without --step"
            + " are then at step epoch*K, which the smoothing of widths per training step needs.")
    Long stepsPerEpoch;

    @Option(names = "--model", paramLabel = "M", description = "Model name, recorded in a new run's manifest.")
    String model;

    @Option(names = "--dataset", paramLabel = "D", description = "Dataset name, recorded in a new run's manifest.")
    String dataset;

    @Option(names = "--num-classes", paramLabel = "C",
        description = "Number of classes of a new run (default: largest label + 1).")
    Integer numClasses;

    @Option(names = "--replace", description = "Replace the checkpoint if it exists.")
    boolean replace;

    @Parameters(arity = "1..*", paramLabel = "FILE.npz", description = "Files of the checkpoint, in sample order.")
    List<Path> files;

    @Override
    public Integer call() {
      NpzImport.Request req = new NpzImport.Request(run, split, new CheckpointId(epoch, step), model, dataset,
          numClasses, replace, files, stepsPerEpoch);
      NpzImport.Result r = NpzImport.run(SnapshotArchive.open(archive, new Configuration()), req);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("imported run %s, split %s, %s: %d samples, %d layers%s%s%s%n", r.runId(), r.split(), r.checkpoint(),
          r.samples(), r.layers(), r.createdRun() ? " (new run)" : r.addedSplit() ? " (new split)" : "",
          r.wroteInputs() && !r.createdRun() && !r.addedSplit() ? " (inputs written)" : "",
          r.replacedCheckpoint() ? " (replaced the checkpoint)" : "");
      out.flush();
      return 0;
    }
  }
}
