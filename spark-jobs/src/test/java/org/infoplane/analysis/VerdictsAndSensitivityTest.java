package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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
import org.infoplane.spark.Sessions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The noise-aware verdicts of {@code dpi_check} and {@code compression_phases} on hand-made rows
 * whose verdicts are worked out in the comments, the migration of tables without the uncertainty
 * columns, and {@code infoplane sensitivity} on a really analysed archive (deleted before the
 * sensitivity run) against the analysed plane and against direct estimator calls.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VerdictsAndSensitivityTest {

  static final double TOL = 1e-12;

  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void startSpark() {
    spark = Sessions.create(new ConfResolver().pairs(List.of("infoplane.local.master=local[2]")).resolve(), "test");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static IpTables catalog(String name) {
    ResolvedConf c = new ConfResolver().pairs(List.of("infoplane.warehouse=" + dir.resolve(name),
        "infoplane.catalog.name=" + name, "spark.sql.shuffle.partitions=2")).resolve();
    Sessions.create(c, "test");
    IpTables t = new IpTables(spark, c);
    t.createAll();
    IpViews.register(spark, t);
    return t;
  }

  /** One hand-made plane row: 5 batches unless {@code n} says otherwise; std = se·√n unless seXt is null. */
  record Hand(String run, String split, int epoch, int layer, int n, double ixt, double ity, double ht,
      Double seXt, double seTy) {
    String values(String key) {
      double stdXt = seXt == null ? 0.02 * Math.sqrt(5) : seXt * Math.sqrt(n);
      return String.format(Locale.ROOT, "('%s', '%s', %d, %d, %d, 'L%d', 'dense', %s, %d, %s, %sD, %sD, %sD, 1D, 1D,"
              + " %sD, %sD, 0D, %s, %s, 0D, %s)", run, split, epoch, 10L * epoch, layer, layer, key, n,
          ht == 0 ? "NULL" : "1D", ixt, ity, ht, stdXt, seTy * Math.sqrt(n), seXt == null ? "NULL" : seXt + "D",
          seTy + "D", "TIMESTAMP'2026-01-01 00:00:00', 'cfg', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0D, 0D, 0D");
    }
  }

  private static void insertPlane(IpTables t, List<Hand> rows) {
    StringBuilder v = new StringBuilder();
    for (Hand h : rows) {
      v.append(v.length() == 0 ? "" : ", ").append(h.values("'renyi-tensor', 1.01D, 100"));
    }
    spark.sql("INSERT INTO " + t.name(IpTables.INFORMATION_PLANE) + " (run_id, split, epoch, step, layer_index,"
        + " layer_name, layer_kind, estimator, alpha, batch_size, n_batches, sigma, i_xt, i_ty, h_t, h_x, h_y,"
        + " i_xt_std, i_ty_std, h_t_std, i_xt_se, i_ty_se, h_t_se, computed_at, config_id, sigma_raw, i_xt_ci_low,"
        + " i_xt_ci_high, i_ty_ci_low, i_ty_ci_high, h_t_ci_low, h_t_ci_high, edge_batches, h_t_err, i_xt_err,"
        + " i_ty_err) VALUES " + v);
  }

  /** Rows of run h (DPI) and run p (phases); verdicts below are worked out by hand. */
  static List<Hand> handRows() {
    List<Hand> r = new ArrayList<>();
    // Run h, split train: 3 layers, 2 checkpoints; se 0.02 for I(X;T) and 0.05 for I(T;Y).
    // ck0: I(X;T) 3.00 < 3.03 (raw violation; margin 2·√(0.02²+0.02²) = 0.0566 > 0.03: noise), 3.03 ≥ 1.
    //      I(T;Y) 1.0 < 1.2 (margin 2·√(2·0.05²) = 0.141 < 0.2: significant), 1.2 ≥ 0.5.
    r.add(new Hand("h", "train", 0, 0, 5, 3.00, 1.0, 1, 0.02, 0.05));
    r.add(new Hand("h", "train", 0, 1, 5, 3.03, 1.2, 1, 0.02, 0.05));
    r.add(new Hand("h", "train", 0, 2, 5, 1.00, 0.5, 1, 0.02, 0.05));
    // ck1: I(X;T) 3.1 < 3.3: significant; L1's row predates the _se columns (se null, std 0.02·√5,
    //      so se = 0.02 from std/√n). I(T;Y) 1.0 ≥ 0.9 ≥ 0.5 holds.
    r.add(new Hand("h", "train", 1, 0, 5, 3.10, 1.0, 1, 0.02, 0.05));
    r.add(new Hand("h", "train", 1, 1, 5, 3.30, 0.9, 1, null, 0.05));
    r.add(new Hand("h", "train", 1, 2, 5, 1.10, 0.5, 1, 0.02, 0.05));
    // Split test, one checkpoint, L1 with a single batch: raw violation 3 < 3.5, not judged.
    r.add(new Hand("h", "test", 0, 0, 5, 3.0, 1.0, 1, 0.02, 0.05));
    r.add(new Hand("h", "test", 0, 1, 1, 3.5, 0.9, 1, 0.0, 0.0));
    r.add(new Hand("h", "test", 0, 2, 5, 1.0, 0.5, 1, 0.02, 0.05));
    // Run p: one layer per behaviour over 3 checkpoints (layer index = behaviour).
    double[][] ixt = {{2.0, 2.0004, 2.0}, {2, 3, 2.5}, {2, 3, 2.5}, {0, 0, 0}, {2, 3, 2.5}};
    double[][] ity = {{1, 1, 1}, {0.5, 1.0, 0.98}, {0.5, 1.0, 0.5}, {0, 0, 0}, {0.5, 1.0, 1.0}};
    double[] seXt = {0.01, 0.05, 0.05, 0.0, 0.05};
    for (int layer = 0; layer < 5; layer++) {
      for (int k = 0; k < 3; k++) {
        r.add(new Hand("p", "train", k, layer, layer == 4 && k == 2 ? 1 : 5, ixt[layer][k], ity[layer][k],
            layer == 3 ? 0 : 1, seXt[layer], layer == 3 ? 0 : 0.02));
      }
    }
    return r;
  }

  @Test
  @Order(1)
  void dpiCheckCountsRawAndSignificantViolationsSideBySide() {
    IpTables t = catalog("verd");
    insertPlane(t, handRows());
    Map<String, Row> dpi = new HashMap<>();
    spark.sql("SELECT * FROM dpi_check WHERE run_id = 'h'").collectAsList()
        .forEach(r -> dpi.put(r.<String>getAs("split") + r.<Integer>getAs("epoch"), r));
    assertThat(dpi).containsOnlyKeys("train0", "train1", "test0");

    Row c0 = dpi.get("train0");
    assertThat(c0.<Long>getAs("n_xt_violations")).isEqualTo(1);
    assertThat(c0.<Long>getAs("n_xt_violations_significant")).isZero();
    assertThat(c0.<Long>getAs("n_ty_violations")).isEqualTo(1);
    assertThat(c0.<Long>getAs("n_ty_violations_significant")).isEqualTo(1);
    assertThat(c0.<Double>getAs("xt_share")).isCloseTo(0.5, within(TOL));
    assertThat(c0.<Double>getAs("xt_share_significant")).isEqualTo(1.0);
    assertThat(c0.<Double>getAs("ty_share_significant")).isCloseTo(0.5, within(TOL));
    assertThat(c0.<Double>getAs("share_holding_significant")).isCloseTo(0.5, within(TOL));
    assertThat(c0.<Boolean>getAs("dpi_holds")).isFalse();
    assertThat(c0.<Boolean>getAs("dpi_holds_significant")).isFalse();
    assertThat(c0.getList(c0.fieldIndex("xt_violations"))).containsExactly("L0 < L1");
    assertThat(c0.getList(c0.fieldIndex("xt_violations_significant"))).isEmpty();
    assertThat(c0.getList(c0.fieldIndex("ty_violations_significant"))).containsExactly("L0 < L1");

    Row c1 = dpi.get("train1");
    assertThat(c1.<Long>getAs("n_xt_violations_significant")).as("se from std/sqrt(n) for an old row").isEqualTo(1);
    assertThat(c1.getList(c1.fieldIndex("xt_violations_significant"))).containsExactly("L0 < L1");
    assertThat(c1.<Long>getAs("n_ty_violations_significant")).isZero();

    Row test = dpi.get("test0");
    assertThat(test.<Long>getAs("n_xt_violations")).isEqualTo(1);
    assertThat(test.isNullAt(test.fieldIndex("n_xt_violations_significant"))).as("one batch: not judged").isTrue();
    assertThat(test.isNullAt(test.fieldIndex("dpi_holds_significant"))).isTrue();
    assertThat(test.isNullAt(test.fieldIndex("xt_violations_significant"))).isTrue();
  }

  @Test
  @Order(2)
  void compressionIsCountedOnlyBeyondTheNoiseAndAConstantLayerIsConstant() {
    Map<Integer, Row> ph = new HashMap<>();
    spark.sql("SELECT * FROM compression_phases WHERE run_id = 'p'").collectAsList()
        .forEach(r -> ph.put(r.<Integer>getAs("layer_index"), r));
    assertThat(ph).hasSize(5);
    // L0: peak 2.0004 at ck1, last 2.0: a drop of 0.0004 bits against 2·√2·0.01 = 0.028.
    assertThat(ph.get(0).<String>getAs("phases")).isEqualTo("fitting, then compression");
    assertThat(ph.get(0).<Double>getAs("xt_drop")).isCloseTo(0.0004, within(1e-9));
    assertThat(ph.get(0).<Double>getAs("xt_drop_se")).isCloseTo(0.01 * Math.sqrt(2), within(TOL));
    assertThat(ph.get(0).<Boolean>getAs("compression_significant")).isFalse();
    assertThat(ph.get(0).<String>getAs("phases_significant")).isEqualTo("fitting");
    // L1: drop 0.5 > 2·√2·0.05 = 0.141; I(T;Y) 1.0 → 0.98: beyond the raw 1 % tolerance, but within
    // 2·√2·0.02 = 0.057 of the noise.
    assertThat(ph.get(1).<String>getAs("phases")).isEqualTo("fitting, then I(X;T) and I(T;Y) fall");
    assertThat(ph.get(1).<Boolean>getAs("compression_significant")).isTrue();
    assertThat(ph.get(1).<Boolean>getAs("ty_fell_significant")).isFalse();
    assertThat(ph.get(1).<String>getAs("phases_significant")).isEqualTo("fitting, then compression");
    // L2: I(T;Y) 1.0 → 0.5: both fall in both verdicts.
    assertThat(ph.get(2).<Boolean>getAs("ty_fell_significant")).isTrue();
    assertThat(ph.get(2).<String>getAs("phases")).isEqualTo("fitting, then I(X;T) and I(T;Y) fall");
    assertThat(ph.get(2).<String>getAs("phases_significant")).isEqualTo("fitting, then I(X;T) and I(T;Y) fall");
    // L3: S(T) = 0 everywhere.
    assertThat(ph.get(3).<String>getAs("phases")).isEqualTo("constant");
    assertThat(ph.get(3).<String>getAs("phases_significant")).isEqualTo("constant");
    // L4: a real compression, but its last checkpoint has one batch: raw verdict only.
    assertThat(ph.get(4).<String>getAs("phases")).isEqualTo("fitting, then compression");
    assertThat(ph.get(4).isNullAt(ph.get(4).fieldIndex("phases_significant"))).isTrue();
    assertThat(ph.get(4).isNullAt(ph.get(4).fieldIndex("compression_significant"))).isTrue();
  }

  @Test
  @Order(3)
  void sensitivityViewsCompareEachVariantWithTheAnalysedPlane() {
    IpTables t = catalog("verd");
    // A variant of run h's train split under alpha 2: at ck0 L1's I(T;Y) is 1.0 (the significant
    // I(T;Y) violation is gone), and L2's I(X;T) is 1.5 then 1.1 (se 0.01: a significant drop of 0.4,
    // I(T;Y) flat at 0.5): L2 turns from "fitting" to "fitting, then compression".
    List<String> v = new ArrayList<>();
    for (Hand h : handRows()) {
      if (!h.run().equals("h") || !h.split().equals("train")) {
        continue;
      }
      double ity = h.epoch() == 0 && h.layer() == 1 ? 1.0 : h.ity();
      double ixt = h.layer() == 2 ? (h.epoch() == 0 ? 1.5 : 1.1) : h.ixt();
      double se = h.layer() == 2 ? 0.01 : h.seXt() == null ? 0.02 : h.seXt();
      v.add(String.format(Locale.ROOT, "('h', 'train', %d, %d, %d, 'L%d', 'dense', 'cfg', 2D, 1D, 1D, 100, 5,"
              + " %sD, %sD, 1D, 1D, 1D, 0D, 0D, 0D, TIMESTAMP'2026-01-01 00:00:00', %sD, 0.05D, 0D,"
              + " NULL, NULL, NULL, NULL, NULL, NULL)",
          h.epoch(), 10L * h.epoch(), h.layer(), h.layer(), ixt, ity, se));
    }
    spark.sql("INSERT INTO " + t.name(IpTables.SENSITIVITY) + " VALUES " + String.join(", ", v));
    List<Row> s = spark.sql("SELECT * FROM sensitivity_summary").collectAsList();
    assertThat(s).hasSize(1);
    Row r = s.get(0);
    // Analysed: 4 (checkpoint, pair)s; ck0 L0-L1 violates I(T;Y), ck1 L0-L1 violates I(X;T).
    assertThat(r.<Long>getAs("n_pairs")).isEqualTo(4);
    assertThat(r.<Double>getAs("base_xt_share")).isCloseTo(0.75, within(TOL));
    assertThat(r.<Double>getAs("base_ty_share")).isCloseTo(0.75, within(TOL));
    assertThat(r.<Double>getAs("base_dpi_share")).isCloseTo(0.5, within(TOL));
    // Variant: only ck1 L0-L1 violates.
    assertThat(r.<Double>getAs("ty_share")).isEqualTo(1.0);
    assertThat(r.<Double>getAs("dpi_share")).isCloseTo(0.75, within(TOL));
    assertThat(r.<Boolean>getAs("dpi_share_changed")).isTrue();
    assertThat(r.<Long>getAs("n_layers")).isEqualTo(3);
    assertThat(r.<Long>getAs("n_layers_changed")).isEqualTo(1);
    assertThat(r.getList(r.fieldIndex("layers_changed"))).containsExactly("L2");
    Row l2 = spark.sql("SELECT * FROM sensitivity_verdicts WHERE layer_index = 2").first();
    assertThat(l2.<String>getAs("base_phases_significant")).isEqualTo("fitting");
    assertThat(l2.<String>getAs("phases_significant")).isEqualTo("fitting, then compression");
    assertThat(l2.<Boolean>getAs("verdict_changed")).isTrue();
  }

  @Test
  @Order(4)
  void tablesWithoutTheUncertaintyColumnsGainThemAndKeepTheirRows() {
    ResolvedConf c = new ConfResolver().pairs(List.of("infoplane.warehouse=" + dir.resolve("old"),
        "infoplane.catalog.name=old")).resolve();
    Sessions.create(c, "test");
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
        "i_ty_ci_low", "i_ty_ci_high", "h_t_ci_low", "h_t_ci_high", "h_t_err", "i_xt_err", "i_ty_err");
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
    conf = new ConfResolver().pairs(List.of("infoplane.warehouse=" + dir.resolve("wh"), "infoplane.catalog.name=sens",
        "infoplane.commit.units=100", "spark.sql.shuffle.partitions=2")).resolve();
    Sessions.create(conf, "test");
    assertThat(new AnalysisJob(spark, conf, archive.toString()).run().errors()).isEmpty();
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
          "i_xt_std", "i_ty_se", "i_xt_ci_low", "i_xt_ci_high", "h_t_ci_high"}) {
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
    assertThat(spark.sql("SELECT DISTINCT phases_significant, base_phases_significant FROM sensitivity_verdicts"
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
