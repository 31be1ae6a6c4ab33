package org.infoplane.capture;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.infoplane.snapshot.CheckpointId;
import org.infoplane.snapshot.SnapshotArchive;

/**
 * Saved models (DL4J's {@link ModelSerializer} zip, with the updater state) on any Hadoop file
 * system, named {@code epoch=E-step=S.zip} after their checkpoint.
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

  /** Loads a saved model (without its updater state). */
  public static MultiLayerNetwork load(String uri, Configuration conf) {
    Path file = toPath(uri);
    try (InputStream in = file.getFileSystem(conf).open(file)) {
      return ModelSerializer.restoreMultiLayerNetwork(in, false);
    } catch (IOException | RuntimeException e) {
      throw new DatasetException("cannot load the model " + uri + ": " + e.getMessage(), e);
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
