package org.infoplane.analysis;

import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * The records that cross the analysis passes, and one codec each to and from Spark rows.
 *
 * <p>Rows built in a task reach the next function without a schema, so a codec reads them by
 * position; every position is looked up once, by name, in the schema the rows are built for
 * ({@link Schemas}, {@link Aggregates#WIDTH_ROW}), so that a column inserted there moves the
 * position with it instead of making a pass read the wrong number. Outside this class the passes
 * read no row by position.
 */
final class PassRows {

  private PassRows() {}

  // ---- the unit: the first columns of every pass row ------------------------------------------

  private static final StructType UNIT = new StructType(Schemas.UNIT_FIELDS.toArray(
      new org.apache.spark.sql.types.StructField[0]));
  private static final int RUN_ID = UNIT.fieldIndex("run_id");
  private static final int SPLIT = UNIT.fieldIndex("split");
  private static final int EPOCH = UNIT.fieldIndex("epoch");
  private static final int STEP = UNIT.fieldIndex("step");
  private static final int LAYER_INDEX = UNIT.fieldIndex("layer_index");
  private static final int LAYER_NAME = UNIT.fieldIndex("layer_name");
  private static final int LAYER_KIND = UNIT.fieldIndex("layer_kind");

  /** The unit of a row whose first columns are {@link Schemas#UNIT_FIELDS}. */
  static UnitKey unit(Row r) {
    return new UnitKey(r.getString(RUN_ID), r.getString(SPLIT), r.getInt(EPOCH), r.getLong(STEP),
        r.getInt(LAYER_INDEX), r.getString(LAYER_NAME), r.isNullAt(LAYER_KIND) ? null : r.getString(LAYER_KIND));
  }

  /**
   * The unit's identity ({@link UnitKey#id()}) of a row whose first columns are a unit's key:
   * {@code run_id, split, epoch, step, layer_index} (a table's key; no layer name or kind).
   */
  static UnitKey unitId(Row r) {
    return new UnitKey(r.getString(RUN_ID), r.getString(SPLIT), r.getInt(EPOCH), r.getLong(STEP),
        r.getInt(LAYER_INDEX), "", "");
  }

  /** The key columns of {@link #unitId}, for a select. */
  static final String[] UNIT_ID_COLUMNS = {"run_id", "split", "epoch", "step", "layer_index"};

  /** A row of {@code schema} (whose first columns are the unit's) with the unit's values set. */
  private static Object[] values(StructType schema, UnitKey u) {
    Object[] v = new Object[schema.size()];
    v[RUN_ID] = u.runId();
    v[SPLIT] = u.split();
    v[EPOCH] = u.epoch();
    v[STEP] = u.step();
    v[LAYER_INDEX] = u.layerIndex();
    v[LAYER_NAME] = u.layerName();
    v[LAYER_KIND] = u.layerKind();
    return v;
  }

  /** A row of the unit's columns ({@link Schemas#UNIT_FIELDS}), then {@code more}. */
  static Row unitRow(UnitKey u, Object... more) {
    Object[] v = java.util.Arrays.copyOf(values(UNIT, u), UNIT.size() + more.length);
    System.arraycopy(more, 0, v, UNIT.size(), more.length);
    return RowFactory.create(v);
  }

  /** The schema of {@link #unitRows}: the unit's columns ({@link Schemas#UNIT_FIELDS}). */
  static StructType unitSchema() {
    return new StructType(Schemas.UNIT_FIELDS.toArray(new org.apache.spark.sql.types.StructField[0]));
  }

  /** One row of the unit's columns per unit. */
  static List<Row> unitRows(java.util.Collection<UnitKey> units) {
    return units.stream().map(u -> PassRows.unitRow(u)).toList();
  }

  // ---- pass 1: a batch's distances -------------------------------------------------------------

  /**
   * Pass 1's output ({@link Schemas#DISTANCE_OUT}): a batch's squared distances and, for a layer,
   * the width rule's choice; or, with {@code error}, a unit that failed (its other values null).
   */
  record BatchDistances(UnitKey unit, String batching, Integer batchIndex, Integer n, Long dimension,
      byte[] distances, scala.collection.Seq<Integer> labels, scala.collection.Seq<Long> sampleIds,
      Timestamp createdAt, Double sigmaStar, boolean onEdge, String error) {

    static final StructType SCHEMA = Schemas.DISTANCE_OUT;
    private static final int BATCHING = SCHEMA.fieldIndex("batching");
    private static final int BATCH_INDEX = SCHEMA.fieldIndex("batch_index");
    private static final int N = SCHEMA.fieldIndex("n");
    private static final int DIMENSION = SCHEMA.fieldIndex("dimension");
    private static final int DISTANCES = SCHEMA.fieldIndex("distances");
    private static final int LABELS = SCHEMA.fieldIndex("labels");
    private static final int SAMPLE_IDS = SCHEMA.fieldIndex("sample_ids");
    private static final int CREATED_AT = SCHEMA.fieldIndex("created_at");
    private static final int SIGMA_STAR = SCHEMA.fieldIndex("sigma_star");
    private static final int ON_EDGE = SCHEMA.fieldIndex("on_edge");
    private static final int ERROR = SCHEMA.fieldIndex("error");

    static BatchDistances failed(UnitKey unit, String batching, Timestamp at, String error) {
      return new BatchDistances(unit, batching, null, null, null, null, null, null, at, null, false, error);
    }

    Row toRow() {
      Object[] v = values(SCHEMA, unit);
      v[BATCHING] = batching;
      v[BATCH_INDEX] = batchIndex;
      v[N] = n;
      v[DIMENSION] = dimension;
      v[DISTANCES] = distances;
      v[LABELS] = labels;
      v[SAMPLE_IDS] = sampleIds;
      v[CREATED_AT] = createdAt;
      v[SIGMA_STAR] = sigmaStar;
      v[ON_EDGE] = onEdge;
      v[ERROR] = error;
      return RowFactory.create(v);
    }
  }

  // ---- passes 1 and 2: a batch's width ---------------------------------------------------------

  /**
   * A batch's width-rule choice ({@link Schemas#WIDTH_OUT}: pass 2's output, and pass 1's small
   * columns), or with {@code error} a unit that failed.
   */
  record BatchWidth(UnitKey unit, Integer batchIndex, Double sigmaStar, boolean onEdge, String error) {

    static final StructType SCHEMA = Schemas.WIDTH_OUT;
    private static final int BATCH_INDEX = SCHEMA.fieldIndex("batch_index");
    private static final int SIGMA_STAR = SCHEMA.fieldIndex("sigma_star");
    private static final int ON_EDGE = SCHEMA.fieldIndex("on_edge");
    private static final int ERROR = SCHEMA.fieldIndex("error");

    Row toRow() {
      Object[] v = values(SCHEMA, unit);
      v[BATCH_INDEX] = batchIndex;
      v[SIGMA_STAR] = sigmaStar;
      v[ON_EDGE] = onEdge;
      v[ERROR] = error;
      return RowFactory.create(v);
    }

    /** A row of {@link #SCHEMA} (or of a select of its columns, in its order). */
    static BatchWidth of(Row r) {
      return new BatchWidth(PassRows.unit(r), r.isNullAt(BATCH_INDEX) ? null : r.getInt(BATCH_INDEX),
          r.isNullAt(SIGMA_STAR) ? null : r.getDouble(SIGMA_STAR), !r.isNullAt(ON_EDGE) && r.getBoolean(ON_EDGE),
          r.isNullAt(ERROR) ? null : r.getString(ERROR));
    }
  }

  // ---- the width pass's result: a unit's checkpoint width --------------------------------------

  /**
   * A unit's checkpoint width, its per-batch widths and edge count ({@link Aggregates#WIDTH_ROW}),
   * or with {@code error} a unit that failed.
   */
  record UnitWidth(UnitKey unit, Double sigmaStar, int nBatches, int edgeBatches, List<Double> batchSigmaStars,
      String error) {

    static final StructType SCHEMA = Aggregates.WIDTH_ROW;
    private static final int SIGMA_STAR = SCHEMA.fieldIndex("sigma_star");
    private static final int N_BATCHES = SCHEMA.fieldIndex("n_batches");
    private static final int EDGE_BATCHES = SCHEMA.fieldIndex("edge_batches");
    private static final int BATCH_SIGMA_STARS = SCHEMA.fieldIndex("batch_sigma_stars");
    private static final int ERROR = SCHEMA.fieldIndex("error");

    Row toRow() {
      Object[] v = values(SCHEMA, unit);
      v[SIGMA_STAR] = sigmaStar;
      v[N_BATCHES] = nBatches;
      v[EDGE_BATCHES] = edgeBatches;
      v[BATCH_SIGMA_STARS] = batchSigmaStars == null ? null
          : scala.collection.JavaConverters.asScalaBuffer(batchSigmaStars).toSeq();
      v[ERROR] = error;
      return RowFactory.create(v);
    }
  }

  // ---- the smoothed widths: the entropy pass's input --------------------------------------------

  /** A unit's widths: per batch, the smoothed width used and the rule's choice (either null). */
  record UnitWidths(Double[] sigma, Double[] sigmaRaw, int edgeBatches) {}

  // ---- passes 3 and direct: a batch's estimate --------------------------------------------------

  /**
   * A batch's entropies and mutual informations, in bits ({@link Schemas#ESTIMATE_OUT}), with the
   * widths it used; or with {@code error} a unit that failed (its estimates null).
   */
  record BatchEstimate(UnitKey unit, Integer batchIndex, Double sigma, Double sigmaRaw, Double hX, Double hT,
      Double hY, Double iXT, Double iTY, Double hTErr, Double iXTErr, Double iTYErr, Double iXY, String error) {

    static final StructType SCHEMA = Schemas.ESTIMATE_OUT;
    private static final int BATCH_INDEX = SCHEMA.fieldIndex("batch_index");
    private static final int SIGMA = SCHEMA.fieldIndex("sigma");
    private static final int SIGMA_RAW = SCHEMA.fieldIndex("sigma_raw");
    private static final int H_X = SCHEMA.fieldIndex("h_x");
    private static final int H_T = SCHEMA.fieldIndex("h_t");
    private static final int H_Y = SCHEMA.fieldIndex("h_y");
    private static final int I_XT = SCHEMA.fieldIndex("i_xt");
    private static final int I_TY = SCHEMA.fieldIndex("i_ty");
    private static final int H_T_ERR = SCHEMA.fieldIndex("h_t_err");
    private static final int I_XT_ERR = SCHEMA.fieldIndex("i_xt_err");
    private static final int I_TY_ERR = SCHEMA.fieldIndex("i_ty_err");
    private static final int I_XY = SCHEMA.fieldIndex("i_xy");
    private static final int ERROR = SCHEMA.fieldIndex("error");

    static BatchEstimate failed(UnitKey unit, Integer batchIndex, Double sigma, Double sigmaRaw, String error) {
      return new BatchEstimate(unit, batchIndex, sigma, sigmaRaw, null, null, null, null, null, null, null, null,
          null, error);
    }

    Row toRow() {
      Object[] v = values(SCHEMA, unit);
      v[BATCH_INDEX] = batchIndex;
      v[SIGMA] = sigma;
      v[SIGMA_RAW] = sigmaRaw;
      v[H_X] = hX;
      v[H_T] = hT;
      v[H_Y] = hY;
      v[I_XT] = iXT;
      v[I_TY] = iTY;
      v[H_T_ERR] = hTErr;
      v[I_XT_ERR] = iXTErr;
      v[I_TY_ERR] = iTYErr;
      v[I_XY] = iXY;
      v[ERROR] = error;
      return RowFactory.create(v);
    }

    static BatchEstimate of(Row r) {
      return new BatchEstimate(PassRows.unit(r), r.isNullAt(BATCH_INDEX) ? null : r.getInt(BATCH_INDEX), d(r, SIGMA),
          d(r, SIGMA_RAW), d(r, H_X), d(r, H_T), d(r, H_Y), d(r, I_XT), d(r, I_TY), d(r, H_T_ERR), d(r, I_XT_ERR),
          d(r, I_TY_ERR), d(r, I_XY), r.isNullAt(ERROR) ? null : r.getString(ERROR));
    }
  }

  // ---- the information plane: a unit's result ---------------------------------------------------

  private static final int RESULT_ERROR = Aggregates.RESULT_ROW.fieldIndex("error");

  /**
   * A unit's row of {@code information_plane} ({@link Aggregates#RESULT_ROW}: the table's columns
   * and {@code error}), written column by column by name; a column not set is null.
   */
  static final class UnitResult {
    private final Object[] values = new Object[Aggregates.RESULT_ROW.size()];

    UnitResult(UnitKey unit) {
      System.arraycopy(PassRows.values(UNIT, unit), 0, values, 0, UNIT.size());
    }

    /**
     * @throws IllegalArgumentException when the schema has no such column (a programming error)
     */
    UnitResult set(String column, Object value) {
      values[Aggregates.RESULT_ROW.fieldIndex(column)] = value;
      return this;
    }

    Row toRow() {
      return RowFactory.create(values.clone());
    }
  }

  /** The error of a row of {@link Aggregates#RESULT_ROW} (null when the unit succeeded). */
  static String resultError(Row r) {
    return r.isNullAt(RESULT_ERROR) ? null : r.getString(RESULT_ERROR);
  }

  // ---- rows read back from the tables -----------------------------------------------------------

  /** A unit's stored checkpoint width: a row of {@code layer_widths}, read by name. */
  record StoredWidth(Double sigmaStar, int nBatches, Integer edgeBatches, List<Double> batchSigmaStars) {
    static StoredWidth of(Row r) {
      return new StoredWidth(r.getAs("sigma_star"), r.<Integer>getAs("n_batches"), r.getAs("edge_batches"),
          r.isNullAt(r.fieldIndex("batch_sigma_stars")) ? null : r.getList(r.fieldIndex("batch_sigma_stars")));
    }
  }

  private static Double d(Row r, int i) {
    return r.isNullAt(i) ? null : r.getDouble(i);
  }
}
