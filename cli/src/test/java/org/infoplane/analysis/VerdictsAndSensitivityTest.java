package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.cli.InfoPlaneCli;
import org.infoplane.config.ConfResolver;
import org.infoplane.config.ResolvedConf;
import org.infoplane.estimator.ip.InformationPlaneEstimator;
import org.infoplane.estimator.ip.InformationPlaneEstimators;
import org.infoplane.estimator.ip.IpBatch;
import org.infoplane.estimator.ip.IpEstimate;
import org.infoplane.estimator.ip.RenyiTensorKernelEstimator;
import org.infoplane.snapshot.CheckpointId;
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
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The migration of tables without the uncertainty and per-batch columns, and {@code infoplane sensitivity} on a really analysed archive (deleted before the
 * sensitivity run) against the analysed plane and against direct estimator calls.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VerdictsAndSensitivityTest {

  static final double TOL = 1e-12;

  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void startSpark() {
    spark = TestSpark.session();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  @Order(4)
  void tablesWithoutTheUncertaintyColumnsGainThemAndKeepTheirRows() {
    ResolvedConf c = TestSpark.warehouse(dir.resolve("old"), "old");
    // The information_plane of the previous release, with one row.
    spark.sql("CREATE NAMESPACE IF NOT EXISTS old.ip");
    spark.sql("CREATE TABLE old.ip.information_plane (run_id STRING NOT NULL, split STRING NOT NULL,"
        + " epoch INT NOT NULL, step BIGINT NOT NULL, layer_index INT NOT NULL, layer_name STRING NOT NULL,"
        + " layer_kind STRING, estimator STRING NOT NULL, alpha DOUBLE NOT NULL, batch_size INT NOT NULL,"
        + " n_batches INT NOT NULL, sigma DOUBLE, sigma_raw DOUBLE, i_xt DOUBLE NOT NULL, i_ty DOUBLE NOT NULL,"
        + " h_t DOUBLE NOT NULL, h_x DOUBLE NOT NULL, h_y DOUBLE NOT NULL, i_xt_std DOUBLE NOT NULL,"
        + " i_ty_std DOUBLE NOT NULL, h_t_std DOUBLE NOT NULL, config_id STRING NOT NULL,"
        + " computed_at TIMESTAMP NOT NULL) USING iceberg PARTITIONED BY (config_id)"
        + " TBLPROPERTIES ('format-version'='2')");
    spark.sql("INSERT INTO old.ip.information_plane VALUES ('r', 'train', 0, 0, 0, 'a', 'dense', 'renyi-tensor',"
        + " 1.01D, 100, 4, 1D, 1D, 2D, 1D, 3D, 5D, 2D, 0.4D, 0.2D, 0.1D, 'cfg', TIMESTAMP'2026-01-01 00:00:00')");
    IpTables t = new IpTables(spark, c);
    t.createAll();
    t.createAll(); // a second opening changes nothing
    List<String> columns = List.of(spark.table("old.ip.information_plane").schema().fieldNames());
    assertThat(columns).endsWith("computed_at", "edge_batches", "i_xt_se", "i_ty_se", "h_t_se", "i_xt_ci_low", "i_xt_ci_high",
        "i_ty_ci_low", "i_ty_ci_high", "h_t_ci_low", "h_t_ci_high", "h_t_err", "i_xt_err", "i_ty_err", "i_xy", "i_xy_se",
        "h_x_se", "i_xt_batches", "i_ty_batches", "h_t_batches", "h_x_batches", "i_xy_batches");
    Row old = spark.sql("SELECT * FROM old.ip.information_plane").first();
    assertThat(old.<Double>getAs("i_xt")).isEqualTo(2.0);
    assertThat(old.isNullAt(old.fieldIndex("i_xt_se"))).isTrue();
    IpViews.register(spark, t);
    Row p = spark.sql("SELECT i_xt_se FROM ip_planes").first();
    assertThat(p.getDouble(0)).as("0.4 / sqrt(4)").isCloseTo(0.2, within(TOL));
  }

  // ---- sensitivity on an analysed archive ---------------------------------------------------------

  static SyntheticRun run;
  static ResolvedConf conf;
  static IpTables tables;

  @Test
  @Order(5)
  void sensitivityFromStoredDistancesReproducesTheAnalysedPlaneAndTheEstimator() throws IOException {
    Path archive = dir.resolve("archive");
    run = new SyntheticRun(5);
    run.write(SnapshotArchive.open(archive.toString(), new Configuration()), "r1", 0, 3);
    // Every layer keeps its distances (the fixture's layers are narrower than a batch, which by default
    // keep none), so that the sensitivity run below needs no activation: the archive is deleted first.
    conf = TestSpark.warehouse(dir.resolve("wh"), "sens", "infoplane.commit.units=100", "infoplane.distances.keep=all");
    assertThat(new AnalysisJob(spark, conf, archive.toString()).run().errors()).isEmpty();
    // The same archive under the default, where the narrow layers' activations are read again.
    ResolvedConf byDefault = TestSpark.warehouse(dir.resolve("wh-auto"), "sens_auto", "infoplane.commit.units=100");
    assertThat(new AnalysisJob(spark, byDefault, archive.toString()).run().errors()).isEmpty();
    tables = new IpTables(spark, conf);
    String ip = tables.name(IpTables.INFORMATION_PLANE);
    List<Row> first = spark.sql("SELECT * FROM " + ip + " ORDER BY split, step, layer_index").collectAsList();
    for (Row r : first) {
      double n = r.<Integer>getAs("n_batches");
      assertThat(n).isEqualTo(2);
      assertThat(r.<Double>getAs("i_xt_se")).isCloseTo(r.<Double>getAs("i_xt_std") / Math.sqrt(n), within(TOL));
      assertThat(r.<Double>getAs("h_t_se")).isCloseTo(r.<Double>getAs("h_t_std") / Math.sqrt(n), within(TOL));
      assertThat(r.<Double>getAs("i_xt_ci_low")).isLessThanOrEqualTo(r.<Double>getAs("i_xt"));
      assertThat(r.<Double>getAs("i_xt_ci_high")).isGreaterThanOrEqualTo(r.<Double>getAs("i_xt"));
    }
    // Rows as an older version wrote them (no intervals) are computed again by the next analysis.
    spark.sql("UPDATE " + ip + " SET i_xt_se = NULL, i_ty_se = NULL, h_t_se = NULL, i_xt_ci_low = NULL,"
        + " i_xt_ci_high = NULL, i_ty_ci_low = NULL, i_ty_ci_high = NULL, h_t_ci_low = NULL, h_t_ci_high = NULL"
        + " WHERE layer_index = 0");
    AnalysisJob.Summary again = new AnalysisJob(spark, conf, archive.toString()).run();
    assertThat(again.computed().get("pass 3/3 entropies")).isEqualTo(2 * 3);
    List<Row> second = spark.sql("SELECT * FROM " + ip + " ORDER BY split, step, layer_index").collectAsList();
    assertThat(second).hasSameSizeAs(first);
    for (int i = 0; i < first.size(); i++) {
      for (String col : new String[] {"i_xt", "i_ty", "h_t", "sigma", "i_xt_se", "i_xt_ci_low", "h_t_ci_high"}) {
        assertThat((Object) second.get(i).getAs(col)).as(col + " of row " + i).isEqualTo(first.get(i).getAs(col));
      }
    }
    // No activation may be read: the archive is gone.
    try (Stream<Path> files = Files.walk(archive)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    assertThat(archive).doesNotExist();
    // Without the archive, the layers that keep no distances cannot be varied: one error naming the
    // unit, and nothing written.
    assertThatThrownBy(() -> new SensitivityJob(spark, byDefault).run("r1", List.of(2.0), List.of(1.0)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("nothing was written")
        .hasMessageContaining("run r1");
    assertThat(spark.table("sens_auto.ip.sensitivity").count()).isZero();

    SensitivityJob.Result res = new SensitivityJob(spark, conf).run("r1", List.of(1.01, 2.0), List.of(1.0, 0.5));
    assertThat(res.units()).isEqualTo(2 * 3 * 3);
    assertThat(res.combinations()).hasSize(4);
    AnalysisConfig config = AnalysisConfig.from(conf);
    assertThat(config.withAlpha(config.alpha())).as("withAlpha keeps every other parameter").isEqualTo(config);
    String base = config.configId();
    assertThat(res.baseConfigId()).isEqualTo(base);
    String sens = tables.name(IpTables.SENSITIVITY);
    assertThat(spark.table(sens).count()).isEqualTo(4 * 18);

    // alpha 1.01 and scale 1 is the analysed plane, to the last bit.
    List<Row> analysed = spark.sql("SELECT * FROM " + tables.name(IpTables.INFORMATION_PLANE)
        + " ORDER BY split, step, layer_index").collectAsList();
    List<Row> same = spark.sql("SELECT * FROM " + sens + " WHERE alpha = 1.01D AND sigma_scale = 1D"
        + " ORDER BY split, step, layer_index").collectAsList();
    assertThat(same).hasSize(analysed.size());
    for (int i = 0; i < same.size(); i++) {
      for (String col : new String[] {"layer_name", "sigma", "n_batches", "i_xt", "i_ty", "h_t", "h_x", "h_y",
          "i_xt_std", "i_ty_se", "i_xt_ci_low", "i_xt_ci_high", "h_t_ci_high", "i_xy", "i_xt_batches", "i_ty_batches",
          "h_t_batches", "h_x_batches", "i_xy_batches"}) {
        assertThat((Object) same.get(i).getAs(col)).as(col + " of row " + i).isEqualTo(analysed.get(i).getAs(col));
      }
      assertThat(same.get(i).<String>getAs("base_config_id")).isEqualTo(base);
    }

    // alpha 2 and half the width, against the pure estimator on the same batches.
    InformationPlaneEstimator pure = InformationPlaneEstimators.byName(RenyiTensorKernelEstimator.NAME,
        AnalysisConfig.from(conf).renyiSettings().withAlpha(2.0));
    List<Row> varied = spark.sql("SELECT * FROM " + sens + " WHERE alpha = 2D AND sigma_scale = 0.5D"
        + " ORDER BY split, step, layer_index").collectAsList();
    assertThat(varied).hasSize(18);
    for (int i = 0; i < varied.size(); i++) {
      Row r = varied.get(i);
      Double sigma = analysed.get(i).getAs("sigma");
      INDArray t = run.acts.get(r.<String>getAs("split"))
          .get(new CheckpointId(r.getAs("epoch"), r.getAs("step"))).get(r.<Integer>getAs("layer_index"));
      List<IpBatch> batches = IpBatch.cut(run.x, t, run.y, SyntheticRun.CLASSES, run.ids,
          AnalysisConfig.from(conf).plan());
      double ixt = 0;
      double ity = 0;
      double ht = 0;
      for (IpBatch b : batches) {
        IpEstimate e = pure.estimate(b, sigma == null ? OptionalDouble.empty() : OptionalDouble.of(0.5 * sigma));
        ixt += e.iXT() / batches.size();
        ity += e.iTY() / batches.size();
        ht += e.hT() / batches.size();
      }
      String what = "row " + i + " " + r.getAs("split") + " step " + r.getAs("step") + " layer " + r.getAs("layer_index");
      assertThat(r.<Double>getAs("i_xt")).as(what).isCloseTo(ixt, within(TOL));
      assertThat(r.<Double>getAs("i_ty")).as(what).isCloseTo(ity, within(TOL));
      assertThat(r.<Double>getAs("h_t")).as(what).isCloseTo(ht, within(TOL));
      if (sigma == null) {
        assertThat(r.<Double>getAs("sigma")).isNull();
      } else {
        assertThat(r.<Double>getAs("sigma")).isEqualTo(0.5 * sigma);
        assertThat(r.<Double>getAs("i_xt")).as(what + " differs from the analysed")
            .isNotCloseTo(analysed.get(i).<Double>getAs("i_xt"), within(1e-6));
      }
    }

    // Each variant has verdicts of its own, tested on its own per-batch values.
    assertThat(spark.sql("SELECT DISTINCT alpha, sigma_scale FROM " + tables.name(IpTables.PHASE_TESTS)
        + " WHERE source = 'sensitivity'").count()).isEqualTo(4);

    // Running again replaces the rows.
    new SensitivityJob(spark, conf).run("r1", List.of(2.0), List.of(0.5));
    assertThat(spark.table(sens).count()).isEqualTo(4 * 18);
  }

  @Test
  @Order(6)
  void theSummaryFindsNoChangeForTheAnalysedCombination() {
    IpViews.register(spark, tables);
    List<Row> s = spark.sql("SELECT * FROM sensitivity_summary WHERE alpha = 1.01D AND sigma_scale = 1D")
        .collectAsList();
    assertThat(s).hasSize(2);
    for (Row r : s) {
      assertThat(r.<Boolean>getAs("dpi_share_changed")).isFalse();
      assertThat(r.<Long>getAs("n_layers_changed")).isZero();
      assertThat(r.<Long>getAs("n_layers")).isEqualTo(3);
      assertThat(r.<Double>getAs("dpi_share")).isEqualTo(r.<Double>getAs("base_dpi_share"));
    }
    assertThat(spark.sql("SELECT * FROM sensitivity_summary").count()).isEqualTo(2 * 4);
    // The dead layer is constant under every variant.
    assertThat(spark.sql("SELECT DISTINCT phase, base_phase FROM sensitivity_verdicts"
        + " WHERE layer_name = 'dead'").collectAsList())
        .extracting(Row::toString).containsExactly("[constant,constant]");
  }

  @Test
  @Order(7)
  void badRequestsNameWhatIsWrongAndWriteNothing() {
    long before = spark.table(tables.name(IpTables.SENSITIVITY)).count();
    assertThatThrownBy(() -> new SensitivityJob(spark, conf).run("nope", List.of(2.0), List.of(1.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("run 'nope' has no analysis under configuration")
        .hasMessageContaining("has not been analysed at all");
    ResolvedConf other = new ConfResolver().pairs(List.of("infoplane.warehouse=" + dir.resolve("wh"),
        "infoplane.catalog.name=sens", "infoplane.alpha=1.5")).resolve();
    assertThatThrownBy(() -> new SensitivityJob(spark, other).run("r1", List.of(2.0), List.of(1.0)))
        .hasMessageContaining("it was analysed under " + AnalysisConfig.from(conf).configId());
    ResolvedConf perBatch = new ConfResolver().pairs(List.of("infoplane.warehouse=" + dir.resolve("wh"),
        "infoplane.catalog.name=sens", "infoplane.width.scope=batch")).resolve();
    assertThatThrownBy(() -> new SensitivityJob(spark, perBatch).run("r1", List.of(2.0), List.of(1.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("infoplane.width.scope=batch");
    assertThatThrownBy(() -> new SensitivityJob(spark, conf).run("r1", List.of(2.0), List.of(0.0)))
        .hasMessageContaining("sigma scale must be > 0 and finite, got 0.0");
    assertThatThrownBy(() -> new SensitivityJob(spark, conf).run("r1", List.of(-1.0), List.of(1.0)))
        .hasMessageContaining("alpha must be > 0 and finite, got -1.0");
    assertThat(spark.table(tables.name(IpTables.SENSITIVITY)).count()).isEqualTo(before);
  }

  /** The command line; it stops the session it uses, so it runs last. */
  @Test
  @Order(8)
  void commandPrintsTheSummaryAndRefusesAnUnknownRunWithOneLine() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    picocli.CommandLine cl = InfoPlaneCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] common = {"--warehouse", dir.resolve("wh").toString(), "--conf", "infoplane.catalog.name=sens"};
    int bad = cl.execute(concat(new String[] {"sensitivity", "--run", "nope"}, common));
    assertThat(bad).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains("infoplane sensitivity: run 'nope' has no analysis");
    int ok = cl.execute(concat(new String[] {"sensitivity", "--run", "r1", "--alpha", "1.01", "--sigma-scale", "1,2"},
        common));
    assertThat(ok).as(err.toString()).isZero();
    assertThat(out.toString()).contains("sensitivity of run r1", "2 combinations", "train", "test", "0 of 3 []");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
