package org.infoplane.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.infoplane.config.ConfResolver;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queries of the commands take their values as parameters: a quote in one is data, never SQL. */
class WarehouseReadsTest {

  @TempDir Path dir;

  @Test
  void theDemosRunIdIsAParameterNotSqlText() throws Exception {
    ResolvedConf conf = new ConfResolver().pairs(List.of("infoplane.warehouse=" + dir.resolve("warehouse"),
        "infoplane.local.master=local[1]")).resolve();
    SparkSession spark = Sessions.create(conf, "WarehouseReadsTest");
    try {
      IpTables tables = new IpTables(spark, conf);
      tables.createAll();
      String plane = tables.name(IpTables.INFORMATION_PLANE);
      StructType schema = spark.table(plane).schema();
      List<Row> rows = new ArrayList<>();
      for (String run : List.of("o'brien", "other")) {
        rows.add(row(schema, Map.of("run_id", run, "split", "test", "epoch", 1, "step", 10L, "layer_index", 0,
            "layer_name", "fc1", "estimator", "renyi-tensor", "alpha", 1.01, "i_xt", 2.5, "i_ty", 0.5)));
      }
      spark.createDataFrame(rows, schema).writeTo(plane).append();

      WarehouseReads reads = new WarehouseReads(spark, tables);
      List<Row> quoted = reads.plane("o'brien", "renyi-tensor", 1.01);
      assertThat(quoted).hasSize(1);
      assertThat(quoted.get(0).getString(4)).isEqualTo("fc1");
      assertThat(quoted.get(0).getDouble(5)).isEqualTo(2.5);
      assertThat(reads.plane("x' OR '1'='1", "renyi-tensor", 1.01))
          .as("an injected condition matches nothing").isEmpty();
      assertThat(reads.plane("other", "renyi-tensor", 1.01)).hasSize(1);
    } finally {
      spark.stop();
    }
  }

  /** A row of {@code schema}: the given values, null where a column may be null, else a zero. */
  private static Row row(StructType schema, Map<String, Object> values) {
    Object[] v = new Object[schema.size()];
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      StructField f = fields[i];
      if (values.containsKey(f.name())) {
        v[i] = values.get(f.name());
      } else if (!f.nullable()) {
        v[i] = f.dataType().equals(DataTypes.StringType) ? ""
            : f.dataType().equals(DataTypes.IntegerType) ? (Object) 0
            : f.dataType().equals(DataTypes.LongType) ? (Object) 0L
            : f.dataType().equals(DataTypes.DoubleType) ? (Object) 0.0
            : f.dataType().equals(DataTypes.TimestampType) ? (Object) new java.sql.Timestamp(0) : null;
      }
    }
    return RowFactory.create(v);
  }
}
