package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.SnapshotArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every table the analysis writes, every column and every row, against golden files: a change of
 * the code's structure that is meant to change no result proves here that it did not.
 *
 * <p>The fixture: two synthetic runs ({@link SyntheticRun}; {@code r1} with three checkpoints
 * ten steps apart, {@code r2} with two checkpoints at step 0, which per-step smoothing refuses),
 * analysed into one warehouse under four configurations (the defaults; α = 2, from the stored
 * distances; the preset {@code ipdl}, whose per-batch widths come from the width pass over the
 * stored distances; the direct estimator {@code binning}), then a sensitivity run of {@code r1}
 * (α ∈ {1.01, 2}, σ factor ∈ {1, 0.5}).
 *
 * <p>Each table is dumped as one line per row, its columns rendered so that equal text means equal
 * values: doubles and floats as the hexadecimal of their bits ({@link Double#doubleToLongBits}),
 * compared within a tolerance ({@link #SAME_KERNELS}) because the bits depend on the CPU's BLAS kernels; a stored
 * distance matrix as a {@link #fingerprint} of numbers; other binaries as their SHA-256; arrays, maps (sorted by key) and
 * structs element by element; the archive's URI, which is a temporary directory, as
 * {@code ${archive}}. Lines are sorted (each table's key columns come first, so this is key order).
 * The first line of each file is the table's schema, which must not change either.
 *
 * <p>Left out, and only these, because they hold the wall-clock time of a write: {@link #EXCLUDED}.
 * Every timestamp column of every table must be among them, so that a new one fails here until it
 * is named.
 *
 * <p>The golden files under {@code src/test/resources/golden/tables/} were generated once, at commit
 * 0afdd32 (the code before the typed-contract refactor), by
 * {@code env -u OPENBLAS_CORETYPE mvn -B -pl analysis -am -Dtest=TablesUnchangedTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dinfoplane.golden.write=true test}; see the README there.
 */
class TablesUnchangedTest {

  /** Table → columns not compared, each a wall-clock time of the write (the reason for all). */
  static final Map<String, Set<String>> EXCLUDED = Map.ofEntries(
      Map.entry("information_plane", Set.of("computed_at")),
      Map.entry("layer_widths", Set.of("computed_at")),
      Map.entry("distance_matrices", Set.of("created_at")),
      Map.entry("analysis_configs", Set.of("created_at")),
      Map.entry("analysis_errors", Set.of("failed_at")),
      Map.entry("runs", Set.of("updated_at")),
      Map.entry("sensitivity", Set.of("computed_at")),
      Map.entry("dpi_tests", Set.of("computed_at")),
      Map.entry("phase_tests", Set.of("computed_at")),
      Map.entry("early_stopping", Set.of("computed_at")),
      Map.entry("split_tests", Set.of("computed_at")),
      Map.entry("split_fall_tests", Set.of("computed_at")));

  static final Path GOLDEN = Path.of("src/test/resources/golden/tables");
  static final String WRITE = "infoplane.golden.write";

  static SparkSession spark;

  @TempDir static Path dir;

  @BeforeAll
  static void startSpark() {
    spark = TestSpark.session();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static ResolvedConf conf(String catalog, String keep, String... pairs) {
    return TestSpark.warehouse(dir.resolve("wh-" + catalog), catalog,
        List.of("infoplane.commit.units=100", "infoplane.distances.keep=" + keep), pairs);
  }

  private static void analyze(ResolvedConf conf, Path archive) {
    new AnalysisJob(spark, conf, archive.toString()).run();
  }

  /**
   * With {@code infoplane.distances.keep=all} every layer's distance matrices are stored, as
   * before that setting existed: every table equals its golden file, and the re-analyses and the
   * sensitivity run work from the stored distances.
   */
  @Test
  void everyTableEqualsItsGoldenFile() throws IOException {
    Map<String, List<String>> dumps = analyzeFixture("golden", "all");
    if (Boolean.getBoolean(WRITE)) {
      Files.createDirectories(GOLDEN);
      for (Map.Entry<String, List<String>> e : dumps.entrySet()) {
        Files.write(GOLDEN.resolve(e.getKey() + ".tsv"), e.getValue(), StandardCharsets.UTF_8);
      }
    }
    compareAll(dumps, golden(dumps.keySet()));
  }

  /**
   * With the default {@code infoplane.distances.keep=auto}, every layer of the fixture (12, 48 and 7
   * features) is narrower than a batch less one (99), so only the inputs' distance matrices are
   * stored, and every pass (the widths of the re-analyses, the entropies, the sensitivity run) reads
   * the layers' activations again: {@code distance_matrices} holds the golden file's input rows and
   * no other, and every other table equals its golden file.
   */
  @Test
  void narrowLayersKeepNoDistancesAndChangeNoResult() throws IOException {
    Map<String, List<String>> dumps = analyzeFixture("golden_auto", "auto");
    Map<String, List<String>> golden = golden(dumps.keySet());
    List<String> distances = golden.get("distance_matrices");
    int layerIndex = List.of(distances.get(0).split("\t")).indexOf("layer_index int not null");
    assertThat(layerIndex).as("the layer_index column").isNotNegative();
    List<String> inputs = new ArrayList<>(List.of(distances.get(0)));
    distances.stream().skip(1).filter(line -> line.split("\t")[layerIndex].equals("-1")).forEach(inputs::add);
    assertThat(inputs).as("the golden input rows").hasSizeGreaterThan(1).hasSizeLessThan(distances.size());
    golden.put("distance_matrices", inputs);
    compareAll(dumps, golden);
  }

  /**
   * The fixture's warehouse: two synthetic runs analysed under four configurations, then a
   * sensitivity run (see the class comment), with {@code infoplane.distances.keep=keep}; every
   * table dumped.
   */
  private static Map<String, List<String>> analyzeFixture(String catalog, String keep) throws IOException {
    Path archivePath = dir.resolve("archive");
    SnapshotArchive archive = SnapshotArchive.open(archivePath.toString(), new Configuration());
    if (!Files.exists(archivePath.resolve("runs"))) {
      new SyntheticRun(1).write(archive, "r1", 0, 3);
      new SyntheticRun(2).write(archive, "r2", 0, 2, 0L);
    }

    analyze(conf(catalog, keep), archivePath);
    analyze(conf(catalog, keep, "infoplane.alpha=2"), archivePath);
    analyze(conf(catalog, keep, "infoplane.preset=ipdl"), archivePath);
    analyze(conf(catalog, keep, "infoplane.estimator=binning"), archivePath);
    new SensitivityJob(spark, conf(catalog, keep)).run("r1", List.of(1.01, 2.0), List.of(1.0, 0.5));

    String archiveUri = SnapshotArchive.canonicalUri(archivePath.toString(), new Configuration());
    Map<String, List<String>> dumps = new TreeMap<>();
    for (Row t : spark.sql("SHOW TABLES IN " + catalog + ".ip").collectAsList()) {
      if (t.getBoolean(2)) {
        continue; // a temporary view of the session, not a table
      }
      String table = t.getString(1);
      dumps.put(table, dump(catalog, table, archiveUri));
    }
    return dumps;
  }

  /** The golden files, which must be those of {@code tables}. */
  private static Map<String, List<String>> golden(Set<String> tables) throws IOException {
    Set<String> goldenTables = new TreeSet<>();
    try (var files = Files.list(GOLDEN)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tsv"))
          .forEach(n -> goldenTables.add(n.substring(0, n.length() - ".tsv".length())));
    }
    assertThat(tables).as("the warehouse's tables").isEqualTo(goldenTables);
    Map<String, List<String>> golden = new TreeMap<>();
    for (String table : tables) {
      golden.put(table, Files.readAllLines(GOLDEN.resolve(table + ".tsv"), StandardCharsets.UTF_8));
    }
    return golden;
  }

  private static void compareAll(Map<String, List<String>> dumps, Map<String, List<String>> golden) {
    boolean sameDistances = dumps.get("distance_matrices").equals(golden.get("distance_matrices"));
    double tolerance = System.getProperty(TOLERANCE) != null ? Double.parseDouble(System.getProperty(TOLERANCE))
        : sameDistances ? SAME_KERNELS : OTHER_FLOAT32_KERNELS;
    System.out.println("golden: the stored distances are " + (sameDistances ? "" : "not ")
        + "bit-identical to the golden ones; doubles compared within " + tolerance);
    for (Map.Entry<String, List<String>> e : dumps.entrySet()) {
      compare(e.getKey(), golden.get(e.getKey()), e.getValue(), tolerance);
    }
    assertThat(dumps.get("information_plane")).as("the fixture fills the tables").hasSizeGreaterThan(50);
    assertThat(dumps.get("sensitivity")).hasSizeGreaterThan(50);
    assertThat(dumps.get("analysis_errors")).hasSizeGreaterThan(1);
  }

  /**
   * How far two doubles may differ and still count as equal: {@code |a − b| ≤ tolerance · max(1, |a|,
   * |b|)}. OpenBLAS picks its kernels by CPU, and what they compute differs in the last bits from one
   * kernel family to the next. Measured with this fixture against the golden files (made with the
   * kernels that OpenBLAS picks by itself on an AMD EPYC with AVX-512):
   * <ul>
   *   <li>{@code OPENBLAS_CORETYPE=Haswell}: the float32 Gram products, hence the stored distances,
   *       bit-identical; the double-precision eigenvalues and products after them not, the largest
   *       relative difference 3.8e-11 ({@code dpi_tests}), 1.1e-13 in {@code information_plane};
   *   <li>{@code OPENBLAS_CORETYPE=Prescott}: the distances differ by float32 rounding (1.5e-5 in
   *       their fingerprint's minimum), and what follows by up to 6.0e-7 in {@code information_plane},
   *       6.6e-6 in {@code dpi_tests} and 1.1e-4 in {@code split_tests} (a test statistic's
   *       amplification of the distances' rounding).
   * </ul>
   * So the tolerance follows from the data: {@link #SAME_KERNELS} where the distances are
   * bit-identical to the golden ones (only double rounding is left after them), else
   * {@link #OTHER_FLOAT32_KERNELS}. Either stays far inside what a change of the code that is meant
   * to change no result may not exceed; on the goldens' own machine the tables are bit-identical
   * ({@code -Dinfoplane.golden.tolerance=0} asks for that). Everything that is not a double (keys,
   * counts, verdict labels, schema) is compared exactly.
   */
  static final double SAME_KERNELS = 1e-9;

  /** The tolerance where the float32 distances themselves differ (see {@link #SAME_KERNELS}). */
  static final double OTHER_FLOAT32_KERNELS = 1e-3;

  /** A tolerance that overrides the one the data chooses (0: bit-identical). */
  static final String TOLERANCE = "infoplane.golden.tolerance";

  private static final java.util.regex.Pattern DOUBLE = java.util.regex.Pattern.compile("d[0-9a-f]{1,16}");
  private static final java.util.regex.Pattern TOKENS = java.util.regex.Pattern.compile("(?<=[\\[\\],{}=])|(?=[\\[\\],{}=])");

  @Test
  void theComparisonToleratesOnlyDoublesThatMoveALittle() {
    String one = render(1.0, org.apache.spark.sql.types.DataTypes.DoubleType, "");
    String next = render(Math.nextUp(1.0), org.apache.spark.sql.types.DataTypes.DoubleType, "");
    String far = render(1.001, org.apache.spark.sql.types.DataTypes.DoubleType, "");
    String nan = render(Double.NaN, org.apache.spark.sql.types.DataTypes.DoubleType, "");
    assertThat(difference("[3," + one + "]", "[3," + next + "]")).isEqualTo(Math.ulp(1.0) / Math.nextUp(1.0));
    assertThat(difference("{a=" + one + "}", "{a=" + far + "}")).isCloseTo(1e-3 / 1.001, org.assertj.core.data.Offset.offset(1e-15));
    assertThat(difference("[3," + one + "]", "[4," + one + "]")).as("an integer").isNaN();
    assertThat(difference("[" + one + "]", "[" + one + "," + one + "]")).as("a length").isNaN();
    assertThat(difference(one, nan)).as("NaN against a number").isNaN();
    assertThat(difference("violated", "holds")).as("a label").isNaN();
    assertThat(fingerprint(new byte[16])).startsWith("[2,");
  }

  /**
   * Column by column, naming the table, the row and the column of the first difference. Doubles
   * (in columns of a type that holds them) are equal within the tolerance; the largest
   * relative difference seen is printed per table, so a run under another kernel family shows how
   * far the bits moved.
   */
  private static void compare(String table, List<String> expected, List<String> actual, double tolerance) {
    assertThat(actual.get(0)).as(table + ": schema").isEqualTo(expected.get(0));
    String[] columns = expected.get(0).split("\t", -1);
    double largest = 0;
    for (int i = 1; i < Math.min(expected.size(), actual.size()); i++) {
      if (expected.get(i).equals(actual.get(i))) {
        continue;
      }
      String[] e = expected.get(i).split("\t", -1);
      String[] a = actual.get(i).split("\t", -1);
      for (int c = 0; c < columns.length; c++) {
        if (e[c].equals(a[c])) {
          continue;
        }
        double d = holdsDoubles(columns[c]) ? difference(e[c], a[c]) : Double.NaN;
        if (!(d <= tolerance)) {
          fail(table + ", row " + i + " (sorted), column " + columns[c] + ": expected " + e[c] + ", got " + a[c]
              + (Double.isNaN(d) ? "" : " (relative difference " + d + ", tolerance " + tolerance + ")")
              + "\n  expected row: " + expected.get(i) + "\n  actual row:   " + actual.get(i));
        }
        largest = Math.max(largest, d);
      }
    }
    assertThat(actual.size() - 1).as(table + ": rows").isEqualTo(expected.size() - 1);
    System.out.println("golden " + table + ": equal; largest relative difference of a double " + largest);
  }

  /** Whether a column's type (from the schema line: {@code name type [not null]}) holds doubles. */
  private static boolean holdsDoubles(String column) {
    return column.contains("double") || column.startsWith(DISTANCES + " binary");
  }

  /**
   * The largest relative difference of two rendered cells that differ only in their doubles, or NaN
   * when anything else differs (a token, the number of tokens, a NaN or an infinity against a number).
   */
  static double difference(String expected, String actual) {
    String[] e = TOKENS.split(expected, -1);
    String[] a = TOKENS.split(actual, -1);
    if (e.length != a.length) {
      return Double.NaN;
    }
    double largest = 0;
    for (int k = 0; k < e.length; k++) {
      if (e[k].equals(a[k])) {
        continue;
      }
      if (!DOUBLE.matcher(e[k]).matches() || !DOUBLE.matcher(a[k]).matches()) {
        return Double.NaN;
      }
      double x = Double.longBitsToDouble(Long.parseUnsignedLong(e[k].substring(1), 16));
      double y = Double.longBitsToDouble(Long.parseUnsignedLong(a[k].substring(1), 16));
      if (!Double.isFinite(x) || !Double.isFinite(y)) {
        return Double.NaN; // unequal bits: NaN against a number, or an infinity against anything else
      }
      largest = Math.max(largest, Math.abs(x - y) / Math.max(1.0, Math.max(Math.abs(x), Math.abs(y))));
    }
    return largest;
  }

  /** The schema line, then one line per row in sorted order, without the excluded columns. */
  private static List<String> dump(String catalog, String table, String archiveUri) {
    StructType schema = spark.table(catalog + ".ip." + table).schema();
    Set<String> excluded = EXCLUDED.getOrDefault(table, Set.of());
    List<Integer> kept = new ArrayList<>();
    List<String> header = new ArrayList<>();
    for (int i = 0; i < schema.fields().length; i++) {
      StructField f = schema.fields()[i];
      if (f.dataType() instanceof TimestampType) {
        assertThat(excluded).as(table + "." + f.name() + " is a timestamp: name it in EXCLUDED, with the reason")
            .contains(f.name());
      }
      if (!excluded.contains(f.name())) {
        kept.add(i);
        header.add(f.name() + " " + f.dataType().simpleString() + (f.nullable() ? "" : " not null"));
      }
    }
    assertThat(header.size()).as(table + ": every excluded column exists")
        .isEqualTo(schema.fields().length - excluded.size());
    List<String> lines = new ArrayList<>();
    for (Row r : spark.table(catalog + ".ip." + table).collectAsList()) {
      List<String> cells = new ArrayList<>(kept.size());
      for (int i : kept) {
        StructField f = schema.fields()[i];
        cells.add(f.name().equals(DISTANCES) && f.dataType() instanceof BinaryType && !r.isNullAt(i)
            ? fingerprint((byte[]) r.get(i)) : render(r.get(i), f.dataType(), archiveUri));
      }
      lines.add(String.join("\t", cells));
    }
    lines.sort(null);
    List<String> out = new ArrayList<>(lines.size() + 1);
    out.add(String.join("\t", header));
    out.addAll(lines);
    return out;
  }

  /** The column of {@code distance_matrices} that holds a batch's squared distances. */
  static final String DISTANCES = "distances";

  /**
   * A stored distance matrix (its upper triangle as little-endian float64, the store's format) as
   * numbers that can be compared within a tolerance, where its SHA-256 could only be compared
   * bit by bit and the Gram products behind it differ in the last bits between kernel families: the
   * count of values, then their sum, sum of squares, minimum, maximum and four sums weighted by fixed
   * pseudo-random weights in [0.5, 1.5) (seeds 1 to 4), which move when any value changes or two
   * values trade places. Distances are not negative, so no sum cancels.
   */
  static String fingerprint(byte[] triangle) {
    java.nio.DoubleBuffer v = java.nio.ByteBuffer.wrap(triangle).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .asDoubleBuffer();
    int n = v.remaining();
    double[] sums = new double[8];
    sums[2] = Double.POSITIVE_INFINITY;
    sums[3] = Double.NEGATIVE_INFINITY;
    java.util.SplittableRandom[] weights = new java.util.SplittableRandom[4];
    for (int k = 0; k < 4; k++) {
      weights[k] = new java.util.SplittableRandom(k + 1);
    }
    for (int j = 0; j < n; j++) {
      double x = v.get(j);
      sums[0] += x;
      sums[1] += x * x;
      sums[2] = Math.min(sums[2], x);
      sums[3] = Math.max(sums[3], x);
      for (int k = 0; k < 4; k++) {
        sums[4 + k] += weights[k].nextDouble(0.5, 1.5) * x;
      }
    }
    List<String> items = new ArrayList<>();
    items.add(Integer.toString(n));
    for (double s : sums) {
      items.add(render(s, DataTypes.DoubleType, ""));
    }
    return "[" + String.join(",", items) + "]";
  }

  /** One value as text that is equal exactly when the values are (doubles by their bits). */
  static String render(Object v, DataType type, String archiveUri) {
    if (v == null) {
      return "\\N";
    }
    if (type instanceof DoubleType) {
      return "d" + Long.toHexString(Double.doubleToLongBits((Double) v));
    }
    if (type instanceof FloatType) {
      return "f" + Integer.toHexString(Float.floatToIntBits((Float) v));
    }
    if (type instanceof BinaryType) {
      try {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest((byte[]) v));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    if (type instanceof ArrayType a) {
      List<String> items = new ArrayList<>();
      for (Object o : scala.collection.JavaConverters.seqAsJavaList((scala.collection.Seq<?>) v)) {
        items.add(render(o, a.elementType(), archiveUri));
      }
      return "[" + String.join(",", items) + "]";
    }
    if (type instanceof MapType m) {
      Map<String, String> entries = new TreeMap<>();
      scala.collection.JavaConverters.mapAsJavaMap((scala.collection.Map<?, ?>) v).forEach((k, val) ->
          entries.put(render(k, m.keyType(), archiveUri), render(val, m.valueType(), archiveUri)));
      return entries.toString();
    }
    if (type instanceof StructType s) {
      Row r = (Row) v;
      List<String> fields = new ArrayList<>();
      for (int i = 0; i < s.fields().length; i++) {
        fields.add(s.fields()[i].name() + "=" + render(r.get(i), s.fields()[i].dataType(), archiveUri));
      }
      return "{" + String.join(",", fields) + "}";
    }
    String text = v.toString().replace(archiveUri, "${archive}");
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
  }
}
