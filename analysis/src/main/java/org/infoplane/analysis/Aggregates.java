package org.infoplane.analysis;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.infoplane.estimator.batch.MeanUncertainty;
import org.infoplane.estimator.ip.IpEstimate;
import org.infoplane.estimator.ip.IpSummary;
import org.infoplane.estimator.width.WidthSmoothing;

/**
 * Per-unit aggregation of per-batch rows, in batch order and with the estimator library's own
 * summary functions, so that the job's numbers are exactly those of a direct estimator call.
 * Widths are averaged on the driver (a few numbers per unit); results, whose summaries include
 * bootstrap intervals, are computed in tasks, grouped per unit, so that the driver's work per unit
 * stays one small row however many executors there are.
 */
final class Aggregates implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** A unit's checkpoint width, its per-batch widths and edge count, or its error. */
  static final StructType WIDTH_ROW = Schemas.with(Schemas.UNIT_FIELDS,
      DataTypes.createStructField("sigma_star", DataTypes.DoubleType, true),
      DataTypes.createStructField("n_batches", DataTypes.IntegerType, false),
      DataTypes.createStructField("edge_batches", DataTypes.IntegerType, false),
      DataTypes.createStructField("batch_sigma_stars", DataTypes.createArrayType(DataTypes.DoubleType, true), true),
      DataTypes.createStructField("error", DataTypes.StringType, true));

  private final AnalysisConfig config;
  private final String configId;
  private final java.util.Map<String, Integer> edgeBatches;
  /** The bootstrap's resampled positions for the last number of batches seen (drawn once per n). */
  private transient MeanUncertainty.Bootstrap bootstrap;

  Aggregates(AnalysisConfig config) {
    this(config, java.util.Map.of());
  }

  /**
   * @param edgeBatches unit id → batches whose width search ended on a grid edge (from
   *     {@code layer_widths}); units not in it get a null count
   */
  Aggregates(AnalysisConfig config, java.util.Map<String, Integer> edgeBatches) {
    this.config = config;
    this.configId = config.configId();
    this.edgeBatches = edgeBatches;
  }

  /**
   * Records grouped by unit (first-seen order), each group reduced by {@code f} (given the unit's
   * id) to one.
   */
  static <T, R> List<R> perUnit(List<T> rows, java.util.function.Function<T, UnitKey> unit,
      java.util.function.BiFunction<String, List<T>, R> f) {
    java.util.Map<String, List<T>> groups = new java.util.LinkedHashMap<>();
    for (T r : rows) {
      groups.computeIfAbsent(unit.apply(r).id(), k -> new ArrayList<>()).add(r);
    }
    List<R> out = new ArrayList<>(groups.size());
    groups.forEach((key, group) -> out.add(f.apply(key, group)));
    return out;
  }

  /** The unit id ({@link UnitKey#id()}) of a row whose first columns are the unit's. */
  static String key(Row r) {
    return PassRows.unit(r).id();
  }

  private static <T> List<T> sorted(List<T> rows, java.util.function.Function<T, Integer> batchIndex) {
    List<T> list = new ArrayList<>(rows);
    list.sort(Comparator.comparing(batchIndex, Comparator.nullsFirst(Comparator.naturalOrder())));
    return list;
  }

  /** Per-batch widths of one unit → the checkpoint's width (mean of the present ones), or its error. */
  PassRows.UnitWidth width(String key, List<PassRows.BatchWidth> rows) {
    List<PassRows.BatchWidth> list = sorted(rows, PassRows.BatchWidth::batchIndex);
    UnitKey u = list.get(0).unit();
    String error = list.stream().map(PassRows.BatchWidth::error).filter(java.util.Objects::nonNull).findFirst()
        .orElse(null);
    if (error != null) {
      return new PassRows.UnitWidth(u, null, list.size(), 0, null, error);
    }
    List<OptionalDouble> widths = new ArrayList<>();
    List<Double> perBatch = new ArrayList<>();
    int edges = 0;
    for (PassRows.BatchWidth r : list) {
      Double s = r.sigmaStar();
      widths.add(s == null ? OptionalDouble.empty() : OptionalDouble.of(s));
      perBatch.add(s);
      if (r.onEdge()) {
        edges++;
      }
    }
    OptionalDouble w = WidthSmoothing.checkpointWidth(widths);
    return new PassRows.UnitWidth(u, w.isPresent() ? w.getAsDouble() : null, list.size(), edges, perBatch, null);
  }

  /**
   * Per-batch estimates → one {@code information_plane} row (or an error row): means and standard
   * deviations over batches, the standard errors of the means and their bootstrap intervals
   * ({@link MeanUncertainty}, over the batches in batch order).
   */
  Row result(String key, Iterator<Row> rows) {
    List<PassRows.BatchEstimate> decoded = new ArrayList<>();
    rows.forEachRemaining(r -> decoded.add(PassRows.BatchEstimate.of(r)));
    List<PassRows.BatchEstimate> list = sorted(decoded, PassRows.BatchEstimate::batchIndex);
    UnitKey u = list.get(0).unit();
    Timestamp now = new Timestamp(System.currentTimeMillis());
    String error = list.stream().map(PassRows.BatchEstimate::error).filter(java.util.Objects::nonNull).findFirst()
        .orElse(null);
    Double sigma = batchMean(list, PassRows.BatchEstimate::sigma);
    Double sigmaRaw = batchMean(list, PassRows.BatchEstimate::sigmaRaw);
    Integer edges = edgeBatches.get(key);
    PassRows.UnitResult row = new PassRows.UnitResult(u).set("estimator", config.estimator())
        .set("alpha", config.alpha()).set("batch_size", config.batchSize()).set("sigma", sigma)
        .set("sigma_raw", sigmaRaw).set("config_id", configId).set("computed_at", now).set("edge_batches", edges);
    if (error != null) {
      // The estimates, their uncertainties and batch values stay null.
      return row.set("n_batches", list.size()).set("error", error).toRow();
    }
    List<IpEstimate> estimates = new ArrayList<>(list.size());
    for (PassRows.BatchEstimate r : list) {
      estimates.add(new IpEstimate(r.hX(), r.hT(), r.hY(), r.iXT(), r.iTY(), OptionalDouble.empty(), r.hTErr(),
          r.iXTErr(), r.iTYErr()));
    }
    IpSummary s = IpSummary.of(estimates, OptionalDouble.empty());
    double[] ixt = values(estimates, IpEstimate::iXT);
    double[] ity = values(estimates, IpEstimate::iTY);
    double[] ht = values(estimates, IpEstimate::hT);
    if (bootstrap == null || bootstrap.n() != ixt.length) {
      bootstrap = MeanUncertainty.Bootstrap.of(ixt.length);
    }
    MeanUncertainty.Interval ixtCi = bootstrap.interval(ixt);
    MeanUncertainty.Interval ityCi = bootstrap.interval(ity);
    MeanUncertainty.Interval htCi = bootstrap.interval(ht);
    double[] hx = values(estimates, IpEstimate::hX);
    // I(X;Y) per batch: the head of the chain X -> T1 -> ... (null where the estimator has none).
    double[] ixy = list.stream().anyMatch(r -> r.iXY() == null) ? null
        : list.stream().mapToDouble(PassRows.BatchEstimate::iXY).toArray();
    return row.set("n_batches", s.nBatches())
        .set("i_xt", s.iXT().mean()).set("i_ty", s.iTY().mean()).set("h_t", s.hT().mean())
        .set("h_x", s.hX().mean()).set("h_y", s.hY().mean())
        .set("i_xt_std", s.iXT().std()).set("i_ty_std", s.iTY().std()).set("h_t_std", s.hT().std())
        .set("i_xt_se", MeanUncertainty.standardError(ixt)).set("i_ty_se", MeanUncertainty.standardError(ity))
        .set("h_t_se", MeanUncertainty.standardError(ht))
        .set("i_xt_ci_low", ixtCi.low()).set("i_xt_ci_high", ixtCi.high())
        .set("i_ty_ci_low", ityCi.low()).set("i_ty_ci_high", ityCi.high())
        .set("h_t_ci_low", htCi.low()).set("h_t_ci_high", htCi.high())
        .set("h_t_err", s.hTErr()).set("i_xt_err", s.iXTErr()).set("i_ty_err", s.iTYErr())
        .set("i_xy", ixy == null ? null : MeanUncertainty.mean(ixy))
        .set("i_xy_se", ixy == null ? null : MeanUncertainty.standardError(ixy))
        .set("h_x_se", MeanUncertainty.standardError(hx))
        .set("i_xt_batches", seq(ixt)).set("i_ty_batches", seq(ity)).set("h_t_batches", seq(ht))
        .set("h_x_batches", seq(hx)).set("i_xy_batches", seq(ixy))
        .toRow();
  }

  /** An array column's value: a Scala sequence, in batch order; null for null. */
  private static Object seq(double[] v) {
    return v == null ? null
        : scala.collection.JavaConverters.asScalaBuffer(java.util.Arrays.stream(v).boxed().toList()).toSeq();
  }

  private static double[] values(List<IpEstimate> estimates, ToDoubleFunction<IpEstimate> f) {
    return estimates.stream().mapToDouble(f).toArray();
  }

  /**
   * The width a unit's batches used: the common one (every batch of a checkpoint shares its width),
   * or, where each batch has its own, their mean; null when no batch has one.
   */
  private static Double batchMean(List<PassRows.BatchEstimate> rows,
      java.util.function.Function<PassRows.BatchEstimate, Double> column) {
    Double first = column.apply(rows.get(0));
    double sum = 0.0;
    int count = 0;
    boolean same = true;
    for (PassRows.BatchEstimate r : rows) {
      Double v = column.apply(r);
      same &= java.util.Objects.equals(v, first);
      if (v != null) {
        sum += v;
        count++;
      }
    }
    return same ? first : count == 0 ? null : sum / count;
  }

  private static final org.apache.spark.sql.types.ArrayType BATCH_VALUES =
      DataTypes.createArrayType(DataTypes.DoubleType, false);

  /** The schema of {@link #result}: the {@code information_plane} columns plus {@code error}. */
  static final StructType RESULT_ROW = resultSchema();

  private static StructType resultSchema() {
    return new StructType()
        .add("run_id", "string", false).add("split", "string", false).add("epoch", "int", false)
        .add("step", "bigint", false).add("layer_index", "int", false).add("layer_name", "string", false)
        .add("layer_kind", "string", true).add("estimator", "string", false).add("alpha", "double", false)
        .add("batch_size", "int", false).add("n_batches", "int", false).add("sigma", "double", true)
        .add("sigma_raw", "double", true).add("i_xt", "double", true).add("i_ty", "double", true)
        .add("h_t", "double", true).add("h_x", "double", true).add("h_y", "double", true)
        .add("i_xt_std", "double", true).add("i_ty_std", "double", true).add("h_t_std", "double", true)
        .add("config_id", "string", false).add("computed_at", "timestamp", false)
        .add("edge_batches", "int", true)
        .add("i_xt_se", "double", true).add("i_ty_se", "double", true).add("h_t_se", "double", true)
        .add("i_xt_ci_low", "double", true).add("i_xt_ci_high", "double", true)
        .add("i_ty_ci_low", "double", true).add("i_ty_ci_high", "double", true)
        .add("h_t_ci_low", "double", true).add("h_t_ci_high", "double", true)
        .add("h_t_err", "double", true).add("i_xt_err", "double", true).add("i_ty_err", "double", true)
        .add("i_xy", "double", true).add("i_xy_se", "double", true).add("h_x_se", "double", true)
        .add("i_xt_batches", BATCH_VALUES, true).add("i_ty_batches", BATCH_VALUES, true)
        .add("h_t_batches", BATCH_VALUES, true).add("h_x_batches", BATCH_VALUES, true)
        .add("i_xy_batches", BATCH_VALUES, true)
        .add("error", "string", true);
  }
}
