package org.infoplane.capture;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An image classification dataset as two IDX file pairs (training and test). {@link #fashionMnist()}
 * names the files Debian's {@code dataset-fashion-mnist} package installs.
 *
 * @param name the dataset's name, recorded in run manifests
 */
public record ImageDataset(String name, Path trainImages, Path trainLabels, Path testImages, Path testLabels) {

  /** Where Debian's {@code dataset-fashion-mnist} installs Fashion-MNIST. */
  public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** Classes of MNIST-like datasets. */
  public static final int NUM_CLASSES = 10;

  public ImageDataset {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(trainImages, "trainImages");
    Objects.requireNonNull(trainLabels, "trainLabels");
    Objects.requireNonNull(testImages, "testImages");
    Objects.requireNonNull(testLabels, "testLabels");
  }

  /** Fashion-MNIST from {@link #FASHION_MNIST_DIR}; fails with the install command when it is missing. */
  public static ImageDataset fashionMnist() {
    Path d = FASHION_MNIST_DIR;
    ImageDataset ds = new ImageDataset("fashion-mnist", d.resolve("train-images-idx3-ubyte.gz"),
        d.resolve("train-labels-idx1-ubyte.gz"), d.resolve("t10k-images-idx3-ubyte.gz"),
        d.resolve("t10k-labels-idx1-ubyte.gz"));
    for (Path p : new Path[] {ds.trainImages, ds.trainLabels, ds.testImages, ds.testLabels}) {
      if (!Files.isRegularFile(p)) {
        throw new DatasetException("Fashion-MNIST is not installed (" + p + " is missing): install it with "
            + "'apt-get install dataset-fashion-mnist', or pass --train-images, --train-labels, --test-images "
            + "and --test-labels");
      }
    }
    return ds;
  }

  /** Reads the training pair. */
  public LabeledImages train() {
    return read(trainImages, trainLabels);
  }

  /** Reads the test pair. */
  public LabeledImages test() {
    return read(testImages, testLabels);
  }

  private static LabeledImages read(Path images, Path labels) {
    return new LabeledImages(Idx.readImages(images), Idx.readLabels(labels), labels.toString(), NUM_CLASSES);
  }
}
