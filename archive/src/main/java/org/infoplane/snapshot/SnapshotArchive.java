package org.infoplane.snapshot;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An archive of activation snapshots on any Hadoop file system ({@code file://}, {@code hdfs://},
 * {@code s3a://}; a plain path is local). The layout, documented in {@code docs/snapshot-format.md}:
 *
 * <pre>
 * ARCHIVE/runs/run=RUN/manifest.json
 * ARCHIVE/runs/run=RUN/inputs/split=SPLIT/part-0.parquet                       X and Y, once per split
 * ARCHIVE/runs/run=RUN/activations/split=SPLIT/epoch=E/step=S/layer=L/part-0.parquet
 * ARCHIVE/runs/run=RUN/metrics/epoch=E-step=S.json
 * ARCHIVE/runs/run=RUN/models/epoch=E-step=S.zip                               saved models, if any
 * </pre>
 *
 * <p>Every write goes to a directory or file whose name starts with {@code _tmp-} and is published
 * by one rename, so readers never see half a checkpoint; names starting with {@code _} are ignored
 * by readers and by Spark's partition discovery.
 */
public final class SnapshotArchive {

  static final String RUNS = "runs";
  static final String TMP = "_tmp-";

  static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path root;
  private final Configuration conf;
  private final FileSystem fs;

  private SnapshotArchive(Path root, Configuration conf) throws IOException {
    this.root = root;
    this.conf = conf;
    this.fs = root.getFileSystem(conf);
  }

  /** Opens (without creating anything) the archive at a URI or a local path. */
  public static SnapshotArchive open(String uriOrPath, Configuration conf) {
    try {
      return new SnapshotArchive(toPath(uriOrPath), conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach the archive " + uriOrPath + ": " + e.getMessage(), e);
    }
  }

  /**
   * The one name of an archive, however it is spelled: its fully qualified URI (scheme and
   * authority filled in by its file system, {@code .} and {@code ..} resolved, no trailing slash;
   * for a local archive that exists, symbolic links resolved too). {@code a1}, {@code ./a1/} and
   * {@code file:///abs/a1} name one archive and give one URI.
   */
  public static String canonicalUri(String uriOrPath, Configuration conf) {
    Path p = toPath(uriOrPath);
    try {
      FileSystem fs = p.getFileSystem(conf);
      Path q = fs.makeQualified(p);
      if ("file".equals(q.toUri().getScheme())) {
        java.nio.file.Path local = java.nio.file.Paths.get(q.toUri()).toAbsolutePath().normalize();
        if (java.nio.file.Files.exists(local)) {
          local = local.toRealPath();
        }
        q = fs.makeQualified(new Path(local.toUri()));
      } else {
        q = fs.makeQualified(new Path(q.toUri().normalize()));
      }
      URI u = q.toUri();
      String path = u.getPath();
      while (path.length() > 1 && path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      return new Path(u.getScheme(), u.getAuthority(), path).toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach the archive " + uriOrPath + ": " + e.getMessage(), e);
    }
  }

  /** A URI stays as it is; a plain path becomes an absolute local file URI. */
  static Path toPath(String uriOrPath) {
    URI uri = URI.create(uriOrPath.replace(" ", "%20"));
    if (uri.getScheme() != null && uri.getScheme().length() > 1) {
      return new Path(uriOrPath);
    }
    return new Path(new File(uriOrPath).getAbsoluteFile().toURI());
  }

  /** The archive's root. */
  public Path root() {
    return root;
  }

  public Configuration conf() {
    return conf;
  }

  FileSystem fs() {
    return fs;
  }

  Path runDir(String runId) {
    return new Path(new Path(root, RUNS), "run=" + runId);
  }

  /** The directory of a run's saved models: {@code ARCHIVE/runs/run=RUN/models}. */
  public Path modelsDir(String runId) {
    return new Path(runDir(runId), "models");
  }

  /** Where the saved model of a checkpoint goes: {@code ARCHIVE/runs/run=RUN/models/epoch=E-step=S.zip}. */
  public Path modelPath(String runId, CheckpointId checkpoint) {
    return new Path(modelsDir(runId), modelFileName(checkpoint));
  }

  /** The file name of a checkpoint's saved model: {@code epoch=E-step=S.zip}. */
  public static String modelFileName(CheckpointId checkpoint) {
    return "epoch=" + checkpoint.epoch() + "-step=" + checkpoint.step() + ".zip";
  }

  /** The checkpoint a saved model's file name stands for, or empty when the name does not follow the pattern. */
  public static Optional<CheckpointId> parseModelFileName(String name) {
    Matcher m = MODEL_FILE.matcher(name);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new CheckpointId(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2))));
  }

  private static final Pattern MODEL_FILE = Pattern.compile("epoch=(\\d{1,9})-step=(\\d{1,18})\\.zip");

  /** Bytes the run occupies in the archive (all its files), 0 when it does not exist. */
  public long runBytes(String runId) {
    try {
      Path dir = runDir(runId);
      return fs.exists(dir) ? fs.getContentSummary(dir).getLength() : 0L;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot measure run " + runId + " in " + root + ": " + e.getMessage(), e);
    }
  }

  /** Whether the archive has a run with this id (a manifest). */
  public boolean hasRun(String runId) {
    try {
      return fs.exists(new Path(runDir(runId), "manifest.json"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach run " + runId + " in " + root + ": " + e.getMessage(), e);
    }
  }

  /** The ids of the archive's runs with a manifest, sorted. */
  public List<String> runIds() {
    List<String> ids = new ArrayList<>();
    try {
      for (String id : runDirectoryIds()) {
        if (fs.exists(new Path(runDir(id), "manifest.json"))) {
          ids.add(id);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the runs of " + root + ": " + e.getMessage(), e);
    }
    return ids;
  }

  /**
   * The ids of every run directory ({@code runs/run=RUN}), with a manifest or not, sorted: what an
   * analysis must either analyse or report. {@link #run} then reads each one's manifest.
   */
  public List<String> runDirectoryIds() {
    List<String> ids = new ArrayList<>();
    try {
      Path runs = new Path(root, RUNS);
      if (!fs.exists(runs)) {
        return ids;
      }
      for (FileStatus s : fs.listStatus(runs)) {
        String name = s.getPath().getName();
        if (s.isDirectory() && name.startsWith("run=")) {
          ids.add(name.substring(4));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the runs of " + root + ": " + e.getMessage(), e);
    }
    ids.sort(String::compareTo);
    return ids;
  }

  /** Creates a run; refuses a run that exists already. */
  public RunWriter createRun(RunManifest manifest) {
    Path dir = runDir(manifest.runId());
    Path file = new Path(dir, "manifest.json");
    try {
      if (fs.exists(file)) {
        throw new SnapshotFormatException("run " + manifest.runId() + " already exists in " + root
            + " (" + file + "); append to it, or choose another run id");
      }
      fs.mkdirs(dir);
      writeJsonAtomically(file, ManifestJson.of(manifest));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create run " + manifest.runId() + " in " + root + ": " + e.getMessage(), e);
    }
    return new ParquetRun(this, manifest);
  }

  /**
   * Creates a run with its first contents, all or nothing: the manifest and whatever {@code contents}
   * writes go to a staging directory {@code runs/_tmp-…}, published by one rename once complete. When
   * {@code contents} or the publication fails, the staging directory (and the {@code runs} directory
   * and archive root, if this call created them) is removed, so the archive is as it was.
   */
  public void createRun(RunManifest manifest, java.util.function.Consumer<RunWriter> contents) {
    Path dir = runDir(manifest.runId());
    Path runs = new Path(root, RUNS);
    String what = "run " + manifest.runId() + " in " + root;
    boolean rootExisted;
    boolean runsExisted;
    try {
      if (fs.exists(new Path(dir, "manifest.json"))) {
        throw new SnapshotFormatException("run " + manifest.runId() + " already exists in " + root + " ("
            + new Path(dir, "manifest.json") + "); append to it, or choose another run id");
      }
      if (fs.exists(dir)) {
        throw new SnapshotFormatException(what + ": the directory " + dir + " exists without a manifest"
            + " (left by an interrupted write of an earlier version?); remove it or choose another run id");
      }
      rootExisted = fs.exists(root);
      runsExisted = rootExisted && fs.exists(runs);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + what + ": " + e.getMessage(), e);
    }
    Path staging = new Path(runs, TMP + UUID.randomUUID() + "-run=" + manifest.runId());
    boolean published = false;
    try {
      fs.mkdirs(staging);
      writeJsonAtomically(new Path(staging, "manifest.json"), ManifestJson.of(manifest));
      contents.accept(new ParquetRun(this, manifest, staging));
      if (fs.exists(dir) || !fs.rename(staging, dir)) {
        throw new SnapshotFormatException(what + ": another writer created the run meanwhile; nothing was written");
      }
      published = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + what + ": " + e.getMessage(), e);
    } finally {
      if (!published) {
        removeQuietly(staging, runsExisted ? null : runs, rootExisted ? null : root);
      }
    }
  }

  /**
   * Removes what a failed write created, without masking the failure that is propagating: a path
   * that cannot be removed is left for {@code validate} to report as a leftover {@code _tmp-} entry.
   * Directories after the first are removed only when empty.
   */
  void removeQuietly(Path created, Path... emptyParents) {
    try {
      fs.delete(created, true);
      for (Path p : emptyParents) {
        if (p != null && fs.exists(p) && fs.listStatus(p).length == 0) {
          fs.delete(p, false);
        }
      }
    } catch (IOException ignored) {
      // the failure being propagated says what went wrong; validate reports the leftover
    }
  }

  /**
   * Adds an evaluation split with its first contents, all or nothing: {@code contents} writes the
   * split's inputs and checkpoints first, and the manifest naming the split is rewritten (atomically)
   * only once they are complete. When anything fails, the split's directories are removed and the
   * manifest is untouched.
   */
  public void addSplit(String runId, String split, long[] sampleIds, java.util.function.Consumer<RunWriter> contents) {
    RunManifest m = readManifest(runId);
    if (m.splitSampleIds().containsKey(split)) {
      throw new SnapshotFormatException("run " + runId + " already has split '" + split + "'");
    }
    java.util.Map<String, long[]> splits = new java.util.LinkedHashMap<>(m.splitSampleIds());
    splits.put(split, sampleIds.clone());
    RunManifest next = new RunManifest(m.runId(), m.model(), m.dataset(), m.seed(), m.producer(), m.formatVersion(),
        m.layers(), splits, m.numClasses(), m.properties());
    ParquetRun run = new ParquetRun(this, next);
    Path inputs = run.inputsDir(split);
    Path activations = run.splitDir(split);
    try {
      if (fs.exists(inputs) || fs.exists(activations)) {
        throw new SnapshotFormatException("run " + runId + ", split " + split + ": the manifest has no such split but "
            + (fs.exists(inputs) ? inputs : activations) + " exists (left by an interrupted write of an earlier"
            + " version?); remove it first");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("run " + runId + ": cannot add split " + split + ": " + e.getMessage(), e);
    }
    boolean done = false;
    try {
      contents.accept(run);
      writeJsonAtomically(new Path(runDir(runId), "manifest.json"), ManifestJson.of(next));
      done = true;
    } catch (IOException e) {
      throw new UncheckedIOException("run " + runId + ": cannot rewrite the manifest to add split " + split + ": "
          + e.getMessage(), e);
    } finally {
      if (!done) {
        removeQuietly(inputs);
        removeQuietly(activations);
      }
    }
  }

  /**
   * Sets one property of an existing run's manifest (rewritten atomically; everything else stays).
   *
   * @return the new manifest
   */
  public RunManifest setProperty(String runId, String key, String value) {
    RunManifest m = readManifest(runId);
    java.util.Map<String, String> props = new java.util.LinkedHashMap<>(m.properties());
    props.put(key, value);
    RunManifest next = new RunManifest(m.runId(), m.model(), m.dataset(), m.seed(), m.producer(), m.formatVersion(),
        m.layers(), m.splitSampleIds(), m.numClasses(), props);
    try {
      writeJsonAtomically(new Path(runDir(runId), "manifest.json"), ManifestJson.of(next));
    } catch (IOException e) {
      throw new UncheckedIOException("run " + runId + ": cannot rewrite the manifest to set " + key + ": "
          + e.getMessage(), e);
    }
    return next;
  }

  /** Opens an existing run to add checkpoints and metrics. */
  public RunWriter openRunForAppend(String runId) {
    return new ParquetRun(this, readManifest(runId));
  }

  /** Opens an existing run for reading. */
  public RunReader run(String runId) {
    return new ParquetRun(this, readManifest(runId));
  }

  RunManifest readManifest(String runId) {
    Path file = new Path(runDir(runId), "manifest.json");
    try (InputStream in = fs.open(file)) {
      return JSON.readValue(in, ManifestJson.class).toManifest(file.toString());
    } catch (FileNotFoundException e) {
      throw new SnapshotFormatException("run " + runId + ": no manifest " + file + " (not a run of the archive "
          + root + ", or its manifest was lost)", e);
    } catch (SnapshotFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new SnapshotFormatException("run " + runId + ": manifest " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  void writeJsonAtomically(Path file, Object value) throws IOException {
    Path tmp = new Path(file.getParent(), TMP + UUID.randomUUID() + "-" + file.getName());
    try (OutputStream out = fs.create(tmp, false)) {
      JSON.writeValue(out, value);
    }
    if (fs.exists(file)) {
      fs.delete(file, false);
    }
    if (!fs.rename(tmp, file)) {
      throw new IOException("cannot rename " + tmp + " to " + file);
    }
  }

  @Override
  public String toString() {
    return "SnapshotArchive[" + root + "]";
  }
}
