package org.infoplane.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Read rate of the activation column layouts: N rows × D float32 values stored (a) as raw
 * little-endian bytes in one {@code binary} column (the archive's layout, {@link ActivationFiles})
 * or (b) as a standard three-level Parquet {@code LIST<float>} column, each SNAPPY-compressed and
 * uncompressed. Every file is read back fully several times:
 *
 * <ul>
 *   <li>{@code parquet-mr}: low-level converters that copy the values into one {@code float[]} (the
 *       fastest parquet-mr path for each layout);
 *   <li>{@code archive-reader}: {@link ActivationFiles#read} (binary layouts only: what
 *       {@link RunReader} runs today);
 *   <li>{@code spark-sql} (with {@code --spark}): a local[1] Spark scan that decodes the column
 *       ({@code sum(length(values))} or {@code sum(size(values))}).
 * </ul>
 *
 * Values are ReLU-like (half zeros, half |Gaussian|), drawn from a fixed seed. Rates are MB/s of
 * activations (N·D·4 bytes, MB = 10^6 bytes), median of the timed repetitions after one warm-up.
 *
 * <pre>
 * mvn -q -pl analysis -am test-compile && bin/infoplane --version   # the second builds app/target/classpath.txt
 * java -cp analysis/target/test-classes:analysis/target/classes:$(cat app/target/classpath.txt) \
 *   [Spark's --add-opens flags] org.infoplane.snapshot.LayoutBenchmark \
 *   [--rows 1000] [--dims 784,65536] [--reps 3] [--spark] [--out docs/snapshot-format-benchmark.json]
 * </pre>
 */
public final class LayoutBenchmark {

  private static final String BINARY_SCHEMA =
      "message activations { required int64 sample_id; required binary values; }";
  private static final String LIST_SCHEMA = "message activations { required int64 sample_id;"
      + " required group values (LIST) { repeated group list { required float element; } } }";

  enum Layout { BINARY, LIST }

  private LayoutBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = 1000;
    int[] dims = {784, 65536};
    int reps = 3;
    boolean spark = false;
    String out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--dims" -> dims = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--spark" -> spark = true;
        case "--out" -> out = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --rows N, --dims D1,D2, --reps R, --spark, --out FILE)");
      }
    }
    Configuration conf = new Configuration();
    File tmp = Files.createTempDirectory("layout-benchmark").toFile();
    Object session = spark ? SparkScan.start() : null;
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("rows", rows);
    root.put("reps", reps);
    root.put("unit", "MB/s of activations (N*D*4 bytes, MB = 1e6 bytes), median of reps after 1 warm-up");
    root.put("values", "ReLU-like float32: half zeros, half |Gaussian|, seed 42");
    root.put("machine", Runtime.getRuntime().availableProcessors() + " cores visible, "
        + System.getProperty("java.version") + ", shared with other work");
    ArrayNode results = root.putArray("results");
    System.out.printf(Locale.ROOT, "%-8s %-13s %-7s %10s %10s %10s %14s %10s%n", "D", "layout", "codec", "file MB",
        "write s", "parquet-mr", "archive-reader", "spark-sql");
    final int n = rows;
    for (int d : dims) {
      float[] values = relu(rows, d, 42);
      long[] ids = LongStream.range(0, rows).toArray();
      double mb = rows * (double) d * 4 / 1e6;
      for (Layout layout : Layout.values()) {
        for (CompressionCodecName codec : List.of(CompressionCodecName.SNAPPY, CompressionCodecName.UNCOMPRESSED)) {
          Path file = new Path(new File(tmp, layout + "-" + codec + "-" + d + ".parquet").toURI());
          long t0 = System.nanoTime();
          write(file, conf, layout, codec, ids, values, d);
          double writeS = (System.nanoTime() - t0) / 1e9;
          long size = file.getFileSystem(conf).getFileStatus(file).getLen();

          float[] back = new float[values.length];
          double mr = rate(mb, reps, () -> read(file, conf, layout, back, d));
          if (!Arrays.equals(back, values)) {
            throw new IllegalStateException(layout + " " + codec + " D=" + d + ": values differ after the round trip");
          }
          double archive = layout == Layout.BINARY
              ? rate(mb, reps, () -> ActivationFiles.read(file, conf, n, d, false, "benchmark")) : Double.NaN;
          double sql = session != null ? rate(mb, reps, () -> SparkScan.scan(session, file, layout)) : Double.NaN;
          System.out.printf(Locale.ROOT, "%-8d %-13s %-7s %10.1f %10.2f %10.0f %14s %10s%n", d, layout.name().toLowerCase(Locale.ROOT),
              codec.name().toLowerCase(Locale.ROOT), size / 1e6, writeS, mr, fmt(archive), fmt(sql));
          ObjectNode r = results.addObject();
          r.put("dim", d);
          r.put("layout", layout == Layout.BINARY ? "binary (raw float32 LE)" : "list<float> (3-level LIST)");
          r.put("codec", codec.name());
          r.put("file_mb", size / 1e6);
          r.put("activation_mb", mb);
          r.put("write_s", writeS);
          r.put("parquet_mr_mb_s", mr);
          putRate(r, "archive_reader_mb_s", archive);
          putRate(r, "spark_sql_mb_s", sql);
          file.getFileSystem(conf).delete(file, false);
        }
      }
    }
    if (session != null) {
      SparkScan.stop(session);
    }
    if (out != null) {
      json.writeValue(new File(out), root);
      System.out.println("wrote " + out);
    }
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
  }

  private static void putRate(ObjectNode r, String key, double v) {
    if (Double.isNaN(v)) {
      r.putNull(key);
    } else {
      r.put(key, v);
    }
  }

  interface Body {
    void run() throws Exception;
  }

  /** Median MB/s over {@code reps} timed runs after one warm-up. */
  private static double rate(double mb, int reps, Body body) throws Exception {
    body.run();
    double[] s = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      body.run();
      s[i] = (System.nanoTime() - t0) / 1e9;
    }
    Arrays.sort(s);
    return mb / s[reps / 2];
  }

  static float[] relu(int rows, int d, long seed) {
    Random r = new Random(seed);
    float[] v = new float[rows * d];
    for (int i = 0; i < v.length; i++) {
      double g = r.nextGaussian();
      v[i] = g > 0 ? (float) g : 0f;
    }
    return v;
  }

  // ---- writing ---------------------------------------------------------------------------------

  static void write(Path file, Configuration conf, Layout layout, CompressionCodecName codec, long[] ids,
      float[] values, int d) throws IOException {
    if (layout == Layout.BINARY && codec == CompressionCodecName.SNAPPY) {
      // exactly the archive's writer
      ActivationFiles.write(file, conf, ids, Nd4j.create(values, new long[] {ids.length, d}, 'c'), null,
          Map.of("infoplane.shape", "[" + d + "]"));
      return;
    }
    try (ParquetWriter<Integer> w = new RowsBuilder(HadoopOutputFile.fromPath(file, conf), layout, ids, values, d)
        .withConf(conf)
        .withCompressionCodec(codec)
        .withWriteMode(ParquetFileWriter.Mode.CREATE)
        .withDictionaryEncoding(false)
        .build()) {
      for (int i = 0; i < ids.length; i++) {
        w.write(i);
      }
    }
  }

  private static final class RowsBuilder extends ParquetWriter.Builder<Integer, RowsBuilder> {
    private final Layout layout;
    private final long[] ids;
    private final float[] values;
    private final int d;

    RowsBuilder(OutputFile file, Layout layout, long[] ids, float[] values, int d) {
      super(file);
      this.layout = layout;
      this.ids = ids;
      this.values = values;
      this.d = d;
    }

    @Override
    protected RowsBuilder self() {
      return this;
    }

    @Override
    protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
      return new RowsWriteSupport(layout, ids, values, d);
    }
  }

  /** Writes row i of the values; the record is the row index. */
  private static final class RowsWriteSupport extends WriteSupport<Integer> {
    private final Layout layout;
    private final long[] ids;
    private final float[] values;
    private final int d;
    private final ByteBuffer row;
    private RecordConsumer rc;

    RowsWriteSupport(Layout layout, long[] ids, float[] values, int d) {
      this.layout = layout;
      this.ids = ids;
      this.values = values;
      this.d = d;
      this.row = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(MessageTypeParser.parseMessageType(layout == Layout.BINARY ? BINARY_SCHEMA : LIST_SCHEMA),
          Map.of("infoplane.shape", "[" + d + "]"));
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.rc = recordConsumer;
    }

    @Override
    public void write(Integer i) {
      rc.startMessage();
      rc.startField("sample_id", 0);
      rc.addLong(ids[i]);
      rc.endField("sample_id", 0);
      rc.startField("values", 1);
      if (layout == Layout.BINARY) {
        row.clear();
        row.asFloatBuffer().put(values, i * d, d);
        rc.addBinary(Binary.fromConstantByteArray(row.array().clone()));
      } else {
        rc.startGroup();
        rc.startField("list", 0);
        for (int k = i * d, end = k + d; k < end; k++) {
          rc.startGroup();
          rc.startField("element", 0);
          rc.addFloat(values[k]);
          rc.endField("element", 0);
          rc.endGroup();
        }
        rc.endField("list", 0);
        rc.endGroup();
      }
      rc.endField("values", 1);
      rc.endMessage();
    }
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** Reads every value of the file into {@code out} (row-major), with parquet-mr's converters. */
  static void read(Path file, Configuration conf, Layout layout, float[] out, int d) throws IOException {
    int[] pos = {0};
    PrimitiveConverter ids = new PrimitiveConverter() {
      @Override
      public void addLong(long value) {}
    };
    Converter valuesConverter;
    if (layout == Layout.BINARY) {
      valuesConverter = new PrimitiveConverter() {
        @Override
        public void addBinary(Binary value) {
          value.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, pos[0], d);
          pos[0] += d;
        }
      };
    } else {
      PrimitiveConverter element = new PrimitiveConverter() {
        @Override
        public void addFloat(float value) {
          out[pos[0]++] = value;
        }
      };
      GroupConverter list = group(element);
      valuesConverter = group(list);
    }
    GroupConverter root = group(ids, valuesConverter);
    ReadSupport<Boolean> support = new ReadSupport<>() {
      @Override
      public ReadContext init(InitContext context) {
        return new ReadContext(context.getFileSchema());
      }

      @Override
      public RecordMaterializer<Boolean> prepareForRead(Configuration configuration, Map<String, String> keyValueMetaData,
          MessageType fileSchema, ReadContext readContext) {
        return new RecordMaterializer<>() {
          @Override
          public Boolean getCurrentRecord() {
            return Boolean.TRUE;
          }

          @Override
          public GroupConverter getRootConverter() {
            return root;
          }
        };
      }
    };
    try (ParquetReader<Boolean> r = ParquetReader.builder(support, HadoopInputFile.fromPath(file, conf)
        .getPath()).withConf(conf).build()) {
      while (r.read() != null) {
        // the converters copy the values
      }
    }
    if (pos[0] != out.length) {
      throw new IllegalStateException(file + ": read " + pos[0] + " values, expected " + out.length);
    }
  }

  private static GroupConverter group(Converter... children) {
    return new GroupConverter() {
      @Override
      public Converter getConverter(int fieldIndex) {
        return children[fieldIndex];
      }

      @Override
      public void start() {}

      @Override
      public void end() {}
    };
  }

  /** The Spark side, kept apart so that the benchmark runs without Spark unless asked. */
  static final class SparkScan {
    private SparkScan() {}

    static Object start() {
      return org.apache.spark.sql.SparkSession.builder().master("local[1]").appName("layout benchmark")
          .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.ui.enabled", "false").getOrCreate();
    }

    static void scan(Object session, Path file, Layout layout) {
      org.apache.spark.sql.SparkSession s = (org.apache.spark.sql.SparkSession) session;
      String expr = layout == Layout.BINARY ? "sum(length(values))" : "sum(size(values))";
      s.read().parquet(file.toString()).selectExpr(expr).collectAsList();
    }

    static void stop(Object session) {
      ((org.apache.spark.sql.SparkSession) session).stop();
    }
  }
}
