package org.infoplane.warehouse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One analysis at a time per (warehouse, archive): a lease file
 * {@code <warehouse>/_leases/<sha256(archive URI)>.lease}, created atomically (HDFS {@code create}
 * without overwrite; {@code CREATE_NEW} on a local file system), holding the holder and an expiry. On
 * HDFS a create that loses the race can also be refused with {@code AlreadyBeingCreatedException}
 * (the winner has not closed the file yet): that too means the lease is held.
 * A second analysis of the same archive into the same warehouse waits until the lease is released,
 * then finds only what is left to compute (usually nothing). A lease whose expiry has passed (its
 * holder died without releasing it) is taken over. The holder renews the lease every ten seconds by
 * touching the file; the lease expires {@link #TTL} after its last renewal, so a killed analysis
 * blocks the next one for at most that long.
 *
 * <p>The archive is named by its canonical URI ({@link
 * org.infoplane.snapshot.SnapshotArchive#canonicalUri}), so two spellings of one archive share one
 * lease. The lease spares duplicate work; it is not what keeps the tables free of duplicates: the
 * passes insert a unit only where its key is absent, validated at commit ({@link TableWrites}), so
 * overlapping writers store each unit once even where the lease cannot be held.
 */
public final class AnalysisLease implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AnalysisLease.class);
  static final Duration TTL = Duration.ofSeconds(30);
  static final Duration RENEW = Duration.ofSeconds(10);
  static final Duration POLL = Duration.ofSeconds(2);

  private final FileSystem fs;
  private final Path path;
  private final java.util.concurrent.ScheduledExecutorService renewer;
  /** When the lease file was last touched by this holder (creation or renewal). */
  private volatile Instant renewed = Instant.now();
  private volatile IOException renewFailure;

  private AnalysisLease(FileSystem fs, Path path) {
    this.fs = fs;
    this.path = path;
    this.renewer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "infoplane-lease-renewer");
      t.setDaemon(true);
      return t;
    });
    renewer.scheduleAtFixedRate(this::renew, RENEW.toMillis(), RENEW.toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * Touches the lease file: its modification time is the last renewal. A failure is retried at the
   * next period; {@link #requireHeld} stops the analysis before it could outlive its lease.
   */
  private void renew() {
    try {
      Instant now = Instant.now();
      fs.setTimes(path, now.toEpochMilli(), -1);
      renewed = now;
      renewFailure = null;
    } catch (IOException e) {
      renewFailure = e;
      LOG.warn("cannot renew the analysis lease {} (retrying in {} s): {}", path, RENEW.toSeconds(), e.toString());
    }
  }

  /**
   * Checks, before a commit, that the lease is safely held: renewed within TTL − RENEW, so that it
   * cannot expire (and be taken over by another analysis) while the commit runs.
   *
   * @throws IllegalStateException when renewals have failed for that long
   */
  public void requireHeld() {
    requireHeld(Instant.now());
  }

  void requireHeld(Instant now) {
    Instant last = renewed;
    if (now.isAfter(last.plus(TTL).minus(RENEW))) {
      throw new IllegalStateException("the analysis lease " + path + " was last renewed at " + last
          + " and may expire before the next commit" + (renewFailure == null ? "" : " (" + renewFailure + ")")
          + ": stopping; the next run completes what is left");
    }
  }

  /** When a lease file expires: {@link #TTL} after its last renewal; null if it is gone. */
  private static Instant expiry(FileSystem fs, Path path) throws IOException {
    try {
      return Instant.ofEpochMilli(fs.getFileStatus(path).getModificationTime()).plus(TTL);
    } catch (java.io.FileNotFoundException e) {
      return null;
    }
  }

  /** Waits until this process holds the lease for {@code archiveUri} in {@code warehouse}. */
  public static AnalysisLease acquire(String warehouse, String archiveUri, Configuration hadoop) {
    try {
      Path path = leaseFile(warehouse, archiveUri);
      FileSystem fs = path.getFileSystem(hadoop);
      fs.mkdirs(path.getParent());
      String holder = ManagementFactory.getRuntimeMXBean().getName() + "/" + Thread.currentThread().getName();
      boolean logged = false;
      while (true) {
        Instant now = Instant.now();
        if (tryCreate(fs, path, holder, archiveUri, now.plus(TTL))) {
          LOG.info("analysis lease {} taken by {} (archive {})", path, holder, archiveUri);
          return new AnalysisLease(fs, path);
        }
        Properties held = read(fs, path);
        Instant expires = expiry(fs, path);
        if (held == null || expires == null) {
          continue; // released meanwhile: try again
        }
        if (!expires.isAfter(now)) {
          takeOver(fs, path, held, expires, holder, archiveUri);
          continue;
        }
        if (!logged) {
          LOG.info("another analysis of {} into {} is running ({}, lease until {}): waiting for it to finish",
              archiveUri, warehouse, held.getProperty("holder"), expires);
          logged = true;
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("analysis lease in " + warehouse + " for " + archiveUri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the analysis lease of " + archiveUri, e);
    }
  }

  /**
   * Removes an expired lease so that the next {@link #tryCreate} can succeed. Several waiters can
   * see the same expired lease; a plain delete would let a late one delete the lease that an early
   * one has just created. So a waiter first creates a claim file named after this very lease (its
   * last renewal and holder), atomically as the lease itself: one waiter wins it, checks that the
   * lease is still that expired one, deletes it and drops the claim. The others try again.
   */
  private static void takeOver(FileSystem fs, Path path, Properties held, Instant expires, String holder,
      String archiveUri) throws IOException {
    Path claim = claimFile(path, held.getProperty("holder", ""), expires);
    if (!tryCreate(fs, claim, holder, archiveUri, Instant.now())) {
      // Another waiter takes this one over; a claim left by a waiter that died is dropped after TTL.
      Instant claimExpires = expiry(fs, claim);
      if (claimExpires != null && claimExpires.isBefore(Instant.now())) {
        LOG.warn("dropping the abandoned takeover claim {}", claim);
        fs.delete(claim, false);
      }
      return;
    }
    try {
      Properties now = read(fs, path);
      Instant again = expiry(fs, path);
      if (now != null && expires.equals(again) && held.getProperty("holder", "").equals(now.getProperty("holder"))) {
        LOG.warn("analysis lease {} of {} expired at {}: taking it over", path, held.getProperty("holder"), expires);
        fs.delete(path, false);
      }
    } finally {
      fs.delete(claim, false);
    }
  }

  /** The claim file of the takeover of a lease last renewed by {@code holder} and expiring then. */
  static Path claimFile(Path lease, String holder, Instant expires) {
    return new Path(lease.getParent(),
        lease.getName() + ".takeover-" + sha256(holder + "@" + expires.toEpochMilli()).substring(0, 16));
  }

  /** The lease file of an archive in a warehouse: {@code <warehouse>/_leases/<sha256(archive URI)>.lease}. */
  static Path leaseFile(String warehouse, String archiveUri) {
    return new Path(new Path(new Path(warehouse), "_leases"), sha256(archiveUri) + ".lease");
  }

  private static boolean tryCreate(FileSystem fs, Path path, String holder, String archive, Instant expires)
      throws IOException {
    Properties p = new Properties();
    p.setProperty("holder", holder);
    p.setProperty("archive", archive);
    p.setProperty("expires", expires.toString());
    URI uri = fs.makeQualified(path).toUri();
    if ("file".equals(uri.getScheme())) {
      // The local file system's create(overwrite=false) checks, then creates: not atomic.
      try (OutputStream out = Files.newOutputStream(Paths.get(uri), java.nio.file.StandardOpenOption.CREATE_NEW,
          java.nio.file.StandardOpenOption.WRITE)) {
        p.store(out, "InfoPlane analysis lease");
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    }
    try (OutputStream out = fs.create(path, false)) {
      p.store(out, "InfoPlane analysis lease");
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (org.apache.hadoop.ipc.RemoteException e) {
      if (BEING_WRITTEN.contains(e.getClassName())) {
        return false; // HDFS: another client created the file a moment ago and is still writing it
      }
      throw e;
    }
  }

  /**
   * What an HDFS NameNode answers to a create without overwrite while the file exists but its writer
   * has not closed it yet (another analysis won the race by milliseconds): the file is held.
   */
  private static final java.util.Set<String> BEING_WRITTEN = java.util.Set.of(
      "org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException",
      "org.apache.hadoop.hdfs.protocol.RecoveryInProgressException");

  private static Properties read(FileSystem fs, Path path) throws IOException {
    try (var in = fs.open(path)) {
      Properties p = new Properties();
      p.load(new java.io.InputStreamReader(in, StandardCharsets.ISO_8859_1));
      return p;
    } catch (java.io.FileNotFoundException e) {
      return null;
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    renewer.shutdownNow();
    try {
      fs.delete(path, false);
      LOG.info("analysis lease {} released", path);
    } catch (IOException e) {
      throw new UncheckedIOException("releasing the analysis lease " + path, e);
    }
  }
}
