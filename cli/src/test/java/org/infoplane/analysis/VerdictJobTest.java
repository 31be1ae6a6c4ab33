package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infoplane.config.ResolvedConf;
import org.infoplane.estimator.verdict.PhaseTests;
import org.infoplane.estimator.verdict.PhaseVerdict;
import org.infoplane.estimator.verdict.Series;
import org.infoplane.estimator.verdict.SplitFall;
import org.infoplane.estimator.verdict.SplitFallTests;
import org.infoplane.spark.Sessions;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.IpViews;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verdict tables from hand-made {@code information_plane} rows whose per-batch values are
 * given: the tests against SciPy's, computed outside the project (SciPy 1.17.1, NumPy 2.4.6:
 * {@code scipy.stats.ttest_rel(later, earlier)} with {@code .confidence_interval(0.95)},
 * {@code ttest_1samp(effects, 0)} and {@code false_discovery_control(p, method='bh')} on the arrays
 * below), the chain starting at the input, both levels, and the phases of a planted series against
 * the estimator library's own call.
 */
class VerdictJobTest {

  static final double P_TOL = 1e-10;
  static final double TOL = 1e-9;

  static SparkSession spark;
  static ResolvedConf conf;
  static IpTables tables;
  @TempDir static Path dir;

  // One run, split train, one checkpoint, two layers; 4 batches.
  static final double[] HX = {5.0, 5.2, 5.1, 5.3};
  static final double[] IXY = {2.0, 2.1, 1.9, 2.2};
  static final double[] L0_XT = {4.0, 4.3, 4.1, 4.2};
  static final double[] L0_TY = {1.5, 1.65, 1.4, 1.7};
  static final double[] L1_XT = {4.5, 4.85, 4.6, 4.8};
  static final double[] L1_TY = {1.0, 1.2, 1.1, 1.3};

  @BeforeAll
  static void setUp() {
    conf = TestSpark.warehouse(dir.resolve("wh"), "infoplane");
    spark = TestSpark.session();
    tables = new IpTables(spark, conf);
    tables.createAll();
    List<Row> plane = new ArrayList<>();
    List<Row> runs = new ArrayList<>();
    // Experiment "single": one run. Experiment "triple": three runs, layer 1's I(X;T) shifted by
    // 0, +0.05 and -0.02 bits in every batch.
    runs.add(run("s1", "single"));
    addCheckpoint(plane, "s1", L0_XT, L1_XT);
    double[] shifts = {0.0, 0.05, -0.02};
    for (int r = 0; r < 3; r++) {
      runs.add(run("t" + r, "triple"));
      addCheckpoint(plane, "t" + r, L0_XT, shift(L1_XT, shifts[r]));
    }
    // Experiment "planted": one run, one layer, 6 checkpoints, 8 batches, I(X;T) rising then falling.
    runs.add(run("p1", "planted"));
    double[] course = {3.0, 3.5, 4.0, 3.6, 3.2, 3.0};
    for (int c = 0; c < course.length; c++) {
      double[] ixt = new double[8];
      double[] ity = new double[8];
      double[] ht = new double[8];
      for (int b = 0; b < 8; b++) {
        ixt[b] = course[c] + 0.02 * ((b * 7 + c * 3) % 5 - 2);
        ity[b] = 2.0 + 0.01 * ((b * 3 + c) % 3 - 1);
        ht[b] = ixt[b] + 0.5;
      }
      plane.add(planeRow("p1", "train", c, 100L * c, 0, ixt, ity, ht, constant(8, 6.0), constant(8, 2.0)));
    }
    // Experiment "splits": one run, one layer, both splits; I(X;T) rises as p1's on both, then falls
    // on the train split only.
    runs.add(run("q1", "splits"));
    double[] flat = {3.0, 3.5, 4.0, 4.0, 4.0, 4.0};
    for (int c = 0; c < course.length; c++) {
      for (String split : List.of("train", "test")) {
        double[] ixt = new double[8];
        double[] ity = constant(8, 2.0);
        double[] ht = new double[8];
        for (int b = 0; b < 8; b++) {
          ixt[b] = split.equals("train") ? course[c] + 0.02 * ((b * 7 + c * 3) % 5 - 2)
              : flat[c] + 0.02 * ((b * 3 + c * 5) % 5 - 2);
          ht[b] = ixt[b] + 0.5;
        }
        plane.add(planeRow("q1", split, c, 100L * c, 0, ixt, ity, ht, constant(8, 6.0), constant(8, 2.0)));
      }
    }
    insert(IpTables.INFORMATION_PLANE, plane);
    insert(IpTables.RUNS, runs);
    new VerdictJob(spark, conf).run(null);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static double[] shift(double[] v, double d) {
    double[] out = v.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += d;
    }
    return out;
  }

  static double[] constant(int n, double v) {
    double[] out = new double[n];
    java.util.Arrays.fill(out, v);
    return out;
  }

  static void addCheckpoint(List<Row> plane, String run, double[] l0xt, double[] l1xt) {
    plane.add(planeRow(run, "train", 0, 0L, 0, l0xt, L0_TY, shift(l0xt, 0.5), HX, IXY));
    plane.add(planeRow(run, "train", 0, 0L, 1, l1xt, L1_TY, shift(l1xt, 0.5), HX, IXY));
  }

  static Row run(String id, String model) {
    Map<String, Object> v = new HashMap<>();
    v.put("run_id", id);
    v.put("model", model);
    return row(IpTables.RUNS, v);
  }

  static Row planeRow(String run, String split, int epoch, long step, int layer, double[] ixt, double[] ity,
      double[] ht, double[] hx, double[] ixy) {
    Map<String, Object> v = new HashMap<>();
    v.put("run_id", run);
    v.put("split", split);
    v.put("epoch", epoch);
    v.put("step", step);
    v.put("layer_index", layer);
    v.put("layer_name", "layer" + layer);
    v.put("estimator", "renyi-tensor");
    v.put("alpha", 1.01);
    v.put("batch_size", 100);
    v.put("n_batches", ixt.length);
    for (String c : List.of("i_xt", "i_ty", "h_t", "h_x", "h_y", "i_xt_std", "i_ty_std", "h_t_std")) {
      v.put(c, 0.0);
    }
    v.put("config_id", "cfg");
    v.put("computed_at", new Timestamp(0));
    v.put("i_xt_batches", seq(ixt));
    v.put("i_ty_batches", seq(ity));
    v.put("h_t_batches", seq(ht));
    v.put("h_x_batches", seq(hx));
    v.put("i_xy_batches", seq(ixy));
    return row(IpTables.INFORMATION_PLANE, v);
  }

  static Object seq(double[] v) {
    return scala.collection.JavaConverters.asScalaBuffer(java.util.Arrays.stream(v).boxed().toList()).toSeq();
  }

  /** A row of the table's schema: the given values by column name, null elsewhere. */
  static Row row(String table, Map<String, Object> values) {
    StructType schema = spark.table(tables.name(table)).schema();
    Object[] out = new Object[schema.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(schema.fields()[i].name());
    }
    return RowFactory.create(out);
  }

  static void insert(String table, List<Row> rows) {
    StructType schema = spark.table(tables.name(table)).schema();
    try {
      spark.createDataFrame(rows, schema).writeTo(tables.name(table)).append();
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new IllegalStateException(e);
    }
  }

  static Row dpi(String level, String model, String quantity, int to) {
    List<Row> rows = spark.sql("SELECT * FROM " + tables.name(IpTables.DPI_TESTS) + " WHERE level = '" + level
        + "' AND model = '" + model + "' AND quantity = '" + quantity + "' AND to_index = " + to).collectAsList();
    assertThat(rows).as("%s %s %s %d", level, model, quantity, to).hasSize(level.equals("run") && model.equals("triple")
        ? 3 : 1);
    return rows.get(0);
  }

  @Test
  void runLevelDpiTestsArePairedTTestsWithBenjaminiHochbergOverTheFamily() {
    // Golden (SciPy): later - earlier, p, 95 % CI, q over the 4 tests of experiment "single".
    Object[][] golden = {
      {"i_xt", 0, -1.0, 0.00014915720128493446, -1.1299228263625105, -0.8700771736374894, 0.0002578217179376282},
      {"i_ty", 0, -0.4875000000000001, 3.7089413306429456e-05, -0.5272805788160464, -0.44771942118395386,
          0.00014835765322571782},
      {"i_xt", 1, 0.5374999999999999, 0.00019336628845322118, 0.46132599095855953, 0.6136740090414402,
          0.0002578217179376282},
      {"i_ty", 1, -0.4124999999999999, 0.0023542256228876834, -0.5483765441898008, -0.27662345581019904,
          0.0023542256228876834},
    };
    for (Object[] g : golden) {
      Row r = dpi("run", "single", (String) g[0], (Integer) g[1]);
      assertThat(r.<Integer>getAs("from_index")).isEqualTo((Integer) g[1] - 1); // -1: the input
      assertThat(r.<String>getAs("from_name")).isEqualTo((Integer) g[1] == 0 ? "input" : "layer0");
      assertThat(r.<Double>getAs("diff_effect")).isCloseTo((Double) g[2], within(TOL));
      assertThat(r.<Double>getAs("diff_p")).isCloseTo((Double) g[3], within(P_TOL));
      assertThat(r.<Double>getAs("diff_ci_low")).isCloseTo((Double) g[4], within(TOL));
      assertThat(r.<Double>getAs("diff_ci_high")).isCloseTo((Double) g[5], within(TOL));
      assertThat(r.<Double>getAs("diff_q")).isCloseTo((Double) g[6], within(P_TOL));
      assertThat(r.<Double>getAs("diff_df")).isEqualTo(3.0);
      assertThat(r.<Integer>getAs("n")).isEqualTo(4);
    }
    // Only layer1's I(X;T) is above its predecessor, significantly: the one violation.
    assertThat(dpi("run", "single", "i_xt", 1).<String>getAs("verdict")).isEqualTo("violated");
    assertThat(dpi("run", "single", "i_ty", 1).<String>getAs("verdict")).isEqualTo("holds");
    assertThat(dpi("run", "single", "i_xt", 0).<String>getAs("verdict")).isEqualTo("holds");
    // One run gives no experiment-level test.
    assertThat(spark.sql("SELECT * FROM " + tables.name(IpTables.DPI_TESTS)
        + " WHERE level = 'experiment' AND model = 'single'").count()).isZero();
  }

  @Test
  void experimentLevelTestsThePerRunEffectsOverRuns() {
    // Golden (SciPy ttest_1samp of the three runs' mean differences 0.5375 + {0, 0.05, -0.02}).
    Row r = dpi("experiment", "triple", "i_xt", 1);
    assertThat(r.<String>getAs("run_id")).isNull();
    assertThat(r.<Integer>getAs("n_runs")).isEqualTo(3);
    assertThat(r.<Double>getAs("diff_effect")).isCloseTo(0.5474999999999999, within(TOL));
    assertThat(r.<Double>getAs("diff_p")).isCloseTo(0.0014424918220381725, within(P_TOL));
    assertThat(r.<Double>getAs("diff_ci_low")).isCloseTo(0.45793314104970384, within(TOL));
    assertThat(r.<Double>getAs("diff_ci_high")).isCloseTo(0.6370668589502959, within(TOL));
    assertThat(r.<Double>getAs("diff_df")).isEqualTo(2.0);
    // The view summarises the tests per checkpoint and says which level a row is.
    IpViews.register(spark, tables);
    Row view = spark.sql("SELECT * FROM dpi_check WHERE level = 'experiment' AND model = 'triple'").collectAsList()
        .get(0);
    assertThat(view.<Long>getAs("n_pairs")).isEqualTo(2L);
    assertThat(view.<Long>getAs("n_xt_violations")).isEqualTo(1L);
    assertThat(view.<Boolean>getAs("dpi_holds")).isFalse();
    assertThat(view.getList(view.fieldIndex("xt_violations"))).containsExactly("layer0 < layer1");
  }

  @Test
  void phasesOfTheJobAreTheEstimatorLibrarysOnTheSameSeries() {
    Row r = spark.sql("SELECT * FROM " + tables.name(IpTables.PHASE_TESTS)
        + " WHERE model = 'planted' AND level = 'run'").collectAsList().get(0);
    double[][] ixt = new double[6][];
    double[][] ity = new double[6][];
    double[][] ht = new double[6][];
    double[] steps = new double[6];
    for (Row p : spark.sql("SELECT epoch, step, i_xt_batches, i_ty_batches, h_t_batches FROM "
        + tables.name(IpTables.INFORMATION_PLANE) + " WHERE run_id = 'p1'").collectAsList()) {
      int c = p.getInt(0);
      steps[c] = p.getLong(1);
      ixt[c] = p.<Double>getList(2).stream().mapToDouble(Double::doubleValue).toArray();
      ity[c] = p.<Double>getList(3).stream().mapToDouble(Double::doubleValue).toArray();
      ht[c] = p.<Double>getList(4).stream().mapToDouble(Double::doubleValue).toArray();
    }
    PhaseVerdict direct = PhaseTests.run(new Series("p1", steps, ixt, ity, ht), 0.05);
    // The family of this experiment's run level is this one layer: q from its four p-values.
    double[] q = org.infoplane.estimator.verdict.BenjaminiHochberg.qValues(direct.pValues());
    PhaseVerdict judged = direct.withQ(q[0], q[1], q[2], q[3], 0.05);
    assertThat(r.<String>getAs("phase")).isEqualTo(judged.phase().label()).isEqualTo("fitting, then compression");
    assertThat(r.<Long>getAs("peak_step")).isEqualTo(200L);
    assertThat(r.<Double>getAs("drop_effect")).isCloseTo(judged.drop().estimate(), within(TOL));
    assertThat(r.<Double>getAs("drop_q")).isCloseTo(q[1], within(P_TOL));
    assertThat(r.<Double>getAs("fit_p")).isCloseTo(judged.fitting().p(), within(P_TOL));
  }

  @Test
  void splitFallsOfTheJobAreTheEstimatorLibrarysOnTheSameSeries() {
    List<Row> rows = spark.sql("SELECT * FROM " + tables.name(IpTables.SPLIT_FALL_TESTS) + " WHERE model = 'splits'")
        .collectAsList();
    assertThat(rows).as("one run, one layer; a single run has no experiment row").hasSize(1);
    Row r = rows.get(0);
    Series[] split = new Series[2];
    for (int s = 0; s < 2; s++) {
      double[][] ixt = new double[6][];
      double[][] ht = new double[6][];
      double[] steps = new double[6];
      for (Row p : spark.sql("SELECT epoch, step, i_xt_batches, h_t_batches FROM "
          + tables.name(IpTables.INFORMATION_PLANE) + " WHERE run_id = 'q1' AND split = '" + (s == 0 ? "train" : "test")
          + "'").collectAsList()) {
        int c = p.getInt(0);
        steps[c] = p.getLong(1);
        ixt[c] = p.<Double>getList(2).stream().mapToDouble(Double::doubleValue).toArray();
        ht[c] = p.<Double>getList(3).stream().mapToDouble(Double::doubleValue).toArray();
      }
      double[][] ity = new double[6][];
      java.util.Arrays.setAll(ity, c -> constant(8, 2.0));
      split[s] = new Series("q1", steps, ixt, ity, ht);
    }
    // The family of this experiment's run level is this one comparison: q = p.
    SplitFall direct = SplitFallTests.run(split[0], split[1], 0.05);
    assertThat(r.<String>getAs("level")).isEqualTo("run");
    assertThat(r.<String>getAs("run_id")).isEqualTo("q1");
    assertThat(r.<String>getAs("verdict")).isEqualTo(direct.verdict().label()).isEqualTo("train falls more");
    assertThat(r.<Long>getAs("peak_step")).isEqualTo(100L * direct.peakIndex()).isEqualTo(200L);
    assertThat(r.<Long>getAs("trough_step")).isEqualTo(100L * direct.troughIndex());
    assertThat(r.<Double>getAs("train_fall")).isCloseTo(direct.trainFall(), within(TOL));
    assertThat(r.<Double>getAs("test_fall")).isCloseTo(direct.testFall(), within(TOL));
    assertThat(r.<Double>getAs("diff_effect")).isCloseTo(direct.difference().estimate(), within(TOL));
    assertThat(r.<Double>getAs("diff_p")).isCloseTo(direct.difference().p(), within(P_TOL));
    assertThat(r.<Double>getAs("diff_q")).isCloseTo(direct.difference().p(), within(P_TOL));
    assertThat(r.<Integer>getAs("n")).isEqualTo(8);
  }

  /**
   * {@code infoplane verdicts} at a stricter level: the violation of layer1's I(X;T) (q = 0.00026)
   * is no longer significant at 0.0001, and the intervals widen to 99.99 %.
   */
  @Test
  void theVerdictsCommandJudgesAtTheConfiguredLevel() {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = org.infoplane.cli.InfoPlaneCli.commandLine();
    cl.setOut(new java.io.PrintWriter(out));
    cl.setErr(new java.io.PrintWriter(err));
    int code = cl.execute("verdicts", "--warehouse", dir.resolve("wh").toString(), "--config-id", "cfg",
        "--conf", "infoplane.verdict.level=0.0001", "--conf", "infoplane.local.master=local[1]");
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("verdicts at level 1.0E-4").contains("1 split-fall comparisons");
    spark = Sessions.create(conf, "test"); // the command stopped the shared session
    tables = new IpTables(spark, conf);
    Row r = dpi("run", "single", "i_xt", 1);
    assertThat(r.<String>getAs("verdict")).isEqualTo("holds");
    assertThat(r.<Double>getAs("diff_ci_low")).isLessThan(0.46132599095855953);
    new VerdictJob(spark, conf).run(null); // back to the default level for the other tests
    assertThat(dpi("run", "single", "i_xt", 1).<String>getAs("verdict")).isEqualTo("violated");
  }

  @Test
  void runningAgainReplacesTheRowsInsteadOfAddingThem() {
    long before = spark.table(tables.name(IpTables.DPI_TESTS)).count();
    long falls = spark.table(tables.name(IpTables.SPLIT_FALL_TESTS)).count();
    new VerdictJob(spark, conf).run("cfg");
    assertThat(spark.table(tables.name(IpTables.DPI_TESTS)).count()).isEqualTo(before);
    assertThat(spark.table(tables.name(IpTables.SPLIT_FALL_TESTS)).count()).isEqualTo(falls).isPositive();
  }
}
