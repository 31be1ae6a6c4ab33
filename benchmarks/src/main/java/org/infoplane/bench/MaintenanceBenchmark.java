package org.infoplane.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.infoplane.analysis.AnalysisJob;
import org.infoplane.config.ConfResolver;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import org.infoplane.warehouse.TableMaintenance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many small analyses into one warehouse, with table maintenance after each analysis and without:
 * the per-analysis fixed cost and the size of the tables' metadata as the warehouse ages. Analysis
 * i analyses a new archive of one run with one checkpoint of {@value ManyUnitsBenchmark#LAYERS}
 * layers (10 units of 100 samples, as the prior analyses of {@link ManyUnitsBenchmark}), once into
 * the warehouse with maintenance on and once into the one with it off, alternating, so that both
 * modes meet the same load on a shared machine (or in one mode only, for two processes side by
 * side when a machine has a core for each). Each analysis's wall time includes its maintenance.
 * One analysis into a scratch warehouse warms the JVM first and is not counted.
 *
 * <p>Results: one JSON line per analysis in {@code <out>.jsonl} (written as it goes, so that a
 * stopped benchmark keeps what it measured), and the summary in {@code out}, rewritten after every
 * pair of analyses: per mode, the means and medians of the first and last 100 analyses (halves,
 * when fewer than 200 finished) and their ratios, in wall time and in the JVM's CPU time (which a
 * loaded machine inflates far less), and the metadata bytes over time.
 *
 * <p>A stopped benchmark is resumed ({@code resume}) from its lines and its warehouses: the
 * analyses already measured are read back from {@code <out>.jsonl}, the next ones go into the same
 * warehouses, and their lines are appended. A thousand analyses without maintenance take hours on
 * a small machine, longer than one sitting may allow.
 */
public final class MaintenanceBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceBenchmark.class);
  /** Metadata is measured after every this many analyses (listing a warehouse costs time too). */
  static final int MEASURE_EVERY = 10;
  /** Analyses at each end of a mode's series that are compared. */
  static final int WINDOW = 100;

  private MaintenanceBenchmark() {}

  /** One mode's series. */
  static final class Series {
    final String mode;
    final ResolvedConf conf;
    final List<Double> seconds = new ArrayList<>();
    final List<Double> cpuSeconds = new ArrayList<>();
    final List<long[]> metadata = new ArrayList<>(); // {analyses done, bytes}

    Series(String mode, ResolvedConf conf) {
      this.mode = mode;
      this.conf = conf;
    }

    Map<String, Object> summary() {
      Map<String, Object> m = new LinkedHashMap<>();
      int n = seconds.size();
      m.put("analyses", n);
      if (n > 0) {
        // Two windows that do not overlap: 100 analyses each, or halves of fewer than 200.
        int w = Math.max(1, Math.min(WINDOW, n / 2));
        double first = mean(seconds.subList(0, w));
        double last = mean(seconds.subList(n - w, n));
        m.put("window", w);
        m.put("first_mean_seconds", first);
        m.put("last_mean_seconds", last);
        m.put("last_over_first", last / first);
        double firstMedian = median(seconds.subList(0, w));
        double lastMedian = median(seconds.subList(n - w, n));
        m.put("first_median_seconds", firstMedian);
        m.put("last_median_seconds", lastMedian);
        m.put("last_over_first_median", lastMedian / firstMedian);
        double firstCpu = mean(cpuSeconds.subList(0, w));
        double lastCpu = mean(cpuSeconds.subList(n - w, n));
        m.put("first_mean_cpu_seconds", firstCpu);
        m.put("last_mean_cpu_seconds", lastCpu);
        m.put("last_over_first_cpu", lastCpu / firstCpu);
      }
      List<Map<String, Object>> md = new ArrayList<>();
      for (long[] p : metadata) {
        md.add(Map.of("analyses", p[0], "metadata_bytes", p[1]));
      }
      m.put("metadata_bytes_over_time", md);
      return m;
    }
  }

  /**
   * The CPU time of this JVM, all threads (Spark's local executors run in it): the work an analysis
   * does, which unlike its wall time does not grow while other processes hold the cores.
   */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  private static double median(List<Double> xs) {
    double[] v = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** {@code conf} with its own catalog, warehouse and maintenance switch. */
  private static ResolvedConf modeConf(ResolvedConf conf, String catalog, Path warehouse, boolean maintenance) {
    return new ConfResolver()
        .pairs(conf.values().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
        .pairs(List.of("infoplane.warehouse=" + warehouse, "infoplane.catalog.name=" + catalog,
            "infoplane.maintenance.enabled=" + maintenance))
        .resolve();
  }

  /**
   * Runs {@code analyses} analyses per mode and writes the results; with {@code resume}, goes on
   * from the analyses that {@code <out>.jsonl} records, into the warehouses under {@code dir} that
   * they were written to.
   *
   * @param analyses analyses per mode, in all (those already recorded included)
   * @param withOn run the analyses with maintenance on
   * @param withOff run the analyses with maintenance off
   * @throws IllegalArgumentException when there is nothing to resume: no lines, no warehouse or more
   *     than one for a mode, or modes whose counts differ by more than the one pair a stop can split
   */
  public static Map<String, Object> run(Path dir, int analyses, boolean withOn, boolean withOff, boolean resume,
      ResolvedConf conf, Path out) throws IOException {
    if (analyses < 1) {
      throw new IllegalArgumentException("--analyses must be >= 1, got " + analyses);
    }
    if (!withOn && !withOff) {
      throw new IllegalArgumentException("at least one mode, on or off");
    }
    long stamp = System.currentTimeMillis();
    Path lines = Path.of(out.toString().replaceFirst("\\.json$", "") + ".jsonl");
    Path onWarehouse = resume && withOn ? existingWarehouse(dir, "warehouse-maint-on-")
        : dir.resolve("warehouse-maint-on-" + stamp);
    Path offWarehouse = resume && withOff ? existingWarehouse(dir, "warehouse-maint-off-")
        : dir.resolve("warehouse-maint-off-" + stamp);
    Series on = new Series("maintenance on", modeConf(conf, "ipmaint", onWarehouse, true));
    Series off = new Series("maintenance off", modeConf(conf, "ipnomaint", offWarehouse, false));
    Files.createDirectories(lines.toAbsolutePath().getParent());
    ObjectMapper json = new ObjectMapper();
    List<Series> active = withOn && withOff ? List.of(on, off) : withOn ? List.of(on) : List.of(off);
    int start = 0;
    if (resume) {
      start = readBack(lines, active, json);
      if (start >= analyses) {
        throw new IllegalArgumentException(lines + " already records " + start + " analyses per mode; --analyses "
            + analyses + " asks for no more");
      }
      LOG.info("resuming after {} analyses per mode recorded in {}", start, lines);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("case", "maintenance");
    result.put("analyses_per_mode_requested", analyses);
    result.put("units_per_analysis", ManyUnitsBenchmark.LAYERS);
    result.put("samples_per_unit", 100);
    result.put("modes", withOn && withOff ? "on, off alternating" : withOn ? "on" : "off");
    result.put("started_at", Instant.now().toString());
    result.put("load_average_at_start", ManyUnitsBenchmark.loadAverage());
    Map<String, String> settings = new LinkedHashMap<>();
    for (var e : InfoPlaneConf.entries()) {
      if (e.key().startsWith("infoplane.maintenance.") || e.key().startsWith("infoplane.commit.")) {
        settings.put(e.key(), on.conf.values().get(e.key()));
      }
    }
    result.put("settings", settings);
    SparkSession spark = Sessions.create(on.conf, "InfoPlane benchmark maintenance");
    Sessions.create(off.conf, "InfoPlane benchmark maintenance"); // registers the second catalog
    result.put("spark_master", spark.sparkContext().master());
    // Warm-up, not counted: the JVM's first analysis (class loading, JIT) into a scratch warehouse.
    ResolvedConf warm = modeConf(conf, "ipwarmup", dir.resolve("warehouse-warmup-" + stamp), false);
    Sessions.create(warm, "InfoPlane benchmark maintenance");
    Path warmArchive = dir.resolve("archives").resolve("warmup");
    ManyUnitsBenchmark.writeRun(warmArchive, "warmup", ManyUnitsBenchmark.data(100, 1, 4999L));
    new AnalysisJob(spark, warm, warmArchive.toString()).run();
    result.put("resumed_after", start);
    try (Writer w = Files.newBufferedWriter(lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        resume ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      for (int i = start; i < analyses; i++) {
        Path archive = dir.resolve("archives").resolve("a" + i);
        ManyUnitsBenchmark.writeRun(archive, "run-" + i, ManyUnitsBenchmark.data(100, 1, 5000L + i));
        for (Series s : active) {
          if (s.seconds.size() > i) {
            continue; // measured before the stop: the other mode of this pair was not
          }
          long t0 = System.nanoTime();
          long cpu0 = processCpuNanos();
          AnalysisJob.Summary summary = new AnalysisJob(spark, s.conf, archive.toString()).run();
          double seconds = (System.nanoTime() - t0) / 1e9;
          double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
          if (!summary.ok()) {
            throw new IllegalStateException("analysis " + i + " (" + s.mode + ") of " + archive + " failed: "
                + summary.errors());
          }
          s.seconds.add(seconds);
          s.cpuSeconds.add(cpuSeconds);
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("analysis", i + 1);
          line.put("mode", s.mode);
          line.put("seconds", seconds);
          line.put("cpu_seconds", cpuSeconds);
          if ((i + 1) % MEASURE_EVERY == 0 || i == 0) {
            long bytes = new TableMaintenance(spark, s.conf).metadataBytes();
            s.metadata.add(new long[] {i + 1, bytes});
            line.put("metadata_bytes", bytes);
            line.put("load_average", ManyUnitsBenchmark.loadAverage());
          }
          w.write(json.writeValueAsString(line) + "\n");
          w.flush();
        }
        {
          if (withOn) {
            result.put("maintenance_on", on.summary());
          }
          if (withOff) {
            result.put("maintenance_off", off.summary());
          }
          result.put("load_average_now", ManyUnitsBenchmark.loadAverage());
          result.put("updated_at", Instant.now().toString());
          AnalysisBenchmark.writeResults(result, out);
          LOG.info("{} of {} analyses per mode: on {} s, off {} s", i + 1, analyses,
              withOn ? on.seconds.get(i) : "-", withOff ? off.seconds.get(i) : "-");
        }
      }
    } finally {
      spark.stop();
    }
    result.put("finished", true);
    AnalysisBenchmark.writeResults(result, out);
    return result;
  }

  /** The one warehouse of a mode under {@code dir}, named {@code prefix<stamp>}. */
  static Path existingWarehouse(Path dir, String prefix) throws IOException {
    List<Path> found;
    try (var ls = Files.list(dir)) {
      found = ls.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p)).sorted().toList();
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("--resume: no benchmark directory " + dir);
    }
    if (found.size() != 1) {
      throw new IllegalArgumentException("--resume: expected one warehouse " + prefix + "* in " + dir + ", found "
          + (found.isEmpty() ? "none" : found.stream().map(p -> p.getFileName().toString()).toList()));
    }
    return found.get(0);
  }

  /**
   * Reads the lines of earlier analyses back into the series; returns the analyses per mode that
   * every mode has finished (the next analysis index).
   */
  static int readBack(Path lines, List<Series> active, ObjectMapper json) throws IOException {
    if (!Files.isRegularFile(lines)) {
      throw new IllegalArgumentException("--resume: no results to resume from, " + lines + " does not exist");
    }
    int lineNo = 0;
    for (String text : Files.readAllLines(lines, StandardCharsets.UTF_8)) {
      lineNo++;
      if (text.isBlank()) {
        continue;
      }
      var node = json.readTree(text);
      String mode = node.path("mode").asText();
      Series s = active.stream().filter(x -> x.mode.equals(mode)).findFirst().orElse(null);
      if (s == null) {
        continue; // a mode this resumption does not run
      }
      int analysis = node.path("analysis").asInt(-1);
      if (analysis != s.seconds.size() + 1) {
        throw new IllegalArgumentException("--resume: " + lines + " line " + lineNo + ": analysis " + analysis
            + " of mode '" + mode + "' follows " + s.seconds.size() + " recorded analyses");
      }
      s.seconds.add(node.path("seconds").asDouble());
      s.cpuSeconds.add(node.path("cpu_seconds").asDouble());
      if (node.has("metadata_bytes")) {
        s.metadata.add(new long[] {analysis, node.path("metadata_bytes").asLong()});
      }
    }
    int min = active.stream().mapToInt(x -> x.seconds.size()).min().orElse(0);
    int max = active.stream().mapToInt(x -> x.seconds.size()).max().orElse(0);
    if (max == 0) {
      throw new IllegalArgumentException("--resume: " + lines + " records no analysis of the modes asked for");
    }
    if (max - min > 1) {
      throw new IllegalArgumentException("--resume: " + lines + " records " + min + " and " + max
          + " analyses for the two modes; a stopped run differs by at most one");
    }
    return min;
  }
}
