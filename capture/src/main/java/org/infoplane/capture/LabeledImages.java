package org.infoplane.capture;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Images with their labels: one split of a dataset (the training or the test file pair). The
 * sample id of an image is its index in the IDX file.
 */
public final class LabeledImages {

  private final Idx.Images images;
  private final int[] labels;
  private final int numClasses;

  /**
   * @throws DatasetException when the counts differ or a label is outside [0, numClasses)
   */
  public LabeledImages(Idx.Images images, int[] labels, String labelSource, int numClasses) {
    if (images.count() != labels.length) {
      throw new DatasetException(images.source() + " holds " + images.count() + " images but " + labelSource
          + " holds " + labels.length + " labels");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= numClasses) {
        throw new DatasetException(labelSource + ": label " + labels[i] + " of sample " + i + " is outside [0, "
            + numClasses + ")");
      }
    }
    this.images = images;
    this.labels = labels;
    this.numClasses = numClasses;
  }

  public int count() {
    return labels.length;
  }

  public int rows() {
    return images.rows();
  }

  public int cols() {
    return images.cols();
  }

  public int numClasses() {
    return numClasses;
  }

  /** Pixels per image. */
  public int pixels() {
    return images.size();
  }

  public int label(int sample) {
    return labels[sample];
  }

  /** The labels of these samples. */
  public int[] labels(int[] samples) {
    int[] out = new int[samples.length];
    for (int k = 0; k < samples.length; k++) {
      out[k] = labels[samples[k]];
    }
    return out;
  }

  /** The images of these samples: samples.length × (rows·cols), float32 in [0, 1], row-major. */
  public INDArray features(int[] samples) {
    int p = pixels();
    float[] v = new float[samples.length * p];
    for (int k = 0; k < samples.length; k++) {
      int i = samples[k];
      for (int j = 0; j < p; j++) {
        v[k * p + j] = images.pixel(i, j);
      }
    }
    return Nd4j.create(v, new long[] {samples.length, p}, 'c');
  }

  /** One-hot labels of these samples: samples.length × numClasses, float32. */
  public INDArray oneHot(int[] samples) {
    float[] v = new float[samples.length * numClasses];
    for (int k = 0; k < samples.length; k++) {
      v[k * numClasses + labels[samples[k]]] = 1f;
    }
    return Nd4j.create(v, new long[] {samples.length, numClasses}, 'c');
  }
}
