package org.infoplane.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import org.infoplane.warehouse.TableMaintenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infoplane maintain}: Iceberg table maintenance of every InfoPlane table, for operators. */
@Command(
    name = "maintain",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Maintains every table of the InfoPlane namespace with Iceberg's procedures: compacts small data",
      "files, rewrites manifests, expires snapshots older than infoplane.maintenance.retention (keeping",
      "the last infoplane.maintenance.retainLast), removes orphan files older than",
      "infoplane.maintenance.orphans.olderThan. Prints what it did per table, with the metadata size",
      "before and after. Safe while analyses run (see docs/tables.md, \"Table maintenance\")."
    })
public final class MaintainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--warehouse", paramLabel = "URI", description = "Warehouse of the file-based catalog (infoplane.warehouse).")
  String warehouse;

  @Option(names = "--due-only", description = "Only the steps that are due by the thresholds, as after an analysis.")
  boolean dueOnly;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() {
    ResolvedConf conf = confOptions.resolver().option(InfoPlaneConf.WAREHOUSE, warehouse).resolve();
    WarehouseCheck.requireFileWarehouse(conf);
    SparkSession spark = Sessions.create(conf, "InfoPlane maintain");
    try {
      TableMaintenance m = new TableMaintenance(spark, conf);
      if (m.tableNames().isEmpty()) {
        throw new BadInputException("catalog " + conf.get(InfoPlaneConf.CATALOG_NAME) + " (type "
            + conf.get(InfoPlaneConf.CATALOG_TYPE) + ", warehouse '" + conf.get(InfoPlaneConf.WAREHOUSE)
            + "') holds no InfoPlane tables in namespace " + conf.get(InfoPlaneConf.NAMESPACE));
      }
      List<TableMaintenance.TableReport> reports = dueOnly ? m.afterAnalysis() : m.everything();
      PrintWriter out = spec.commandLine().getOut();
      long before = 0;
      long after = 0;
      for (TableMaintenance.TableReport r : reports) {
        out.println(r.describe());
        before += Math.max(0, r.metadataBytesBefore());
        after += Math.max(0, r.metadataBytesAfter());
      }
      if (!dueOnly) {
        out.printf(java.util.Locale.ROOT, "%d tables; metadata %,d -> %,d bytes%n", reports.size(), before, after);
      }
      out.flush();
      return 0;
    } finally {
      spark.stop();
    }
  }
}
