package org.infoplane.report;

import java.awt.GraphicsEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.ReportReads;
import org.infoplane.warehouse.ReportReads.Scope;

/**
 * Writes the report of one run, or of every run of one model, into a directory: the figures as PNG
 * and SVG and {@code index.html} that holds them with the run's information-plane table, its
 * analysis configuration and its training metrics. Reads the InfoPlane tables and views through
 * {@link ReportReads}; what it reads to the driver is at most checkpoints × layers × splits rows per
 * run.
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

  private final IpTables tables;
  private final ReportReads reads;

  public Report(SparkSession spark, IpTables tables) {
    this.tables = tables;
    System.setProperty("java.awt.headless", "true");
    if (!GraphicsEnvironment.isHeadless()) {
      org.slf4j.LoggerFactory.getLogger(Report.class).debug("drawing with a display present");
    }
    this.reads = new ReportReads(spark, tables);
  }

  /** Run ids with results, sorted. */
  public List<String> knownRuns() {
    return reads.runsWithResults();
  }

  private String checkRun(String run, String configId) {
    List<String> known = knownRuns();
    if (known.isEmpty()) {
      throw new NoSuchDataException("the table " + tables.name(IpTables.INFORMATION_PLANE)
          + " holds no results yet: analyse an archive first (bin/infoplane analyze --archive DIR)");
    }
    if (!known.contains(run)) {
      throw new NoSuchDataException("no results for run '" + run + "'; runs with results: " + String.join(", ", known));
    }
    if (configId != null) {
      return configId;
    }
    return reads.latestConfig(run);
  }

  /** The information plane of one run under one configuration (the most recent when null). */
  public PlaneData runData(String run, String configId) {
    String config = checkRun(run, configId);
    List<PlaneData.Point> pts = new ArrayList<>();
    for (Row r : reads.points(run, config)) {
      pts.add(new PlaneData.Point(r.getAs("split"), r.<Integer>getAs("epoch"), r.<Long>getAs("step"),
          r.<Integer>getAs("layer_index"), r.getAs("layer_name"), r.<Double>getAs("i_xt"), r.<Double>getAs("i_ty"), 0, 0,
          r.<Double>getAs("sigma"), r.<Double>getAs("sigma_raw")));
    }
    if (pts.isEmpty()) {
      throw new NoSuchDataException("run '" + run + "' has no results under analysis configuration " + config);
    }
    List<PlaneData.Metric> metrics = new ArrayList<>();
    for (Row r : reads.metrics(run).collectAsList()) {
      metrics.add(metric(r));
    }
    return new PlaneData("run " + run, pts, metrics, withRunStops(context(Scope.run(run, config)), run, config));
  }

  /**
   * The figures' subtitle and reference lines: the configuration's estimator, α, width rule,
   * smoothing (with its unit and the preset where the table records them) and batch size; H(Y) as
   * the mean over the selected rows.
   */
  private PlaneData.Context context(Scope scope) {
    List<Row> cfg = reads.analysisConfig(scope.config()).collectAsList();
    Map<String, Object> c = new LinkedHashMap<>();
    if (!cfg.isEmpty()) {
      Row r = cfg.get(0);
      for (StructField f : r.schema().fields()) {
        c.put(f.name(), r.get(r.fieldIndex(f.name())));
      }
    }
    Row h = reads.referenceValues(scope);
    Integer batchSize = h.getAs("batch_size");
    int b = batchSize == null ? 0 : batchSize;
    return new PlaneData.Context(subtitle(c, b), d(h, "h_y"), b, d(h, "h_x"), d(h, "i_xy"), List.of());
  }

  /** A context with the early-stopping checkpoints of one run (table {@code early_stopping}). */
  private PlaneData.Context withRunStops(PlaneData.Context c, String run, String config) {
    List<PlaneData.Stop> stops = new ArrayList<>();
    for (Row r : reads.keptCheckpoints(run, config)) {
      stops.add(new PlaneData.Stop(r.<Integer>getAs("patience"),
          new PlaneData.Checkpoint(r.<Integer>getAs("kept_epoch"), r.<Long>getAs("kept_step"))));
    }
    return new PlaneData.Context(c.subtitle(), c.hY(), c.batchSize(), c.hX(), c.iXY(), stops);
  }

  /**
   * A context with early stopping on the mean validation loss over a model's runs, at the patience
   * values its runs were judged at (each run's own stop is in the table {@code early_stopping}).
   */
  private PlaneData.Context withMeanStops(PlaneData.Context c, List<PlaneData.Metric> metrics, String model,
      String config) {
    List<Integer> patience = reads.patienceOfModel(model, config);
    double[] loss = metrics.stream().mapToDouble(PlaneData.Metric::valLoss).toArray();
    List<PlaneData.Stop> stops = new ArrayList<>();
    if (java.util.Arrays.stream(loss).anyMatch(Double::isFinite)) {
      for (int p : patience) {
        org.infoplane.estimator.verdict.EarlyStopping.stopIndex(loss, p).ifPresent(i -> stops.add(
            new PlaneData.Stop(p, new PlaneData.Checkpoint(metrics.get(i).epoch(), metrics.get(i).step()))));
      }
    }
    return new PlaneData.Context(c.subtitle(), c.hY(), c.batchSize(), c.hX(), c.iXY(), stops);
  }

  /** One line naming the settings that shape a plane; keys a table lacks are left out. */
  static String subtitle(Map<String, Object> c, int batchSize) {
    List<String> parts = new ArrayList<>();
    if (c.get("estimator") != null) {
      parts.add(String.valueOf(c.get("estimator")));
    }
    if (c.get("alpha") instanceof Number n) {
      parts.add("α = " + num(n.doubleValue()));
    }
    if (c.get("width_rule") != null) {
      parts.add("width " + c.get("width_rule"));
    }
    if (c.get("width_smoothing") instanceof Number n) {
      Object unit = c.get("width_smoothing_unit");
      parts.add(n.doubleValue() == 0 ? "no smoothing"
          : "smoothing β = " + num(n.doubleValue()) + (unit != null ? " per " + unit : ""));
    }
    if (c.get("preset") != null) {
      parts.add("preset " + c.get("preset"));
    }
    if (batchSize > 0) {
      parts.add("batches of " + batchSize);
    }
    return String.join(" · ", parts);
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.6g", v)
        .replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  /** The mean over the runs of a model, with the standard deviation over runs as the spread. */
  public PlaneData modelData(String model, String configId) {
    List<String> models = reads.models();
    if (!models.contains(model)) {
      throw new NoSuchDataException("no runs of model '" + model + "'; models: "
          + (models.isEmpty() ? "(none: analyse an archive first)" : String.join(", ", models)));
    }
    String config = modelConfig(model, configId);
    List<PlaneData.Point> pts = new ArrayList<>();
    for (Row r : reads.meanPoints(model, config)) {
      pts.add(new PlaneData.Point(r.getAs("split"), r.<Integer>getAs("epoch"), r.<Long>getAs("step"),
          r.<Integer>getAs("layer_index"), r.getAs("layer_name"), r.<Double>getAs("i_xt_mean"),
          r.<Double>getAs("i_ty_mean"), r.<Double>getAs("i_xt_std"), r.<Double>getAs("i_ty_std"),
          r.<Double>getAs("sigma_mean"), r.<Double>getAs("sigma_raw_mean")));
    }
    List<PlaneData.Metric> metrics = new ArrayList<>();
    for (Row r : reads.meanMetrics(model, config)) {
      metrics.add(metric(r));
    }
    return new PlaneData("model " + model + " (mean ± sd over runs)", pts, metrics,
        withMeanStops(context(Scope.model(model, config)), metrics, model, config));
  }

  private String modelConfig(String model, String configId) {
    return configId != null ? configId : reads.latestModelConfig(model)
        .orElseThrow(() -> new NoSuchDataException("model '" + model + "' has no analysed runs"));
  }

  private static PlaneData retitled(PlaneData d, String title) {
    return title == null ? d : new PlaneData(title, d.points(), d.metrics(), d.context());
  }

  /** A DOUBLE column of {@code r} by name; NaN where it is null. */
  private static double d(Row r, String column) {
    Double v = r.getAs(column);
    return v == null ? Double.NaN : v;
  }

  /**
   * A checkpoint's training metrics from a row with the columns {@code epoch, step, loss,
   * train_accuracy, test_accuracy, test_loss, val_loss, val_accuracy} (any order); null values read
   * as NaN.
   */
  private static PlaneData.Metric metric(Row r) {
    return new PlaneData.Metric(r.<Integer>getAs("epoch"), r.<Long>getAs("step"), d(r, "loss"),
        d(r, "train_accuracy"), d(r, "test_accuracy"), d(r, "test_loss"), d(r, "val_loss"), d(r, "val_accuracy"));
  }

  /** Writes the report of one run. */
  public Written writeRun(String run, String configId, Path dir) {
    return writeRun(run, configId, dir, null);
  }

  /** {@link #writeRun(String, String, Path)} with the name the figures give it (null: "run RUN"). */
  public Written writeRun(String run, String configId, Path dir, String title) {
    PlaneData data = retitled(runData(run, configId), title);
    String config = checkRun(run, configId);
    List<Path> files = new ArrayList<>();
    createDir(dir);
    Set<String> figs = figures(data, dir, "", files);
    Scope runOnly = Scope.run(run, config);
    Html.Rows plane = csv(dir, files, "plane", rows(reads.planeRows(runOnly)));
    csv(dir, files, "widths", rows(reads.widthRows(runOnly)));
    StringBuilder html = new StringBuilder();
    Html.head(html, "InfoPlane report: run " + run);
    html.append("<h1>Run ").append(Html.esc(run)).append("</h1>\n");
    html.append("<p>").append(Html.esc(data.context().subtitle())).append("</p>\n");
    Html.table(html, "Run", rows(reads.run(run)));
    figureSection(html, data, figs);
    InteractivePlane.append(html, plane);
    Html.table(html, "Analysis configuration " + config, rows(reads.analysisConfig(config)));
    Html.table(html, "Training metrics (metrics.csv)", csv(dir, files, "metrics", rows(reads.metrics(run))));
    planeTable(html, data);
    Html.table(html, "Data processing inequality per checkpoint (view dpi_check; dpi.csv)",
        csv(dir, files, "dpi", rows(reads.dpiOfRun(run, config))));
    Html.table(html, "Fitting and compression per layer (view compression_phases; phases.csv)",
        csv(dir, files, "phases", rows(reads.phasesOfRun(run, config))));
    Html.table(html, "Early stopping on the validation loss, per patience, against each layer's compression"
        + " (table early_stopping; early_stopping.csv)",
        csv(dir, files, "early_stopping", rows(reads.earlyStoppingOfRun(run, config))));
    sensitivity(html, List.of(run));
    html.append("</body></html>\n");
    Path index = dir.resolve("index.html");
    Charts.writeText(index, html.toString());
    files.add(index);
    return new Written(dir, files);
  }

  /**
   * Writes the report of every run of a model: the mean over runs with its spread (in the plane, per
   * layer and over training), the early-stopping checkpoint, and each run's plane beside it.
   */
  public Written writeModel(String model, String configId, Path dir) {
    return writeModel(model, configId, dir, null);
  }

  /**
   * {@link #writeModel(String, String, Path)} with the name the figures give it (null: "model
   * MODEL"), e.g. the experiment's, when several experiments share a model.
   */
  public Written writeModel(String model, String configId, Path dir, String title) {
    PlaneData mean = retitled(modelData(model, configId), title == null ? null : title + " (mean ± sd over runs)");
    String config = modelConfig(model, configId);
    List<Path> files = new ArrayList<>();
    createDir(dir);
    Set<String> figs = figures(mean, dir, "", files);
    List<String> runs = reads.runsOfModel(model, config);
    Scope ofModel = Scope.model(model, config);
    Html.Rows plane = csv(dir, files, "plane", rows(reads.planeRows(ofModel)));
    csv(dir, files, "widths", rows(reads.widthRows(ofModel)));
    csv(dir, files, "metrics", rows(reads.metricsPerRun(ofModel)));
    StringBuilder html = new StringBuilder();
    String heading = title != null ? title : "model " + model;
    Html.head(html, "InfoPlane report: " + heading);
    html.append("<h1>").append(Html.esc(Character.toUpperCase(heading.charAt(0)) + heading.substring(1)))
        .append(title != null ? " (model " + Html.esc(model) + ")" : "").append(": ").append(runs.size())
        .append(" runs</h1>\n");
    html.append("<p>").append(Html.esc(mean.context().subtitle())).append("</p>\n");
    Html.table(html, "Runs", rows(reads.runsOf(model)));
    html.append("<p>Points and lines are the mean over runs; bars and bands one standard deviation over runs.");
    mean.earlyStops().forEach((cp, p) -> html.append(" Early stopping on the mean validation loss over runs, ")
        .append(Html.esc(PlaneData.patienceLabel(p))).append(": ").append(Html.esc(Charts.label(mean, cp))).append("."));
    html.append("</p>\n");
    figureSection(html, mean, figs);
    InteractivePlane.append(html, plane);
    Html.table(html, "Early stopping per run on the validation loss, and whether each layer's compression started"
        + " before it (table early_stopping; counts over runs in view early_stopping_summary; early_stopping.csv)",
        csv(dir, files, "early_stopping", rows(reads.earlyStoppingSummary(model, config))));
    Html.table(html, "Fitting and compression over the runs (view compression_phases, experiment level;"
        + " every level in phases.csv)",
        rows(reads.experimentPhases(model, config)));
    // The views' rows behind the tables, both levels, for a reader to check a number without the warehouse.
    csv(dir, files, "phases", rows(reads.phasesOfModel(model, config)));
    csv(dir, files, "dpi", rows(reads.dpiOfModel(model, config)));
    html.append("<h2>Each run</h2>\n<div class=\"grid\">\n");
    for (String run : runs) {
      PlaneData one = runData(run, config);
      String name = "plane-" + safe(run);
      Charts.write(Charts.planeFigure(one), dir, name);
      files.add(dir.resolve(name + ".png"));
      files.add(dir.resolve(name + ".svg"));
      html.append("<figure><img src=\"").append(name).append(".png\" alt=\"run ").append(Html.esc(run))
          .append("\"><figcaption>run ").append(Html.esc(run)).append(" (<a href=\"").append(name)
          .append(".svg\">SVG</a>)</figcaption></figure>\n");
    }
    html.append("</div>\n");
    Html.table(html, "Data processing inequality per run and checkpoint (view dpi_check; dpi.csv)",
        csv(dir, files, "dpi", rows(reads.dpiPerRun(model, config))));
    Html.table(html, "Fitting and compression per run and layer (view compression_phases; phases.csv)",
        csv(dir, files, "phases", rows(reads.phasesPerRun(model, config))));
    sensitivity(html, runs);
    planeTable(html, mean);
    html.append("</body></html>\n");
    Path index = dir.resolve("index.html");
    Charts.writeText(index, html.toString());
    files.add(index);
    return new Written(dir, files);
  }

  /** The {@code sensitivity} table's rows of these runs, when the warehouse has that table. */
  private void sensitivity(StringBuilder html, List<String> runs) {
    reads.sensitivity(runs).ifPresent(rows -> Html.table(html, "Sensitivity to α and the kernel width (table "
        + IpTables.SENSITIVITY + ")", rows(rows)));
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

  /** Writes the figures; returns the names of those written (a run without metrics has no training figure). */
  private Set<String> figures(PlaneData data, Path dir, String prefix, List<Path> files) {
    Map<String, Charts.Figure> figs = new LinkedHashMap<>();
    figs.put("information-plane", Charts.planeFigure(data));
    for (String split : data.splits()) {
      figs.put("layers-" + safe(split), Charts.layerPlanes(data, split));
    }
    figs.put("mi-over-training", Charts.miOverTraining(data));
    figs.put("sigma", Charts.widths(data));
    if (data.metrics().stream().anyMatch(m -> Double.isFinite(m.loss()) || Double.isFinite(m.trainAccuracy())
        || Double.isFinite(m.testAccuracy()) || Double.isFinite(m.testLoss()) || Double.isFinite(m.valLoss())
        || Double.isFinite(m.valAccuracy()))) {
      figs.put("training", Charts.training(data));
    }
    for (Map.Entry<String, Charts.Figure> f : figs.entrySet()) {
      Charts.write(f.getValue(), dir, prefix + f.getKey());
      files.add(dir.resolve(prefix + f.getKey() + ".png"));
      files.add(dir.resolve(prefix + f.getKey() + ".svg"));
    }
    return figs.keySet();
  }

  private static void figure(StringBuilder html, String name, String alt, String caption) {
    html.append("<figure><img src=\"").append(name).append(".png\" alt=\"").append(Html.esc(alt))
        .append("\"><figcaption>").append(caption).append(" (<a href=\"").append(name)
        .append(".svg\">SVG</a>).</figcaption></figure>\n");
  }

  private static void figureSection(StringBuilder html, PlaneData data, Set<String> written) {
    String stop = !data.earlyStops().isEmpty()
        ? " Red rings mark the checkpoints early stopping keeps (lowest validation loss before P checkpoints"
            + " without improvement, for each patience P)." : "";
    html.append("<h2>Information plane</h2>\n");
    figure(html, "information-plane", "information plane", "I(T;Y) against I(X;T) in bits, one track per layer through"
        + " the checkpoints in training order; each layer has its own hue, light at the first checkpoint and dark at"
        + " the last. Dashed grey lines: the ceilings log2 B (of I(X;T), B samples per batch) and H(Y) (of I(T;Y));"
        + " dashed blue lines: the input's S(X) and I(X;Y), which no layer exceeds in truth (the chain starts at X)."
        + stop);
    for (String split : data.splits()) {
      String name = "layers-" + safe(split);
      if (written.contains(name)) {
        figure(html, name, "information plane per layer, " + split, "One panel per layer, " + Html.esc(split)
            + " split, each on its own axes; colour = training time on one scale." + stop);
      }
    }
    html.append("<h2>Over training</h2>\n");
    figure(html, "mi-over-training", "mutual information over training", "I(X;T) and I(T;Y) per layer; train solid,"
        + " test dashed; dashed grey lines: log2 B and H(Y); blue: S(X) and I(X;Y)" + (stop.isEmpty() ? "" : "; red: early stopping"));
    figure(html, "sigma", "kernel width", "The kernel width per layer: the width used (lines; smoothed over"
        + " training when smoothing is on) and each checkpoint's own σ*, the mean of its per-batch widths (circles)");
    if (written.contains("training")) {
      html.append("<h2>Training</h2>\n");
      figure(html, "training", "training loss and accuracy", "Loss (cross-entropy on the train and test evaluation"
          + " sets) and accuracy");
    }
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

  /** Writes {@code rows} as {@code NAME.csv} into {@code dir}, adds it to {@code files}; returns the rows. */
  private static Html.Rows csv(Path dir, List<Path> files, String name, Html.Rows rows) {
    Path file = dir.resolve(name + ".csv");
    CsvFiles.write(file, rows);
    files.add(file);
    return rows;
  }

  private static Html.Rows rows(Dataset<Row> df) {
    List<String> names = new ArrayList<>();
    for (StructField f : df.schema().fields()) {
      names.add(f.name());
    }
    return new Html.Rows(names, df.collectAsList());
  }
}
