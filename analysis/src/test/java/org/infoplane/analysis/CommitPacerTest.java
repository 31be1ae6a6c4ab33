package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Commit sizes by time and count, against sizes worked out by hand from the rule. */
class CommitPacerTest {

  /** Sizes of the commits of {@code total} units costing {@code secondsPerUnit} each, plus {@code fixed} per commit. */
  private static List<Integer> sizes(CommitPacer p, int total, double secondsPerUnit, double fixed) {
    List<Integer> out = new ArrayList<>();
    for (int left = total; left > 0; ) {
      int n = p.next(left);
      out.add(n);
      p.done(n, fixed + n * secondsPerUnit);
      left -= n;
    }
    return out;
  }

  @Test
  void cheapUnitsGrowEightfoldUpToTheInterval() {
    // 10 ms a unit, 30 s interval: 3,000 units fill it; growth from 64 is 512, then 3,000 (not 4,096).
    assertThat(sizes(new CommitPacer(10_000, 30), 10_000, 0.01, 0.0))
        .containsExactly(64, 512, 3000, 3000, 3000, 424);
  }

  @Test
  void aFixedCostPerCommitCountsInTheRate() {
    // 1 ms a unit + 2 s per commit: 64 units in 2.064 s is 31.0 units/s, 930 fill 30 s, capped at 512;
    // 512 in 2.512 s is 203.8 units/s: 6,114 fill 30 s.
    assertThat(sizes(new CommitPacer(100_000, 30), 7_000, 0.001, 2.0)).containsExactly(64, 512, 4096, 2328);
  }

  @Test
  void expensiveUnitsAreCommittedOneByOne() {
    // 45 s a unit: the first commit of 64 takes 48 min; then each commit holds what fills 30 s, at least 1.
    assertThat(sizes(new CommitPacer(10_000, 30), 67, 45.0, 0.0)).containsExactly(64, 1, 1, 1);
  }

  @Test
  void theCountLimitBoundsEveryCommit() {
    assertThat(sizes(new CommitPacer(5, 30), 12, 0.001, 0.0)).containsExactly(5, 5, 2);
    assertThat(sizes(new CommitPacer(100, 3600), 1000, 0.001, 0.0)).containsExactly(64, 100, 100, 100, 100, 100,
        100, 100, 100, 100, 36);
  }

  @Test
  void aZeroIntervalCommitsFixedCounts() {
    assertThat(sizes(new CommitPacer(4, 0), 10, 100.0, 0.0)).containsExactly(4, 4, 2);
  }

  @Test
  void theRateIsTheLastCommits() {
    CommitPacer p = new CommitPacer(100_000, 10);
    assertThat(p.next(100_000)).isEqualTo(64);
    p.done(64, 64.0); // a slow first commit (a cold JVM): 1 unit/s
    assertThat(p.next(100_000)).isEqualTo(10);
    p.done(10, 0.1); // then 100 units/s
    assertThat(p.next(100_000)).isEqualTo(80); // 1,000 would fill 10 s; growth caps it at 8 × 10
  }
}
