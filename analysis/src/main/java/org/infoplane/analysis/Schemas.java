package org.infoplane.analysis;

import static org.apache.spark.sql.types.DataTypes.BinaryType;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createStructField;
import static org.apache.spark.sql.types.DataTypes.createStructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Row schemas that the analysis passes exchange. */
final class Schemas {

  private Schemas() {}

  static final List<StructField> UNIT_FIELDS = List.of(
      createStructField("run_id", StringType, false),
      createStructField("split", StringType, false),
      createStructField("epoch", IntegerType, false),
      createStructField("step", LongType, false),
      createStructField("layer_index", IntegerType, false),
      createStructField("layer_name", StringType, false),
      createStructField("layer_kind", StringType, true));

  /** Output of the distance pass: one row per batch, or one error row per failed unit. */
  static final StructType DISTANCE_OUT = with(UNIT_FIELDS,
      createStructField("batching", StringType, false),
      createStructField("batch_index", IntegerType, true),
      createStructField("n", IntegerType, true),
      createStructField("dimension", LongType, true),
      createStructField("distances", BinaryType, true),
      createStructField("labels", createArrayType(IntegerType, false), true),
      createStructField("sample_ids", createArrayType(LongType, false), true),
      createStructField("created_at", TimestampType, false),
      createStructField("sigma_star", DoubleType, true),
      createStructField("on_edge", BooleanType, false),
      createStructField("error", StringType, true));

  /** Output of the width pass: one row per batch. */
  static final StructType WIDTH_OUT = with(UNIT_FIELDS,
      createStructField("batch_index", IntegerType, true),
      createStructField("sigma_star", DoubleType, true),
      createStructField("on_edge", BooleanType, false),
      createStructField("error", StringType, true));

  /** Output of the entropy pass: one row per batch. */
  static final StructType ESTIMATE_OUT = with(UNIT_FIELDS,
      createStructField("batch_index", IntegerType, true),
      createStructField("sigma", DoubleType, true),
      createStructField("sigma_raw", DoubleType, true),
      createStructField("h_x", DoubleType, true),
      createStructField("h_t", DoubleType, true),
      createStructField("h_y", DoubleType, true),
      createStructField("i_xt", DoubleType, true),
      createStructField("i_ty", DoubleType, true),
      createStructField("h_t_err", DoubleType, true),
      createStructField("i_xt_err", DoubleType, true),
      createStructField("i_ty_err", DoubleType, true),
      createStructField("i_xy", DoubleType, true),
      createStructField("error", StringType, true));

  static StructType with(List<StructField> base, StructField... more) {
    List<StructField> all = new ArrayList<>(base);
    all.addAll(Arrays.asList(more));
    return createStructType(all);
  }
}
