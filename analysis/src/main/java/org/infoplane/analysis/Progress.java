package org.infoplane.analysis;

import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Progress of one pass: units done of total, rate and time left, logged after each chunk. */
final class Progress {

  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

  private final String pass;
  private final int total;
  private final long start = System.nanoTime();
  private int done;

  Progress(String pass, int total) {
    this.pass = pass;
    this.total = total;
    if (total > 0) {
      LOG.info("{}: {} units to compute", pass, total);
    }
  }

  void advance(int units) {
    done += units;
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = done / Math.max(seconds, 1e-9);
    long left = rate > 0 ? Math.round((total - done) / rate) : 0;
    LOG.info(String.format(Locale.ROOT, "%s: %d/%d units (%.0f%%), %.2f units/s, %s elapsed, ~%s left",
        pass, done, total, 100.0 * done / total, rate, format(Math.round(seconds)), format(left)));
  }

  private static String format(long seconds) {
    Duration d = Duration.ofSeconds(seconds);
    return d.toHours() > 0
        ? String.format(Locale.ROOT, "%dh%02dm", d.toHours(), d.toMinutesPart())
        : String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart());
  }
}
