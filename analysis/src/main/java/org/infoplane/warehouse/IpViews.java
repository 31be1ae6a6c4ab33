package org.infoplane.warehouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The analysis views over the InfoPlane tables ({@code ip_mean_over_runs}, {@code dpi_check},
 * {@code compression_phases}, {@code sensitivity_summary}, {@code sensitivity_verdicts} and the
 * views they build on), documented in {@code docs/tables.md}. Their SQL lives in one place,
 * the resource {@code org/infoplane/views.sql}; file-based Iceberg catalogs cannot store views, so
 * they are registered as temporary views in each session InfoPlane opens for users.
 */
public final class IpViews {

  private static final String RESOURCE = "/org/infoplane/views.sql";
  public static final String MEAN_OVER_RUNS = "ip_mean_over_runs";
  public static final String DPI_CHECK = "dpi_check";
  public static final String COMPRESSION_PHASES = "compression_phases";
  public static final String SENSITIVITY_SUMMARY = "sensitivity_summary";
  public static final String SENSITIVITY_VERDICTS = "sensitivity_verdicts";

  private IpViews() {}

  /** Each view's SELECT, by name, in file order, with {@code ${ns}} still in place. */
  static Map<String, String> definitions() {
    String text;
    try (InputStream in = IpViews.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> views = new LinkedHashMap<>();
    String name = null;
    StringBuilder body = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("-- view: ")) {
        if (name != null) {
          views.put(name, body.toString().strip());
        }
        name = line.substring("-- view: ".length()).strip();
        body.setLength(0);
      } else if (name != null) {
        body.append(line).append('\n');
      }
    }
    if (name != null) {
      views.put(name, body.toString().strip());
    }
    return views;
  }

  /**
   * Registers every view as a temporary view over the tables of {@code tables}, in file order (a
   * view may use the ones above it).
   */
  public static void register(SparkSession spark, IpTables tables) {
    for (Map.Entry<String, String> v : definitions().entrySet()) {
      spark.sql("CREATE OR REPLACE TEMPORARY VIEW " + v.getKey() + " AS "
          + v.getValue().replace("${ns}", tables.namespace()));
    }
  }
}
