package org.infoplane.analysis;

/**
 * Sizes a pass's commits by time as well as by count. The first commit holds
 * {@link #FIRST_UNITS} units (or fewer); each next one as many as the measured rate (units per
 * second of compute and commit) fills in the interval,
 * growing at most {@link #GROWTH}-fold from one commit to the next, and never more than the
 * count limit. So a killed job loses at most about one interval of work, or the count limit of
 * units, whichever is less; and many small units are committed a few times a minute, not every
 * few units, while a few expensive ones are committed as they come. The rate is the last commit's:
 * the first commit's includes the warm-up of a fresh JVM, and the units' cost may drift.
 */
final class CommitPacer {

  /** Units of a pass's first commit (the measured rate is unknown then). */
  static final int FIRST_UNITS = 64;
  /** How much larger a commit may be than the one before. */
  static final int GROWTH = 8;

  private final int maxUnits;
  private final double intervalSeconds;
  private int last;
  private double lastRate;

  /**
   * @param maxUnits the most units per commit ({@code infoplane.commit.units})
   * @param intervalSeconds the work per commit in seconds ({@code infoplane.commit.interval}); 0
   *     makes every commit hold {@code maxUnits} units
   */
  CommitPacer(int maxUnits, double intervalSeconds) {
    if (maxUnits < 1 || !(intervalSeconds >= 0)) {
      throw new IllegalArgumentException("maxUnits " + maxUnits + ", interval " + intervalSeconds);
    }
    this.maxUnits = maxUnits;
    this.intervalSeconds = intervalSeconds;
  }

  /** The size of the next commit, when {@code left} units remain (at least 1 of them). */
  int next(int left) {
    int n;
    if (intervalSeconds == 0) {
      n = maxUnits;
    } else if (last == 0) {
      n = Math.min(maxUnits, FIRST_UNITS);
    } else {
      long fill = (long) Math.floor(Math.min(lastRate * intervalSeconds, Integer.MAX_VALUE));
      n = (int) Math.max(1, Math.min(Math.min(maxUnits, (long) last * GROWTH), fill));
    }
    last = Math.min(n, left);
    return last;
  }

  /** Records that a commit of {@code n} units took {@code elapsedSeconds}, compute and commit. */
  void done(int n, double elapsedSeconds) {
    lastRate = n / Math.max(elapsedSeconds, 1e-9);
  }
}
