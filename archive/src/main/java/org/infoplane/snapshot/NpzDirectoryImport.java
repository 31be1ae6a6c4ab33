package org.infoplane.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.infoplane.io.Npy;
import org.infoplane.io.NpyArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Imports a whole export directory, every checkpoint and split with its training metrics, into one
 * run of a {@link SnapshotArchive}; each (checkpoint, split) goes through {@link NpzImport}.
 *
 * <p>The directory (written by the Python package {@code infoplane}, see {@code python/README.md}):
 *
 * <pre>
 * DIR/export.json                     {"format": "infoplane-export", "format_version": 1, "num_classes": C,
 *                                      "model": M or null, "dataset": D or null}
 * DIR/epoch=E-step=S/checkpoint.json  {"format": "infoplane-export", "format_version": 1, "epoch": E, "step": S,
 *                                      "metrics": {name: number or null}, "splits": {SPLIT: [file, ...]}}
 * DIR/epoch=E-step=S/SPLIT-00000.npz  chunks of the split's samples, in the order listed (see NpzImport)
 * </pre>
 *
 * A checkpoint directory without {@code checkpoint.json} was not finished and is left out.
 * Metrics {@code loss}, {@code train_accuracy} and {@code test_accuracy} become the standard metrics
 * (accuracies are fractions in [0, 1]); every other numeric metric is kept by name.
 *
 * <p>Idempotent: a checkpoint the archive already holds with the same content (every layer's values
 * bit for bit, the same sample ids) is skipped, and so are equal metrics. Different content is
 * refused unless {@code replace}; the check of every existing checkpoint runs before anything is
 * written, so a refusal leaves the archive as it was. A checkpoint refused while importing (a
 * damaged {@code .npz}, say) stops the import there: the checkpoints before it stay imported (each
 * (checkpoint, split) is published atomically, so the archive is consistent), the refusal says how
 * many, and running the import again resumes.
 *
 * <p>Every file read must lie inside the directory: a symbolic link that leads out of it (to
 * {@code /etc/shadow}, say) is refused, naming the link, before anything of its target is read.
 * Links within the directory are followed.
 */
public final class NpzDirectoryImport {

  /** The {@code format} of an export directory's JSON files. */
  public static final String FORMAT = "infoplane-export";
  /** The export format version this code reads. */
  public static final int FORMAT_VERSION = 1;

  private static final Pattern CHECKPOINT_DIR = Pattern.compile("epoch=(\\d{1,9})-step=(\\d{1,18})");
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_.\\-]+\\.npz");

  /** What to import; {@code model}, {@code dataset} and {@code numClasses} may be null (then export.json's). */
  public record Request(String runId, Path directory, String model, String dataset, Integer numClasses,
      boolean replace) {
    public Request {
      Objects.requireNonNull(runId, "runId");
      Objects.requireNonNull(directory, "directory");
    }
  }

  /** What an import did: units are (checkpoint, split) pairs. */
  public record Result(String runId, int checkpoints, int imported, int replaced, int skipped, int metricsWritten,
      boolean createdRun) {}

  /** Told after each unit and each metrics file: {@code done} of {@code total} steps. */
  public interface Progress {
    void step(int done, int total, String message);
  }

  /** One checkpoint of the export directory. */
  record ExportCheckpoint(Path dir, CheckpointId id, Map<String, List<Path>> splits, CheckpointMetrics metrics) {}

  private enum State { NEW, SAME, DIFFERENT }

  private record Unit(ExportCheckpoint checkpoint, String split, State state, String difference) {}

  private NpzDirectoryImport() {}

  /** Imports the directory; see the class comment. */
  public static Result run(SnapshotArchive archive, Request r, Progress progress) {
    Path dir = r.directory();
    if (!Files.isDirectory(dir)) {
      throw new SnapshotFormatException(dir + ": not a directory");
    }
    Path headerFile = dir.resolve("export.json");
    requireInside(dir, headerFile);
    JsonNode header = readJson(headerFile, "the export directory's description (written by infoplane.ExportWriter)");
    requireFormat(header, headerFile);
    String model = option("--model", r.model(), text(header, "model"), dir);
    String dataset = option("--dataset", r.dataset(), text(header, "dataset"), dir);
    Integer headerClasses = numClasses(header, headerFile);
    Integer numClasses = r.numClasses() != null ? r.numClasses() : headerClasses;
    if (r.numClasses() != null && headerClasses != null && !r.numClasses().equals(headerClasses)) {
      throw new SnapshotFormatException(dir.resolve("export.json") + ": num_classes " + headerClasses
          + " differs from --num-classes " + r.numClasses());
    }

    List<ExportCheckpoint> checkpoints = listCheckpoints(dir);
    if (checkpoints.isEmpty()) {
      throw new SnapshotFormatException(dir + ": no checkpoint (directories epoch=E-step=S holding checkpoint.json)");
    }

    // plan: what exists already, and is it the same?
    boolean runExists = archive.hasRun(r.runId());
    RunReader reader = runExists ? archive.run(r.runId()) : null;
    Map<CheckpointId, CheckpointMetrics> storedMetrics = new TreeMap<>();
    if (reader != null) {
      for (CheckpointMetrics m : reader.metrics()) {
        storedMetrics.put(m.checkpoint(), m);
      }
    }
    List<Unit> units = new ArrayList<>();
    List<String> differences = new ArrayList<>();
    for (ExportCheckpoint c : checkpoints) {
      for (Map.Entry<String, List<Path>> s : c.splits().entrySet()) {
        String split = s.getKey();
        State state = State.NEW;
        String diff = null;
        if (reader != null && reader.manifest().splitSampleIds().containsKey(split)
            && reader.checkpoints(split).contains(c.id())) {
          diff = difference(reader, split, c.id(), s.getValue());
          state = diff == null ? State.SAME : State.DIFFERENT;
          if (diff != null) {
            differences.add(diff);
          }
        }
        units.add(new Unit(c, split, state, diff));
      }
      CheckpointMetrics before = storedMetrics.get(c.id());
      if (before != null && c.metrics() != null && !before.equals(c.metrics())) {
        differences.add("run " + r.runId() + ", " + c.id() + ": the archive holds other metrics (" + describe(before)
            + ") than " + c.dir().resolve("checkpoint.json") + " (" + describe(c.metrics()) + ")");
      }
    }
    if (!differences.isEmpty() && !r.replace()) {
      throw new SnapshotFormatException(differences.get(0) + (differences.size() > 1 ? " (and "
          + (differences.size() - 1) + " more)" : "") + "; give --replace to overwrite what differs");
    }

    int total = units.size() + (int) checkpoints.stream().filter(c -> c.metrics() != null).count();
    int done = 0;
    int imported = 0;
    int replaced = 0;
    int skipped = 0;
    int metricsWritten = 0;
    for (int index = 0; index < checkpoints.size(); index++) {
      ExportCheckpoint c = checkpoints.get(index);
      int splitsDone = 0;
      try {
        for (Unit u : units) {
          if (u.checkpoint() != c) {
            continue;
          }
          String what = "split " + u.split() + ", " + c.id();
          if (u.state() == State.SAME) {
            skipped++;
            splitsDone++;
            progress.step(++done, total, what + ": already imported, same content; skipped");
            continue;
          }
          NpzImport.Result res = NpzImport.run(archive, new NpzImport.Request(r.runId(), u.split(), c.id(), model,
              dataset, numClasses, u.state() == State.DIFFERENT, c.splits().get(u.split())));
          if (u.state() == State.DIFFERENT) {
            replaced++;
          } else {
            imported++;
          }
          splitsDone++;
          progress.step(++done, total, what + ": " + res.samples() + " samples, " + res.layers() + " layers"
              + (res.createdRun() ? " (new run)" : res.addedSplit() ? " (new split)" : "")
              + (u.state() == State.DIFFERENT ? " (replaced: " + u.difference() + ")" : ""));
        }
        if (c.metrics() != null) {
          CheckpointMetrics before = storedMetrics.get(c.id());
          if (c.metrics().equals(before)) {
            progress.step(++done, total, c.id() + ": metrics already imported; skipped");
          } else {
            archive.openRunForAppend(r.runId()).appendMetrics(c.metrics());
            metricsWritten++;
            progress.step(++done, total, c.id() + ": metrics " + describe(c.metrics()));
          }
        }
      } catch (IllegalArgumentException e) {
        throw new SnapshotFormatException(e.getMessage() + stoppedAt(c, index, checkpoints.size(), splitsDone,
            imported + replaced, metricsWritten), e);
      }
    }
    return new Result(r.runId(), checkpoints.size(), imported, replaced, skipped, metricsWritten, !runExists);
  }

  /**
   * What a refusal in the middle of an import adds: where it stopped, what is in the archive, and
   * that running the import again resumes.
   */
  private static String stoppedAt(ExportCheckpoint c, int index, int checkpoints, int splitsDone, int unitsWritten,
      int metricsWritten) {
    List<String> kept = new ArrayList<>();
    if (index > 0) {
      kept.add(index == 1 ? "the 1 checkpoint before it" : "the " + index + " checkpoints before it");
    }
    if (splitsDone > 0) {
      kept.add(splitsDone + " of this checkpoint's " + c.splits().size() + " splits");
    }
    String inArchive = kept.isEmpty() ? "nothing of the export is in the archive"
        : String.join(" and ", kept) + (kept.size() == 1 && (index == 1 || splitsDone == 1) ? " is" : " are")
            + " in the archive";
    return "; stopped at " + c.id() + " (checkpoint " + (index + 1) + " of " + checkpoints + "): " + inArchive + " ("
        + count(unitsWritten, "checkpoint split") + " and " + count(metricsWritten, "metrics file")
        + " imported by this command); the archive is consistent: fix it and run the command again to resume"
        + " (what is imported is skipped)";
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  // ---- the export directory ---------------------------------------------------------------------

  /**
   * export.json's {@code num_classes}: null when absent or null, else an integer >= 1; anything else
   * (a string, a fraction, a number beyond int) is refused naming the file, the field and the value.
   */
  static Integer numClasses(JsonNode header, Path file) {
    JsonNode v = header.get("num_classes");
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
      throw new SnapshotFormatException(file + ": num_classes must be an integer >= 1, got " + v);
    }
    return v.intValue();
  }

  /**
   * Refuses {@code path} (a file or directory of the export directory {@code dir}) when it leads out
   * of {@code dir} through a symbolic link, naming the first link on the way; a path that does not
   * exist passes (its reader reports it).
   */
  static void requireInside(Path dir, Path path) {
    Path real;
    Path realDir;
    try {
      real = path.toRealPath();
      realDir = dir.toRealPath();
    } catch (IOException e) {
      return;
    }
    if (real.startsWith(realDir)) {
      return;
    }
    Path link = path;
    Path at = dir;
    for (Path part : dir.relativize(path)) {
      at = at.resolve(part);
      if (Files.isSymbolicLink(at)) {
        link = at;
        break;
      }
    }
    throw new SnapshotFormatException(link + ": a symbolic link that leads out of the export directory " + dir
        + "; refused");
  }

  static List<ExportCheckpoint> listCheckpoints(Path dir) {
    List<ExportCheckpoint> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        Path json = e.resolve("checkpoint.json");
        if (Files.isDirectory(e) && Files.isRegularFile(json)) {
          requireInside(dir, json);
          out.add(readCheckpoint(dir, e, json));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot list: " + e.getMessage(), e);
    }
    out.sort((a, b) -> a.id().compareTo(b.id()));
    return out;
  }

  private static ExportCheckpoint readCheckpoint(Path export, Path dir, Path json) {
    JsonNode n = readJson(json, "a checkpoint's description");
    requireFormat(n, json);
    if (!n.path("epoch").canConvertToInt() || !n.path("step").canConvertToLong() || !n.path("epoch").isIntegralNumber()
        || !n.path("step").isIntegralNumber()) {
      throw new SnapshotFormatException(json + ": epoch and step must be integers, found epoch " + n.get("epoch")
          + ", step " + n.get("step"));
    }
    int epoch = n.get("epoch").asInt();
    long step = n.get("step").asLong();
    if (epoch < 0 || step < 0) {
      throw new SnapshotFormatException(json + ": epoch and step must be >= 0, found epoch " + epoch + ", step " + step);
    }
    CheckpointId id = new CheckpointId(epoch, step);
    Matcher m = CHECKPOINT_DIR.matcher(dir.getFileName().toString());
    if (!m.matches() || Integer.parseInt(m.group(1)) != epoch || Long.parseLong(m.group(2)) != step) {
      throw new SnapshotFormatException(json + ": says " + id + ", but its directory is named '" + dir.getFileName()
          + "' (expected epoch=" + epoch + "-step=" + step + ")");
    }
    JsonNode splits = n.path("splits");
    if (!splits.isObject() || splits.isEmpty()) {
      throw new SnapshotFormatException(json + ": 'splits' must map each split to its list of .npz files");
    }
    Map<String, List<Path>> files = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = splits.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> s = it.next();
      if (!s.getValue().isArray() || s.getValue().isEmpty()) {
        throw new SnapshotFormatException(json + ", split " + s.getKey() + ": expected a non-empty list of .npz files");
      }
      List<Path> list = new ArrayList<>();
      for (JsonNode f : s.getValue()) {
        String name = f.asText();
        if (!f.isTextual() || !FILE_NAME.matcher(name).matches()) {
          throw new SnapshotFormatException(json + ", split " + s.getKey() + ": file " + f
              + " must be a plain .npz file name in the checkpoint's directory");
        }
        Path p = dir.resolve(name);
        requireInside(export, p);
        if (!Files.isRegularFile(p)) {
          throw new SnapshotFormatException(json + ", split " + s.getKey() + ": file " + p + " is missing");
        }
        list.add(p);
      }
      files.put(s.getKey(), list);
    }
    return new ExportCheckpoint(dir, id, files, metrics(n.path("metrics"), id, json));
  }

  /** The checkpoint's metrics, or null when it has none. */
  static CheckpointMetrics metrics(JsonNode m, CheckpointId id, Path json) {
    if (m.isMissingNode() || m.isNull() || (m.isObject() && m.isEmpty())) {
      return null;
    }
    if (!m.isObject()) {
      throw new SnapshotFormatException(json + ": 'metrics' must map names to numbers, found " + m);
    }
    double loss = Double.NaN;
    double train = Double.NaN;
    double test = Double.NaN;
    Map<String, Double> other = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      JsonNode v = e.getValue();
      if (v.isNull()) {
        continue; // not measured
      }
      if (!v.isNumber()) {
        throw new SnapshotFormatException(json + ": metric " + name + " is " + v + ", not a number");
      }
      double d = v.asDouble();
      if (!Double.isFinite(d)) {
        throw new SnapshotFormatException(json + ": metric " + name + " is " + v + ", not a finite number");
      }
      if (name.endsWith("accuracy") && (d < 0 || d > 1)) {
        throw new SnapshotFormatException(json + ": metric " + name + " is " + v
            + "; accuracies are fractions in [0, 1] (a percentage divided by 100)");
      }
      switch (name) {
        case "loss" -> loss = d;
        case "train_accuracy" -> train = d;
        case "test_accuracy" -> test = d;
        default -> other.put(name, d);
      }
    }
    return new CheckpointMetrics(id, loss, train, test, other);
  }

  private static JsonNode readJson(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new SnapshotFormatException(file + ": missing (" + what + ")");
    }
    try {
      return SnapshotArchive.JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new SnapshotFormatException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
          + ")", e);
    }
  }

  private static void requireFormat(JsonNode n, Path file) {
    if (!FORMAT.equals(n.path("format").asText(null))) {
      throw new SnapshotFormatException(file + ": 'format' is " + n.get("format") + ", expected \"" + FORMAT + "\"");
    }
    if (n.path("format_version").asInt(-1) != FORMAT_VERSION) {
      throw new SnapshotFormatException(file + ": unknown export format version " + n.get("format_version")
          + " (this InfoPlane reads version " + FORMAT_VERSION + ")");
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static String option(String option, String given, String fromFile, Path dir) {
    if (given != null && fromFile != null && !given.equals(fromFile)) {
      throw new SnapshotFormatException(dir.resolve("export.json") + ": " + option.substring(2) + " '" + fromFile
          + "' differs from " + option + " '" + given + "'");
    }
    return given != null ? given : fromFile;
  }

  private static String describe(CheckpointMetrics m) {
    StringBuilder b = new StringBuilder();
    append(b, "loss", m.loss());
    append(b, "train_accuracy", m.trainAccuracy());
    append(b, "test_accuracy", m.testAccuracy());
    m.other().forEach((k, v) -> append(b, k, v));
    return b.length() == 0 ? "none" : b.toString();
  }

  private static void append(StringBuilder b, String name, double v) {
    if (!Double.isNaN(v)) {
      b.append(b.length() == 0 ? "" : ", ").append(name).append(' ').append(v);
    }
  }

  // ---- comparing with the archive -----------------------------------------------------------------

  /** Null when the files hold exactly the stored checkpoint; else the first difference. */
  static String difference(RunReader reader, String split, CheckpointId cp, List<Path> files) {
    RunManifest m = reader.manifest();
    String where = "run " + m.runId() + ", split " + split + ", " + cp;
    long[] ids = m.sampleIds(split);
    Map<Integer, ActivationValues> stored = new TreeMap<>();
    for (LayerInfo l : m.layers()) {
      stored.put(l.index(), reader.readActivationValues(split, cp, l.index(), null));
    }
    int row = 0;
    for (Path f : files) {
      Map<String, NpyArray> arrays = Npy.readNpz(f);
      Map<Integer, String> keys = new TreeMap<>();
      for (String k : arrays.keySet()) {
        Matcher km = NpzImport.LAYER_KEY.matcher(k);
        if (km.matches()) {
          keys.put(Integer.parseInt(km.group(1)), km.group(2));
        }
      }
      Map<Integer, String> want = new TreeMap<>();
      m.layers().forEach(l -> want.put(l.index(), l.name()));
      if (!keys.equals(want)) {
        return where + ": " + f + " holds layers " + keys + ", the archive's run has " + want;
      }
      NpyArray xa = arrays.get("x");
      int n = xa == null ? 0 : (int) xa.shape()[0];
      if (row + n > ids.length) {
        return where + ": the files hold more than the split's " + ids.length + " samples";
      }
      NpyArray ida = arrays.get("sample_id");
      long[] fileIds = ida == null ? null : ida.toLongs();
      for (int i = 0; i < n; i++) {
        long id = fileIds == null ? row + i : fileIds[i];
        if (id != ids[row + i]) {
          return where + ": " + f + " has sample id " + id + " at row " + (row + i) + ", the archive has " + ids[row + i];
        }
      }
      for (LayerInfo l : m.layers()) {
        NpyArray a = arrays.get("L" + l.index() + "_" + l.name());
        long[] shape = a.shape();
        long[] sample = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        if (!java.util.Arrays.equals(sample, l.shape()) || shape[0] != n) {
          return where + ", layer " + l.index() + " (" + l.name() + "): " + f + " has shape "
              + java.util.Arrays.toString(shape) + ", the archive has N × " + java.util.Arrays.toString(l.shape());
        }
        INDArray arr = a.toFloatArray();
        if (arr.dataType() != DataType.FLOAT) {
          arr = arr.castTo(DataType.FLOAT);
        }
        float[] given = arr.dup('c').data().asFloat();
        ActivationValues s = stored.get(l.index());
        int d = s.dimension();
        int offset = row * d;
        for (int k = 0; k < given.length; k++) {
          if (Float.floatToIntBits(given[k]) != Float.floatToIntBits(s.data()[offset + k])) {
            return where + ", layer " + l.index() + " (" + l.name() + "), sample id " + ids[row + k / d] + ", feature "
                + (k % d) + ": the archive has " + s.data()[offset + k] + ", " + f + " has " + given[k];
          }
        }
      }
      row += n;
    }
    if (row != ids.length) {
      return where + ": the files hold " + row + " samples, the archive's split has " + ids.length;
    }
    return null;
  }
}
