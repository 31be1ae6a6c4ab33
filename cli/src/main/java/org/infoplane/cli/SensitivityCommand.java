package org.infoplane.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.analysis.SensitivityJob;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.WarehouseReads;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infoplane sensitivity}: an analysed run's plane under other α and kernel widths. */
@Command(
    name = "sensitivity",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Recomputes an analysed run's information plane for every combination of the Renyi order alpha and a",
      "factor on the layers' analysed kernel widths sigma_T (sigma_X and sigma_Y stay), from the stored",
      "distance matrices (a layer that keeps none, infoplane.distances.keep, is read from the run's archive),",
      "into the sensitivity table; then says per combination whether the DPI share",
      "and each layer's verdict changed (views sensitivity_summary, sensitivity_verdicts). The analysis varied",
      "is the one the given settings describe, as for analyze."
    })
public final class SensitivityCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--run", required = true, paramLabel = "RUN", description = "The analysed run.")
  String run;

  @Option(names = "--alpha", split = ",", defaultValue = "1,1.01,2", paramLabel = "A[,A...]",
      description = "Renyi orders (default: ${DEFAULT-VALUE}).")
  List<Double> alphas;

  @Option(names = "--sigma-scale", split = ",", defaultValue = "0.5,1,2", paramLabel = "S[,S...]",
      description = "Factors on the analysed layer widths sigma_T (default: ${DEFAULT-VALUE}).")
  List<Double> scales;

  @Option(names = "--warehouse", paramLabel = "URI", description = "Warehouse of the file-based catalog (infoplane.warehouse).")
  String warehouse;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() {
    ResolvedConf conf = confOptions.resolver().option(InfoPlaneConf.WAREHOUSE, warehouse).resolve();
    SparkSession spark = Sessions.create(conf, "InfoPlane sensitivity " + run);
    try {
      SensitivityJob.Result r = new SensitivityJob(spark, conf).run(run, alphas, scales);
      WarehouseReads reads = new WarehouseReads(spark, new IpTables(spark, conf));
      PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "sensitivity of run %s, analysis %s (alpha %s): %d units x %d combinations%n",
          r.runId(), r.baseConfigId(), r.baseAlpha(), r.units(), r.combinations().size());
      out.printf("%-8s %6s %6s  %-22s %-8s  %s%n", "split", "alpha", "sigma", "DPI share (analysed)", "changed",
          "layers whose verdict changed");
      for (Row s : reads.sensitivitySummary(run, r.baseConfigId())) {
        Boolean changed = s.getAs("dpi_share_changed");
        out.printf(Locale.ROOT, "%-8s %6s %6s  %-22s %-8s  %d of %d %s%n", s.<String>getAs("split"),
            s.<Double>getAs("alpha"), s.<Double>getAs("sigma_scale"),
            share(s, "dpi_share") + " (" + share(s, "base_dpi_share") + ")", changed == null ? "?" : changed ? "yes" : "no",
            s.<Long>getAs("n_layers_changed"), s.<Long>getAs("n_layers"),
            s.getList(s.fieldIndex("layers_changed")));
      }
      out.println("(DPI share: pairs of the chain X -> T1 -> ... without a significant violation (paired t-tests,"
          + " Benjamini-Hochberg q <= infoplane.verdict.level), over all checkpoints; see docs/tables.md)");
      out.flush();
      return 0;
    } finally {
      spark.stop();
    }
  }

  /** A share column of {@code r}, by name, to three decimals; {@code n/a} where it is null. */
  private static String share(Row r, String column) {
    Double v = r.getAs(column);
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }
}
