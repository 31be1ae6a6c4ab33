package org.infoplane.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.infoplane.analysis.AnalysisConfig;
import org.infoplane.experiment.ExperimentDefinition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code infoplane experiment}: runs experiments of {@code experiments/} end to end. For each: trains
 * its runs into {@code DIR/NAME/archive} (a run that exists is resumed, a complete one left alone),
 * analyses the archive into {@code DIR/NAME/warehouse} (what is analysed already is not computed
 * again), and writes the report over its runs.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Trains, analyses and reports experiments defined in experiments/NAME.properties (METHOD.md §8).",
        "Re-running resumes: complete runs are kept, interrupted ones continue, analysed units are not recomputed.",
        "The options below override the definition's sizes (to fit a machine); see docs/reproduction.md."})
public final class ExperimentCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "NAME",
      description = "Experiment names (files experiments/NAME.properties), paths to definitions, or 'all'.")
  List<String> names;

  @Option(names = "--dir", defaultValue = "experiments-output", paramLabel = "URI",
      description = "Where each experiment's archive and warehouse go, under NAME/ (path or URI; default: ${DEFAULT-VALUE}).")
  String dir;

  @Option(names = "--reports", paramLabel = "DIR",
      description = "Local directory for the reports, under NAME/ (default: DIR/NAME/report for a local --dir, else experiment-reports/NAME).")
  Path reports;

  @Option(names = "--definitions", paramLabel = "DIR",
      description = "Directory of the definitions (default: experiments/ of the working directory, else of the installation).")
  Path definitions;

  @Option(names = "--runs", paramLabel = "N", description = "Override: repeated runs.") Integer runs;

  @Option(names = "--epochs", paramLabel = "E", description = "Override: epochs.") Integer epochs;

  @Option(names = "--train-samples", paramLabel = "N", description = "Override: training images (0: all outside the validation split).")
  Integer trainSamples;

  @Option(names = "--validation-samples", paramLabel = "N",
      description = "Override: training images held out as the validation split (0: none, no early stopping).")
  Integer validationSamples;

  @Option(names = "--eval-samples", paramLabel = "N", description = "Override: evaluation samples per split.") Integer evalSamples;

  @Option(names = "--checkpoints-per-epoch", paramLabel = "P", description = "Override: checkpoints per epoch.")
  Integer checkpointsPerEpoch;

  @Option(names = "--width-multiplier", paramLabel = "M", description = "Override (vgg16): width multiplier.")
  Double widthMultiplier;

  @Option(names = "--spark", description = "Train with DL4J Spark on the Spark master (the distributed path).")
  boolean useSpark;

  @Option(names = "--skip-training", description = "Analyse and report what the archive holds; train nothing.")
  boolean skipTraining;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    CommandLine root = spec.root().commandLine();
    List<ExperimentDefinition> todo = new ArrayList<>();
    for (String n : names) {
      if (n.equals("all")) {
        for (String each : List.of("mlp-tanh", "mlp-relu", "cnn", "vgg16")) {
          todo.add(definition(each));
        }
      } else {
        todo.add(definition(n));
      }
    }
    for (ExperimentDefinition d : todo) {
      int code = run(d.with(runs, epochs, trainSamples, validationSamples, evalSamples, checkpointsPerEpoch, widthMultiplier), root, out);
      if (code != 0) {
        return code;
      }
    }
    return 0;
  }

  private int run(ExperimentDefinition d, CommandLine root, PrintWriter out) {
    String base = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
    String archive = local(base) ? Path.of(base, d.name(), "archive").toAbsolutePath().toString() : base + "/" + d.name() + "/archive";
    String warehouse = local(base) ? Path.of(base, d.name(), "warehouse").toAbsolutePath().toString()
        : base + "/" + d.name() + "/warehouse";
    Path report = reports != null ? reports.resolve(d.name())
        : local(base) ? Path.of(base, d.name(), "report") : Path.of("experiment-reports", d.name());
    out.printf(Locale.ROOT, "experiment %s: %s%n  %s, %s, %d runs x %d epochs, %s training images, %s, %d evaluation"
        + " samples per split, %d checkpoints per epoch%s%s%n", d.name(), d.description(), d.model(), d.activation(),
        d.runs(), d.epochs(), d.trainSamples() == 0 ? "all" : "" + d.trainSamples(),
        d.validationSamples() == 0 ? "no validation split" : d.validationSamples() + " held out for validation",
        d.evalSamples(),
        d.checkpointsPerEpoch(), d.model().equals("vgg16") ? ", width multiplier " + d.widthMultiplier() : "",
        d.warmupSteps() > 0 ? ", learning-rate warm-up over " + d.warmupSteps() + " steps" : "");
    out.flush();
    List<String> timings = new ArrayList<>();
    if (!skipTraining) {
      for (int i = 1; i <= d.runs(); i++) {
        List<String> args = d.trainArguments(i, archive);
        if (useSpark) {
          args.add("--spark");
        }
        addConf(args);
        long t0 = System.nanoTime();
        int code = root.execute(args.toArray(String[]::new));
        if (code != 0) {
          return code;
        }
        timings.add(timing("train " + d.runId(i), t0));
      }
    }
    List<String> analyze = new ArrayList<>(List.of("analyze", "--archive", archive, "--warehouse", warehouse));
    addConf(analyze);
    addPreset(analyze);
    long t0 = System.nanoTime();
    int code = root.execute(analyze.toArray(String[]::new));
    if (code != 0) {
      return code;
    }
    timings.add(timing("analyze", t0));
    List<String> rep = new ArrayList<>(List.of("report", "--model", d.model(), "--warehouse", warehouse,
        "--out", report.toString(), "--title", "experiment " + d.name()));
    addConf(rep);
    addPreset(rep);
    // The analysis just made, not the warehouse's most recent one (another preset analysed later).
    rep.add("--config-id");
    rep.add(AnalysisConfig.from(confOptions.resolver().resolve()).configId());
    t0 = System.nanoTime();
    code = root.execute(rep.toArray(String[]::new));
    if (code != 0) {
      return code;
    }
    timings.add(timing("report", t0));
    out.printf("experiment %s done:%n", d.name());
    timings.forEach(t -> out.println("  " + t));
    out.flush();
    return 0;
  }

  private void addConf(List<String> args) {
    if (confOptions.confFile != null) {
      args.add("--conf-file");
      args.add(confOptions.confFile.toString());
    }
    for (String p : confOptions.pairs) {
      args.add("--conf");
      args.add(p);
    }
  }

  /** The analysis settings' preset, for analyze and report (training takes no analysis settings). */
  private void addPreset(List<String> args) {
    if (confOptions.preset != null) {
      args.add("--preset");
      args.add(confOptions.preset);
    }
  }

  private static String timing(String what, long t0) {
    return String.format(Locale.ROOT, "%-24s %8.1f s", what, (System.nanoTime() - t0) / 1e9);
  }

  private static boolean local(String uri) {
    String scheme = URI.create(uri.replace(" ", "%20")).getScheme();
    return scheme == null || scheme.length() == 1 || scheme.equals("file");
  }

  /** A definition by name (experiments/NAME.properties) or by path. */
  private ExperimentDefinition definition(String nameOrPath) {
    Path p = Path.of(nameOrPath);
    if (nameOrPath.endsWith(".properties") && Files.isRegularFile(p)) {
      return ExperimentDefinition.read(p);
    }
    List<Path> dirs = new ArrayList<>();
    if (definitions != null) {
      dirs.add(definitions);
    } else {
      dirs.add(Path.of("experiments"));
      installationExperiments().ifPresent(dirs::add);
    }
    for (Path d : dirs) {
      Path f = d.resolve(nameOrPath + ".properties");
      if (Files.isRegularFile(f)) {
        return ExperimentDefinition.read(f);
      }
    }
    throw new BadInputException("no experiment '" + nameOrPath + "': no file " + nameOrPath + ".properties in "
        + dirs.stream().map(Path::toString).toList());
  }

  /** experiments/ of the installation: the jar or classes directory sits in app/target. */
  private static java.util.Optional<Path> installationExperiments() {
    try {
      Path code = Path.of(ExperimentCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path installRoot = code.getParent() == null ? null : code.getParent().getParent();
      if (installRoot != null && installRoot.getParent() != null) {
        Path e = installRoot.getParent().resolve("experiments");
        return Files.isDirectory(e) ? java.util.Optional.of(e) : java.util.Optional.empty();
      }
    } catch (java.net.URISyntaxException | RuntimeException e) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.empty();
  }
}
