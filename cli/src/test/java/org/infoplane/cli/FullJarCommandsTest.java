package org.infoplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.infoplane.cli.ImportCommandTest.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line as the analysis jar has it: this module's classpath, like that jar, has no DL4J
 * and none of the commands of module app. Naming one of those is refused in one line that names the
 * full jar, whatever follows it; the help does not list them.
 */
class FullJarCommandsTest {

  @ParameterizedTest
  @ValueSource(strings = {"train", "extract", "benchmark", "demo", "experiment"})
  void aCommandOfTheFullJarIsRefusedInOneLine(String command) {
    Result r = ImportCommandTest.run(command, "--help", "--model", "mlp");
    assertThat(r.code()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip()).isEqualTo("infoplane " + command + ": not in infoplane-analysis.jar, the jar"
        + " without DL4J: " + command + " is in the full jar, infoplane-jobs.jar (app/target; bin/infoplane"
        + " runs it, deploy/submit.sh submits it for " + command + ")");
  }

  @Test
  void theHelpListsOnlyTheCommandsThere() {
    Result r = ImportCommandTest.run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("analyze", "maintain", "verdicts", "import");
    for (String command : List.of("train", "extract", "benchmark", "demo", "experiment")) {
      assertThat(r.out()).doesNotContainPattern("(?m)^\\s+" + command + "\\s");
    }
  }
}
