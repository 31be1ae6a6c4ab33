package org.infoplane.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.NpzDirectoryImport;
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

  /**
   * {@code infoplane import npz}: an export directory (see {@link NpzDirectoryImport}), or one
   * checkpoint from NumPy .npz files (see {@link NpzImport}).
   */
  @Command(
      name = "npz",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Imports an export directory (every checkpoint and split, with the training metrics) or one checkpoint",
        "of one split from .npz files into the archive.",
        "",
        "A directory DIR (written by the Python package infoplane, see python/README.md): give --archive, --run",
        "and DIR only. Checkpoints the archive holds with the same content are skipped; different content is",
        "refused unless --replace. --model, --dataset and --num-classes default to DIR/export.json's.",
        "",
        "Files (one checkpoint of one split): give --split and --epoch (and --step).",
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

    @Option(names = "--split", paramLabel = "SPLIT",
        description = "Evaluation split of the files, e.g. train or test (not with a directory).")
    String split;

    @Option(names = "--epoch", paramLabel = "E", description = "Epoch of the files' checkpoint (>= 0; not with a directory).")
    Integer epoch;

    @Option(names = "--step", paramLabel = "S",
        description = "Step of the files' checkpoint (>= 0; default: 0; not with a directory).")
    Long step;

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

    @Option(names = "--replace", description = "Replace checkpoints (and metrics) the archive holds with other content.")
    boolean replace;

    @Parameters(arity = "1..*", paramLabel = "DIR | FILE.npz",
        description = "An export directory, or the files of one checkpoint in sample order.")
    List<Path> files;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (files.size() == 1 && Files.isDirectory(files.get(0))) {
        if (split != null || epoch != null || step != null || stepsPerEpoch != null) {
          throw new BadInputException("--split, --epoch, --step and --steps-per-epoch are for .npz files; "
              + files.get(0) + " is a directory: its checkpoint.json files give each checkpoint's splits, epoch and"
              + " step");
        }
        return importDirectory(out, files.get(0));
      }
      if (split == null || epoch == null) {
        throw new BadInputException("give --split and --epoch with .npz files (or one export directory instead of files)");
      }
      NpzImport.Request req = new NpzImport.Request(run, split, new CheckpointId(epoch, step == null ? 0 : step),
          model, dataset, numClasses, replace, files, stepsPerEpoch);
      NpzImport.Result r = NpzImport.run(SnapshotArchive.open(archive, new Configuration()), req);
      out.printf("imported run %s, split %s, %s: %d samples, %d layers%s%s%s%n", r.runId(), r.split(), r.checkpoint(),
          r.samples(), r.layers(), r.createdRun() ? " (new run)" : r.addedSplit() ? " (new split)" : "",
          r.wroteInputs() && !r.createdRun() && !r.addedSplit() ? " (inputs written)" : "",
          r.replacedCheckpoint() ? " (replaced the checkpoint)" : "");
      out.flush();
      return 0;
    }

    private int importDirectory(PrintWriter out, Path dir) {
      NpzDirectoryImport.Request req = new NpzDirectoryImport.Request(run, dir, model, dataset, numClasses, replace);
      NpzDirectoryImport.Result r = NpzDirectoryImport.run(SnapshotArchive.open(archive, new Configuration()), req,
          (done, total, message) -> {
            out.printf("[%d/%d] %s%n", done, total, message);
            out.flush();
          });
      out.printf("run %s%s: %d checkpoints; %d checkpoint splits imported, %d replaced, %d already there; "
              + "%d metrics files written%n", r.runId(), r.createdRun() ? " (new run)" : "", r.checkpoints(),
          r.imported(), r.replaced(), r.skipped(), r.metricsWritten());
      out.flush();
      return 0;
    }
  }
}
