package org.infoplane.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every spelling of one archive directory gives one name: {@code file:} and its real absolute path. */
class CanonicalUriTest {

  @TempDir Path dir;

  @Test
  void spellingsOfOneDirectoryGiveOneUri() throws Exception {
    Path a1 = Files.createDirectories(dir.resolve("a1"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), a1);
    String want = "file:" + a1.toRealPath();
    Configuration conf = new Configuration();
    String relative = Path.of("").toAbsolutePath().relativize(a1.toAbsolutePath()).toString();
    for (String spelling : new String[] {
        a1.toString(), a1 + "/", a1 + "//", relative, relative + "/", "./" + relative,
        a1.toUri().toString(), "file://" + a1, "file://" + a1 + "/", "file:" + a1,
        a1.resolve("../a1").toString(), dir + "/./a1", link.toString(), link + "/"}) {
      assertThat(SnapshotArchive.canonicalUri(spelling, conf)).as(spelling).isEqualTo(want);
    }
  }

  @Test
  void anArchiveNotYetCreatedIsNamedByItsNormalisedAbsolutePath() {
    Path later = dir.resolve("not-yet");
    assertThat(SnapshotArchive.canonicalUri(later + "/../not-yet/", new Configuration()))
        .isEqualTo("file:" + later.toAbsolutePath().normalize());
  }
}
