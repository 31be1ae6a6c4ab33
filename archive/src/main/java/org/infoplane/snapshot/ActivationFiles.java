package org.infoplane.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Parquet files of the archive: one row per sample, with its id, its values as raw
 * little-endian float32 bytes in one {@code binary} column (see docs/snapshot-format.md for the
 * measurement behind this layout), and for inputs its label.
 */
final class ActivationFiles {

  static final MessageType ACTIVATIONS = Types.buildMessage()
      .required(PrimitiveTypeName.INT64).named("sample_id")
      .required(PrimitiveTypeName.BINARY).named("values")
      .named("activations");

  static final MessageType INPUTS = Types.buildMessage()
      .required(PrimitiveTypeName.INT64).named("sample_id")
      .required(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.intType(32, true)).named("label")
      .required(PrimitiveTypeName.BINARY).named("values")
      .named("inputs");

  private ActivationFiles() {}

  /**
   * Writes N samples (rows of {@code values}, N × …) with their ids and, for inputs, labels.
   *
   * @param labels null for activations
   */
  static long write(Path file, Configuration conf, long[] ids, INDArray values, int[] labels,
      Map<String, String> metadata) throws IOException {
    MessageType schema = labels == null ? ACTIVATIONS : INPUTS;
    int n = ids.length;
    int d = (int) (values.length() / n);
    float[] v = values.castTo(DataType.FLOAT).dup('c').data().asFloat();
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    ByteBuffer row = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf))
        .withConf(conf)
        .withType(schema)
        .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
        .withWriteMode(ParquetFileWriter.Mode.CREATE)
        .withDictionaryEncoding(false)
        .withExtraMetaData(metadata)
        .build()) {
      for (int i = 0; i < n; i++) {
        row.clear();
        row.asFloatBuffer().put(v, i * d, d);
        Group g = groups.newGroup().append("sample_id", ids[i]);
        if (labels != null) {
          g.append("label", labels[i]);
        }
        g.append("values", Binary.fromConstantByteArray(row.array().clone()));
        w.write(g);
      }
    }
    return file.getFileSystem(conf).getFileStatus(file).getLen();
  }

  /** What a file holds: sample ids, values (N × d, float32, C order), labels (inputs only). */
  record Content(long[] ids, float[] values, int[] labels) {}

  /**
   * Reads a whole file, checking each row's length against {@code perSample} values.
   *
   * @param where names the unit in messages
   */
  static Content read(Path file, Configuration conf, long expectedRows, long perSample, boolean inputs, String where) {
    return read(file, conf, expectedRows, perSample, inputs, where, null);
  }

  /**
   * As {@link #read(Path, Configuration, long, long, boolean, String)}, into {@code reuse} when it
   * has room for every value (then {@code values} of the result is {@code reuse}, possibly longer
   * than the file's values).
   *
   * <p>Reads the columns with Parquet's column readers, straight into the arrays: no record
   * assembly and no per-file copy of the Hadoop configuration, so that a small file (a unit of
   * 100 samples of a narrow layer: kilobytes) costs about its bytes, not a reader's set-up.
   */
  static Content read(Path file, Configuration conf, long expectedRows, long perSample, boolean inputs, String where,
      float[] reuse) {
    return scan(file, conf, expectedRows, perSample, inputs, true, where, reuse);
  }

  /**
   * Reads a file's sample ids, its labels ({@code inputs}) and, {@code withValues}, its values (the
   * column is not read otherwise: {@code values} of the result is then null).
   */
  private static Content scan(Path file, Configuration conf, long expectedRows, long perSample, boolean inputs,
      boolean withValues, String where, float[] reuse) {
    if (expectedRows * perSample > Integer.MAX_VALUE - 8) {
      throw new SnapshotFormatException(where + ": " + expectedRows + " × " + perSample + " values do not fit one array");
    }
    int n = (int) expectedRows;
    int d = (int) perSample;
    long[] ids = new long[n];
    float[] values = !withValues ? null : reuse != null && reuse.length >= (long) n * d ? reuse : new float[n * d];
    int[] labels = inputs ? new int[n] : null;
    int i = 0;
    // Plain read options: the file system comes from conf through the input file, and nothing else
    // of a (large, shared) Hadoop configuration is needed to read these columns.
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf),
        ParquetReadOptions.builder().build())) {
      MessageType schema = r.getFileMetaData().getSchema();
      ColumnDescriptor idColumn = column(schema, "sample_id", PrimitiveTypeName.INT64, file, where);
      ColumnDescriptor labelColumn = inputs ? column(schema, "label", PrimitiveTypeName.INT32, file, where) : null;
      ColumnDescriptor valueColumn = withValues ? column(schema, "values", PrimitiveTypeName.BINARY, file, where) : null;
      if (!withValues) {
        r.setRequestedSchema(new MessageType(schema.getName(), schema.getType("sample_id"), schema.getType("label")));
      }
      String createdBy = r.getFileMetaData().getCreatedBy();
      PageReadStore group;
      while ((group = r.readNextRowGroup()) != null) {
        ColumnReadStoreImpl store = new ColumnReadStoreImpl(group, new GroupRecordConverter(schema).getRootConverter(),
            schema, createdBy);
        ColumnReader idReader = store.getColumnReader(idColumn);
        ColumnReader labelReader = inputs ? store.getColumnReader(labelColumn) : null;
        ColumnReader valueReader = withValues ? store.getColumnReader(valueColumn) : null;
        for (long row = 0; row < group.getRowCount(); row++) {
          if (i >= n) {
            throw new SnapshotFormatException(where + ": file " + file + " has more than the " + n + " samples of the split");
          }
          ids[i] = present(idReader, idColumn, file, where, i).getLong();
          idReader.consume();
          if (inputs) {
            labels[i] = present(labelReader, labelColumn, file, where, i).getInteger();
            labelReader.consume();
          }
          if (withValues) {
            ByteBuffer bytes = present(valueReader, valueColumn, file, where, i).getBinary().toByteBuffer();
            valueReader.consume();
            if (bytes.remaining() != 4L * d) {
              throw new SnapshotFormatException(where + ": file " + file + ", sample id " + ids[i] + " has "
                  + bytes.remaining() / 4 + " values, the manifest's shape has " + d);
            }
            bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values, i * d, d);
          }
          i++;
        }
      }
    } catch (SnapshotFormatException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SnapshotFormatException(where + ": file " + file + " cannot be read as Parquet (" + e + ")", e);
    }
    if (i != n) {
      throw new SnapshotFormatException(where + ": file " + file + " has " + i + " samples, the split has " + n);
    }
    return new Content(ids, values, labels);
  }

  /** The file's column {@code name}, which must be a non-repeated column of type {@code type}. */
  private static ColumnDescriptor column(MessageType schema, String name, PrimitiveTypeName type, Path file,
      String where) {
    if (!schema.containsPath(new String[] {name})) {
      throw new SnapshotFormatException(where + ": file " + file + " has no column '" + name + "' (its columns: "
          + schema.getColumns().stream().map(c -> String.join(".", c.getPath())).toList() + ")");
    }
    ColumnDescriptor c = schema.getColumnDescription(new String[] {name});
    if (c.getPrimitiveType().getPrimitiveTypeName() != type || c.getMaxRepetitionLevel() != 0) {
      throw new SnapshotFormatException(where + ": file " + file + ", column '" + name + "' is "
          + c.getPrimitiveType() + ", expected a single " + type);
    }
    return c;
  }

  /** The reader, after checking that its current value is not null. */
  private static ColumnReader present(ColumnReader reader, ColumnDescriptor c, Path file, String where, int row) {
    if (reader.getCurrentDefinitionLevel() < c.getMaxDefinitionLevel()) {
      throw new SnapshotFormatException(where + ": file " + file + ", row " + row + ": column '"
          + c.getPath()[0] + "' is null");
    }
    return reader;
  }

  /** Reads only the sample ids and labels of an inputs file (a column projection: no values). */
  static long[][] readIdsAndLabels(Path file, Configuration conf, int expectedRows, String where) {
    Content c = scan(file, conf, expectedRows, 0, true, false, where, null);
    return new long[][] {c.ids(), Arrays.stream(c.labels()).asLongStream().toArray()};
  }

  /** Checks that a file's sample ids are the split's, in the same order. */
  static void requireIds(long[] expected, long[] actual, String where) {
    if (!Arrays.equals(expected, actual)) {
      for (int i = 0; i < expected.length; i++) {
        if (expected[i] != actual[i]) {
          throw new SnapshotFormatException(where + ": sample id at row " + i + " is " + actual[i]
              + ", the manifest says " + expected[i]);
        }
      }
    }
  }

  static INDArray toArray(float[] values, int n, long[] sampleShape) {
    long[] shape = new long[sampleShape.length + 1];
    shape[0] = n;
    System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
    return Nd4j.create(values, shape, 'c');
  }
}
