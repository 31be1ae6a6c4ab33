package org.infoplane.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.infoplane.analysis.VerdictJob;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infoplane verdicts}: the verdict tables computed again, e.g. at another level or patience. */
@Command(
    name = "verdicts",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Computes the verdict tables (dpi_tests, phase_tests, early_stopping, split_tests, split_fall_tests) again",
      "from the stored per-batch values, at the current infoplane.verdict.level and infoplane.verdict.patience:",
      "analyze computes them whenever the plane changes; run this after changing those settings. No activation",
      "is read. split_fall_tests says per layer whether I(X;T) falls more on the train split than on the test",
      "split, at one peak and trough chosen for both."
    })
public final class VerdictsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--config-id", paramLabel = "ID",
      description = "Only this analysis configuration (default: every configuration in the warehouse).")
  String configId;

  @Option(names = "--warehouse", paramLabel = "URI", description = "Warehouse of the file-based catalog (infoplane.warehouse).")
  String warehouse;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() {
    ResolvedConf conf = confOptions.resolver().option(InfoPlaneConf.WAREHOUSE, warehouse).resolve();
    SparkSession spark = Sessions.create(conf, "InfoPlane verdicts");
    try {
      VerdictJob.Summary s = new VerdictJob(spark, conf).run(configId);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("verdicts at level %s, patience %s: %d experiments, %d DPI tests, %d phase verdicts,"
          + " %d early-stopping rows, %d split-fall comparisons%n", conf.get(InfoPlaneConf.VERDICT_LEVEL),
          conf.get(InfoPlaneConf.VERDICT_PATIENCE), s.experiments(), s.dpiRows(), s.phaseRows(), s.stopRows(),
          s.splitFallRows());
      out.flush();
      return 0;
    } finally {
      spark.stop();
    }
  }
}
