package org.infoplane.capture;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.SnapshotArchive;
import org.nd4j.linalg.api.buffer.BaseDataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Saved models (DL4J's {@link ModelSerializer} zip, with the updater state) on any Hadoop file
 * system, named {@code epoch=E-step=S.zip} after their checkpoint. They are written with DL4J's
 * serializer but read by {@link #load}, which deserializes no Java object.
 */
public final class ModelFiles {

  private ModelFiles() {}

  /** A saved model and the checkpoint its name stands for. */
  public record SavedModel(CheckpointId checkpoint, String uri) {}

  /**
   * Saves a model to {@code file}: written under a {@code _tmp-} name, then renamed, so a reader never
   * sees half a zip. Refuses to overwrite.
   *
   * @return the bytes written
   */
  public static long save(MultiLayerNetwork net, Path file, Configuration conf) {
    try {
      FileSystem fs = file.getFileSystem(conf);
      if (fs.exists(file)) {
        throw new IllegalArgumentException("the model " + file + " exists already");
      }
      fs.mkdirs(file.getParent());
      Path tmp = new Path(file.getParent(), "_tmp-" + UUID.randomUUID() + "-" + file.getName());
      try (OutputStream out = fs.create(tmp, false)) {
        ModelSerializer.writeModel(net, out, true);
      }
      if (!fs.rename(tmp, file)) {
        fs.delete(tmp, false);
        throw new IOException("cannot rename " + tmp + " to " + file);
      }
      return fs.getFileStatus(file).getLen();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the model " + file + ": " + e.getMessage(), e);
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

  /** The entries of a DL4J model zip that are read: the configuration (JSON) and the parameters. */
  static final String CONFIGURATION = "configuration.json";
  static final String COEFFICIENTS = "coefficients.bin";
  /** Entries that may be present and are skipped unread: the updater state, the no-parameters marker. */
  static final Set<String> SKIPPED = Set.of("updaterState.bin", "noParams.marker");
  /** The most bytes of configuration JSON read (a VGG-16's is about 40 KB). */
  static final int MAX_CONFIGURATION_BYTES = 16 << 20;

  /**
   * Loads a saved model (without its updater state) from DL4J's model zip, reading only its
   * {@code configuration.json} (JSON: first as data, accepting only the layer, activation,
   * preprocessor and other types of the networks InfoPlane trains, see
   * {@link ModelConfigurationCheck}; then through DL4J's configuration mapper) and its
   * {@code coefficients.bin} (ND4J's binary array format, checked against the parameter count the
   * configuration implies before anything is allocated). No Java object is deserialized: a zip with
   * any other entry (such as {@code preprocessor.bin}, a serialized Java object, or
   * {@code normalizer.bin}) is refused, as is one whose parameters do not match its configuration.
   *
   * @throws DatasetException naming the file and the entry when the zip is refused or damaged
   */
  public static MultiLayerNetwork load(String uri, Configuration conf) {
    return load(uri, conf, false);
  }

  /** Loads a saved model, with its updater state when {@code withUpdater} (to continue training). */
  public static MultiLayerNetwork load(String uri, Configuration conf, boolean withUpdater) {
    Path file = toPath(uri);
    String json = null;
    byte[] coefficients = null;
    try (ZipInputStream zip = new ZipInputStream(
        new BufferedInputStream(file.getFileSystem(conf).open(file)))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        String name = e.getName();
        if (name.equals(CONFIGURATION)) {
          json = new String(readEntry(zip, MAX_CONFIGURATION_BYTES, uri, name), StandardCharsets.UTF_8);
        } else if (name.equals(COEFFICIENTS)) {
          coefficients = readEntry(zip, (int) Math.min(Integer.MAX_VALUE - 8, Runtime.getRuntime().maxMemory() / 4),
              uri, name);
        } else if (!SKIPPED.contains(name)) {
          throw new DatasetException("cannot load the model " + uri + ": entry '" + name + "' is not read (only "
              + CONFIGURATION + " and " + COEFFICIENTS + " are; " + String.join(", ", SKIPPED.stream().sorted().toList())
              + " are skipped); models holding serialized Java objects or normalizers are refused");
        }
      }
    } catch (ZipException e) {
      throw new DatasetException("cannot load the model " + uri + ": not a valid zip: " + e.getMessage(), e);
    } catch (FileNotFoundException e) {
      throw new DatasetException("cannot load the model " + uri + ": no such file", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model " + uri + ": " + e.getMessage(), e);
    }
    if (json == null) {
      throw new DatasetException("cannot load the model " + uri + ": no " + CONFIGURATION + " entry (not a DL4J model zip)");
    }
    ModelConfigurationCheck.check(json, uri);
    MultiLayerConfiguration mlc;
    try {
      mlc = MultiLayerConfiguration.fromJson(json);
    } catch (RuntimeException e) {
      throw new DatasetException("cannot load the model " + uri + ": entry " + CONFIGURATION
          + " is not a DL4J multi-layer configuration: " + e.getMessage(), e);
    }
    long expected = 0;
    try {
      for (int i = 0; i < mlc.getConfs().size(); i++) {
        NeuralNetConfiguration c = mlc.getConf(i);
        expected = Math.addExact(expected, c.getLayer().initializer().numParams(c));
      }
    } catch (RuntimeException e) {
      throw new DatasetException("cannot load the model " + uri + ": entry " + CONFIGURATION
          + " describes layers whose parameters cannot be counted: " + e.getMessage(), e);
    }
    MultiLayerNetwork net;
    if (coefficients == null) {
      if (expected > 0) {
        throw new DatasetException("cannot load the model " + uri + ": no " + COEFFICIENTS + " entry for the "
            + expected + " parameters its configuration has");
      }
      net = new MultiLayerNetwork(mlc);
      net.init();
      return net;
    }
    INDArray params = readParameters(coefficients, expected, uri);
    mlc.setDataType(params.dataType());
    net = new MultiLayerNetwork(mlc);
    net.init(params, false);
    return net;
  }

  /** An entry's bytes, refused beyond {@code max}. */
  private static byte[] readEntry(ZipInputStream zip, int max, String uri, String name)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    for (int r = zip.read(buf); r >= 0; r = zip.read(buf)) {
      if (out.size() + (long) r > max) {
        throw new DatasetException("cannot load the model " + uri + ": entry '" + name + "' holds more than " + max
            + " bytes");
      }
      out.write(buf, 0, r);
    }
    return out.toByteArray();
  }

  /**
   * The parameters from ND4J's binary array format (a shape buffer, then a data buffer, each with a
   * header of allocation mode, length and data type): both headers are checked against the
   * configuration's parameter count and the bytes present before ND4J reads and allocates.
   */
  private static INDArray readParameters(byte[] bytes, long expected, String uri) {
    String where = "cannot load the model " + uri + ": entry " + COEFFICIENTS;
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      var shapeHeader = BaseDataBuffer.readHeader(in);
      long shapeLength = shapeHeader.getMiddle();
      DataType shapeType = shapeHeader.getRight();
      if (shapeLength < 0 || shapeLength > 2 * 32 + 4
          || (shapeType != DataType.LONG && shapeType != DataType.INT)) {
        throw new DatasetException(where + ": implausible shape header (" + shapeLength + " values of " + shapeType + ")");
      }
      in.skipNBytes(shapeLength * shapeType.width());
      var dataHeader = BaseDataBuffer.readHeader(in);
      long length = dataHeader.getMiddle();
      DataType type = dataHeader.getRight();
      if (!type.isFPType()) { // a COMPRESSED buffer is refused too
        throw new DatasetException(where + ": parameters of type " + type + ", expected floating point");
      }
      if (length != expected) {
        throw new DatasetException(where + ": holds " + length + " parameters, the configuration has " + expected);
      }
      long rest = in.available(); // what the byte array holds after the headers
      if (rest != length * type.width()) {
        throw new DatasetException(where + ": " + length + " parameters of " + type + " need " + length * type.width()
            + " bytes, the entry holds " + rest + " after its headers");
      }
      return Nd4j.read(new DataInputStream(new ByteArrayInputStream(bytes)));
    } catch (IOException | RuntimeException e) {
      if (e instanceof DatasetException d) {
        throw d;
      }
      throw new DatasetException(where + " is damaged: " + e.getMessage(), e);
    }
  }

  /**
   * The saved models of a directory (files named {@code epoch=E-step=S.zip}; other files are ignored),
   * in training order.
   *
   * @throws DatasetException when the directory is missing or holds no such file
   */
  public static List<SavedModel> list(String dir, Configuration conf) {
    Path d = toPath(dir);
    List<SavedModel> models = new ArrayList<>();
    try {
      FileSystem fs = d.getFileSystem(conf);
      if (!fs.isDirectory(d)) {
        throw new DatasetException("the models directory " + dir + " does not exist");
      }
      for (FileStatus s : fs.listStatus(d)) {
        Optional<CheckpointId> cp = SnapshotArchive.parseModelFileName(s.getPath().getName());
        if (s.isFile() && cp.isPresent()) {
          models.add(new SavedModel(cp.get(), s.getPath().toString()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the models in " + dir + ": " + e.getMessage(), e);
    }
    if (models.isEmpty()) {
      throw new DatasetException("the models directory " + dir + " holds no file named epoch=E-step=S.zip");
    }
    models.sort(Comparator.comparing(SavedModel::checkpoint));
    return models;
  }
}
