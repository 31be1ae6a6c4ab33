package org.infoplane.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Taking over an expired lease (a killed analysis) on the local file system. */
class AnalysisLeaseTest {

  @TempDir Path dir;

  private Path staleLease(String wh, String archive, String holder) throws Exception {
    Path file = Paths.get(AnalysisLease.leaseFile(wh, archive).toUri());
    Files.createDirectories(file.getParent());
    Files.writeString(file, "holder=" + holder + "\narchive=" + archive + "\n");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(AnalysisLease.TTL).minusSeconds(60)));
    return file;
  }

  /**
   * Several waiters see the same expired lease at once: each takes the lease in turn and none
   * while another holds it (without the takeover claim, a late waiter's delete could remove the
   * lease an early one had just created, and two analyses would run at once).
   */
  @Test
  void waitersTakeOverAnExpiredLeaseOneAtATime() throws Exception {
    String wh = dir.resolve("wh").toUri().toString();
    String archive = dir.resolve("archive").toUri().toString();
    Path file = staleLease(wh, archive, "1234@dead/main");
    assertThat(LeaseRace.mostHoldersAtOnce(4, () -> AnalysisLease.acquire(wh, archive, new Configuration())))
        .as("holders at once").isEqualTo(1);
    assertThat(file).as("released by the last").doesNotExist();
    try (var left = Files.list(file.getParent())) {
      assertThat(left.toList()).as("no claim left behind").isEmpty();
    }
  }

  /** A waiter that died holding a takeover claim does not block the lease for ever. */
  @Test
  void anAbandonedTakeoverClaimIsDroppedAfterTheTtl() throws Exception {
    String wh = dir.resolve("wh2").toUri().toString();
    String archive = dir.resolve("archive").toUri().toString();
    Path file = staleLease(wh, archive, "1234@dead/main");
    Instant expires = Files.getLastModifiedTime(file).toInstant().plus(AnalysisLease.TTL);
    Path claim = Paths.get(AnalysisLease.claimFile(AnalysisLease.leaseFile(wh, archive), "1234@dead/main", expires)
        .toUri());
    Files.writeString(claim, "holder=5678@dead-too/main\n");
    Files.setLastModifiedTime(claim, FileTime.from(Instant.now().minus(AnalysisLease.TTL).minusSeconds(1)));
    try (AnalysisLease lease = AnalysisLease.acquire(wh, archive, new Configuration())) {
      assertThat(Files.readString(file)).as("the lease is now ours").doesNotContain("1234@dead");
    }
    assertThat(claim).doesNotExist();
  }

  /** A holder whose renewals stopped refuses to commit before its lease could expire under it. */
  @Test
  void aLeaseNotRenewedForTtlMinusOnePeriodIsNoLongerHeld() throws Exception {
    String wh = dir.resolve("wh3").toUri().toString();
    String archive = dir.resolve("archive").toUri().toString();
    try (AnalysisLease lease = AnalysisLease.acquire(wh, archive, new Configuration())) {
      Instant now = Instant.now();
      lease.requireHeld(now); // just taken
      lease.requireHeld(now.plus(AnalysisLease.TTL).minus(AnalysisLease.RENEW).minusSeconds(1));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> lease.requireHeld(now.plus(AnalysisLease.TTL).minus(AnalysisLease.RENEW).plusSeconds(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("may expire before the next commit");
    }
  }
}
