package org.infoplane.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Checks a whole archive and reports every problem found, without stopping at the first one and
 * without changing anything.
 *
 * <p>Per run: the manifest parses (an unknown format version is an error); the inputs of each split
 * are present and readable, with the manifest's sample ids, labels in [0, classes) and finite
 * values; every checkpoint of every split has every manifest layer and no other; every layer file
 * is readable Parquet with the manifest's sample ids in order, the manifest's shape (row length and
 * the {@code infoplane.shape} footer metadata) and finite values; splits in the files but not in
 * the manifest are errors; metrics files parse; no two checkpoints contradict the training order
 * (a later epoch at an earlier step). Leftover {@code _tmp-*} entries (from an interrupted write)
 * and a checkpoint present in some splits but not in others are warnings: readers ignore the
 * former, and the latter may be intended (a split imported at some checkpoints only).
 */
public final class ArchiveValidator {

  /** How bad a problem is: errors make the archive invalid, warnings do not. */
  public enum Severity { ERROR, WARNING }

  /**
   * One problem, with where it is; {@code split}, {@code checkpoint}, {@code layer} and {@code file}
   * are null where they do not apply.
   */
  public record Problem(Severity severity, String run, String split, CheckpointId checkpoint, LayerInfo layer,
      String file, String message) {

    /** One line: severity, then run, split, checkpoint, layer and file as they apply, then the message. */
    public String line() {
      StringBuilder b = new StringBuilder(severity.name()).append(" run ").append(run);
      if (split != null) {
        b.append(", split ").append(split);
      }
      if (checkpoint != null) {
        b.append(", ").append(checkpoint);
      }
      if (layer != null) {
        b.append(", layer ").append(layer.index()).append(" (").append(layer.name()).append(')');
      }
      if (file != null) {
        b.append(", file ").append(file);
      }
      return b.append(": ").append(message).toString();
    }
  }

  /** What was checked and what was found. Units are layer files (split × checkpoint × layer). */
  public record Report(List<Problem> problems, int runs, int checkpoints, long units) {
    public Report {
      problems = List.copyOf(problems);
    }

    public long errors() {
      return problems.stream().filter(p -> p.severity() == Severity.ERROR).count();
    }

    public long warnings() {
      return problems.size() - errors();
    }

    public boolean clean() {
      return errors() == 0;
    }

    public String summary() {
      return "checked " + runs + " runs, " + checkpoints + " checkpoints, " + units + " units: " + errors()
          + " errors, " + warnings() + " warnings";
    }
  }

  private static final Pattern METRICS = Pattern.compile("epoch=(\\d+)-step=(\\d+)\\.json");

  private final SnapshotArchive archive;
  private final FileSystem fs;
  private final List<Problem> problems = new ArrayList<>();
  private int runs;
  private int checkpoints;
  private long units;

  private ArchiveValidator(SnapshotArchive archive) {
    this.archive = archive;
    this.fs = archive.fs();
  }

  /** Checks every run of the archive. */
  public static Report validate(SnapshotArchive archive) {
    ArchiveValidator v = new ArchiveValidator(archive);
    try {
      v.all();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot list the archive " + archive.root() + ": " + e.getMessage(), e);
    }
    return new Report(v.problems, v.runs, v.checkpoints, v.units);
  }

  private void all() throws IOException {
    Path runsDir = new Path(archive.root(), SnapshotArchive.RUNS);
    if (!fs.exists(archive.root())) {
      throw new SnapshotFormatException("the archive " + archive.root() + " does not exist");
    }
    if (!fs.exists(runsDir)) {
      return;
    }
    FileStatus[] entries = fs.listStatus(runsDir);
    Arrays.sort(entries);
    for (FileStatus s : entries) {
      String name = s.getPath().getName();
      if (name.startsWith(SnapshotArchive.TMP)) {
        problems.add(new Problem(Severity.WARNING, "-", null, null, null, s.getPath().toString(),
            "leftover temporary entry from an interrupted write; readers ignore it, it can be deleted"));
      } else if (s.isDirectory() && name.startsWith("run=")) {
        runs++;
        run(name.substring(4), s.getPath());
      }
    }
  }

  private void error(String run, String split, CheckpointId cp, LayerInfo layer, Object file, String message) {
    problems.add(new Problem(Severity.ERROR, run, split, cp, layer, file == null ? null : file.toString(), message));
  }

  /** The message of a reader's exception without its leading "run …, …: " context, which the line repeats. */
  private static String detail(RuntimeException e, String runId) {
    String m = String.valueOf(e.getMessage());
    if (m.startsWith("run " + runId)) {
      int colon = m.indexOf(": ");
      if (colon > 0) {
        return m.substring(colon + 2);
      }
    }
    return m;
  }

  private void run(String runId, Path dir) throws IOException {
    temporaries(runId, dir);
    Path manifestFile = new Path(dir, "manifest.json");
    if (!fs.exists(manifestFile)) {
      error(runId, null, null, null, manifestFile, "no manifest; the run cannot be read");
      return;
    }
    RunManifest m;
    try {
      m = archive.readManifest(runId);
    } catch (RuntimeException e) {
      error(runId, null, null, null, manifestFile, "manifest cannot be used: " + detail(e, runId));
      return;
    }
    ParquetRun run = new ParquetRun(archive, m);
    unknownSplits(m, new Path(dir, "inputs"), "inputs");
    unknownSplits(m, new Path(dir, "activations"), "activations");
    java.util.Map<String, List<CheckpointId>> bySplit = new java.util.LinkedHashMap<>();
    for (String split : m.splitSampleIds().keySet()) {
      inputs(run, m, split);
      List<CheckpointId> cps = run.checkpoints(split);
      bySplit.put(split, cps);
      for (CheckpointId cp : cps) {
        checkpoints++;
        checkpoint(run, m, split, cp);
      }
    }
    trainingOrder(runId, bySplit);
    splitCoverage(runId, bySplit);
    metrics(runId, new Path(dir, "metrics"));
  }

  /**
   * Errors for checkpoints whose (epoch, step) contradict each other's training order (a later
   * epoch at an earlier step): each such pair once, naming both.
   */
  private void trainingOrder(String runId, java.util.Map<String, List<CheckpointId>> bySplit) {
    java.util.Map<CheckpointId, String> firstSplit = new java.util.TreeMap<>();
    bySplit.forEach((split, cps) -> cps.forEach(cp -> firstSplit.putIfAbsent(cp, split)));
    List<CheckpointId> all = new ArrayList<>(firstSplit.keySet());
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        CheckpointId a = all.get(i);
        CheckpointId b = all.get(j);
        if (a.contradicts(b)) {
          CheckpointId later = a.epoch() > b.epoch() ? a : b;
          CheckpointId earlier = later == a ? b : a;
          error(runId, firstSplit.get(later), later, null, null, "contradicts the training order of " + earlier
              + " (split " + firstSplit.get(earlier) + "): a later epoch at an earlier step, so it is analysed and"
              + " smoothed before it; re-import it with its global step (--step)");
        }
      }
    }
  }

  /** Warnings for checkpoints present in some of the run's splits but not in others. */
  private void splitCoverage(String runId, java.util.Map<String, List<CheckpointId>> bySplit) {
    if (bySplit.size() < 2) {
      return;
    }
    Set<CheckpointId> union = new java.util.TreeSet<>();
    bySplit.values().forEach(union::addAll);
    for (CheckpointId cp : union) {
      List<String> having = bySplit.entrySet().stream().filter(e -> e.getValue().contains(cp))
          .map(java.util.Map.Entry::getKey).toList();
      for (String split : bySplit.keySet()) {
        if (!having.contains(split)) {
          problems.add(new Problem(Severity.WARNING, runId, split, cp, null, null, "the checkpoint is in split"
              + (having.size() > 1 ? "s " : " ") + String.join(", ", having) + " but not in this one (a write"
              + " interrupted between the splits, or imported for some splits only)"));
        }
      }
    }
  }

  private void unknownSplits(RunManifest m, Path parent, String what) throws IOException {
    if (!fs.exists(parent)) {
      return;
    }
    for (FileStatus s : fs.listStatus(parent)) {
      String name = s.getPath().getName();
      if (name.startsWith("split=") && !m.splitSampleIds().containsKey(name.substring(6))) {
        error(m.runId(), name.substring(6), null, null, s.getPath(), what + " of a split the manifest does not list"
            + " (it lists " + m.splitSampleIds().keySet() + ")");
      }
    }
  }

  private void inputs(ParquetRun run, RunManifest m, String split) throws IOException {
    Path file = run.inputsFile(split);
    if (!fs.exists(file)) {
      error(m.runId(), split, null, null, file, "the split's inputs are missing");
      return;
    }
    ParquetRun.Inputs in;
    try {
      in = run.inputs(split, null);
    } catch (RuntimeException e) {
      error(m.runId(), split, null, null, file, "inputs: " + detail(e, m.runId()));
      return;
    }
    long[] ids = in.content().ids();
    int[] labels = in.content().labels();
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= m.numClasses()) {
        error(m.runId(), split, null, null, file, "label " + labels[i] + " of sample id " + ids[i] + " (row " + i
            + ") is outside [0, " + m.numClasses() + ")");
        break;
      }
    }
    String bad = firstNonFinite(in.content().values(), ids, in.shape());
    if (bad != null) {
      error(m.runId(), split, null, null, file, "inputs: " + bad);
    }
  }

  private void checkpoint(ParquetRun run, RunManifest m, String split, CheckpointId cp) throws IOException {
    Path cd = run.checkpointDir(split, cp);
    Set<Integer> known = new HashSet<>();
    for (LayerInfo l : m.layers()) {
      known.add(l.index());
      layer(run, m, split, cp, l, ParquetRun.layerFile(cd, l.index()));
    }
    for (FileStatus s : fs.listStatus(cd)) {
      String name = s.getPath().getName();
      if (name.startsWith("layer=")) {
        boolean listed;
        try {
          listed = known.contains(Integer.parseInt(name.substring(6)));
        } catch (NumberFormatException e) {
          listed = false;
        }
        if (!listed) {
          error(m.runId(), split, cp, null, s.getPath(), "a layer the manifest does not list (it lists " + m.layers() + ")");
        }
      }
    }
  }

  private void layer(ParquetRun run, RunManifest m, String split, CheckpointId cp, LayerInfo l, Path file)
      throws IOException {
    units++;
    if (!fs.exists(file)) {
      error(m.runId(), split, cp, l, file, "the layer is missing at this checkpoint");
      return;
    }
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(file, archive.conf()))) {
      String s = r.getFooter().getFileMetaData().getKeyValueMetaData().get("infoplane.shape");
      if (s == null) {
        error(m.runId(), split, cp, l, file, "the file lacks the infoplane.shape footer metadata");
      } else {
        long[] shape = ParquetRun.parseShape(s, "footer");
        if (!Arrays.equals(shape, l.shape())) {
          error(m.runId(), split, cp, l, file, "shape per sample " + Arrays.toString(shape)
              + " (footer metadata) differs from the manifest's " + Arrays.toString(l.shape()));
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      error(m.runId(), split, cp, l, file, "cannot be read as Parquet (" + e.getMessage() + ")");
      return;
    }
    float[] values;
    try {
      values = run.readActivations(split, cp, l.index()).data().asFloat();
    } catch (RuntimeException e) {
      error(m.runId(), split, cp, l, file, detail(e, m.runId()));
      return;
    }
    String bad = firstNonFinite(values, m.sampleIds(split), l.shape());
    if (bad != null) {
      error(m.runId(), split, cp, l, file, bad);
    }
  }

  /** The first NaN or infinity, as "value … at sample id … (row …), feature …", or null. */
  static String firstNonFinite(float[] v, long[] ids, long[] shape) {
    if (ids.length == 0) {
      return null;
    }
    int d = v.length / ids.length;
    for (int k = 0; k < v.length; k++) {
      if (!Float.isFinite(v[k])) {
        int row = k / d;
        return "value " + v[k] + " at sample id " + ids[row] + " (row " + row + "), feature " + (k % d)
            + " of per-sample shape " + Arrays.toString(shape) + "; values must be finite";
      }
    }
    return null;
  }

  private void metrics(String runId, Path dir) throws IOException {
    if (!fs.exists(dir)) {
      return;
    }
    for (FileStatus s : fs.listStatus(dir)) {
      Matcher mm = METRICS.matcher(s.getPath().getName());
      if (!mm.matches()) {
        continue;
      }
      try (InputStream in = fs.open(s.getPath())) {
        SnapshotArchive.JSON.readValue(in, ParquetRun.MetricsJson.class).toMetrics();
      } catch (IOException | RuntimeException e) {
        error(runId, null, null, null, s.getPath(), "metrics cannot be read: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      }
    }
  }

  /** Warns about every leftover {@code _tmp-} entry under the run. */
  private void temporaries(String runId, Path dir) throws IOException {
    for (FileStatus s : fs.listStatus(dir)) {
      String name = s.getPath().getName();
      if (name.startsWith(SnapshotArchive.TMP)) {
        problems.add(new Problem(Severity.WARNING, runId, null, null, null, s.getPath().toString(),
            "leftover temporary entry from an interrupted write; readers ignore it, it can be deleted"));
      } else if (s.isDirectory()) {
        temporaries(runId, s.getPath());
      }
    }
  }
}
