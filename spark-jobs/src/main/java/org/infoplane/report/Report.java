package org.infoplane.report;

import java.awt.GraphicsEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.infoplane.analysis.IpTables;
import org.infoplane.analysis.IpViews;

/**
 * Writes the report of one run, or of every run of one model, into a directory: the figures as PNG
 * and SVG and {@code index.html} that holds them with the run's information-plane table, its
 * analysis configuration and its training metrics. Reads the InfoPlane tables and views; what it
 * reads to the driver is at most checkpoints × layers × splits rows per run.
 */
public final class Report {

  /** Bad input to a report: an unknown run or model, or empty tables. */
  public static final class NoSuchDataException extends RuntimeException {
    public NoSuchDataException(String message) {
      super(message);
    }
  }

  /** The files written. */
  public record Written(Path dir, List<Path> files) {}

  private final SparkSession spark;
  private final IpTables tables;

  public Report(SparkSession spark, IpTables tables) {
    this.spark = spark;
    this.tables = tables;
    System.setProperty("java.awt.headless", "true");
    if (!GraphicsEnvironment.isHeadless()) {
      org.slf4j.LoggerFactory.getLogger(Report.class).debug("drawing with a display present");
    }
    IpViews.register(spark, tables);
  }

  private List<Row> sql(String query, Map<String, Object> args) {
    return spark.sql(query, args).collectAsList();
  }

  private String t(String table) {
    return tables.name(table);
  }

  /** Run ids with results, sorted. */
  public List<String> knownRuns() {
    return sql("SELECT DISTINCT run_id FROM " + t(IpTables.INFORMATION_PLANE) + " ORDER BY run_id", Map.of())
        .stream().map(r -> r.getString(0)).toList();
  }

  private String checkRun(String run, String configId) {
    List<String> known = knownRuns();
    if (known.isEmpty()) {
      throw new NoSuchDataException("the table " + t(IpTables.INFORMATION_PLANE)
          + " holds no results yet: analyse an archive first (bin/infoplane analyze --archive DIR)");
    }
    if (!known.contains(run)) {
      throw new NoSuchDataException("no results for run '" + run + "'; runs with results: " + String.join(", ", known));
    }
    if (configId != null) {
      return configId;
    }
    return sql("SELECT config_id FROM " + t(IpTables.INFORMATION_PLANE) + " WHERE run_id = :run"
        + " GROUP BY config_id ORDER BY MAX(computed_at) DESC, config_id LIMIT 1", Map.of("run", run))
        .get(0).getString(0);
  }

  /** The information plane of one run under one configuration (the most recent when null). */
  public PlaneData runData(String run, String configId) {
    String config = checkRun(run, configId);
    List<PlaneData.Point> pts = new ArrayList<>();
    for (Row r : sql("SELECT split, epoch, step, layer_index, layer_name, i_xt, i_ty, sigma FROM "
        + t(IpTables.INFORMATION_PLANE) + " WHERE run_id = :run AND config_id = :config", Map.of("run", run, "config", config))) {
      pts.add(new PlaneData.Point(r.getString(0), r.getInt(1), r.getLong(2), r.getInt(3), r.getString(4),
          r.getDouble(5), r.getDouble(6), 0, 0, r.isNullAt(7) ? null : r.getDouble(7)));
    }
    if (pts.isEmpty()) {
      throw new NoSuchDataException("run '" + run + "' has no results under analysis configuration " + config);
    }
    List<PlaneData.Metric> metrics = new ArrayList<>();
    for (Row r : sql("SELECT m.epoch, m.step, m.loss, m.train_accuracy, m.test_accuracy FROM "
        + t(IpTables.RUNS) + " LATERAL VIEW explode(metrics) e AS m WHERE run_id = :run ORDER BY m.step, m.epoch",
        Map.of("run", run))) {
      metrics.add(new PlaneData.Metric(r.getInt(0), r.getLong(1), d(r, 2), d(r, 3), d(r, 4)));
    }
    return new PlaneData("run " + run, pts, metrics);
  }

  /** The mean over the runs of a model, with the standard deviation over runs as the spread. */
  public PlaneData modelData(String model, String configId) {
    List<String> models = sql("SELECT DISTINCT model FROM " + t(IpTables.RUNS) + " WHERE model IS NOT NULL ORDER BY model",
        Map.of()).stream().map(r -> r.getString(0)).toList();
    if (!models.contains(model)) {
      throw new NoSuchDataException("no runs of model '" + model + "'; models: "
          + (models.isEmpty() ? "(none: analyse an archive first)" : String.join(", ", models)));
    }
    String config = configId != null ? configId
        : sql("SELECT p.config_id FROM " + t(IpTables.INFORMATION_PLANE) + " p JOIN " + t(IpTables.RUNS)
            + " r ON p.run_id = r.run_id WHERE r.model = :model GROUP BY p.config_id"
            + " ORDER BY MAX(p.computed_at) DESC, p.config_id LIMIT 1", Map.of("model", model))
            .stream().map(r -> r.getString(0)).findFirst()
            .orElseThrow(() -> new NoSuchDataException("model '" + model + "' has no analysed runs"));
    List<PlaneData.Point> pts = new ArrayList<>();
    for (Row r : sql("SELECT split, epoch, step, layer_index, layer_name, i_xt_mean, i_ty_mean, i_xt_std, i_ty_std,"
        + " sigma_mean FROM " + IpViews.MEAN_OVER_RUNS + " WHERE model = :model AND config_id = :config",
        Map.of("model", model, "config", config))) {
      pts.add(new PlaneData.Point(r.getString(0), r.getInt(1), r.getLong(2), r.getInt(3), r.getString(4),
          r.getDouble(5), r.getDouble(6), r.getDouble(7), r.getDouble(8), r.isNullAt(9) ? null : r.getDouble(9)));
    }
    return new PlaneData("model " + model + " (mean ± sd over runs)", pts, List.of());
  }

  private static double d(Row r, int i) {
    return r.isNullAt(i) ? Double.NaN : r.getDouble(i);
  }

  /** Writes the report of one run. */
  public Written writeRun(String run, String configId, Path dir) {
    PlaneData data = runData(run, configId);
    String config = checkRun(run, configId);
    List<Path> files = new ArrayList<>();
    createDir(dir);
    figures(data, dir, "", files);
    StringBuilder html = new StringBuilder();
    Html.head(html, "InfoPlane report: run " + run);
    html.append("<h1>Run ").append(Html.esc(run)).append("</h1>\n");
    Html.table(html, "Run", rows("SELECT run_id, model, dataset, seed, num_classes, producer, archive, updated_at FROM "
        + t(IpTables.RUNS) + " WHERE run_id = :run", Map.of("run", run)));
    figureSection(html, "");
    html.append("<h2>Training</h2>\n<figure><img src=\"training.png\" alt=\"training loss and accuracy\">"
        + "<figcaption>Training loss and accuracy (<a href=\"training.svg\">SVG</a>).</figcaption></figure>\n");
    Html.table(html, "Analysis configuration " + config, rows("SELECT * FROM " + t(IpTables.ANALYSIS_CONFIGS)
        + " WHERE config_id = :config", Map.of("config", config)));
    Html.table(html, "Training metrics", rows("SELECT m.epoch, m.step, m.loss, m.train_accuracy, m.test_accuracy FROM "
        + t(IpTables.RUNS) + " LATERAL VIEW explode(metrics) e AS m WHERE run_id = :run ORDER BY m.step, m.epoch",
        Map.of("run", run)));
    planeTable(html, data);
    Html.table(html, "Data processing inequality per checkpoint (view dpi_check)",
        rows("SELECT split, epoch, step, n_pairs, xt_share, ty_share, share_holding, xt_violations, ty_violations FROM "
            + IpViews.DPI_CHECK + " WHERE run_id = :run AND config_id = :config ORDER BY split DESC, step, epoch",
            Map.of("run", run, "config", config)));
    Html.table(html, "Fitting and compression per layer (view compression_phases)",
        rows("SELECT split, layer_index, layer_name, peak_epoch, i_xt_peak, i_xt_last, xt_drop, i_ty_at_peak,"
            + " i_ty_min_after_peak, phases FROM " + IpViews.COMPRESSION_PHASES
            + " WHERE run_id = :run AND config_id = :config ORDER BY split DESC, layer_index",
            Map.of("run", run, "config", config)));
    html.append("</body></html>\n");
    Path index = dir.resolve("index.html");
    Charts.writeText(index, html.toString());
    files.add(index);
    return new Written(dir, files);
  }

  /** Writes the report of every run of a model: the mean over runs with its spread, and each run beside it. */
  public Written writeModel(String model, String configId, Path dir) {
    PlaneData mean = modelData(model, configId);
    List<Path> files = new ArrayList<>();
    createDir(dir);
    figures(mean, dir, "", files);
    List<String> runs = sql("SELECT DISTINCT p.run_id FROM " + t(IpTables.INFORMATION_PLANE) + " p JOIN "
        + t(IpTables.RUNS) + " r ON p.run_id = r.run_id WHERE r.model = :model ORDER BY p.run_id", Map.of("model", model))
        .stream().map(r -> r.getString(0)).toList();
    StringBuilder html = new StringBuilder();
    Html.head(html, "InfoPlane report: model " + model);
    html.append("<h1>Model ").append(Html.esc(model)).append(": ").append(runs.size()).append(" runs</h1>\n");
    Html.table(html, "Runs", rows("SELECT run_id, model, dataset, seed, archive, updated_at FROM " + t(IpTables.RUNS)
        + " WHERE model = :model ORDER BY run_id", Map.of("model", model)));
    html.append("<p>Points are the mean over runs; bars one standard deviation over runs.</p>\n");
    figureSection(html, "");
    html.append("<h2>Each run</h2>\n<div class=\"grid\">\n");
    for (String run : runs) {
      PlaneData one = runData(run, configId);
      String name = "plane-" + safe(run);
      Charts.write(Charts.planeFigure(one), dir, name);
      files.add(dir.resolve(name + ".png"));
      files.add(dir.resolve(name + ".svg"));
      html.append("<figure><img src=\"").append(name).append(".png\" alt=\"run ").append(Html.esc(run))
          .append("\"><figcaption>run ").append(Html.esc(run)).append(" (<a href=\"").append(name)
          .append(".svg\">SVG</a>)</figcaption></figure>\n");
    }
    html.append("</div>\n");
    planeTable(html, mean);
    html.append("</body></html>\n");
    Path index = dir.resolve("index.html");
    Charts.writeText(index, html.toString());
    files.add(index);
    return new Written(dir, files);
  }

  static String safe(String s) {
    return s.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static void createDir(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + dir, e);
    }
  }

  private void figures(PlaneData data, Path dir, String prefix, List<Path> files) {
    Map<String, Charts.Figure> figs = new LinkedHashMap<>();
    figs.put("information-plane", Charts.planeFigure(data));
    figs.put("mi-over-training", Charts.row(data.title() + ": mutual information over training", data, List.of(
        Charts.overTime(data, "I(X;T)", "I(X;T)  [bits]", PlaneData.Point::iXT, false),
        Charts.overTime(data, "I(T;Y)", "I(T;Y)  [bits]", PlaneData.Point::iTY, false)), true));
    figs.put("sigma", Charts.row(data.title() + ": kernel width per layer", data, List.of(
        Charts.overTime(data, "Kernel width σ (log scale)", "σ", p -> p.sigma() == null ? Double.NaN : p.sigma(), true)), true));
    if (!data.metrics().isEmpty()) {
      figs.put("training", Charts.training(data));
    }
    for (Map.Entry<String, Charts.Figure> f : figs.entrySet()) {
      Charts.write(f.getValue(), dir, prefix + f.getKey());
      files.add(dir.resolve(prefix + f.getKey() + ".png"));
      files.add(dir.resolve(prefix + f.getKey() + ".svg"));
    }
  }

  private static void figureSection(StringBuilder html, String prefix) {
    html.append("<h2>Information plane</h2>\n<figure><img src=\"").append(prefix).append("information-plane.png\""
        + " alt=\"information plane\"><figcaption>I(T;Y) against I(X;T) in bits, one track per layer through the"
        + " checkpoints in training order; each layer has its own hue, light at the first checkpoint and dark at"
        + " the last (<a href=\"").append(prefix).append("information-plane.svg\">SVG</a>).</figcaption></figure>\n");
    html.append("<h2>Over training</h2>\n<figure><img src=\"").append(prefix).append("mi-over-training.png\""
        + " alt=\"mutual information over training\"><figcaption>I(X;T) and I(T;Y) per layer; train solid, test"
        + " dashed (<a href=\"").append(prefix).append("mi-over-training.svg\">SVG</a>).</figcaption></figure>\n");
    html.append("<figure><img src=\"").append(prefix).append("sigma.png\" alt=\"kernel width\"><figcaption>The"
        + " kernel width σ used per layer (<a href=\"").append(prefix).append("sigma.svg\">SVG</a>).</figcaption></figure>\n");
  }

  /** The plane as a compact table: a row per split and checkpoint, a column per layer, I(X;T) / I(T;Y). */
  private static void planeTable(StringBuilder html, PlaneData data) {
    Map<Integer, String> layers = data.layers();
    html.append("<h2>Information plane table</h2>\n<p>Each cell: I(X;T) / I(T;Y) in bits.</p>\n"
        + "<div class=\"scroll\"><table class=\"plane\"><tr><th>split</th><th>epoch</th><th>step</th>");
    layers.values().forEach(n -> html.append("<th>").append(Html.esc(n)).append("</th>"));
    html.append("</tr>\n");
    for (String split : data.splits()) {
      Map<PlaneData.Checkpoint, Map<Integer, PlaneData.Point>> byCp = new TreeMap<>();
      data.points().stream().filter(p -> p.split().equals(split)).forEach(p ->
          byCp.computeIfAbsent(new PlaneData.Checkpoint(p.epoch(), p.step()), k -> new TreeMap<>()).put(p.layerIndex(), p));
      for (Map.Entry<PlaneData.Checkpoint, Map<Integer, PlaneData.Point>> e : byCp.entrySet()) {
        html.append("<tr><td>").append(Html.esc(split)).append("</td><td>").append(e.getKey().epoch())
            .append("</td><td>").append(e.getKey().step()).append("</td>");
        for (int layer : layers.keySet()) {
          PlaneData.Point p = e.getValue().get(layer);
          html.append("<td>").append(p == null ? "–" : String.format(Locale.ROOT, "%.2f / %.2f", p.iXT(), p.iTY()))
              .append("</td>");
        }
        html.append("</tr>\n");
      }
    }
    html.append("</table></div>\n");
  }

  private Html.Rows rows(String query, Map<String, Object> args) {
    var df = spark.sql(query, args);
    List<String> names = new ArrayList<>();
    for (StructField f : df.schema().fields()) {
      names.add(f.name());
    }
    return new Html.Rows(names, df.collectAsList());
  }
}
