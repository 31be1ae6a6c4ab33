package org.infoplane.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.snapshot.SnapshotArchive;
import org.infoplane.spark.Sessions;
import org.infoplane.warehouse.IpTables;
import org.infoplane.warehouse.WarehouseReads;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code infoplane demo}: the whole pipeline on real data. Trains the MLP of METHOD.md §8 on
 * Fashion-MNIST with snapshots of both splits, analyses the archive into the tables, prints the
 * information plane of the run and says where to look next.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Trains the MLP 784-1024-20-20-20-10 on Fashion-MNIST for a few epochs with activation snapshots,",
        "analyses them into the information-plane tables and prints the information plane.",
        "Re-running re-uses the trained run and computes nothing twice."})
public final class DemoCommand implements Callable<Integer> {

  static final String FASHION_MNIST = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

  @Spec CommandSpec spec;

  @Option(names = "--dir", defaultValue = "demo-output", description = "Where the archive and the tables go (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--epochs", defaultValue = "5", description = "Training epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--train-samples", defaultValue = "20000",
      description = "Training images used per epoch (default: ${DEFAULT-VALUE} of the 60,000).")
  int trainSamples;

  @Option(names = "--eval-samples", defaultValue = "1000",
      description = "Evaluation samples per split, analysed in batches of 100 (default: ${DEFAULT-VALUE}).")
  int evalSamples;

  @Option(names = "--run", defaultValue = "mlp-demo", description = "Run id (default: ${DEFAULT-VALUE}).")
  String run;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.exists(Path.of(FASHION_MNIST))) {
      throw new BadInputException("Fashion-MNIST is not installed (no " + FASHION_MNIST
          + "): install it with 'apt-get install dataset-fashion-mnist'");
    }
    Path archive = dir.resolve("archive").toAbsolutePath();
    Path warehouse = dir.resolve("warehouse").toAbsolutePath();
    long start = System.nanoTime();

    CommandLine root = spec.root().commandLine();
    boolean trained = SnapshotArchive.open(archive.toString(), new Configuration()).runIds().contains(run);
    if (trained) {
      out.printf("1/3 training: run %s is already in %s, re-using it%n", run, archive);
    } else {
      out.printf("1/3 training the MLP 784-1024-20-20-20-10 on Fashion-MNIST (%d epochs, %d images, snapshots of"
          + " %d evaluation samples per split)%n", epochs, trainSamples, evalSamples);
      out.flush();
      int code = root.execute("train", "--model", "mlp", "--dataset", "fashion-mnist", "--epochs", "" + epochs,
          "--train-samples", "" + trainSamples, "--eval-samples", "" + evalSamples, "--archive", archive.toString(),
          "--run", run);
      if (code != 0) {
        return code;
      }
    }
    out.printf("2/3 analysing %s into the tables in %s%n", archive, warehouse);
    out.flush();
    List<String> analyze = new ArrayList<>(List.of("analyze", "--archive", archive.toString(),
        "--warehouse", warehouse.toString()));
    for (String p : confOptions.pairs) {
      analyze.add("--conf");
      analyze.add(p);
    }
    int code = root.execute(analyze.toArray(String[]::new));
    if (code != 0) {
      return code;
    }
    out.println("3/3 the information plane of run " + run + " (bits; mean over batches of 100):");
    ResolvedConf conf = confOptions.resolver().option(InfoPlaneConf.WAREHOUSE, warehouse.toString()).resolve();
    SparkSession spark = Sessions.create(conf, "InfoPlane demo");
    try {
      WarehouseReads reads = new WarehouseReads(spark, new IpTables(spark, conf));
      printPlane(out, reads.plane(run, conf.get(InfoPlaneConf.ESTIMATOR), conf.get(InfoPlaneConf.ALPHA)));
    } finally {
      spark.stop();
    }
    out.printf(Locale.ROOT, "%ndone in %.0f s. Next:%n", (System.nanoTime() - start) / 1e9);
    out.printf("  bin/infoplane sql --warehouse %s \"SELECT * FROM information_plane WHERE run_id = '%s'\"%n",
        warehouse, run.replace("'", "''"));
    out.printf("  bin/infoplane report --run %s --warehouse %s --out %s%n", run, warehouse,
        dir.resolve("report").toAbsolutePath());
    out.printf("  bin/infoplane sql --warehouse %s \"SELECT * FROM dpi_check\"%n", warehouse);
    out.println("  docs/tables.md describes every column; docs/configuration.md every setting.");
    out.flush();
    return 0;
  }

  /**
   * One table per split of a run's plane ({@link WarehouseReads#plane}): a row per checkpoint, a
   * column per layer, each cell I(X;T) / I(T;Y).
   */
  static void printPlane(PrintWriter out, List<Row> rows) {
    Map<String, Map<String, Map<Integer, String>>> bySplit = new LinkedHashMap<>();
    Map<Integer, String> layerNames = new TreeMap<>();
    for (Row r : rows) {
      String cp = String.format(Locale.ROOT, "epoch %d (step %d)", r.<Integer>getAs("epoch"), r.<Long>getAs("step"));
      int layer = r.<Integer>getAs("layer_index");
      layerNames.put(layer, r.getAs("layer_name"));
      bySplit.computeIfAbsent(r.getAs("split"), k -> new LinkedHashMap<>())
          .computeIfAbsent(cp, k -> new TreeMap<>())
          .put(layer, String.format(Locale.ROOT, "%5.2f / %4.2f", r.<Double>getAs("i_xt"), r.<Double>getAs("i_ty")));
    }
    for (Map.Entry<String, Map<String, Map<Integer, String>>> s : bySplit.entrySet()) {
      out.printf("%n  split %s: I(X;T) / I(T;Y) per layer%n", s.getKey());
      StringBuilder h = new StringBuilder(String.format("  %-20s", "checkpoint"));
      for (String name : layerNames.values()) {
        h.append(String.format(" %13s", name.length() > 13 ? name.substring(0, 13) : name));
      }
      out.println(h);
      for (Map.Entry<String, Map<Integer, String>> cp : s.getValue().entrySet()) {
        StringBuilder b = new StringBuilder(String.format("  %-20s", cp.getKey()));
        for (Integer layer : layerNames.keySet()) {
          b.append(String.format(" %13s", cp.getValue().getOrDefault(layer, "-")));
        }
        out.println(b);
      }
    }
  }
}
