package org.infoplane.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.infoplane.analysis.IpTables;
import org.infoplane.analysis.IpViews;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code infoplane sql}: Spark SQL with the InfoPlane namespace current. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Runs a Spark SQL query with the InfoPlane tables' namespace current, e.g. SELECT * FROM information_plane.")
public final class SqlCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--warehouse", paramLabel = "URI", description = "Warehouse of the file-based catalog (infoplane.warehouse).")
  String warehouse;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json|csv",
      description = "Output format (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--limit", defaultValue = "1000", description = "At most this many rows (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--archive", paramLabel = "URI",
      description = "Also register views over a snapshot archive: snapshot_activations, snapshot_inputs, snapshot_layers.")
  String archive;

  @Parameters(paramLabel = "QUERY", description = "The SQL query.")
  String query;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() {
    String fmt = format.toLowerCase(Locale.ROOT);
    if (!List.of("table", "json", "csv").contains(fmt)) {
      throw new BadInputException("--format must be table, json or csv, got '" + format + "'");
    }
    ResolvedConf conf = confOptions.resolver().option(InfoPlaneConf.WAREHOUSE, warehouse).resolve();
    WarehouseCheck.requireFileWarehouse(conf);
    SparkSession spark = Sessions.create(conf, "InfoPlane sql");
    try {
      IpTables tables = new IpTables(spark, conf);
      WarehouseCheck.requireTables(spark, tables, conf);
      tables.createAll(); // a warehouse of an earlier version gains the newer tables and columns the views read
      IpViews.register(spark, tables);
      spark.sql("USE " + tables.namespace());
      if (archive != null) {
        org.infoplane.snapshot.SnapshotViews.register(spark, archive);
      }
      Dataset<Row> result;
      try {
        result = spark.sql(query);
      } catch (Exception e) { // Spark's AnalysisException is checked in Java's eyes, yet undeclared
        if (e instanceof org.apache.spark.sql.AnalysisException a) {
          throw new BadInputException("query failed: " + a.getSimpleMessage().lines().findFirst().orElse(""));
        }
        throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
      }
      List<Row> rows = result.limit(limit).collectAsList();
      print(result.schema().fields(), rows, fmt);
      return 0;
    } finally {
      spark.stop();
    }
  }

  private void print(StructField[] fields, List<Row> rows, String fmt) {
    PrintWriter out = spec.commandLine().getOut();
    switch (fmt) {
      case "json" -> {
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode arr = mapper.createArrayNode();
        for (Row r : rows) {
          ObjectNode o = arr.addObject();
          for (int i = 0; i < fields.length; i++) {
            Object v = r.get(i);
            if (v == null) {
              o.putNull(fields[i].name());
            } else if (v instanceof Number n && !(v instanceof java.math.BigDecimal)) {
              o.putPOJO(fields[i].name(), n);
            } else if (v instanceof Boolean b) {
              o.put(fields[i].name(), b);
            } else {
              o.put(fields[i].name(), String.valueOf(v));
            }
          }
        }
        try {
          out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException("cannot write JSON", e);
        }
      }
      case "csv" -> {
        StringBuilder h = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
          h.append(i == 0 ? "" : ",").append(csv(fields[i].name()));
        }
        out.println(h);
        for (Row r : rows) {
          StringBuilder b = new StringBuilder();
          for (int i = 0; i < fields.length; i++) {
            b.append(i == 0 ? "" : ",").append(r.isNullAt(i) ? "" : csv(text(r.get(i))));
          }
          out.println(b);
        }
      }
      default -> {
        String[][] cells = new String[rows.size() + 1][fields.length];
        int[] width = new int[fields.length];
        for (int i = 0; i < fields.length; i++) {
          cells[0][i] = fields[i].name();
        }
        for (int k = 0; k < rows.size(); k++) {
          for (int i = 0; i < fields.length; i++) {
            Object v = rows.get(k).get(i);
            cells[k + 1][i] = v == null ? "NULL"
                : v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : text(v);
          }
        }
        for (String[] row : cells) {
          for (int i = 0; i < fields.length; i++) {
            width[i] = Math.max(width[i], row[i].length());
          }
        }
        for (int k = 0; k < cells.length; k++) {
          StringBuilder b = new StringBuilder();
          for (int i = 0; i < fields.length; i++) {
            b.append(i == 0 ? "" : "  ").append(String.format("%-" + width[i] + "s", cells[k][i]));
          }
          out.println(b.toString().stripTrailing());
          if (k == 0) {
            out.println("-".repeat(Math.max(1, b.toString().stripTrailing().length())));
          }
        }
        out.printf("(%d rows)%n", rows.size());
      }
    }
    out.flush();
  }

  /** A value as text; arrays as {@code [a, b]}. */
  private static String text(Object v) {
    return v instanceof scala.collection.Seq<?> seq ? seq.mkString("[", ", ", "]") : String.valueOf(v);
  }

  private static String csv(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
