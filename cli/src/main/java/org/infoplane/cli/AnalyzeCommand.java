package org.infoplane.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.infoplane.analysis.AnalysisJob;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infoplane analyze}: the analysis job over an archive, writing the IP tables. */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Analyses every run of an archive: distance matrices, kernel widths, then entropies and mutual",
      "information per (run, split, checkpoint, layer), into Iceberg tables. Only what the tables lack is",
      "computed. Exit status 0 when every unit succeeded, 3 when some failed (see analysis_errors)."
    })
public final class AnalyzeCommand implements Callable<Integer> {

  /** Exit status when the job finished but some units failed. */
  public static final int EXIT_UNITS_FAILED = 3;

  @Spec CommandSpec spec;

  @Option(names = "--archive", required = true, paramLabel = "URI",
      description = "The snapshot archive (a path, file://, hdfs://, s3a://...).")
  String archive;

  @Option(names = "--warehouse", paramLabel = "URI", description = "Warehouse of the file-based catalog (infoplane.warehouse).")
  String warehouse;

  @Option(names = "--fail-fast", description = "Stop at the first failing unit (infoplane.failFast).")
  Boolean failFast;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() {
    ResolvedConf conf = confOptions.resolver()
        .option(InfoPlaneConf.WAREHOUSE, warehouse)
        .option(InfoPlaneConf.FAIL_FAST, failFast)
        .resolve();
    SparkSession spark = Sessions.create(conf, "InfoPlane analyze " + archive);
    try {
      AnalysisJob.Summary s = new AnalysisJob(spark, conf, archive).run();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("analysis %s of %s: %d layer units%n", s.configId(), archive, s.units());
      for (Map.Entry<String, Integer> e : s.computed().entrySet()) {
        int left = s.blocked().getOrDefault(e.getKey(), 0);
        out.printf("  %-22s computed %5d, skipped %5d (already done)%s%n", e.getKey(), e.getValue(),
            s.skipped().get(e.getKey()), left == 0 ? "" : String.format(", left out %5d (failed earlier)", left));
      }
      s.warnings().forEach(w -> out.println("warning: " + w));
      if (!s.ok()) {
        out.printf("%d units or runs failed (see the analysis_errors table):%n", s.errors().size());
        s.errors().stream().limit(20).forEach(e -> out.println("  " + e));
        if (s.errors().size() > 20) {
          out.printf("  ... and %d more%n", s.errors().size() - 20);
        }
      }
      out.flush();
      return s.ok() ? 0 : EXIT_UNITS_FAILED;
    } finally {
      spark.stop();
    }
  }
}
