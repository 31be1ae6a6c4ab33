package org.infoplane.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.WarehouseReads;
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

  @Option(names = "--limit", paramLabel = "N", description = "At most N rows (default: every row with csv and json;"
      + " the first " + TABLE_ROWS + " with table, which says when there are more).")
  Integer limit;

  /** The rows the table format shows unless {@code --limit} is given. */
  static final int TABLE_ROWS = 1000;

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);

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
    if (limit != null && limit < 0) {
      throw new BadInputException("--limit must be >= 0, got " + limit);
    }
    ResolvedConf conf = confOptions.resolver().option(InfoPlaneConf.WAREHOUSE, warehouse).resolve();
    WarehouseCheck.requireFileWarehouse(conf);
    SparkSession spark = Sessions.create(conf, "InfoPlane sql");
    try {
      IpTables tables = new IpTables(spark, conf);
      WarehouseCheck.requireTables(tables, conf);
      new WarehouseReads(spark, tables).prepareForUserQueries();
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
      print(result, fmt);
      return 0;
    } finally {
      spark.stop();
    }
  }

  /**
   * Writes the result: csv and json every row (or {@code --limit}), streamed partition by partition
   * rather than collected; the table the first {@link #TABLE_ROWS} (or {@code --limit}), saying when
   * more follow.
   */
  private void print(Dataset<Row> result, String fmt) {
    PrintWriter out = spec.commandLine().getOut();
    StructField[] fields = result.schema().fields();
    Iterator<Row> rows = fmt.equals("table") ? null : (limit == null ? result : result.limit(limit)).toLocalIterator();
    switch (fmt) {
      case "json" -> {
        try {
          JsonGenerator g = JSON.getFactory().createGenerator(out);
          g.setPrettyPrinter(new DefaultPrettyPrinter());
          g.writeStartArray();
          while (rows.hasNext()) {
            JSON.writeTree(g, json(rows.next(), result.schema()));
          }
          g.writeEndArray();
          g.flush();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write JSON", e);
        }
        out.println();
      }
      case "csv" -> {
        StringBuilder h = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
          h.append(i == 0 ? "" : ",").append(csv(fields[i].name()));
        }
        out.println(h);
        while (rows.hasNext()) {
          Row r = rows.next();
          StringBuilder b = new StringBuilder();
          for (int i = 0; i < fields.length; i++) {
            b.append(i == 0 ? "" : ",").append(r.isNullAt(i) ? "" : csv(text(r.get(i), fields[i].dataType())));
          }
          out.println(b);
        }
      }
      default -> {
        int shown = limit == null ? TABLE_ROWS : limit;
        List<Row> taken = result.limit(limit == null ? TABLE_ROWS + 1 : limit).collectAsList();
        boolean more = taken.size() > shown;
        List<Row> table = more ? taken.subList(0, shown) : taken;
        String[][] cells = new String[table.size() + 1][fields.length];
        int[] width = new int[fields.length];
        for (int i = 0; i < fields.length; i++) {
          cells[0][i] = fields[i].name();
        }
        for (int k = 0; k < table.size(); k++) {
          for (int i = 0; i < fields.length; i++) {
            Object v = table.get(k).get(i);
            cells[k + 1][i] = v == null ? "NULL"
                : v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : text(v, fields[i].dataType());
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
        out.println(more ? "(the first " + shown + " rows; more follow: give --limit N to see N, or --format csv|json"
            + " for all)" : "(" + table.size() + " rows)");
      }
    }
    out.flush();
  }

  /**
   * A row as a JSON object. Values by type: numbers and booleans as such (decimals as text, to keep
   * every digit; NaN and infinities as the strings Jackson writes), arrays, structs and maps nested
   * (map keys as text), binary as base64, anything else (strings, dates, timestamps) as its text.
   */
  static ObjectNode json(Row row, StructType schema) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      o.set(fields[i].name(), json(row.get(i), fields[i].dataType()));
    }
    return o;
  }

  private static JsonNode json(Object v, DataType type) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v == null) {
      return f.nullNode();
    }
    if (type instanceof StructType st) {
      return json((Row) v, st);
    }
    if (type instanceof ArrayType at) {
      ArrayNode a = f.arrayNode();
      for (scala.collection.Iterator<?> it = ((scala.collection.Iterable<?>) v).iterator(); it.hasNext();) {
        a.add(json(it.next(), at.elementType()));
      }
      return a;
    }
    if (type instanceof MapType mt) {
      ObjectNode o = f.objectNode();
      for (scala.collection.Iterator<?> it = ((scala.collection.Map<?, ?>) v).iterator(); it.hasNext();) {
        scala.Tuple2<?, ?> e = (scala.Tuple2<?, ?>) it.next();
        o.set(text(e._1(), mt.keyType()), json(e._2(), mt.valueType()));
      }
      return o;
    }
    if (v instanceof Double d) {
      return f.numberNode(d);
    }
    if (v instanceof Float x) {
      return f.numberNode(x);
    }
    if (v instanceof Long x) {
      return f.numberNode(x);
    }
    if (v instanceof Integer x) {
      return f.numberNode(x);
    }
    if (v instanceof Short x) {
      return f.numberNode(x);
    }
    if (v instanceof Byte x) {
      return f.numberNode(x);
    }
    if (v instanceof Boolean b) {
      return f.booleanNode(b);
    }
    if (v instanceof byte[] b) {
      return f.binaryNode(b);
    }
    return f.textNode(String.valueOf(v));
  }

  /** A value as text: arrays, structs and maps as compact JSON, binary as base64, the rest as Java prints it. */
  static String text(Object v, DataType type) {
    if (v == null) {
      return "null";
    }
    if (type instanceof StructType || type instanceof ArrayType || type instanceof MapType) {
      return json(v, type).toString();
    }
    if (v instanceof byte[] b) {
      return java.util.Base64.getEncoder().encodeToString(b);
    }
    return String.valueOf(v);
  }

  private static String csv(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
