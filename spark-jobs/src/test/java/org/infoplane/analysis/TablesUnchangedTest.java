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
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import org.infoplane.config.ConfResolver;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.spark.Sessions;
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
 * so the comparison is bit-exact; binaries as their SHA-256; arrays, maps (sorted by key) and
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
 * {@code env -u OPENBLAS_CORETYPE mvn -B -pl spark-jobs -am -Dtest=TablesUnchangedTest
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
      Map.entry("split_tests", Set.of("computed_at")));

  static final Path GOLDEN = Path.of("src/test/resources/golden/tables");
  static final String WRITE = "infoplane.golden.write";
  static final String CATALOG = "golden";

  static SparkSession spark;

  @TempDir static Path dir;

  @BeforeAll
  static void startSpark() {
    spark = Sessions.create(new ConfResolver().pairs(List.of("infoplane.local.master=local[2]")).resolve(), "test");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static ResolvedConf conf(String... pairs) {
    List<String> all = new ArrayList<>(List.of("infoplane.warehouse=" + dir.resolve("wh"),
        "infoplane.catalog.name=" + CATALOG, "infoplane.commit.units=100", "spark.sql.shuffle.partitions=2"));
    all.addAll(List.of(pairs));
    return new ConfResolver().pairs(all).resolve();
  }

  private static void analyze(ResolvedConf conf, Path archive) {
    Sessions.create(conf, "test");
    new AnalysisJob(spark, conf, archive.toString()).run();
  }

  @Test
  void everyTableEqualsItsGoldenFile() throws IOException {
    Path archivePath = dir.resolve("archive");
    SnapshotArchive archive = SnapshotArchive.open(archivePath.toString(), new Configuration());
    new SyntheticRun(1).write(archive, "r1", 0, 3);
    new SyntheticRun(2).write(archive, "r2", 0, 2, 0L);

    analyze(conf(), archivePath);
    analyze(conf("infoplane.alpha=2"), archivePath);
    analyze(conf("infoplane.preset=ipdl"), archivePath);
    analyze(conf("infoplane.estimator=binning"), archivePath);
    new SensitivityJob(spark, conf()).run("r1", List.of(1.01, 2.0), List.of(1.0, 0.5));

    String archiveUri = SnapshotArchive.canonicalUri(archivePath.toString(), new Configuration());
    Map<String, List<String>> dumps = new TreeMap<>();
    for (Row t : spark.sql("SHOW TABLES IN " + CATALOG + ".ip").collectAsList()) {
      if (t.getBoolean(2)) {
        continue; // a temporary view of the session, not a table
      }
      String table = t.getString(1);
      dumps.put(table, dump(table, archiveUri));
    }

    if (Boolean.getBoolean(WRITE)) {
      Files.createDirectories(GOLDEN);
      for (Map.Entry<String, List<String>> e : dumps.entrySet()) {
        Files.write(GOLDEN.resolve(e.getKey() + ".tsv"), e.getValue(), StandardCharsets.UTF_8);
      }
    }

    Set<String> goldenTables = new TreeSet<>();
    try (var files = Files.list(GOLDEN)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tsv"))
          .forEach(n -> goldenTables.add(n.substring(0, n.length() - ".tsv".length())));
    }
    assertThat(dumps.keySet()).as("the warehouse's tables").isEqualTo(goldenTables);
    for (Map.Entry<String, List<String>> e : dumps.entrySet()) {
      compare(e.getKey(), Files.readAllLines(GOLDEN.resolve(e.getKey() + ".tsv"), StandardCharsets.UTF_8),
          e.getValue());
    }
    assertThat(dumps.get("information_plane")).as("the fixture fills the tables").hasSizeGreaterThan(50);
    assertThat(dumps.get("sensitivity")).hasSizeGreaterThan(50);
    assertThat(dumps.get("analysis_errors")).hasSizeGreaterThan(1);
  }

  /** Column by column, naming the table, the row and the column of the first difference. */
  private static void compare(String table, List<String> expected, List<String> actual) {
    assertThat(actual.get(0)).as(table + ": schema").isEqualTo(expected.get(0));
    String[] columns = expected.get(0).split("\t", -1);
    for (int i = 1; i < Math.min(expected.size(), actual.size()); i++) {
      if (expected.get(i).equals(actual.get(i))) {
        continue;
      }
      String[] e = expected.get(i).split("\t", -1);
      String[] a = actual.get(i).split("\t", -1);
      for (int c = 0; c < columns.length; c++) {
        if (!e[c].equals(a[c])) {
          fail(table + ", row " + i + " (sorted), column " + columns[c] + ": expected " + e[c] + ", got " + a[c]
              + "\n  expected row: " + expected.get(i) + "\n  actual row:   " + actual.get(i));
        }
      }
    }
    assertThat(actual.size() - 1).as(table + ": rows").isEqualTo(expected.size() - 1);
  }

  /** The schema line, then one line per row in sorted order, without the excluded columns. */
  private static List<String> dump(String table, String archiveUri) {
    StructType schema = spark.table(CATALOG + ".ip." + table).schema();
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
    for (Row r : spark.table(CATALOG + ".ip." + table).collectAsList()) {
      List<String> cells = new ArrayList<>(kept.size());
      for (int i : kept) {
        cells.add(render(r.get(i), schema.fields()[i].dataType(), archiveUri));
      }
      lines.add(String.join("\t", cells));
    }
    lines.sort(null);
    List<String> out = new ArrayList<>(lines.size() + 1);
    out.add(String.join("\t", header));
    out.addAll(lines);
    return out;
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
