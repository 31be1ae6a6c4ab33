package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.config.ConfResolver;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.estimator.ip.InformationPlane;
import org.infoplane.estimator.ip.InformationPlaneEstimator;
import org.infoplane.estimator.ip.IpBatch;
import org.infoplane.estimator.ip.IpSummary;
import org.infoplane.estimator.width.WidthSmoothing;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.CheckpointMetrics;
import org.infoplane.snapshot.LayerInfo;
import org.infoplane.snapshot.RunManifest;
import org.infoplane.snapshot.RunWriter;
import org.infoplane.snapshot.SnapshotArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The analysis job end to end in local Spark, on a real archive and real Iceberg tables, against
 * direct calls of the estimator library on the same data.
 */
class AnalysisJobTest {

  static final double TOL = 1e-12;

  static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void startSpark() {
    spark = TestSpark.session();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private ResolvedConf conf(Path warehouse, String... pairs) {
    return TestSpark.warehouse(warehouse, TestSpark.catalog("c"), List.of("infoplane.commit.units=100"), pairs);
  }

  private AnalysisJob.Summary analyze(ResolvedConf conf, Path archive) {
    return new AnalysisJob(spark, conf, archive.toString()).run();
  }

  /** The direct estimator's summary of a table row's unit (run, split, checkpoint, layer), on the same batches. */
  private static IpSummary direct(SyntheticRun run, AnalysisConfig config, InformationPlaneEstimator estimator, Row r,
      boolean perBatchWidth) {
    CheckpointId cp = new CheckpointId(r.getAs("epoch"), r.getAs("step"));
    INDArray t = run.acts.get(r.<String>getAs("split")).get(cp).get(r.<Integer>getAs("layer_index"));
    List<IpBatch> batches = IpBatch.cut(run.x, t, run.y, SyntheticRun.CLASSES, run.ids, config.plan());
    return InformationPlane.estimateCheckpoint(estimator, batches, OptionalDouble.empty(), perBatchWidth);
  }

  /** Writes {@code run} as run r1 with 3 checkpoints to dir/archive and analyses it without errors. */
  private AnalysisJob.Summary analyzeOneRun(SyntheticRun run, ResolvedConf conf) {
    Path archivePath = dir.resolve("archive");
    run.write(SnapshotArchive.open(archivePath.toString(), new Configuration()), "r1", 0, 3);
    AnalysisJob.Summary s = analyze(conf, archivePath);
    assertThat(s.errors()).isEmpty();
    return s;
  }

  private List<Row> results(ResolvedConf conf) {
    return spark.sql("SELECT * FROM " + conf.get(InfoPlaneConf.CATALOG_NAME) + ".ip.information_plane"
        + " ORDER BY run_id, split, step, layer_index").collectAsList();
  }

  @Test
  void jobResultsEqualDirectEstimatorCallsWithoutSmoothing() {
    ResolvedConf conf = conf(dir.resolve("wh"), "infoplane.width.smoothing=0");
    SyntheticRun run = new SyntheticRun(1);
    analyzeOneRun(run, conf);
    List<Row> rows = results(conf);
    assertThat(rows).hasSize(2 * 3 * 3);

    InformationPlaneEstimator estimator = AnalysisConfig.from(conf).buildEstimator();
    for (Row r : rows) {
      String split = r.getAs("split");
      int layer = r.getAs("layer_index");
      CheckpointId cp = new CheckpointId(r.getAs("epoch"), r.getAs("step"));
      IpSummary direct = direct(run, AnalysisConfig.from(conf), estimator, r, false);
      String what = split + " " + cp + " layer " + layer;
      assertThat(r.<Integer>getAs("n_batches")).as(what).isEqualTo(2);
      assertThat(r.<Double>getAs("i_xt")).as(what).isCloseTo(direct.iXT().mean(), within(TOL));
      assertThat(r.<Double>getAs("i_ty")).as(what).isCloseTo(direct.iTY().mean(), within(TOL));
      assertThat(r.<Double>getAs("h_t")).as(what).isCloseTo(direct.hT().mean(), within(TOL));
      assertThat(r.<Double>getAs("h_x")).as(what).isCloseTo(direct.hX().mean(), within(TOL));
      assertThat(r.<Double>getAs("h_y")).as(what).isCloseTo(direct.hY().mean(), within(TOL));
      assertThat(r.<Double>getAs("i_xt_std")).as(what).isCloseTo(direct.iXT().std(), within(TOL));
      if (layer == 2) {
        assertThat(r.<Double>getAs("sigma")).as("dead layer has no width").isNull();
        assertThat(r.<Double>getAs("i_xt")).isZero();
      } else {
        assertThat(r.<Double>getAs("sigma")).as(what).isCloseTo(direct.sigmaT().getAsDouble(), within(TOL));
      }
    }
  }

  /**
   * A width-free estimator through the job: {@code kde-upper} needs the activations themselves, so
   * it takes the one direct pass (as binning and the multivariate estimator do), writes a row per
   * unit, and its numbers equal direct estimator calls on the same batches.
   */
  @Test
  void kernelDensityBoundRunsTheDirectPassAndEqualsDirectCalls() {
    ResolvedConf conf = conf(dir.resolve("wh"), "infoplane.estimator=kde-upper");
    SyntheticRun run = new SyntheticRun(3);
    AnalysisJob.Summary s = analyzeOneRun(run, conf);
    assertThat(s.computed()).containsOnlyKeys("pass 1/1 kde-upper");
    assertThat(s.computed().get("pass 1/1 kde-upper")).isEqualTo(2 * 3 * 3);
    List<Row> rows = results(conf);
    assertThat(rows).hasSize(2 * 3 * 3);

    InformationPlaneEstimator estimator = AnalysisConfig.from(conf).buildEstimator();
    assertThat(estimator.name()).isEqualTo("kde-upper-0.1");
    for (Row r : rows) {
      IpSummary direct = direct(run, AnalysisConfig.from(conf), estimator, r, false);
      String what = r.getAs("split") + " step " + r.getAs("step") + " layer " + r.getAs("layer_index");
      assertThat(r.<String>getAs("estimator")).as(what).isEqualTo("kde-upper");
      assertThat(r.<Integer>getAs("n_batches")).as(what).isEqualTo(2);
      assertThat(r.<Double>getAs("sigma")).as(what).isNull();
      assertThat(r.<Double>getAs("i_xy")).as(what).isNull();
      assertThat(r.<Double>getAs("i_xt")).as(what).isCloseTo(direct.iXT().mean(), within(TOL));
      assertThat(r.<Double>getAs("i_ty")).as(what).isCloseTo(direct.iTY().mean(), within(TOL));
      assertThat(r.<Double>getAs("h_t")).as(what).isCloseTo(direct.hT().mean(), within(TOL));
      assertThat(r.<Double>getAs("h_x")).as(what).isCloseTo(direct.hX().mean(), within(TOL));
      assertThat(r.<Double>getAs("h_y")).as(what).isCloseTo(direct.hY().mean(), within(TOL));
      assertThat(r.<Double>getAs("i_xt_std")).as(what).isCloseTo(direct.iXT().std(), within(TOL));
      if (r.<Integer>getAs("layer_index") == 2) {
        assertThat(r.<Double>getAs("i_xt")).as("dead layer").isZero();
      } else {
        assertThat(r.<Double>getAs("i_xt")).as(what).isPositive();
      }
    }
  }

  /**
   * The randomized entropy method through the job, on a warehouse whose information_plane table
   * predates the error columns: the table gains them (an old row keeps its values and reads null
   * errors), and the job's numbers and errors equal direct estimator calls with the same settings
   * (the method is seeded: the same batch gives the same probes).
   */
  @Test
  void randomizedEntropiesEqualDirectCallsAndOldTablesGainTheErrorColumns() {
    Path archivePath = dir.resolve("archive");
    SnapshotArchive archive = SnapshotArchive.open(archivePath.toString(), new Configuration());
    SyntheticRun run = new SyntheticRun(3);
    run.write(archive, "r1", 0, 1);
    ResolvedConf conf = conf(dir.resolve("wh-rnd"), "infoplane.width.smoothing=0",
        "infoplane.entropy.method=randomized", "infoplane.entropy.rank=5", "infoplane.entropy.probes=10",
        "infoplane.entropy.seed=9");
    String table = conf.get(InfoPlaneConf.CATALOG_NAME) + ".ip.information_plane";
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + conf.get(InfoPlaneConf.CATALOG_NAME) + ".ip");
    spark.sql("CREATE TABLE " + table + " (run_id STRING NOT NULL, split STRING NOT NULL, epoch INT NOT NULL,"
        + " step BIGINT NOT NULL, layer_index INT NOT NULL, layer_name STRING NOT NULL, layer_kind STRING,"
        + " estimator STRING NOT NULL, alpha DOUBLE NOT NULL, batch_size INT NOT NULL, n_batches INT NOT NULL,"
        + " sigma DOUBLE, sigma_raw DOUBLE, i_xt DOUBLE NOT NULL, i_ty DOUBLE NOT NULL, h_t DOUBLE NOT NULL,"
        + " h_x DOUBLE NOT NULL, h_y DOUBLE NOT NULL, i_xt_std DOUBLE NOT NULL, i_ty_std DOUBLE NOT NULL,"
        + " h_t_std DOUBLE NOT NULL, config_id STRING NOT NULL, computed_at TIMESTAMP NOT NULL) USING iceberg"
        + " PARTITIONED BY (config_id) TBLPROPERTIES ('format-version'='2')");
    spark.sql("INSERT INTO " + table + " VALUES ('old', 'train', 0, 0, 0, 'l', NULL, 'renyi-tensor', 1.01, 100, 2,"
        + " 1.0, 1.0, 0.5, 0.25, 1.0, 2.0, 1.0, 0.0, 0.0, 0.0, 'oldconfig', current_timestamp())");

    AnalysisJob.Summary s = analyze(conf, archivePath);
    assertThat(s.errors()).isEmpty();
    assertThat(s.configId()).isNotEqualTo(AnalysisConfig.from(conf(dir.resolve("wh-x"), "infoplane.width.smoothing=0"))
        .configId());
    Row old = spark.sql("SELECT * FROM " + table + " WHERE run_id = 'old'").collectAsList().get(0);
    assertThat(old.<Double>getAs("i_xt")).isEqualTo(0.5);
    assertThat(old.<Double>getAs("h_t_err")).isNull();

    List<Row> rows = spark.sql("SELECT * FROM " + table + " WHERE run_id = 'r1' ORDER BY split, layer_index")
        .collectAsList();
    assertThat(rows).hasSize(2 * 3);
    InformationPlaneEstimator estimator = AnalysisConfig.from(conf).buildEstimator();
    for (Row r : rows) {
      String split = r.getAs("split");
      int layer = r.getAs("layer_index");
      IpSummary direct = direct(run, AnalysisConfig.from(conf), estimator, r, false);
      String what = split + " layer " + layer;
      assertThat(r.<Double>getAs("i_xt")).as(what).isCloseTo(direct.iXT().mean(), within(TOL));
      assertThat(r.<Double>getAs("i_ty")).as(what).isCloseTo(direct.iTY().mean(), within(TOL));
      assertThat(r.<Double>getAs("h_t")).as(what).isCloseTo(direct.hT().mean(), within(TOL));
      assertThat(r.<Double>getAs("i_xt_err")).as(what).isCloseTo(direct.iXTErr(), within(TOL));
      assertThat(r.<Double>getAs("i_ty_err")).as(what).isCloseTo(direct.iTYErr(), within(TOL));
      assertThat(r.<Double>getAs("h_t_err")).as(what).isCloseTo(direct.hTErr(), within(TOL));
      if (layer != 2) {
        assertThat(r.<Double>getAs("i_xt_err")).as(what + ": randomized batches carry an error").isPositive();
      }
    }
    assertThat(spark.sql("SELECT entropy_method FROM " + conf.get(InfoPlaneConf.CATALOG_NAME)
        + ".ip.analysis_configs").collectAsList().get(0).getString(0))
        .isEqualTo("randomized(probes=10,rank=5,steps=30,seed=9)");
  }

  @Test
  void smoothedWidthsFollowTheMovingAverageAndIncrementalEqualsFromScratch() {
    Path archivePath = dir.resolve("archive");
    SnapshotArchive archive = SnapshotArchive.open(archivePath.toString(), new Configuration());
    SyntheticRun run = new SyntheticRun(2);
    run.write(archive, "r1", 0, 2);

    ResolvedConf inc = conf(dir.resolve("wh-inc"));
    AnalysisJob.Summary first = analyze(inc, archivePath);
    assertThat(first.errors()).isEmpty();
    assertThat(first.computed().get("pass 3/3 entropies")).isEqualTo(2 * 2 * 3);

    AnalysisJob.Summary again = analyze(inc, archivePath);
    assertThat(again.computed().values()).as("idempotent: nothing to compute").allMatch(c -> c == 0);
    assertThat(results(inc)).hasSize(2 * 2 * 3);

    run.write(archive, "r1", 2, 4); // two new checkpoints arrive
    AnalysisJob.Summary later = analyze(inc, archivePath);
    assertThat(later.computed().get("pass 1/3 distances")).isEqualTo(2 * 2 * 3);
    assertThat(later.skipped().get("pass 1/3 distances")).isEqualTo(2 * 2 * 3 + 2);
    assertThat(later.computed().get("pass 3/3 entropies")).isEqualTo(2 * 2 * 3);

    ResolvedConf scratch = conf(dir.resolve("wh-scratch"));
    analyze(scratch, archivePath);
    List<Row> a = results(inc);
    List<Row> b = results(scratch);
    assertThat(a).hasSize(2 * 4 * 3).hasSameSizeAs(b);
    for (int i = 0; i < a.size(); i++) {
      for (String col : new String[] {"sigma", "sigma_raw", "i_xt", "i_ty", "h_t", "h_x", "h_y", "i_xt_std"}) {
        assertThat((Object) a.get(i).getAs(col)).as(col + " of row " + i).isEqualTo(b.get(i).getAs(col));
      }
    }

    // The smoothed widths are the moving average (beta 0.9 per training step) of the checkpoint
    // widths, in step order: checkpoints 10 steps apart keep 0.9^10 of the previous width.
    Map<String, List<Row>> series = new HashMap<>();
    for (Row r : a) {
      series.computeIfAbsent(r.getAs("split") + "/" + r.getAs("layer_index"), k -> new ArrayList<>()).add(r);
    }
    for (List<Row> s : series.values()) {
      List<OptionalDouble> raw = new ArrayList<>();
      for (Row r : s) {
        Double v = r.getAs("sigma_raw");
        raw.add(v == null ? OptionalDouble.empty() : OptionalDouble.of(v));
      }
      double state = Double.NaN;
      long last = -1;
      for (int k = 0; k < s.size(); k++) {
        if (raw.get(k).isEmpty()) {
          assertThat(s.get(k).<Double>getAs("sigma")).isNull();
          continue;
        }
        long step = s.get(k).getAs("step");
        double keep = Double.isNaN(state) ? 0.0 : Math.pow(0.9, step - last);
        state = Double.isNaN(state) ? raw.get(k).getAsDouble() : keep * state + (1 - keep) * raw.get(k).getAsDouble();
        last = step;
        assertThat(s.get(k).<Double>getAs("sigma")).isCloseTo(state, within(TOL));
      }
    }
    assertThat(WidthSmoothing.DEFAULT_BETA).isEqualTo(0.9);
  }

  @Test
  void aRunWithoutStepsIsRefusedByNameWhileTheOthersAreAnalysed() {
    Path archivePath = dir.resolve("archive");
    SnapshotArchive archive = SnapshotArchive.open(archivePath.toString(), new Configuration());
    new SyntheticRun(3).write(archive, "r1", 0, 2);
    new SyntheticRun(4).write(archive, "r2", 0, 2, 0L); // every checkpoint at step 0

    ResolvedConf conf = conf(dir.resolve("wh"));
    AnalysisJob.Summary s = analyze(conf, archivePath);
    assertThat(s.errors()).singleElement().asString()
        .startsWith("run r2: widths are smoothed per training step")
        .contains("give the steps", "infoplane.width.smoothing.unit=checkpoint", "infoplane.width.smoothing=0");
    String catalog = conf.get(InfoPlaneConf.CATALOG_NAME);
    List<Row> errors = spark.sql("SELECT run_id, split, pass FROM " + catalog + ".ip.analysis_errors").collectAsList();
    assertThat(errors).singleElement().satisfies(r -> {
      assertThat(r.getString(0)).isEqualTo("r2");
      assertThat(r.isNullAt(1)).isTrue();
    });
    assertThat(results(conf)).hasSize(2 * 2 * 3).allMatch(r -> r.getAs("run_id").equals("r1"));
    assertThat(spark.sql("SELECT * FROM " + catalog + ".ip.distance_matrices WHERE run_id = 'r2'").count())
        .as("nothing of the refused run is computed").isZero();

    // Smoothing once per checkpoint needs no steps: r2 is analysed too.
    ResolvedConf perCheckpoint = conf(dir.resolve("wh2"), "infoplane.width.smoothing.unit=checkpoint");
    assertThat(analyze(perCheckpoint, archivePath).errors()).isEmpty();
    assertThat(results(perCheckpoint)).hasSize(2 * 2 * 2 * 3);
  }

  @Test
  void tablesOfAnEarlierVersionGetTheNewColumnsAndEachBatchCanKeepItsOwnWidth() {
    Path archivePath = dir.resolve("archive");
    SnapshotArchive archive = SnapshotArchive.open(archivePath.toString(), new Configuration());
    SyntheticRun run = new SyntheticRun(5);
    run.write(archive, "r1", 0, 1);
    // The run's checkpoint with the test loss and the validation split's loss and accuracy.
    CheckpointMetrics recorded = CheckpointMetrics.withValidation(new CheckpointId(0, 0), 1.0, 0.5, 0.4, 1.25, 1.125,
        0.375);
    archive.openRunForAppend("r1").appendMetrics(recorded);
    ResolvedConf conf = conf(dir.resolve("wh"), "infoplane.preset=authors-code");
    String catalog = conf.get(InfoPlaneConf.CATALOG_NAME);
    // The two tables as an earlier version created them, with a row each.
    spark.sql("CREATE TABLE " + catalog + ".ip.information_plane (run_id STRING NOT NULL, split STRING NOT NULL,"
        + " epoch INT NOT NULL, step BIGINT NOT NULL, layer_index INT NOT NULL, layer_name STRING NOT NULL,"
        + " layer_kind STRING, estimator STRING NOT NULL, alpha DOUBLE NOT NULL, batch_size INT NOT NULL,"
        + " n_batches INT NOT NULL, sigma DOUBLE, sigma_raw DOUBLE, i_xt DOUBLE NOT NULL, i_ty DOUBLE NOT NULL,"
        + " h_t DOUBLE NOT NULL, h_x DOUBLE NOT NULL, h_y DOUBLE NOT NULL, i_xt_std DOUBLE NOT NULL,"
        + " i_ty_std DOUBLE NOT NULL, h_t_std DOUBLE NOT NULL, config_id STRING NOT NULL,"
        + " computed_at TIMESTAMP NOT NULL) USING iceberg PARTITIONED BY (config_id)");
    spark.sql("INSERT INTO " + catalog + ".ip.information_plane VALUES ('old', 'test', 0, 0, 0, 'l', 'dense',"
        + " 'renyi-tensor', 1.01, 100, 1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 'oldconfig',"
        + " current_timestamp())");
    spark.sql("CREATE TABLE " + catalog + ".ip.layer_widths (run_id STRING NOT NULL, split STRING NOT NULL,"
        + " epoch INT NOT NULL, step BIGINT NOT NULL, layer_index INT NOT NULL, batching STRING NOT NULL,"
        + " width_config STRING NOT NULL, sigma_star DOUBLE, n_batches INT NOT NULL,"
        + " computed_at TIMESTAMP NOT NULL) USING iceberg");
    // The runs table as the first version created it: metrics without test_loss, val_loss, val_accuracy.
    spark.sql("CREATE TABLE " + catalog + ".ip.runs (run_id STRING NOT NULL, model STRING, dataset STRING,"
        + " seed BIGINT, producer STRING, format_version INT, num_classes INT, layers ARRAY<STRUCT<layer_index: INT,"
        + " name: STRING, kind: STRING, shape: ARRAY<BIGINT>>>, splits MAP<STRING, INT>, metrics ARRAY<STRUCT<epoch:"
        + " INT, step: BIGINT, loss: DOUBLE, train_accuracy: DOUBLE, test_accuracy: DOUBLE>>, archive STRING,"
        + " updated_at TIMESTAMP) USING iceberg");
    spark.sql("INSERT INTO " + catalog + ".ip.runs VALUES ('oldrun', 'mlp', 'd', 1, 'p', 1, 10, array(),"
        + " map('train', 2), array(named_struct('epoch', 0, 'step', 0L, 'loss', 2.0D, 'train_accuracy', 0.1D,"
        + " 'test_accuracy', 0.1D)), 'a', current_timestamp())");

    AnalysisJob.Summary s = new AnalysisJob(spark, conf, archivePath.toString()).run();
    assertThat(s.errors()).isEmpty();
    org.apache.spark.sql.types.StructType metricsElement = (org.apache.spark.sql.types.StructType)
        ((org.apache.spark.sql.types.ArrayType) spark.table(catalog + ".ip.runs").schema().apply("metrics").dataType())
            .elementType();
    assertThat(metricsElement.fieldNames()).containsExactly("epoch", "step", "loss", "train_accuracy",
        "test_accuracy", "test_loss", "val_loss", "val_accuracy");
    Row oldRun = spark.sql("SELECT m.loss, m.test_loss, m.val_loss, m.val_accuracy FROM " + catalog + ".ip.runs"
        + " LATERAL VIEW explode(metrics) e AS m WHERE run_id = 'oldrun'").first();
    assertThat(oldRun.getDouble(0)).as("existing metrics are kept").isEqualTo(2.0);
    assertThat(oldRun.isNullAt(1) && oldRun.isNullAt(2) && oldRun.isNullAt(3)).as("the added fields read null").isTrue();
    Row r1 = spark.sql("SELECT m.loss, m.train_accuracy, m.test_accuracy, m.test_loss, m.val_loss, m.val_accuracy"
        + " FROM " + catalog + ".ip.runs LATERAL VIEW explode(metrics) e AS m WHERE run_id = 'r1'"
        + " AND m.step = 0").first();
    assertThat(List.of(r1.getDouble(0), r1.getDouble(1), r1.getDouble(2), r1.getDouble(3), r1.getDouble(4),
        r1.getDouble(5))).as("the archive's metrics, field by field").containsExactly(1.0, 0.5, 0.4, 1.25, 1.125, 0.375);
    Row old = spark.sql("SELECT i_xt, edge_batches FROM " + catalog + ".ip.information_plane WHERE run_id = 'old'")
        .first();
    assertThat(old.getDouble(0)).as("existing rows are kept").isEqualTo(1.0);
    assertThat(old.isNullAt(1)).isTrue();
    List<Row> rows = spark.sql("SELECT * FROM " + catalog + ".ip.information_plane WHERE run_id = 'r1'"
        + " ORDER BY split, layer_index").collectAsList();
    assertThat(rows).hasSize(2 * 3);
    assertThat(spark.sql("SELECT edge_batches, batch_sigma_stars FROM " + catalog + ".ip.layer_widths")
        .collectAsList()).hasSize(2 * 3).allMatch(r -> !r.isNullAt(0) && !r.isNullAt(1));

    // authors-code: alpha 1, grid from 0.3, each batch its own width: the direct estimator with
    // per-batch widths gives the same numbers (one checkpoint: nothing to smooth).
    AnalysisConfig config = AnalysisConfig.from(conf);
    assertThat(config.perBatchWidth()).isTrue();
    InformationPlaneEstimator estimator = config.buildEstimator();
    for (Row r : rows) {
      String split = r.getAs("split");
      int layer = r.getAs("layer_index");
      IpSummary direct = direct(run, config, estimator, r, true);
      String what = split + " layer " + layer;
      assertThat(r.<Double>getAs("alpha")).isEqualTo(1.0);
      assertThat(r.<Double>getAs("i_xt")).as(what).isCloseTo(direct.iXT().mean(), within(TOL));
      assertThat(r.<Double>getAs("i_ty")).as(what).isCloseTo(direct.iTY().mean(), within(TOL));
      assertThat(r.<Double>getAs("h_t")).as(what).isCloseTo(direct.hT().mean(), within(TOL));
      if (layer != 2) {
        assertThat(r.<Double>getAs("sigma_raw")).as(what).isCloseTo(direct.sigmaT().getAsDouble(), within(TOL));
      }
    }
  }

  @Test
  void anotherAlphaAddsRowsUnderANewConfigAndKeepsTheOld() {
    Path archivePath = dir.resolve("archive");
    SnapshotArchive archive = SnapshotArchive.open(archivePath.toString(), new Configuration());
    new SyntheticRun(3).write(archive, "r1", 0, 1);
    Path wh = dir.resolve("wh");
    ResolvedConf one = conf(wh);
    analyze(one, archivePath);
    String catalog = one.get(InfoPlaneConf.CATALOG_NAME);
    ResolvedConf two = new ConfResolver().pairs(List.of("infoplane.warehouse=" + wh,
        "infoplane.catalog.name=" + catalog, "infoplane.alpha=2")).resolve();
    AnalysisJob.Summary s = analyze(two, archivePath);
    assertThat(s.computed().get("pass 1/3 distances")).as("distances are re-used").isZero();
    assertThat(s.computed().get("pass 3/3 entropies")).isEqualTo(2 * 3);
    List<Row> rows = results(two);
    assertThat(rows).hasSize(2 * 2 * 3);
    assertThat(rows.stream().map(r -> r.<String>getAs("config_id")).distinct()).hasSize(2);
    assertThat(rows.stream().map(r -> r.<Double>getAs("alpha")).distinct()).containsExactlyInAnyOrder(1.01, 2.0);
  }
}
