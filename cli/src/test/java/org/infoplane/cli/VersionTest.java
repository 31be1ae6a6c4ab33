package org.infoplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.infoplane.cli.ImportCommandTest.Result;
import org.junit.jupiter.api.Test;

/**
 * {@code infoplane --version} prints the version and the git commit recorded at build time
 * ({@code build.properties}, written by the build); a build from a tree without git says
 * "commit unknown".
 */
class VersionTest {

  @Test
  void printsTheVersionAndTheCommitOfThisBuild() throws Exception {
    Result r = ImportCommandTest.run("--version");
    assertThat(r.code()).isZero();
    String line = r.out().strip();
    assertThat(line).matches("infoplane \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{12}(, with uncommitted"
        + " changes)?|unknown)\\)");
    String head = gitHead();
    if (head != null) {
      assertThat(line).as("the commit this tree is at").contains("(commit " + head);
    }
  }

  @Test
  void aBuildWithoutGitSaysCommitUnknown() {
    assertThat(InfoPlaneCli.Version.line(properties("version=1.2.3\ncommit=unknown\nmodified=false\n")))
        .isEqualTo("infoplane 1.2.3 (commit unknown)");
    assertThat(InfoPlaneCli.Version.line(properties("version=1.2.3\ncommit=0123456789ab\nmodified=true\n")))
        .isEqualTo("infoplane 1.2.3 (commit 0123456789ab, with uncommitted changes)");
    assertThat(InfoPlaneCli.Version.line(null)).isEqualTo("infoplane (version unknown: built without Maven; commit"
        + " unknown)");
  }

  private static ByteArrayInputStream properties(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** The abbreviated commit of the tree the tests run in, or null where git cannot say. */
  private static String gitHead() throws Exception {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").directory(Path.of("").toAbsolutePath()
          .toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
    } catch (java.io.IOException e) {
      return null; // no git
    }
  }
}
