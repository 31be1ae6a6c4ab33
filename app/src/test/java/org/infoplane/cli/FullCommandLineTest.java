package org.infoplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line of the full jar: every command, in the order of the help's list, those of this
 * module (found by their class names) among those of cli.
 */
class FullCommandLineTest {

  @Test
  void everyCommandIsThereInTheHelpsOrder() {
    CommandLine cl = InfoPlaneCli.commandLine();
    assertThat(List.copyOf(cl.getSubcommands().keySet())).containsExactly("help", "mi", "analyze", "sql", "report",
        "sensitivity", "calibrate", "verdicts", "config", "train", "extract", "import", "validate", "maintain",
        "benchmark", "demo", "experiment");
    assertThat(cl.getSubcommands().get("train").<Object>getCommand()).isInstanceOf(TrainCommand.class);
    assertThat(cl.getSubcommands().get("extract").<Object>getCommand()).isInstanceOf(ExtractCommand.class);
    assertThat(cl.getSubcommands().get("benchmark").<Object>getCommand()).isInstanceOf(BenchmarkCommand.class);
    assertThat(cl.getSubcommands().get("demo").<Object>getCommand()).isInstanceOf(DemoCommand.class);
    assertThat(cl.getSubcommands().get("experiment").<Object>getCommand()).isInstanceOf(ExperimentCommand.class);

    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("train", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: infoplane train");
  }
}
