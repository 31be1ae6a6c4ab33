package org.infoplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line's logging configurations: Iceberg's warning about a missing version hint (after
 * a run was killed while creating a table) is one line with the exception's message, no stack trace.
 */
class LoggingConfigTest {

  private static final String HADOOP_TABLE_OPS = "org.apache.iceberg.hadoop.HadoopTableOperations";

  @ParameterizedTest
  @ValueSource(strings = {"log4j2.properties", "log4j2-timing.properties"})
  void theVersionHintWarningIsOneLine(String file) {
    Path config = Path.of(System.getProperty("user.dir")).getParent().resolve("conf").resolve(file);
    LoggerContext ctx = Configurator.initialize("logging-config-test-" + file, null, config.toUri());
    try {
      LoggerConfig lc = ctx.getConfiguration().getLoggerConfig(HADOOP_TABLE_OPS);
      assertThat(lc.getName()).isEqualTo(HADOOP_TABLE_OPS);
      assertThat(lc.isAdditive()).isFalse();
      assertThat(lc.getAppenders()).hasSize(1);
      Appender appender = lc.getAppenders().values().iterator().next();
      // the event Iceberg logs: LOG.warn("Error reading version hint file {}", versionHintFile, e)
      LogEvent event = Log4jLogEvent.newBuilder().setLoggerName(HADOOP_TABLE_OPS).setLevel(Level.WARN)
          .setMessage(new ParameterizedMessage("Error reading version hint file {}", "file:/wh/ip/runs/metadata/version-hint.text"))
          .setThrown(new FileNotFoundException("File file:/wh/ip/runs/metadata/version-hint.text does not exist"))
          .build();
      String line = new String(appender.getLayout().toByteArray(event), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(line.lines().count()).as(line).isEqualTo(1);
      assertThat(line).contains("WARN ", "HadoopTableOperations: Error reading version hint file",
          "version-hint.text does not exist").doesNotContain("\tat ");
      // Spark's abort of a write whose commit conflicted (the job retries it): one line too
      String replaceData = "org.apache.spark.sql.execution.datasources.v2.ReplaceDataExec";
      Appender sparkAppender = ctx.getConfiguration().getLoggerConfig(replaceData).getAppenders().values().iterator().next();
      LogEvent abort = Log4jLogEvent.newBuilder().setLoggerName(replaceData).setLevel(Level.ERROR)
          .setMessage(new ParameterizedMessage("Data source write support {} is aborting.", "IcebergBatchWrite(table=x)"))
          .setThrown(new IllegalStateException("Found conflicting files that can contain records matching ..."))
          .build();
      String abortLine = new String(sparkAppender.getLayout().toByteArray(abort), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(abortLine.lines().count()).as(abortLine).isEqualTo(1);
      assertThat(abortLine).contains("is aborting", "Found conflicting files");
    } finally {
      Configurator.shutdown(ctx);
    }
  }
}
