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
import org.infoplane.analysis.TableMaintenance;
import org.infoplane.config.ConfResolver;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
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
 */
public final class MaintenanceBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceBenchmark.class);
  /** Metadata is measured after every this many analyses (listing a warehouse costs time too). */
  static final int MEASURE_EVERY = 10;
  /** Analyses at each end of a mode's series that are compared. */
  static final int WINDOW = 100;

  private MaintenanceBenchmark() {}

  /** One mode's series. */
  private static final class Series {
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
   * Runs {@code analyses} analyses per mode and writes the results.
   *
   * @param analyses analyses per mode
   * @param withOn run the analyses with maintenance on
   * @param withOff run the analyses with maintenance off
   */
  public static Map<String, Object> run(Path dir, int analyses, boolean withOn, boolean withOff, ResolvedConf conf,
      Path out) throws IOException {
    if (analyses < 1) {
      throw new IllegalArgumentException("--analyses must be >= 1, got " + analyses);
    }
    if (!withOn && !withOff) {
      throw new IllegalArgumentException("at least one mode, on or off");
    }
    long stamp = System.currentTimeMillis();
    Series on = new Series("maintenance on", modeConf(conf, "ipmaint", dir.resolve("warehouse-maint-on-" + stamp), true));
    Series off = new Series("maintenance off", modeConf(conf, "ipnomaint", dir.resolve("warehouse-maint-off-" + stamp), false));
    Path lines = Path.of(out.toString().replaceFirst("\\.json$", "") + ".jsonl");
    Files.createDirectories(lines.toAbsolutePath().getParent());
    ObjectMapper json = new ObjectMapper();
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
    try (Writer w = Files.newBufferedWriter(lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (int i = 0; i < analyses; i++) {
        Path archive = dir.resolve("archives").resolve("a" + i);
        ManyUnitsBenchmark.writeRun(archive, "run-" + i, ManyUnitsBenchmark.data(100, 1, 5000L + i));
        for (Series s : withOn && withOff ? List.of(on, off) : withOn ? List.of(on) : List.of(off)) {
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
}
