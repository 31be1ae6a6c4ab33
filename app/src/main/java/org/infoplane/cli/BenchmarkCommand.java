package org.infoplane.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.infoplane.bench.AnalysisBenchmark;
import org.infoplane.bench.MaintenanceBenchmark;
import org.infoplane.bench.ManyUnitsBenchmark;
import org.infoplane.config.ResolvedConf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code infoplane benchmark}: the analysis job against a plain Spark scan of the same archive
 * ({@code --case scan}), or many small units against the same arithmetic in one process
 * ({@code --case many-units}).
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
    description = {"Measures the analysis job on a synthetic archive (generated once) and writes a JSON results file.",
        "--case scan: a VGG-16-shaped archive, the job against a plain Spark scan of every activation.",
        "--case many-units: K units of 100 samples (10 dense layers of 32), the job against the same arithmetic",
        "in one process without Spark.",
        "--case maintenance: --analyses small analyses (10 units each) into one warehouse with table maintenance",
        "after each analysis and into another without, alternating: per-analysis time and metadata size",
        "(--modes on or off runs one of the two, for two processes side by side; --resume goes on after a stop).",
        "See docs/benchmarks.md."})
public final class BenchmarkCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Working directory (the archive is kept there for re-runs).")
  Path dir;

  @Option(names = "--case", defaultValue = "scan", description = "scan, many-units or maintenance (default: ${DEFAULT-VALUE}).")
  String benchmarkCase;

  @Option(names = "--units", defaultValue = "1000",
      description = "many-units: units K, a multiple of 10 (default: ${DEFAULT-VALUE}).")
  int units;

  @Option(names = "--prior-analyses", defaultValue = "0",
      description = "many-units: analyses of other small archives into the same warehouse before the measured one"
          + " (default: ${DEFAULT-VALUE}).")
  int priorAnalyses;

  @Option(names = "--analyses", defaultValue = "1000",
      description = "maintenance: analyses per mode (default: ${DEFAULT-VALUE}).")
  int analyses;

  @Option(names = "--modes", defaultValue = "on,off", split = ",",
      description = "maintenance: the modes, alternating: on, off or both (default: ${DEFAULT-VALUE}).")
  List<String> modes;

  @Option(names = "--resume",
      description = "maintenance: go on from the analyses that the results' .jsonl records, into the same warehouses"
          + " under --dir.")
  boolean resume;

  @Option(names = "--samples", defaultValue = "1000", description = "scan: evaluation samples N (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--checkpoints", defaultValue = "5", description = "scan: checkpoints (default: ${DEFAULT-VALUE}).")
  int checkpoints;

  @Option(names = "--out", defaultValue = "benchmark-analysis.json", description = "Results file (default: ${DEFAULT-VALUE}).")
  Path out;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() throws Exception {
    if (samples < 2 || checkpoints < 1) {
      throw new BadInputException("--samples must be >= 2 and --checkpoints >= 1");
    }
    if (resume && !benchmarkCase.equals("maintenance")) {
      throw new BadInputException("--resume is for --case maintenance, got --case " + benchmarkCase);
    }
    if (!List.of("scan", "many-units", "maintenance").contains(benchmarkCase)) {
      throw new BadInputException("--case must be scan, many-units or maintenance, got '" + benchmarkCase + "'");
    }
    if (analyses < 1) {
      throw new BadInputException("--analyses must be >= 1, got " + analyses);
    }
    if (modes.isEmpty() || !List.of("on", "off").containsAll(modes) || modes.stream().distinct().count() != modes.size()) {
      throw new BadInputException("--modes must be on, off or on,off, got '" + String.join(",", modes) + "'");
    }
    if (priorAnalyses < 0) {
      throw new BadInputException("--prior-analyses must be >= 0, got " + priorAnalyses);
    }
    if (units < 10 || units % 10 != 0) {
      throw new BadInputException("--units must be a positive multiple of 10, got " + units);
    }
    ResolvedConf conf = confOptions.resolver().resolve();
    Map<String, Object> r = switch (benchmarkCase) {
      case "scan" -> AnalysisBenchmark.run(dir, samples, checkpoints, conf, out);
      case "many-units" -> ManyUnitsBenchmark.run(dir, units, priorAnalyses, conf, out);
      default -> MaintenanceBenchmark.run(dir, analyses, modes.contains("on"), modes.contains("off"), resume, conf, out);
    };
    r.forEach((k, v) -> spec.commandLine().getOut().println(k + " = " + v));
    spec.commandLine().getOut().println("results written to " + out);
    return 0;
  }
}
