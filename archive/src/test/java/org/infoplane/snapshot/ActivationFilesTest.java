package org.infoplane.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** Activation files read back what was written, and files of another shape are refused by name. */
class ActivationFilesTest {

  @TempDir Path dir;
  private final Configuration conf = new Configuration();

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  /** A Parquet file of {@code schema} with one row per sample; a null value for a column is left out. */
  private org.apache.hadoop.fs.Path file(String name, String schema, Object[][] rows) throws Exception {
    MessageType type = MessageTypeParser.parseMessageType(schema);
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir.resolve(name).toUri());
    SimpleGroupFactory f = new SimpleGroupFactory(type);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(p, conf)).withConf(conf)
        .withType(type).build()) {
      for (Object[] row : rows) {
        Group g = f.newGroup();
        for (int c = 0; c < row.length; c++) {
          String field = type.getFieldName(c);
          if (row[c] instanceof Long l) {
            g.append(field, l);
          } else if (row[c] instanceof Integer i) {
            g.append(field, i);
          } else if (row[c] instanceof byte[] b) {
            g.append(field, Binary.fromConstantByteArray(b));
          }
        }
        w.write(g);
      }
    }
    return p;
  }

  @Test
  void readsWhatWasWrittenInEveryRowGroup() throws Exception {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir.resolve("a.parquet").toUri());
    float[] v = {1f, -2f, 3.5f, 1e38f, -0f, 7f};
    ActivationFiles.write(p, conf, new long[] {10, 11, 12}, Nd4j.create(v, new long[] {3, 2}, 'c'), new int[] {2, 0, 1},
        java.util.Map.of());
    ActivationFiles.Content c = ActivationFiles.read(p, conf, 3, 2, true, "run r", null);
    assertThat(c.ids()).containsExactly(10, 11, 12);
    assertThat(c.labels()).containsExactly(2, 0, 1);
    assertThat(c.values()).containsExactly(v);
    long[][] idsAndLabels = ActivationFiles.readIdsAndLabels(p, conf, 3, "run r");
    assertThat(idsAndLabels[0]).containsExactly(10, 11, 12);
    assertThat(idsAndLabels[1]).containsExactly(2, 0, 1);

    // Three row groups (a writer with a tiny row-group size), read in order.
    Object[][] rows = new Object[300][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new Object[] {(long) i, floats(i, -i)};
    }
    MessageType type = ActivationFiles.ACTIVATIONS;
    org.apache.hadoop.fs.Path many = new org.apache.hadoop.fs.Path(dir.resolve("many.parquet").toUri());
    SimpleGroupFactory f = new SimpleGroupFactory(type);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(many, conf)).withConf(conf)
        .withType(type).withRowGroupSize(1024L).withPageSize(512).build()) {
      for (Object[] row : rows) {
        w.write(f.newGroup().append("sample_id", (Long) row[0]).append("values",
            Binary.fromConstantByteArray((byte[]) row[1])));
      }
    }
    try (var r = org.apache.parquet.hadoop.ParquetFileReader.open(
        org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(many, conf))) {
      assertThat(r.getRowGroups()).hasSizeGreaterThan(1);
    }
    ActivationFiles.Content m = ActivationFiles.read(many, conf, 300, 2, false, "run r", null);
    for (int i = 0; i < 300; i++) {
      assertThat(m.ids()[i]).isEqualTo(i);
      assertThat(m.values()[2 * i]).isEqualTo((float) i);
      assertThat(m.values()[2 * i + 1]).isEqualTo((float) -i);
    }
  }

  @Test
  void refusesFilesOfAnotherShapeNamingFileAndColumn() throws Exception {
    org.apache.hadoop.fs.Path noIds = file("noids.parquet", "message m { required binary values; }",
        new Object[][] {{floats(1f)}});
    assertThatThrownBy(() -> ActivationFiles.read(noIds, conf, 1, 1, false, "run r, layer fc", null))
        .isInstanceOf(SnapshotFormatException.class)
        .hasMessageContaining("run r, layer fc").hasMessageContaining("noids.parquet")
        .hasMessageContaining("no column 'sample_id'");

    org.apache.hadoop.fs.Path intValues = file("int.parquet",
        "message m { required int64 sample_id; required int32 values; }", new Object[][] {{0L, 5}});
    assertThatThrownBy(() -> ActivationFiles.read(intValues, conf, 1, 1, false, "run r", null))
        .isInstanceOf(SnapshotFormatException.class).hasMessageContaining("int.parquet")
        .hasMessageContaining("column 'values'").hasMessageContaining("expected a single BINARY");

    org.apache.hadoop.fs.Path nulls = file("null.parquet",
        "message m { required int64 sample_id; optional binary values; }",
        new Object[][] {{0L, floats(1f)}, {1L, null}});
    assertThatThrownBy(() -> ActivationFiles.read(nulls, conf, 2, 1, false, "run r", null))
        .isInstanceOf(SnapshotFormatException.class).hasMessageContaining("null.parquet")
        .hasMessageContaining("row 1: column 'values' is null");

    org.apache.hadoop.fs.Path repeated = file("rep.parquet",
        "message m { required int64 sample_id; repeated binary values; }", new Object[][] {{0L, floats(1f)}});
    assertThatThrownBy(() -> ActivationFiles.read(repeated, conf, 1, 1, false, "run r", null))
        .isInstanceOf(SnapshotFormatException.class).hasMessageContaining("column 'values'");

    org.apache.hadoop.fs.Path shortRow = file("short.parquet",
        "message m { required int64 sample_id; required binary values; }", new Object[][] {{7L, floats(1f)}});
    assertThatThrownBy(() -> ActivationFiles.read(shortRow, conf, 1, 2, false, "run r", null))
        .isInstanceOf(SnapshotFormatException.class)
        .hasMessageContaining("sample id 7 has 1 values, the manifest's shape has 2");

    assertThatThrownBy(() -> ActivationFiles.read(shortRow, conf, 2, 1, false, "run r", null))
        .isInstanceOf(SnapshotFormatException.class).hasMessageContaining("has 1 samples, the split has 2");

    // Ids and labels alone: the values are not read, the label column must be there.
    org.apache.hadoop.fs.Path noLabels = file("nolabels.parquet",
        "message m { required int64 sample_id; required binary values; }", new Object[][] {{0L, floats(1f)}});
    assertThatThrownBy(() -> ActivationFiles.readIdsAndLabels(noLabels, conf, 1, "run r, inputs"))
        .isInstanceOf(SnapshotFormatException.class).hasMessageContaining("nolabels.parquet")
        .hasMessageContaining("no column 'label'");
    org.apache.hadoop.fs.Path noValues = file("novalues.parquet",
        "message m { required int64 sample_id; required int32 label; }", new Object[][] {{4L, 1}});
    assertThat(ActivationFiles.readIdsAndLabels(noValues, conf, 1, "run r")[1]).containsExactly(1);

    java.nio.file.Files.writeString(dir.resolve("text.parquet"), "not parquet at all");
    org.apache.hadoop.fs.Path text = new org.apache.hadoop.fs.Path(dir.resolve("text.parquet").toUri());
    assertThatThrownBy(() -> ActivationFiles.read(text, conf, 1, 1, false, "run r", null))
        .isInstanceOf(SnapshotFormatException.class).hasMessageContaining("cannot be read as Parquet");
  }
}
