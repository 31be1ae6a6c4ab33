package org.infoplane.snapshot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.infoplane.io.Npy;
import org.infoplane.io.NpyArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Imports one checkpoint of activations from NumPy {@code .npz} files into a {@link
 * SnapshotArchive}.
 *
 * <p>Each file holds {@code x} (N × …, float), {@code y} (N integer labels), optionally {@code
 * sample_id} (N integers; by default the row positions 0…N−1, counted across all files), and one
 * array per layer named {@code L<index>_<name>} (N × …, any float dtype and rank ≥ 2); the index
 * orders the layers. Several files are consecutive chunks of the samples of one checkpoint: they
 * must hold the same keys with the same per-sample shapes and are concatenated along axis 0 in the
 * order given. Values are stored as float32 (float64 files are rounded; a value that overflows
 * float32 is reported as infinite).
 *
 * <p>Rules against the archive:
 *
 * <ul>
 *   <li>the first import of a run creates its manifest: layers from the keys (rank ≥ 4 including
 *       the sample axis → {@code conv}, else {@code dense}), classes from {@code numClasses} or the
 *       largest label + 1, and the split with its sample ids;
 *   <li>a later import must give the manifest's layers (index, name, shape) and labels within its
 *       classes; for a split the manifest has, the same sample ids and the same x and y as the
 *       stored inputs, bit for bit (a split's inputs are fixed when it is first imported);
 *   <li>a split the manifest lacks is added to it (the manifest is rewritten atomically) and its
 *       inputs are written;
 *   <li>an existing checkpoint is refused unless {@code replace} is set.
 * </ul>
 *
 * Everything is read and checked before anything is written, so a refused import leaves the
 * archive as it was. Every problem is a {@link SnapshotFormatException} naming the file, run,
 * split, checkpoint, layer, sample and feature as they apply.
 */
public final class NpzImport {

  /** The name pattern of a layer's key. */
  public static final Pattern LAYER_KEY = Pattern.compile("L(\\d+)_([A-Za-z0-9_.\\-]+)");

  private static final String KEY_HELP = "expected x, y, sample_id or L<index>_<name> (e.g. L0_conv1, L12_fc2;"
      + " name: letters, digits, '_', '-', '.')";

  /** What to import. {@code model}, {@code dataset} and {@code numClasses} may be null. */
  public record Request(String runId, String split, CheckpointId checkpoint, String model, String dataset,
      Integer numClasses, boolean replace, List<Path> files, Long stepsPerEpoch) {
    /** A request that records no steps per epoch. */
    public Request(String runId, String split, CheckpointId checkpoint, String model, String dataset,
        Integer numClasses, boolean replace, List<Path> files) {
      this(runId, split, checkpoint, model, dataset, numClasses, replace, files, null);
    }

    public Request {
      if (stepsPerEpoch != null && stepsPerEpoch < 1) {
        throw new IllegalArgumentException("--steps-per-epoch must be >= 1, got " + stepsPerEpoch);
      }
      Objects.requireNonNull(runId, "runId");
      Objects.requireNonNull(split, "split");
      Objects.requireNonNull(checkpoint, "checkpoint");
      files = List.copyOf(files);
      if (files.isEmpty()) {
        throw new IllegalArgumentException("no .npz file given");
      }
      if (numClasses != null && numClasses < 1) {
        throw new IllegalArgumentException("--num-classes must be >= 1, got " + numClasses);
      }
    }
  }

  /** What an import did. */
  public record Result(String runId, String split, CheckpointId checkpoint, int samples, int layers,
      boolean createdRun, boolean addedSplit, boolean wroteInputs, boolean replacedCheckpoint) {}

  private NpzImport() {}

  /** One layer's array of one file: values float32 in C order, N × shape. */
  private record LayerArray(String key, int index, String name, long[] shape, float[] values) {}

  /** One file's arrays. */
  private record Chunk(Path file, int n, long[] xShape, float[] x, int[] y, long[] ids,
      TreeMap<Integer, LayerArray> layers) {}

  /** Imports the request's files as one checkpoint; see the class comment for the rules. */
  public static Result run(SnapshotArchive archive, Request r) {
    List<Chunk> chunks = new ArrayList<>();
    for (Path f : r.files()) {
      chunks.add(readChunk(f));
    }
    Chunk first = chunks.get(0);
    for (Chunk c : chunks.subList(1, chunks.size())) {
      requireSameLayout(first, c);
    }

    // concatenate along the sample axis
    int n = 0;
    for (Chunk c : chunks) {
      n = Math.addExact(n, c.n());
    }
    long[] ids = new long[n];
    int[] y = new int[n];
    float[] x = new float[Math.toIntExact((long) n * perSample(first.xShape()))];
    Map<Integer, float[]> layerValues = new LinkedHashMap<>();
    for (LayerArray l : first.layers().values()) {
      layerValues.put(l.index(), new float[Math.toIntExact((long) n * perSample(l.shape()))]);
    }
    int row = 0;
    for (Chunk c : chunks) {
      for (int i = 0; i < c.n(); i++) {
        ids[row + i] = c.ids() == null ? row + i : c.ids()[i];
      }
      System.arraycopy(c.y(), 0, y, row, c.n());
      System.arraycopy(c.x(), 0, x, row * (int) perSample(first.xShape()), c.x().length);
      for (LayerArray l : c.layers().values()) {
        System.arraycopy(l.values(), 0, layerValues.get(l.index()), row * (int) perSample(l.shape()), l.values().length);
      }
      row += c.n();
    }
    requireUniqueIds(chunks, ids);

    String where = "run " + r.runId() + ", split " + r.split() + ", " + r.checkpoint();
    boolean exists = archive.hasRun(r.runId());
    RunManifest existing = exists ? archive.readManifest(r.runId()) : null;
    int classes;
    if (existing != null) {
      classes = existing.numClasses();
      if (r.numClasses() != null && r.numClasses() != classes) {
        throw new SnapshotFormatException("run " + r.runId() + ": --num-classes " + r.numClasses()
            + " differs from the manifest's " + classes);
      }
      requireSameText("--model", r.model(), existing.model(), r.runId());
      requireSameText("--dataset", r.dataset(), existing.dataset(), r.runId());
      if (r.stepsPerEpoch() != null && existing.stepsPerEpoch().isPresent()
          && existing.stepsPerEpoch().getAsLong() != r.stepsPerEpoch()) {
        throw new SnapshotFormatException("run " + r.runId() + ": --steps-per-epoch " + r.stepsPerEpoch()
            + " differs from the manifest's " + RunManifest.STEPS_PER_EPOCH + " " + existing.stepsPerEpoch().getAsLong());
      }
    } else {
      int max = -1;
      for (int v : y) {
        max = Math.max(max, v);
      }
      classes = r.numClasses() != null ? r.numClasses() : max + 1;
    }
    requireLabelsInRange(chunks, classes, where);

    List<LayerInfo> layers = new ArrayList<>();
    for (LayerArray l : first.layers().values()) {
      layers.add(new LayerInfo(l.index(), l.name(), l.shape().length + 1 >= 4 ? "conv" : "dense", l.shape()));
    }
    if (layers.isEmpty()) {
      throw new SnapshotFormatException(first.file() + ": no layer array (keys L<index>_<name>, e.g. L0_conv1)");
    }
    List<INDArray> activations = new ArrayList<>();
    for (LayerInfo l : layers) {
      activations.add(ActivationFiles.toArray(layerValues.get(l.index()), n, l.shape()));
    }
    INDArray xs = ActivationFiles.toArray(x, n, first.xShape());

    if (existing == null) {
      Map<String, String> props = new LinkedHashMap<>();
      props.put("imported.from", r.files().stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(",")));
      if (r.stepsPerEpoch() != null) {
        props.put(RunManifest.STEPS_PER_EPOCH, Long.toString(r.stepsPerEpoch()));
      }
      RunManifest m = new RunManifest(r.runId(), r.model() == null ? "unknown" : r.model(),
          r.dataset() == null ? "unknown" : r.dataset(), 0L, "infoplane import npz", RunManifest.FORMAT_VERSION,
          layers, Map.of(r.split(), ids), classes, props);
      archive.createRun(m, w -> {
        w.writeInputs(r.split(), xs, y);
        w.writeCheckpoint(r.split(), r.checkpoint(), activations, false);
      });
      return new Result(r.runId(), r.split(), r.checkpoint(), n, layers.size(), true, true, true, false);
    }

    requireSameLayers(existing, layers, first);
    // Recorded once the checkpoint is written, so that a refused import changes nothing.
    boolean recordSteps = r.stepsPerEpoch() != null && existing.stepsPerEpoch().isEmpty();
    ParquetRun run = new ParquetRun(archive, existing);
    requireTrainingOrder(run, r.checkpoint(), where);
    if (!existing.splitSampleIds().containsKey(r.split())) {
      archive.addSplit(r.runId(), r.split(), ids, w -> {
        w.writeInputs(r.split(), xs, y);
        w.writeCheckpoint(r.split(), r.checkpoint(), activations, false);
      });
      if (recordSteps) {
        archive.setProperty(r.runId(), RunManifest.STEPS_PER_EPOCH, Long.toString(r.stepsPerEpoch()));
      }
      return new Result(r.runId(), r.split(), r.checkpoint(), n, layers.size(), false, true, true, false);
    }

    long[] known = existing.sampleIds(r.split());
    if (known.length != n) {
      throw new SnapshotFormatException("run " + r.runId() + ", split " + r.split() + ": the files hold " + n
          + " samples, the manifest's split has " + known.length + " (a split's samples are fixed at its first import)");
    }
    for (int i = 0; i < n; i++) {
      if (known[i] != ids[i]) {
        throw new SnapshotFormatException("run " + r.runId() + ", split " + r.split() + ": sample id at row " + i
            + " is " + ids[i] + " (" + fileOfRow(chunks, i) + "), the manifest says " + known[i]
            + " (a split's samples are fixed at its first import)");
      }
    }
    boolean replaced = run.checkpoints(r.split()).contains(r.checkpoint());
    if (replaced && !r.replace()) {
      throw new SnapshotFormatException(where + ": the checkpoint already exists ("
          + run.checkpointDir(r.split(), r.checkpoint()) + "); give --replace to overwrite it");
    }
    boolean writeInputs;
    try {
      writeInputs = !archive.fs().exists(run.inputsFile(r.split()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(where + ": " + e.getMessage(), e);
    }
    if (!writeInputs) {
      requireSameInputs(run, r, chunks, xs, y, ids);
    }
    if (writeInputs) {
      run.writeInputs(r.split(), xs, y);
    }
    boolean written = false;
    try {
      run.writeCheckpoint(r.split(), r.checkpoint(), activations, r.replace());
      written = true;
    } finally {
      if (writeInputs && !written) {
        archive.removeQuietly(run.inputsDir(r.split())); // the inputs this import wrote go with its checkpoint
      }
    }
    if (recordSteps) {
      archive.setProperty(r.runId(), RunManifest.STEPS_PER_EPOCH, Long.toString(r.stepsPerEpoch()));
    }
    return new Result(r.runId(), r.split(), r.checkpoint(), n, layers.size(), false, false, writeInputs, replaced);
  }

  // ---- reading one file --------------------------------------------------------------------------

  private static Chunk readChunk(Path file) {
    Map<String, NpyArray> arrays = Npy.readNpz(file);
    NpyArray xa = null;
    NpyArray ya = null;
    NpyArray ida = null;
    TreeMap<Integer, String> layerKeys = new TreeMap<>();
    for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
      String key = e.getKey();
      switch (key) {
        case "x" -> xa = e.getValue();
        case "y" -> ya = e.getValue();
        case "sample_id" -> ida = e.getValue();
        default -> {
          Matcher m = LAYER_KEY.matcher(key);
          if (!m.matches()) {
            throw new SnapshotFormatException(file + ": key '" + key + "' does not follow the naming: " + KEY_HELP);
          }
          int index;
          try {
            index = Integer.parseInt(m.group(1));
          } catch (NumberFormatException ex) {
            throw new SnapshotFormatException(file + ": key '" + key + "': layer index too large");
          }
          String before = layerKeys.put(index, key);
          if (before != null) {
            throw new SnapshotFormatException(file + ": keys '" + before + "' and '" + key + "' have the same layer index "
                + index + "; each layer needs its own index");
          }
        }
      }
    }
    if (xa == null || ya == null) {
      throw new SnapshotFormatException(file + ": missing " + (xa == null && ya == null ? "arrays x and y"
          : xa == null ? "array x (the inputs, N × …)" : "array y (the N integer labels)")
          + "; keys present: " + arrays.keySet());
    }

    // sample counts
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("x", firstDim(xa));
    counts.put("y", firstDim(ya));
    if (ida != null) {
      counts.put("sample_id", firstDim(ida));
    }
    for (String k : layerKeys.values()) {
      counts.put(k, firstDim(arrays.get(k)));
    }
    if (counts.values().stream().distinct().count() > 1) {
      throw new SnapshotFormatException(file + ": sample counts differ between arrays (axis 0): "
          + counts.entrySet().stream().map(e -> e.getKey() + " has " + e.getValue()).collect(Collectors.joining(", ")));
    }
    int n = Math.toIntExact(counts.get("x"));
    if (n == 0) {
      throw new SnapshotFormatException(file + ": holds no sample (x has shape " + Arrays.toString(xa.shape())
          + "); a checkpoint needs at least one");
    }

    float[] x = floats(xa, file, "x");
    long[] xShape = sampleShape(xa, file, "x");
    requireFinite(x, xShape, n, file, "array x", ida == null ? null : ida.toLongs());
    int[] y = ya.toLabels();
    long[] ids = null;
    if (ida != null) {
      if (ida.shape().length != 1) {
        throw new SnapshotFormatException(file + ": sample_id must be one-dimensional (N), found shape "
            + Arrays.toString(ida.shape()));
      }
      ids = ida.toLongs();
    }
    for (int i = 0; i < n; i++) {
      if (y[i] < 0) {
        throw new SnapshotFormatException(file + ": label " + y[i] + " of sample " + describeSample(ids, i)
            + " is negative; labels are class indices 0, 1, …");
      }
    }
    TreeMap<Integer, LayerArray> layers = new TreeMap<>();
    for (Map.Entry<Integer, String> e : layerKeys.entrySet()) {
      String key = e.getValue();
      NpyArray a = arrays.get(key);
      Matcher m = LAYER_KEY.matcher(key);
      m.matches();
      String what = "layer " + e.getKey() + " (" + m.group(2) + ", key " + key + ")";
      long[] shape = sampleShape(a, file, what);
      float[] v = floats(a, file, what);
      requireFinite(v, shape, n, file, what, ids);
      layers.put(e.getKey(), new LayerArray(key, e.getKey(), m.group(2), shape, v));
    }
    return new Chunk(file, n, xShape, x, y, ids, layers);
  }

  private static long firstDim(NpyArray a) {
    long[] s = a.shape();
    return s.length == 0 ? 1 : s[0];
  }

  private static long[] sampleShape(NpyArray a, Path file, String what) {
    long[] s = a.shape();
    if (s.length < 2) {
      throw new SnapshotFormatException(file + ", " + what + ": expected N × … (rank >= 2), found shape "
          + Arrays.toString(s) + "; give one value per sample as shape (N, 1)");
    }
    return Arrays.copyOfRange(s, 1, s.length);
  }

  private static float[] floats(NpyArray a, Path file, String what) {
    if (a.kind() != NpyArray.Kind.FLOAT) {
      throw new SnapshotFormatException(file + ", " + what + ": expected floating-point values, found dtype " + a.dtype());
    }
    INDArray arr = a.toFloatArray();
    if (arr.dataType() != DataType.FLOAT) {
      arr = arr.castTo(DataType.FLOAT);
    }
    return arr.dup('c').data().asFloat();
  }

  private static long perSample(long[] shape) {
    long d = 1;
    for (long s : shape) {
      d *= s;
    }
    return d;
  }

  private static String describeSample(long[] ids, int row) {
    return ids == null ? "at row " + row : "id " + ids[row] + " (row " + row + ")";
  }

  /** Names the first NaN or infinity: file, array, sample, feature (flat and per-axis). */
  private static void requireFinite(float[] v, long[] shape, int n, Path file, String what, long[] ids) {
    int d = (int) perSample(shape);
    for (int k = 0; k < v.length; k++) {
      if (!Float.isFinite(v[k])) {
        int row = k / d;
        int feature = k % d;
        throw new SnapshotFormatException(file + ", " + what + ": value " + v[k] + " at sample "
            + describeSample(ids, row) + ", feature " + feature + unravel(feature, shape)
            + "; activations must be finite");
      }
    }
  }

  private static String unravel(int flat, long[] shape) {
    if (shape.length < 2) {
      return "";
    }
    long[] idx = new long[shape.length];
    long rest = flat;
    for (int a = shape.length - 1; a >= 0; a--) {
      idx[a] = rest % shape[a];
      rest /= shape[a];
    }
    return " " + Arrays.toString(idx);
  }

  // ---- checks across files and against the archive ---------------------------------------------

  private static void requireSameLayout(Chunk a, Chunk b) {
    if (!Arrays.equals(a.xShape(), b.xShape())) {
      throw new SnapshotFormatException(b.file() + ": x has per-sample shape " + Arrays.toString(b.xShape()) + ", "
          + a.file() + " has " + Arrays.toString(a.xShape()) + " (files given together are chunks of one checkpoint)");
    }
    if ((a.ids() == null) != (b.ids() == null)) {
      throw new SnapshotFormatException((a.ids() == null ? b : a).file() + " has sample_id, "
          + (a.ids() == null ? a : b).file() + " has not; give it in every file or in none");
    }
    List<String> ka = a.layers().values().stream().map(LayerArray::key).toList();
    List<String> kb = b.layers().values().stream().map(LayerArray::key).toList();
    if (!ka.equals(kb)) {
      throw new SnapshotFormatException(b.file() + ": layer keys " + kb + " differ from " + a.file() + "'s " + ka
          + " (files given together are chunks of one checkpoint)");
    }
    for (LayerArray la : a.layers().values()) {
      LayerArray lb = b.layers().get(la.index());
      if (!Arrays.equals(la.shape(), lb.shape())) {
        throw new SnapshotFormatException(b.file() + ", layer " + la.index() + " (" + la.name() + "): per-sample shape "
            + Arrays.toString(lb.shape()) + ", " + a.file() + " has " + Arrays.toString(la.shape()));
      }
    }
  }

  private static void requireUniqueIds(List<Chunk> chunks, long[] ids) {
    Map<Long, Integer> seen = new java.util.HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      Integer before = seen.put(ids[i], i);
      if (before != null) {
        throw new SnapshotFormatException("sample id " + ids[i] + " appears twice: row " + before + " ("
            + fileOfRow(chunks, before) + ") and row " + i + " (" + fileOfRow(chunks, i) + ")");
      }
    }
  }

  private static Path fileOfRow(List<Chunk> chunks, int row) {
    int start = 0;
    for (Chunk c : chunks) {
      if (row < start + c.n()) {
        return c.file();
      }
      start += c.n();
    }
    throw new IllegalStateException("row " + row + " is past the end");
  }

  private static void requireLabelsInRange(List<Chunk> chunks, int classes, String where) {
    for (Chunk c : chunks) {
      for (int i = 0; i < c.n(); i++) {
        if (c.y()[i] >= classes) {
          throw new SnapshotFormatException(c.file() + " (" + where + "): label " + c.y()[i] + " of sample "
              + describeSample(c.ids(), i) + " is outside [0, " + classes + ")");
        }
      }
    }
  }

  private static void requireSameText(String option, String given, String stored, String runId) {
    if (given != null && !given.equals(stored)) {
      throw new SnapshotFormatException("run " + runId + ": " + option + " '" + given + "' differs from the manifest's '"
          + stored + "'");
    }
  }

  private static void requireSameLayers(RunManifest m, List<LayerInfo> given, Chunk first) {
    Map<Integer, LayerInfo> byIndex = new TreeMap<>();
    for (LayerInfo l : given) {
      byIndex.put(l.index(), l);
    }
    for (LayerInfo want : m.layers()) {
      LayerInfo got = byIndex.get(want.index());
      if (got == null) {
        throw new SnapshotFormatException(first.file() + ": run " + m.runId() + "'s layer " + want.index() + " ("
            + want.name() + ") is missing (expected key L" + want.index() + "_" + want.name() + ")");
      }
      if (!got.name().equals(want.name())) {
        throw new SnapshotFormatException(first.file() + ": key L" + got.index() + "_" + got.name() + ": run "
            + m.runId() + " names layer " + want.index() + " '" + want.name() + "' (expected key L" + want.index()
            + "_" + want.name() + ")");
      }
      if (!Arrays.equals(got.shape(), want.shape())) {
        throw new SnapshotFormatException(first.file() + ", layer " + want.index() + " (" + want.name()
            + "): per-sample shape " + Arrays.toString(got.shape()) + " differs from run " + m.runId()
            + "'s manifest " + Arrays.toString(want.shape()));
      }
    }
    for (LayerInfo l : given) {
      boolean known = m.layers().stream().anyMatch(w -> w.index() == l.index());
      if (!known) {
        throw new SnapshotFormatException(first.file() + ": key L" + l.index() + "_" + l.name() + " is not a layer of run "
            + m.runId() + " (its layers: " + m.layers() + ")");
      }
    }
  }

  /**
   * Refuses a checkpoint whose (epoch, step) contradicts the training order of the run's other
   * checkpoints, in any split: a later epoch at an earlier step (as an import without {@code --step}
   * after one with it) would be analysed, and its width smoothed, out of order.
   */
  private static void requireTrainingOrder(ParquetRun run, CheckpointId cp, String where) {
    for (String split : run.manifest().splitSampleIds().keySet()) {
      for (CheckpointId other : run.checkpoints(split)) {
        if (cp.contradicts(other)) {
          throw new SnapshotFormatException(where + ": contradicts the training order of the run's " + other
              + " (split " + split + "): " + (cp.epoch() > other.epoch() ? "a later epoch at an earlier step"
              : "an earlier epoch at a later step") + "; checkpoints are ordered by step, then epoch: give --step"
              + " the global training step of each checkpoint");
        }
      }
    }
  }

  private static void requireSameInputs(ParquetRun run, Request r, List<Chunk> chunks, INDArray xs, int[] y, long[] ids) {
    String where = "run " + r.runId() + ", split " + r.split();
    ParquetRun.Inputs stored = run.inputs(r.split(), null);
    long[] given = Arrays.copyOfRange(xs.shape(), 1, xs.rank());
    if (!Arrays.equals(stored.shape(), given)) {
      throw new SnapshotFormatException(where + ": x has per-sample shape " + Arrays.toString(given)
          + ", the split's stored inputs have " + Arrays.toString(stored.shape())
          + " (a split's inputs are fixed at its first import)");
    }
    float[] sv = stored.content().values();
    float[] gv = xs.data().asFloat();
    int d = (int) perSample(given);
    for (int k = 0; k < sv.length; k++) {
      if (Float.floatToIntBits(sv[k]) != Float.floatToIntBits(gv[k])) {
        int row = k / d;
        throw new SnapshotFormatException(where + ": x of sample id " + ids[row] + " (row " + row + ", "
            + fileOfRow(chunks, row) + "), feature " + (k % d) + " is " + gv[k] + ", the stored inputs have " + sv[k]
            + " (a split's inputs are fixed at its first import)");
      }
    }
    int[] sy = stored.content().labels();
    for (int i = 0; i < sy.length; i++) {
      if (sy[i] != y[i]) {
        throw new SnapshotFormatException(where + ": y of sample id " + ids[i] + " (row " + i + ", "
            + fileOfRow(chunks, i) + ") is " + y[i] + ", the stored label is " + sy[i]
            + " (a split's inputs are fixed at its first import)");
      }
    }
  }
}
