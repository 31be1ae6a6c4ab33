package org.infoplane.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.infoplane.capture.ImageDataset;
import picocli.CommandLine.Option;

/** Where a command's images come from: a named dataset, or four IDX files. */
public final class DatasetOptions {

  @Option(names = "--dataset", paramLabel = "NAME",
      description = "A named dataset: fashion-mnist (Debian's dataset-fashion-mnist package).")
  String dataset;

  @Option(names = "--train-images", paramLabel = "FILE", description = "Training images (IDX, idx3-ubyte, plain or gzip).")
  Path trainImages;

  @Option(names = "--train-labels", paramLabel = "FILE", description = "Training labels (IDX, idx1-ubyte).")
  Path trainLabels;

  @Option(names = "--test-images", paramLabel = "FILE", description = "Test images (IDX, idx3-ubyte).")
  Path testImages;

  @Option(names = "--test-labels", paramLabel = "FILE", description = "Test labels (IDX, idx1-ubyte).")
  Path testLabels;

  /** The dataset the options name. */
  public ImageDataset resolve() {
    boolean anyFile = trainImages != null || trainLabels != null || testImages != null || testLabels != null;
    if (dataset != null) {
      if (anyFile) {
        throw new BadInputException("give either --dataset or the four IDX files, not both");
      }
      if (dataset.toLowerCase(Locale.ROOT).equals("fashion-mnist")) {
        return ImageDataset.fashionMnist();
      }
      throw new BadInputException("unknown dataset '" + dataset + "': use fashion-mnist, or give --train-images, "
          + "--train-labels, --test-images and --test-labels");
    }
    if (trainImages == null || trainLabels == null || testImages == null || testLabels == null) {
      throw new BadInputException("give --dataset fashion-mnist, or all four of --train-images, --train-labels, "
          + "--test-images and --test-labels");
    }
    return new ImageDataset("idx:" + trainImages.toAbsolutePath().getParent(), trainImages, trainLabels, testImages,
        testLabels);
  }
}
