package org.infoplane.snapshot;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.infoplane.estimator.matrix.SquaredDistances;
import org.nd4j.linalg.api.ndarray.INDArray;

/** One run of a {@link SnapshotArchive}, for reading and writing. */
final class ParquetRun implements RunWriter, RunReader {

  static final String PART = "part-0.parquet";
  private static final Pattern EPOCH = Pattern.compile("epoch=(\\d+)");
  private static final Pattern STEP = Pattern.compile("step=(\\d+)");
  private static final Pattern METRICS = Pattern.compile("epoch=(\\d+)-step=(\\d+)\\.json");

  private final SnapshotArchive archive;
  private final RunManifest manifest;
  private final FileSystem fs;
  private final Path dir;

  ParquetRun(SnapshotArchive archive, RunManifest manifest) {
    this(archive, manifest, archive.runDir(manifest.runId()));
  }

  /** A run whose files live in {@code dir} (a staging directory before the run is published). */
  ParquetRun(SnapshotArchive archive, RunManifest manifest, Path dir) {
    this.archive = archive;
    this.manifest = manifest;
    this.fs = archive.fs();
    this.dir = dir;
  }

  @Override
  public RunManifest manifest() {
    return manifest;
  }

  private String where(String split) {
    return "run " + manifest.runId() + ", split " + split;
  }

  private String where(String split, CheckpointId cp, LayerInfo layer) {
    return where(split) + ", " + cp + ", layer " + layer.index() + " (" + layer.name() + ")";
  }

  Path inputsDir(String split) {
    return new Path(new Path(dir, "inputs"), "split=" + split);
  }

  Path splitDir(String split) {
    return new Path(new Path(dir, "activations"), "split=" + split);
  }

  Path checkpointDir(String split, CheckpointId cp) {
    return new Path(new Path(splitDir(split), "epoch=" + cp.epoch()), "step=" + cp.step());
  }

  static Path layerFile(Path checkpointDir, int layerIndex) {
    return new Path(new Path(checkpointDir, "layer=" + layerIndex), PART);
  }

  // ---- writing -----------------------------------------------------------------------------------

  @Override
  public void writeInputs(String split, INDArray x, int[] labels) {
    long[] ids = manifest.sampleIds(split);
    String where = where(split) + ", inputs";
    requireSamples(x, ids.length, where);
    if (labels.length != ids.length) {
      throw new SnapshotFormatException(where + ": " + labels.length + " labels for " + ids.length + " samples");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= manifest.numClasses()) {
        throw new SnapshotFormatException(where + ": label " + labels[i] + " of sample id " + ids[i]
            + " (row " + i + ") is outside [0, " + manifest.numClasses() + ")");
      }
    }
    SquaredDistances.requireFinite(x, where);
    Path target = inputsDir(split);
    try {
      if (fs.exists(target)) {
        throw new SnapshotFormatException(where + ": already written (" + target + ")");
      }
      Path tmp = new Path(new Path(dir, "inputs"), SnapshotArchive.TMP + UUID.randomUUID());
      long[] shape = Arrays.copyOfRange(x.shape(), 1, x.rank());
      ActivationFiles.write(new Path(tmp, PART), archive.conf(), ids, x, labels,
          Map.of("infoplane.shape", Arrays.toString(shape), "infoplane.run", manifest.runId(),
              "infoplane.split", split));
      publish(tmp, target);
    } catch (IOException e) {
      throw new UncheckedIOException(where + ": cannot write: " + e.getMessage(), e);
    }
  }

  @Override
  public void writeCheckpoint(String split, CheckpointId cp, List<INDArray> activations, boolean replace) {
    long[] ids = manifest.sampleIds(split);
    List<LayerInfo> layers = manifest.layers();
    if (activations.size() != layers.size()) {
      throw new SnapshotFormatException(where(split) + ", " + cp + ": " + activations.size()
          + " layer arrays given, the manifest lists " + layers.size() + " layers");
    }
    for (int k = 0; k < layers.size(); k++) {
      LayerInfo l = layers.get(k);
      INDArray a = activations.get(k);
      String where = where(split, cp, l);
      requireSamples(a, ids.length, where);
      long[] shape = Arrays.copyOfRange(a.shape(), 1, a.rank());
      if (!Arrays.equals(shape, l.shape())) {
        throw new SnapshotFormatException(where + ": shape per sample " + Arrays.toString(shape)
            + " differs from the manifest's " + Arrays.toString(l.shape()));
      }
      SquaredDistances.requireFinite(a, where);
    }
    Path target = checkpointDir(split, cp);
    try {
      if (fs.exists(target) && !replace) {
        throw new SnapshotFormatException(where(split) + ", " + cp + ": the checkpoint already exists (" + target
            + "); ask to replace it to overwrite");
      }
      Path tmp = new Path(splitDir(split), SnapshotArchive.TMP + UUID.randomUUID());
      for (int k = 0; k < layers.size(); k++) {
        LayerInfo l = layers.get(k);
        ActivationFiles.write(layerFile(tmp, l.index()), archive.conf(), ids, activations.get(k), null,
            Map.of("infoplane.shape", Arrays.toString(l.shape()), "infoplane.run", manifest.runId(),
                "infoplane.split", split, "infoplane.layer", l.name()));
      }
      fs.mkdirs(target.getParent());
      publish(tmp, target);
    } catch (IOException e) {
      throw new UncheckedIOException(where(split) + ", " + cp + ": cannot write: " + e.getMessage(), e);
    }
  }

  /**
   * Publishes a complete temporary directory by rename. An existing target is first moved aside
   * and deleted only once the new one is in place.
   */
  private void publish(Path tmp, Path target) throws IOException {
    Path old = null;
    if (fs.exists(target)) {
      old = new Path(target.getParent(), SnapshotArchive.TMP + "old-" + UUID.randomUUID());
      if (!fs.rename(target, old)) {
        throw new IOException("cannot move " + target + " aside");
      }
    }
    if (!fs.rename(tmp, target)) {
      if (old != null) {
        fs.rename(old, target);
      }
      throw new IOException("cannot rename " + tmp + " to " + target);
    }
    if (old != null) {
      fs.delete(old, true);
    }
  }

  @Override
  public void appendMetrics(CheckpointMetrics m) {
    Path file = new Path(new Path(dir, "metrics"),
        "epoch=" + m.checkpoint().epoch() + "-step=" + m.checkpoint().step() + ".json");
    try {
      fs.mkdirs(file.getParent());
      archive.writeJsonAtomically(file, new MetricsJson(m));
    } catch (IOException e) {
      throw new UncheckedIOException(where("-") + ": cannot write metrics " + file + ": " + e.getMessage(), e);
    }
  }

  private static void requireSamples(INDArray a, int n, String where) {
    if (a.rank() < 2) {
      throw new SnapshotFormatException(where + ": expected N × … samples, got shape " + Arrays.toString(a.shape()));
    }
    if (a.size(0) != n) {
      throw new SnapshotFormatException(where + ": " + a.size(0) + " samples, the split's evaluation set has " + n);
    }
  }

  // ---- reading -----------------------------------------------------------------------------------

  @Override
  public List<CheckpointId> checkpoints(String split) {
    manifest.sampleIds(split);
    List<CheckpointId> out = new ArrayList<>();
    try {
      Path sd = splitDir(split);
      if (!fs.exists(sd)) {
        return out;
      }
      for (FileStatus e : fs.listStatus(sd)) {
        Matcher em = EPOCH.matcher(e.getPath().getName());
        if (!e.isDirectory() || !em.matches()) {
          continue;
        }
        for (FileStatus s : fs.listStatus(e.getPath())) {
          Matcher sm = STEP.matcher(s.getPath().getName());
          if (s.isDirectory() && sm.matches()) {
            out.add(new CheckpointId(Integer.parseInt(em.group(1)), Long.parseLong(sm.group(1))));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(where(split) + ": cannot list checkpoints: " + e.getMessage(), e);
    }
    out.sort(null);
    return out;
  }

  @Override
  public INDArray readInputs(String split) {
    Inputs in = inputs(split, null);
    return ActivationFiles.toArray(in.content.values(), in.content.ids().length, in.shape);
  }

  @Override
  public ActivationValues readInputValues(String split, float[] reuse) {
    Inputs in = inputs(split, reuse);
    return new ActivationValues(in.content.values(), in.content.ids().length, in.shape);
  }

  @Override
  public int[] readLabels(String split) {
    long[] ids = manifest.sampleIds(split);
    String where = where(split) + ", labels";
    Path file = new Path(inputsDir(split), PART);
    try {
      if (!fs.exists(file)) {
        throw new SnapshotFormatException(where + ": missing (no " + file + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(where + ": " + e.getMessage(), e);
    }
    long[][] idsAndLabels = ActivationFiles.readIdsAndLabels(file, archive.conf(), ids.length, where);
    ActivationFiles.requireIds(ids, idsAndLabels[0], where + ", file " + file);
    int[] labels = new int[ids.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (int) idsAndLabels[1][i];
    }
    return labels;
  }

  record Inputs(ActivationFiles.Content content, long[] shape) {}

  Path inputsFile(String split) {
    return new Path(inputsDir(split), PART);
  }

  Inputs inputs(String split, float[] reuse) {
    long[] ids = manifest.sampleIds(split);
    String where = where(split) + ", inputs";
    Path file = new Path(inputsDir(split), PART);
    long[] shape;
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(file, archive.conf()))) {
      String s = r.getFooter().getFileMetaData().getKeyValueMetaData().get("infoplane.shape");
      if (s == null) {
        throw new SnapshotFormatException(where + ": file " + file + " lacks the infoplane.shape metadata");
      }
      shape = parseShape(s, where + ": file " + file);
    } catch (FileNotFoundException e) {
      throw new SnapshotFormatException(where + ": missing (no " + file + ")", e);
    } catch (SnapshotFormatException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SnapshotFormatException(where + ": file " + file + " cannot be read as Parquet (" + e + ")", e);
    }
    long d = 1;
    for (long x : shape) {
      d *= x;
    }
    ActivationFiles.Content c = ActivationFiles.read(file, archive.conf(), ids.length, d, true, where, reuse);
    ActivationFiles.requireIds(ids, c.ids(), where + ", file " + file);
    return new Inputs(c, shape);
  }

  @Override
  public INDArray readActivations(String split, CheckpointId cp, int layerIndex) {
    ActivationValues v = readActivationValues(split, cp, layerIndex, null);
    return ActivationFiles.toArray(v.data(), v.samples(), v.sampleShape());
  }

  @Override
  public ActivationValues readActivationValues(String split, CheckpointId cp, int layerIndex, float[] reuse) {
    long[] ids = manifest.sampleIds(split);
    LayerInfo layer = manifest.layer(layerIndex);
    String where = where(split, cp, layer);
    Path cd = checkpointDir(split, cp);
    Path file = layerFile(cd, layerIndex);
    try {
      if (!fs.exists(cd)) {
        throw new SnapshotFormatException(where + ": the checkpoint is not in the archive (no " + cd + ")");
      }
      if (!fs.exists(file)) {
        throw new SnapshotFormatException(where + ": the layer is missing at this checkpoint (no " + file + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(where + ": " + e.getMessage(), e);
    }
    ActivationFiles.Content c = ActivationFiles.read(file, archive.conf(), ids.length, layer.size(), false, where,
        reuse);
    ActivationFiles.requireIds(ids, c.ids(), where + ", file " + file);
    return new ActivationValues(c.values(), ids.length, layer.shape());
  }

  @Override
  public List<CheckpointMetrics> metrics() {
    List<CheckpointMetrics> out = new ArrayList<>();
    Path md = new Path(dir, "metrics");
    try {
      if (!fs.exists(md)) {
        return out;
      }
      for (FileStatus s : fs.listStatus(md)) {
        if (!METRICS.matcher(s.getPath().getName()).matches()) {
          continue;
        }
        try (InputStream in = fs.open(s.getPath())) {
          out.add(SnapshotArchive.JSON.readValue(in, MetricsJson.class).toMetrics());
        } catch (IOException | RuntimeException e) {
          throw new SnapshotFormatException("run " + manifest.runId() + ": metrics file " + s.getPath()
              + " cannot be read: " + e.getMessage(), e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("run " + manifest.runId() + ": cannot list metrics: " + e.getMessage(), e);
    }
    out.sort((a, b) -> a.checkpoint().compareTo(b.checkpoint()));
    return out;
  }

  static long[] parseShape(String s, String where) {
    String body = s.trim();
    if (!body.startsWith("[") || !body.endsWith("]")) {
      throw new SnapshotFormatException(where + ": bad shape metadata '" + s + "'");
    }
    body = body.substring(1, body.length() - 1).trim();
    if (body.isEmpty()) {
      return new long[0];
    }
    String[] parts = body.split(",");
    long[] out = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Long.parseLong(parts[i].trim());
    }
    return out;
  }

  /** The JSON form of a metrics file. */
  static final class MetricsJson {
    public int epoch;
    public long step;
    public Double loss;
    public Double trainAccuracy;
    public Double testAccuracy;
    /** Further numeric metrics by name; absent when there are none. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
    public java.util.Map<String, Double> other;

    MetricsJson() {}

    MetricsJson(CheckpointMetrics m) {
      epoch = m.checkpoint().epoch();
      step = m.checkpoint().step();
      loss = finiteOrNull(m.loss());
      trainAccuracy = finiteOrNull(m.trainAccuracy());
      testAccuracy = finiteOrNull(m.testAccuracy());
      other = m.other().isEmpty() ? null : new java.util.TreeMap<>(m.other());
    }

    CheckpointMetrics toMetrics() {
      return new CheckpointMetrics(new CheckpointId(epoch, step), nanIfNull(loss), nanIfNull(trainAccuracy),
          nanIfNull(testAccuracy), other);
    }

    private static Double finiteOrNull(double v) {
      return Double.isFinite(v) ? v : null;
    }

    private static double nanIfNull(Double v) {
      return v == null ? Double.NaN : v;
    }
  }
}
