package org.infoplane.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.report.Report;
import org.infoplane.spark.Sessions;
import org.infoplane.warehouse.IpTables;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infoplane report}: the figures and page of one run, or of every run of one model. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Writes the information plane (PNG and SVG), I(X;T) and I(T;Y) over training, the kernel widths,",
        "the training curves and an HTML page holding them with the run's tables, into --out."})
public final class ReportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  static final class Target {
    @Option(names = "--run", paramLabel = "RUN", description = "Report this run.")
    String run;

    @Option(names = "--model", paramLabel = "MODEL",
        description = "Report every run of this model side by side, with their mean and spread.")
    String model;
  }

  @ArgGroup(exclusive = true, multiplicity = "1") Target target;

  @Option(names = "--warehouse", paramLabel = "URI", description = "Warehouse of the file-based catalog (infoplane.warehouse).")
  String warehouse;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: report-RUN or report-MODEL).")
  Path out;

  @Option(names = "--config-id", paramLabel = "ID",
      description = "Analysis configuration to report (default: the run's most recent).")
  String configId;

  @Option(names = "--title", paramLabel = "TEXT",
      description = "The name the figures and the page give the report (default: run RUN or model MODEL).")
  String title;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() {
    ResolvedConf conf = confOptions.resolver().option(InfoPlaneConf.WAREHOUSE, warehouse).resolve();
    String name = target.run != null ? target.run : target.model;
    Path dir = out != null ? out : Path.of("report-" + name.replaceAll("[^A-Za-z0-9._-]", "_"));
    System.setProperty("java.awt.headless", "true");
    WarehouseCheck.requireFileWarehouse(conf);
    SparkSession spark = Sessions.create(conf, "InfoPlane report");
    try {
      IpTables tables = new IpTables(spark, conf);
      WarehouseCheck.requireTables(tables, conf);
      tables.createAll(); // a warehouse of an earlier version gains the newer tables and columns the views read
      Report report = new Report(spark, tables);
      Report.Written w;
      try {
        w = target.run != null ? report.writeRun(target.run, configId, dir, title)
            : report.writeModel(target.model, configId, dir, title);
      } catch (Report.NoSuchDataException e) {
        throw new BadInputException(e.getMessage());
      }
      PrintWriter pw = spec.commandLine().getOut();
      pw.printf("wrote %d files; open %s%n", w.files().size(), w.dir().resolve("index.html").toAbsolutePath());
      pw.flush();
      return 0;
    } finally {
      spark.stop();
    }
  }
}
