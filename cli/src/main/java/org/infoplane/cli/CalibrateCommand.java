package org.infoplane.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.infoplane.analysis.AnalysisConfig;
import org.infoplane.calibration.Calibration;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infoplane calibrate}: how often each verdict is right on archives whose answer is known. */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Writes synthetic archives whose answer is known (null experiments with no trend, planted compressions",
      "of known size in bits, initial transients, chains of lossy maps), analyses them with the current",
      "settings, and prints (and stores in the calibration table) how often each verdict is right:",
      "false fitting, compression and DPI violations on the nulls, the power on the planted cases, and",
      "I(X;T) of Gaussian channels as their noise grows. See docs/calibration.md."
    })
public final class CalibrateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR",
      description = "Working directory: the archive goes to DIR/archive, the tables to DIR/warehouse unless --warehouse.")
  Path dir;

  @Option(names = "--scale", defaultValue = "small", paramLabel = "small|full",
      description = "small (minutes: a few series) or full (the documented table: 200 null series of 5 runs);"
          + " default: ${DEFAULT-VALUE}.")
  String scale;

  @Option(names = "--out", paramLabel = "FILE", description = "Also write the table as Markdown to FILE.")
  Path out;

  @Option(names = "--warehouse", paramLabel = "URI", description = "Warehouse of the file-based catalog (infoplane.warehouse).")
  String warehouse;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() {
    Calibration.Settings settings = switch (scale) {
      case "small" -> Calibration.Settings.small();
      case "full" -> Calibration.Settings.full();
      default -> throw new BadInputException("--scale must be small or full, got " + scale);
    };
    Path archive = dir.resolve("archive").toAbsolutePath();
    if (Files.exists(archive)) {
      throw new BadInputException("the archive " + archive + " exists already: calibrate writes a new one; give another"
          + " --dir or remove it");
    }
    ResolvedConf conf = confOptions.resolver()
        .option(InfoPlaneConf.WAREHOUSE, warehouse != null ? warehouse : dir.resolve("warehouse").toString()).resolve();
    PrintWriter w = spec.commandLine().getOut();
    SparkSession spark = Sessions.create(conf, "InfoPlane calibrate");
    try {
      long t0 = System.nanoTime();
      List<Calibration.Result> results = new Calibration(spark, conf, line -> {
        w.println(line);
        w.flush();
      }).run(settings, archive.toString());
      AnalysisConfig config = AnalysisConfig.from(conf);
      String settingsLine = String.format(Locale.ROOT, "estimator %s, alpha %s, width rule %s, verdict level %s",
          config.estimator(), config.alpha(), config.widthRule(), conf.get(InfoPlaneConf.VERDICT_LEVEL));
      String md = Calibration.markdown(results, settings, config.configId(), settingsLine, config.batchSize());
      w.println();
      w.print(md);
      w.printf(Locale.ROOT, "%ncalibration took %.0f s%n", (System.nanoTime() - t0) / 1e9);
      if (out != null) {
        Calibration.write(out, md);
        w.println("wrote " + out.toAbsolutePath());
      }
      w.flush();
      return 0;
    } finally {
      spark.stop();
    }
  }
}
