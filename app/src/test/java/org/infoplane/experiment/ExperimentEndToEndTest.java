package org.infoplane.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.capture.ImageDataset;
import org.infoplane.cli.InfoPlaneCli;
import org.infoplane.config.ConfResolver;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.RunReader;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.spark.Sessions;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.IpViews;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The reproduction in small: {@code infoplane experiment} trains one MLP run of METHOD.md §8 on
 * Fashion-MNIST (1,000 images, 2 epochs, 2 checkpoints per epoch), analyses it with the default
 * settings and writes its report; running it again computes nothing.
 */
class ExperimentEndToEndTest {

  /**
   * The share of adjacent layer pairs whose I(X;T) keeps the data processing inequality
   * (I(X;T_l) ≥ I(X;T_{l+1})) over the trained checkpoints of both splits. The DPI is a theorem for
   * the true quantities; METHOD.md §8 expects the estimate to keep it mostly. Measured on this run:
   * see the assertion's message; the bound leaves room for the estimator's batch noise.
   */
  static final double MIN_XT_DPI_SHARE = 0.75;

  @TempDir Path dir;

  @BeforeEach
  void needsFashionMnist() {
    assumeTrue(Files.isRegularFile(ImageDataset.FASHION_MNIST_DIR.resolve("train-images-idx3-ubyte.gz")),
        "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
  }

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = InfoPlaneCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void oneMlpRunTrainsAnalysesAndReports() throws Exception {
    Path def = dir.resolve("mlp-small.properties");
    Files.writeString(def, """
        description=MLP 784-1024-20-20-20-10, tanh, in small
        model=mlp
        activation=tanh
        runs=1
        epochs=2
        train-samples=1000
        validation-samples=500
        eval-samples=200
        checkpoints-per-epoch=2
        seed=3
        """);
    Path out = dir.resolve("out");
    String[] args = {"experiment", def.toString(), "--dir", out.toString(), "--conf", "infoplane.local.master=local[2]",
        "--conf", "spark.sql.shuffle.partitions=2"};
    Result r = run(args);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("experiment mlp-small done");

    // 1,000 images in batches of 100: 10 steps per epoch, a checkpoint every 5 steps, and step 0.
    RunReader run = SnapshotArchive.open(out.resolve("mlp-small/archive").toString(), new Configuration())
        .run("mlp-small-1");
    assertThat(run.checkpoints("train")).hasSize(5);
    assertThat(run.manifest().seed()).isEqualTo(3);
    assertThat(run.metrics()).allSatisfy(m -> assertThat(m.testLoss()).isFinite().isPositive())
        .allSatisfy(m -> assertThat(m.valLoss()).isFinite().isPositive())
        .allSatisfy(m -> assertThat(m.valAccuracy()).isBetween(0.0, 1.0));
    assertThat(run.manifest().properties()).containsEntry("validationSamples", "500");

    Path warehouse = out.resolve("mlp-small/warehouse");
    ResolvedConf conf = new ConfResolver().pairs(List.of("infoplane.warehouse=" + warehouse,
        "infoplane.local.master=local[2]")).resolve();
    SparkSession spark = Sessions.create(conf, "test");
    try {
      IpTables tables = new IpTables(spark, conf);
      IpViews.register(spark, tables);
      Row dpi = spark.sql("SELECT SUM(n_pairs - n_xt_raw_violations) / SUM(n_pairs), SUM(n_pairs) FROM "
          + IpViews.DPI_CHECK + " WHERE level = 'run' AND step > 0").first();
      // 4 trained checkpoints x 2 splits x 5 pairs: the input and dense1, then 4 adjacent pairs of 5 layers
      assertThat(dpi.getLong(1)).isEqualTo(40);
      org.slf4j.LoggerFactory.getLogger(ExperimentEndToEndTest.class).info("share of adjacent pairs keeping the DPI"
          + " of I(X;T) at the trained checkpoints: {} of {}", dpi.getDouble(0), dpi.getLong(1));
      assertThat(dpi.getDouble(0)).as("share of adjacent pairs keeping the DPI of I(X;T)")
          .isGreaterThanOrEqualTo(MIN_XT_DPI_SHARE);
      // Every hidden layer below the ceiling log2 100 at the trained checkpoints.
      double maxXt = spark.sql("SELECT MAX(i_xt) FROM " + tables.name(IpTables.INFORMATION_PLANE) + " WHERE step > 0")
          .first().getDouble(0);
      assertThat(maxXt).isLessThan(Math.log(100) / Math.log(2) - 0.1);
      // Early stopping on the validation loss at every default patience, for every layer and split.
      assertThat(spark.sql("SELECT DISTINCT patience FROM " + tables.name(IpTables.EARLY_STOPPING)
          + " ORDER BY patience").collectAsList()).extracting(row -> row.getInt(0)).containsExactly(1, 2, 5, 10);
      assertThat(spark.sql("SELECT * FROM " + tables.name(IpTables.EARLY_STOPPING)
          + " WHERE relation = 'no validation loss'").count()).isZero();
      // The runs table carries the archive's validation metrics, checkpoint by checkpoint.
      List<Row> ms = spark.sql("SELECT m.step, m.val_loss, m.val_accuracy FROM " + tables.name(IpTables.RUNS)
          + " LATERAL VIEW explode(metrics) e AS m WHERE run_id = 'mlp-small-1' ORDER BY m.step").collectAsList();
      assertThat(ms).hasSize(run.metrics().size());
      for (int i = 0; i < ms.size(); i++) {
        assertThat(ms.get(i).getLong(0)).isEqualTo(run.metrics().get(i).checkpoint().step());
        assertThat(ms.get(i).getDouble(1)).isEqualTo(run.metrics().get(i).valLoss());
        assertThat(ms.get(i).getDouble(2)).isEqualTo(run.metrics().get(i).valAccuracy());
      }
    } finally {
      spark.stop();
    }

    Path report = out.resolve("mlp-small/report");
    for (String f : List.of("index.html", "information-plane.png", "information-plane.svg", "layers-train.png",
        "layers-test.png", "mi-over-training.png", "sigma.png", "training.png", "plane-mlp-small-1.png")) {
      assertThat(report.resolve(f)).as(f).isRegularFile();
      assertThat(Files.size(report.resolve(f))).as(f).isGreaterThan(1000);
    }
    // The rows behind the report's tables, as CSV files: the plane, the training curves with the
    // validation split, early stopping at every patience, and the phase and DPI verdicts at both levels.
    Map<String, List<String>> columns = Map.of("plane.csv", List.of("run_id", "i_xt", "i_ty"),
        "metrics.csv", List.of("run_id", "step", "val_loss", "val_accuracy", "test_loss"),
        "early_stopping.csv", List.of("patience", "split", "layer_name"),
        "phases.csv", List.of("level", "phase", "drop_effect", "drop_q"),
        "dpi.csv", List.of("level", "n_pairs", "n_xt_violations"));
    for (var e : columns.entrySet()) {
      List<String> lines = Files.readAllLines(report.resolve(e.getKey()));
      assertThat(lines.size()).as(e.getKey() + " rows").isGreaterThan(1);
      assertThat(List.of(lines.get(0).split(","))).as(e.getKey() + " header").containsAll(e.getValue());
    }
    // One run: run-level verdicts only (the experiment level needs two or more runs).
    assertThat(Files.readString(report.resolve("phases.csv"))).contains("\nrun,mlp,mlp-small-1,1,train,0,dense1,");
    List<String> stops = Files.readAllLines(report.resolve("early_stopping.csv"));
    int patience = List.of(stops.get(0).split(",")).indexOf("patience");
    assertThat(stops.stream().skip(1).map(l -> l.split(",")[patience]).distinct().sorted())
        .containsExactly("1", "10", "2", "5");
    String html = Files.readString(report.resolve("index.html"));
    Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
    int links = 0;
    while (m.find()) {
      assertThat(report.resolve(m.group(1))).as("linked from index.html").exists();
      links++;
    }
    assertThat(links).isGreaterThanOrEqualTo(14);
    assertThat(html).contains("Experiment mlp-small (model mlp)", "Early stopping per run on the validation loss",
        "view compression_phases, experiment level");
    String plane = Files.readString(report.resolve("information-plane.svg"));
    assertThat(plane).contains("experiment mlp-small", "renyi-tensor · α = 1.01 · width alignment", "log2 B = 6.64 bits",
        "H(Y) = ", "S(X) = ", "I(X;Y) = ");
    assertThat(Files.readString(report.resolve("layers-train.svg"))).contains(">dense4<", ">softmax<", "[bits]");
    assertThat(Files.readString(report.resolve("training.svg"))).contains("validation loss", "validation accuracy");

    // Again: the run is complete, every unit analysed; nothing is computed twice.
    Result again = run(args);
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("run mlp-small-1 is complete already").containsPattern("computed\\s+0,");
    assertThat(again.out()).doesNotContainPattern("computed\\s+[1-9]");

    // Another preset is analysed and reported under its own configuration; the default then reports
    // the default analysis again, not the warehouse's more recent one.
    Result authors = run(with(args, "--skip-training", "--preset", "authors-code"));
    assertThat(authors.code()).as(authors.err()).isZero();
    assertThat(Files.readString(report.resolve("information-plane.svg"))).contains("α = 1 ·", "preset authors-code");
    Result paper = run(with(args, "--skip-training"));
    assertThat(paper.code()).as(paper.err()).isZero();
    assertThat(paper.out()).doesNotContainPattern("computed\\s+[1-9]");
    assertThat(Files.readString(report.resolve("information-plane.svg"))).contains("α = 1.01 ·", "preset paper")
        .doesNotContain("authors-code");
  }

  private static String[] with(String[] args, String... more) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }
}
