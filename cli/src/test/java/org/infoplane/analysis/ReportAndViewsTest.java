package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.cli.InfoPlaneCli;
import org.infoplane.config.ResolvedConf;
import org.infoplane.report.Report;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.IpViews;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report, the analysis views and the notebook's queries, on a really analysed archive (a
 * synthetic run with 3 layers and 3 checkpoints of both splits) and on hand-made rows whose DPI
 * violations and I(X;T) peaks are known.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportAndViewsTest {

  static final double TOL = 1e-12;

  static SparkSession spark;
  @TempDir static Path dir;
  static Path warehouse;
  static ResolvedConf conf;
  static IpTables tables;

  @BeforeAll
  static void analyse() {
    spark = TestSpark.session();
    Path archive = dir.resolve("archive");
    SnapshotArchive a = SnapshotArchive.open(archive.toString(), new Configuration());
    new SyntheticRun(3).write(a, "r1", 0, 3);
    new SyntheticRun(4).write(a, "r2", 0, 3);
    warehouse = dir.resolve("wh");
    conf = TestSpark.warehouse(warehouse, "rep", "infoplane.commit.units=100");
    AnalysisJob.Summary s = new AnalysisJob(spark, conf, archive.toString()).run();
    assertThat(s.errors()).isEmpty();
    tables = new IpTables(spark, conf);
    IpViews.register(spark, tables);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  @Order(1)
  void reportOfOneRunWritesFiguresAndPage() throws Exception {
    Path out = dir.resolve("report-r1");
    Report.Written w = new Report(spark, tables).writeRun("r1", null, out);
    assertThat(w.files()).extracting(p -> p.getFileName().toString()).contains(
        "information-plane.png", "information-plane.svg", "mi-over-training.png", "mi-over-training.svg",
        "sigma.png", "sigma.svg", "training.png", "training.svg", "index.html");
    for (Path f : w.files()) {
      assertThat(Files.size(f)).as(f.toString()).isPositive();
      String name = f.getFileName().toString();
      if (name.endsWith(".png")) {
        BufferedImage img = ImageIO.read(f.toFile());
        assertThat(img).as(name).isNotNull();
        assertThat(img.getWidth()).as(name).isGreaterThan(800);
      } else if (name.endsWith(".svg")) {
        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // offline
        assertThat(xml.newDocumentBuilder().parse(f.toFile())
            .getDocumentElement().getNodeName()).isEqualTo("svg");
      }
    }
    String html = Files.readString(out.resolve("index.html"));
    assertThat(html).contains("dense1", "conv1", "dead", "information-plane.png", "information-plane.svg",
        "layers-train.png", "layers-test.png", "Analysis configuration", "Training metrics", "width_rule");
    assertLinksExist(out, html);

    // The settings in every figure's subtitle; the ceilings as reference lines: log2 100 and H(Y) of
    // the run's labels (5 classes drawn at random: below log2 5).
    String subtitle = "renyi-tensor · α = 1.01 · width alignment";
    for (String fig : List.of("information-plane", "layers-train", "layers-test", "mi-over-training", "sigma", "training")) {
      assertThat(Files.readString(out.resolve(fig + ".svg"))).as(fig).contains(subtitle, "batches of 100");
    }
    String plane = Files.readString(out.resolve("information-plane.svg"));
    assertThat(plane).contains("log2 B = 6.64 bits");
    double hY = spark.sql("SELECT AVG(h_y) FROM " + tables.name(IpTables.INFORMATION_PLANE) + " WHERE run_id = 'r1'")
        .first().getDouble(0);
    assertThat(plane).contains(String.format(java.util.Locale.ROOT, "H(Y) = %.2f bits", hY));
    assertThat(hY).isBetween(1.0, Math.log(SyntheticRun.CLASSES) / Math.log(2));
    assertThat(Files.readString(out.resolve("mi-over-training.svg"))).contains("log2 B = 6.64 bits", "H(Y) = ");
    // The width figure shows the smoothed σ and each checkpoint's σ*, one panel per split.
    assertThat(Files.readString(out.resolve("sigma.svg"))).contains("σ used (smoothed)", "σ* of the checkpoint",
        "train split", "test split");
    // One small plane per layer, the dead layer's included.
    assertThat(Files.readString(out.resolve("layers-train.svg"))).contains(">dense1<", ">conv1<", ">dead<");

    // The rows behind the figures as CSV: every point of the run, each double exactly as in the table.
    assertThat(w.files()).extracting(p -> p.getFileName().toString()).contains("plane.csv", "widths.csv",
        "metrics.csv", "dpi.csv", "phases.csv", "early_stopping.csv");
    List<String> planeCsv = Files.readAllLines(out.resolve("plane.csv"));
    assertThat(planeCsv.get(0)).startsWith("run_id,config_id,split,epoch,step,layer_index,layer_name,i_xt,");
    List<Row> points = spark.sql("SELECT split, step, layer_index, i_xt FROM " + tables.name(IpTables.INFORMATION_PLANE)
        + " WHERE run_id = 'r1' ORDER BY split, step, epoch, layer_index").collectAsList();
    assertThat(planeCsv).hasSize(points.size() + 1);
    for (int i = 0; i < points.size(); i++) {
      String[] f = planeCsv.get(i + 1).split(",", -1);
      assertThat(f[2]).isEqualTo(points.get(i).getString(0));
      assertThat(Double.parseDouble(f[7])).isEqualTo(points.get(i).getDouble(3));
    }
    assertThat(Files.readAllLines(out.resolve("dpi.csv"))).hasSize(1 + (int) spark.sql(
        "SELECT * FROM dpi_check WHERE run_id = 'r1'").count());
    // The interactive plane: its points inside the page, its script inlined, nothing loaded from elsewhere.
    assertThat(html).contains("<div id=\"plane\"", "id=\"plane-data\"", "plane-tip").doesNotContain("<script src");
    assertThat(html.split("\"li\":", -1)).hasSize(points.size() + 1);
  }

  /** Every image and link of a report page names a file that was written. */
  static void assertLinksExist(Path out, String html) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
    int n = 0;
    while (m.find()) {
      assertThat(out.resolve(m.group(1))).as("linked from index.html").exists();
      n++;
    }
    assertThat(n).as("links on the page").isGreaterThan(5);
  }

  @Test
  @Order(2)
  void reportOfAModelDrawsEachRunAndTheMean() throws Exception {
    Path out = dir.resolve("report-model");
    Report.Written w = new Report(spark, tables).writeModel("synthetic", null, out);
    assertThat(w.files()).extracting(p -> p.getFileName().toString())
        .contains("information-plane.png", "plane-r1.png", "plane-r2.svg", "index.html");
    String html = Files.readString(out.resolve("index.html"));
    assertThat(html).contains("2 runs", "run r1", "run r2", "layers-train.png", "one standard deviation over runs");
    // plane.csv and the interactive plane hold every run, overlaid
    List<String> planeCsv = Files.readAllLines(out.resolve("plane.csv"));
    assertThat(planeCsv.stream().skip(1).map(l -> l.substring(0, l.indexOf(','))).distinct()).containsExactly("r1", "r2");
    assertThat(html).contains("\"run\":\"r1\"", "\"run\":\"r2\"");
    assertLinksExist(out, html);
    // The mean over runs draws bars of its spread in each layer's panel.
    assertThat(Files.readString(out.resolve("layers-train.svg"))).contains("model synthetic (mean ± sd over runs)");
  }

  @Test
  @Order(3)
  void meanOverRunsAgreesWithTheRows() {
    List<Row> m = spark.sql("SELECT * FROM ip_mean_over_runs WHERE split = 'train' AND layer_index = 0"
        + " ORDER BY step").collectAsList();
    assertThat(m).hasSize(3);
    for (Row r : m) {
      List<Row> raw = spark.sql("SELECT i_xt FROM " + tables.name(IpTables.INFORMATION_PLANE)
          + " WHERE split = 'train' AND layer_index = 0 AND step = " + r.<Long>getAs("step")).collectAsList();
      assertThat(raw).hasSize(2);
      double a = raw.get(0).getDouble(0);
      double b = raw.get(1).getDouble(0);
      assertThat(r.<Long>getAs("n_runs")).isEqualTo(2);
      assertThat(r.<String>getAs("model")).isEqualTo("synthetic");
      assertThat(r.<Double>getAs("i_xt_mean")).isCloseTo((a + b) / 2, within(TOL));
      assertThat(r.<Double>getAs("i_xt_std")).isCloseTo(Math.abs(a - b) / Math.sqrt(2), within(TOL));
      assertThat(r.<Double>getAs("i_xt_min")).isEqualTo(Math.min(a, b));
    }
  }

  /**
   * The verdict views on the analysed archive: every checkpoint's chain starts at the input, whose
   * S(X) and I(X;Y) obey property 4 of METHOD.md §6 (0 <= I(X;Y) <= min(S(X), S(Y))), and every
   * layer has its phases at run level.
   */
  @Test
  @Order(4)
  void verdictViewsStartTheChainAtTheInput() {
    IpViews.register(spark, tables);
    long checkpoints = spark.sql("SELECT DISTINCT run_id, split, epoch, step FROM "
        + tables.name(IpTables.INFORMATION_PLANE)).count();
    List<Row> inputPairs = spark.sql("SELECT * FROM " + tables.name(IpTables.DPI_TESTS)
        + " WHERE level = 'run' AND from_index = -1").collectAsList();
    assertThat(inputPairs).hasSize((int) (2 * checkpoints));
    for (Row r : inputPairs) {
      assertThat(r.<String>getAs("from_name")).isEqualTo("input");
      assertThat(r.<Integer>getAs("to_index")).isZero();
      if (r.<String>getAs("quantity").equals("i_xt")) {
        // I(X;T1) <= S(X) holds on every batch (S(X,T) >= S(T)): never a violation.
        assertThat(r.<Double>getAs("diff_effect")).isLessThanOrEqualTo(1e-9);
        assertThat(r.<String>getAs("verdict")).isNotEqualTo("violated");
      }
    }
    for (Row r : spark.sql("SELECT * FROM input_plane").collectAsList()) {
      double hx = r.getAs("h_x");
      double ixy = r.getAs("i_xy");
      double hy = r.getAs("h_y");
      assertThat(ixy).isBetween(-1e-9, Math.min(hx, hy) + 1e-9);
    }
    assertThat(spark.sql("SELECT * FROM dpi_check WHERE level = 'run'").count()).isEqualTo(checkpoints);
    long layers = spark.sql("SELECT DISTINCT run_id, split, layer_index FROM "
        + tables.name(IpTables.INFORMATION_PLANE)).count();
    assertThat(spark.sql("SELECT * FROM compression_phases WHERE level = 'run'").count()).isEqualTo(layers);
  }

  /** Every query of notebooks/queries.sql, as the notebook runs it, on the analysed archive. */
  @Test
  @Order(5)
  void notebookQueriesRunOnAnAnalysedArchive() throws Exception {
    Path file = Path.of("..", "notebooks", "queries.sql");
    Map<String, String> queries = new LinkedHashMap<>();
    String name = null;
    StringBuilder body = new StringBuilder();
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith("-- query: ")) {
        if (name != null) {
          queries.put(name, body.toString());
        }
        name = line.substring(10).strip();
        body.setLength(0);
      } else if (name != null) {
        body.append(line).append('\n');
      }
    }
    queries.put(name, body.toString());
    assertThat(queries).containsOnlyKeys("runs", "configs", "plane", "metrics", "dpi", "phases");
    IpViews.register(spark, tables);
    spark.sql("USE " + tables.namespace());
    // the notebook's configuration: the first row of "configs" (the run's most recent)
    List<Row> configs = spark.sql(queries.get("configs").replace("${run_id}", "r1")).collectAsList();
    String config = configs.get(0).getString(0);
    assertThat(config).isEqualTo(spark.sql("SELECT MAX_BY(config_id, computed_at) FROM "
        + tables.name(IpTables.INFORMATION_PLANE) + " WHERE run_id = 'r1'").first().getString(0));
    Map<String, Integer> rows = Map.of("runs", 2, "configs", 1, "plane", 2 * 3 * 3, "metrics", 3, "dpi", 2 * 3,
        "phases", 2 * 3);
    for (Map.Entry<String, String> q : queries.entrySet()) {
      List<Row> r = spark.sql(q.getValue().replace("${run_id}", "r1").replace("${config_id}", config)).collectAsList();
      assertThat(r).as(q.getKey()).hasSize(rows.get(q.getKey()));
    }
    // The notebook is valid JSON, reads both SQL files, and asks only for queries that exist here.
    com.fasterxml.jackson.databind.JsonNode nb = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(Path.of("..", "notebooks", "information_plane.ipynb").toFile());
    StringBuilder code = new StringBuilder();
    nb.get("cells").forEach(c -> c.get("source").forEach(l -> code.append(l.asText())));
    assertThat(code).contains("notebooks/queries.sql", "org/infoplane/views.sql");
    java.util.regex.Matcher used = java.util.regex.Pattern.compile("q\\(\"(\\w+)\"\\)").matcher(code);
    int n = 0;
    while (used.find()) {
      assertThat(queries).containsKey(used.group(1));
      n++;
    }
    assertThat(n).isEqualTo(queries.size());
    List<Row> plane = spark.sql(queries.get("plane").replace("${run_id}", "r1").replace("${config_id}", config))
        .collectAsList();
    assertThat(plane.get(0).schema().fieldNames())
        .containsExactly("split", "epoch", "step", "layer_index", "layer_name", "i_xt", "i_ty", "sigma");
  }

  /** A run with no training metrics: no training figure is written, and the page does not link one. */
  @Test
  @Order(6)
  void reportOfARunWithoutMetricsLinksNoTrainingFigure() throws Exception {
    spark.sql("UPDATE " + tables.name(IpTables.RUNS) + " SET metrics = filter(metrics, m -> false) WHERE run_id = 'r2'");
    Path out = dir.resolve("report-r2");
    Report.Written w = new Report(spark, tables).writeRun("r2", null, out);
    assertThat(w.files()).extracting(p -> p.getFileName().toString()).contains("information-plane.png")
        .doesNotContain("training.png", "training.svg");
    assertThat(out.resolve("training.png")).doesNotExist();
    String html = Files.readString(out.resolve("index.html"));
    assertThat(html).doesNotContain("\"training.png\"", "\"training.svg\"").contains("\"mi-over-training.png\"");
    assertLinksExist(out, html);
  }

  @Test
  @Order(7)
  void reportCommandNamesAnUnknownRunAndTheKnownOnes() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    picocli.CommandLine cl = InfoPlaneCli.commandLine();
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    // The command stops the session it uses: this runs last.
    int code = cl.execute("report", "--run", "nope", "--warehouse", warehouse.toString(),
        "--conf", "infoplane.catalog.name=cli3", "--out", dir.resolve("x").toString());
    assertThat(code).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(err.toString().strip()).isEqualTo("infoplane report: no results for run 'nope'; runs with results: r1, r2");
  }
}
