package org.infoplane.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.infoplane.bench.AnalysisBenchmark;
import org.infoplane.config.ResolvedConf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code infoplane benchmark}: the analysis job against a plain Spark scan of the same archive. */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
    description = {"Generates a VGG-16-shaped synthetic archive (once) and measures the analysis job against a plain",
        "Spark scan of every activation; writes a JSON results file. See docs/benchmarks.md."})
public final class BenchmarkCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Working directory (the archive is kept there for re-runs).")
  Path dir;

  @Option(names = "--samples", defaultValue = "1000", description = "Evaluation samples N (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--checkpoints", defaultValue = "5", description = "Checkpoints (default: ${DEFAULT-VALUE}).")
  int checkpoints;

  @Option(names = "--out", defaultValue = "benchmark-analysis.json", description = "Results file (default: ${DEFAULT-VALUE}).")
  Path out;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() throws Exception {
    if (samples < 2 || checkpoints < 1) {
      throw new BadInputException("--samples must be >= 2 and --checkpoints >= 1");
    }
    ResolvedConf conf = confOptions.resolver().resolve();
    Map<String, Object> r = AnalysisBenchmark.run(dir, samples, checkpoints, conf, out);
    r.forEach((k, v) -> spec.commandLine().getOut().println(k + " = " + v));
    spec.commandLine().getOut().println("results written to " + out);
    return 0;
  }
}
