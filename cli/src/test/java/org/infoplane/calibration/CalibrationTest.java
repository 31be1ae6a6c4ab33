package org.infoplane.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infoplane.cli.ImportCommandTest;
import org.infoplane.cli.InfoPlaneCli;
import org.infoplane.config.ConfResolver;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infoplane calibrate --scale small} end to end: the archive with a known answer, its
 * analysis, the verdicts and the stored table. The small scale has too few series for its rates to
 * mean much; what must hold whatever the noise is checked: an initial transient is never called
 * compression, a planted compression of 0.6 bits is found at run level in most series and its
 * measured fall is of that size, the Markdown names every scenario, and a second calibration into
 * the same directory is refused.
 */
class CalibrationTest {

  @TempDir Path dir;

  @Test
  void smallCalibrationWritesItsTableAndNeverCallsATransientCompression() throws Exception {
    Path md = dir.resolve("calibration.md");
    ImportCommandTest.Result r = ImportCommandTest.run("calibrate", "--dir", dir.toString(), "--scale", "small", "--out", md.toString(),
        "--conf", "infoplane.batch.size=50", "--conf", "infoplane.local.master=local[2]",
        "--conf", "spark.sql.shuffle.partitions=2");
    assertThat(r.code()).as(r.err()).isZero();
    String text = Files.readString(md);
    assertThat(text).contains("| null |", "| compress0_60 |", "| transient |", "| chain |", "| gaussian-channel |",
        "| null-d0_30 |", "| compress0_60-d0_30 |");
    assertThat(r.out()).contains("calibration took");

    ResolvedConf conf = new ConfResolver().pairs(List.of("infoplane.warehouse=" + dir.resolve("warehouse"),
        "infoplane.local.master=local[1]")).resolve();
    SparkSession spark = Sessions.create(conf, "CalibrationTest");
    try {
      Map<String, Row> rows = spark.sql("SELECT * FROM infoplane.ip.calibration").collectAsList().stream()
          .collect(Collectors.toMap(x -> x.<String>getAs("scenario") + "|" + x.<String>getAs("claim") + "|"
              + x.<String>getAs("level"), x -> x, (a, b) -> a));
      for (String level : List.of("run", "experiment")) {
        Row falseCompression = rows.get("transient|compression (false)|" + level);
        assertThat(falseCompression.<Integer>getAs("series")).isPositive();
        assertThat(falseCompression.<Integer>getAs("hits")).as("a transient called compression").isZero();
      }
      Row found = rows.get("compress0_60|compression found|run");
      assertThat(found.<Double>getAs("rate")).as("planted 0.6 bits, run level").isGreaterThanOrEqualTo(0.5);
      assertThat(found.<Double>getAs("mean_effect")).as("the measured fall, bits").isGreaterThan(0.3);
    } finally {
      spark.stop();
    }
    ImportCommandTest.Result again = ImportCommandTest.run("calibrate", "--dir", dir.toString());
    assertThat(again.code()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(again.err()).contains("exists already");
  }
}
