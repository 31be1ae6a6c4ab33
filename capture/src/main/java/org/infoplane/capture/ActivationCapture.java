package org.infoplane.capture;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The recorded activations of an evaluation set, computed in inference mode (BatchNorm with its
 * running statistics, no dropout), a chunk of samples at a time so that the network's intermediate
 * arrays stay bounded; plus the loss and accuracy read off the softmax output.
 */
public final class ActivationCapture {

  /** Samples per forward pass. */
  public static final int DEFAULT_CHUNK = 250;

  private final List<RecordedLayers.Recorded> recorded;
  private final int chunk;

  public ActivationCapture(List<RecordedLayers.Recorded> recorded, int chunk) {
    if (chunk < 1) {
      throw new IllegalArgumentException("chunk must be >= 1, got " + chunk);
    }
    if (!recorded.get(recorded.size() - 1).kind().equals("output")) {
      throw new IllegalArgumentException("the last recorded layer must be the softmax output, got "
          + recorded.get(recorded.size() - 1));
    }
    this.recorded = List.copyOf(recorded);
    this.chunk = chunk;
  }

  /**
   * What a pass over an evaluation set gives.
   *
   * @param layers one array per recorded layer, N × the layer's shape, float32, rows in input order
   * @param loss mean multi-class cross-entropy of the softmax output, in nats
   * @param accuracy fraction of samples whose most probable class is the label
   */
  public record Result(List<INDArray> layers, double loss, double accuracy) {}

  /** Runs the network on {@code x} (N × inputs) with labels {@code labels} (N). */
  public Result run(MultiLayerNetwork net, INDArray x, int[] labels) {
    long n = x.size(0);
    if (n != labels.length) {
      throw new IllegalArgumentException(n + " inputs but " + labels.length + " labels");
    }
    List<List<INDArray>> parts = new ArrayList<>();
    for (int k = 0; k < recorded.size(); k++) {
      parts.add(new ArrayList<>());
    }
    for (long from = 0; from < n; from += chunk) {
      long to = Math.min(n, from + chunk);
      INDArray part = x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup();
      List<INDArray> acts = net.feedForward(part, false);
      for (int k = 0; k < recorded.size(); k++) {
        parts.get(k).add(acts.get(recorded.get(k).networkIndex() + 1).castTo(DataType.FLOAT).dup('c'));
      }
    }
    List<INDArray> layers = new ArrayList<>();
    for (List<INDArray> p : parts) {
      layers.add(p.size() == 1 ? p.get(0) : Nd4j.concat(0, p.toArray(new INDArray[0])));
    }
    INDArray probs = layers.get(layers.size() - 1);
    Sums sums = new Sums();
    sums.add(probs.data().asFloat(), (int) probs.size(1), labels, 0);
    return new Result(layers, sums.loss / labels.length, (double) sums.correct / labels.length);
  }

  /**
   * The loss and accuracy of the network on {@code x} (N × inputs) with labels {@code labels} (N),
   * by the same inference-mode forward pass as {@link #run} (a chunk of samples at a time) without
   * keeping any activation: for a set too large to record, such as the validation split.
   *
   * @return {@code {loss, accuracy}}: mean cross-entropy of the softmax output (nats) and the fraction
   *     of samples whose most probable class is the label
   */
  public double[] evaluate(MultiLayerNetwork net, INDArray x, int[] labels) {
    long n = x.size(0);
    if (n != labels.length) {
      throw new IllegalArgumentException(n + " inputs but " + labels.length + " labels");
    }
    if (n == 0) {
      throw new IllegalArgumentException("no samples to evaluate");
    }
    int output = recorded.get(recorded.size() - 1).networkIndex() + 1;
    Sums sums = new Sums();
    for (long from = 0; from < n; from += chunk) {
      long to = Math.min(n, from + chunk);
      INDArray part = x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup();
      INDArray probs = net.feedForward(part, false).get(output).castTo(DataType.FLOAT).dup('c');
      sums.add(probs.data().asFloat(), (int) probs.size(1), labels, (int) from);
    }
    return new double[] {sums.loss / labels.length, (double) sums.correct / labels.length};
  }

  /** Summed cross-entropy (nats) and correct predictions over rows of softmax outputs. */
  private static final class Sums {
    double loss;
    int correct;

    /** Adds the rows of {@code p} (rows × classes, row-major), whose labels start at {@code labels[offset]}. */
    void add(float[] p, int classes, int[] labels, int offset) {
      int rows = p.length / classes;
      for (int i = 0; i < rows; i++) {
        int label = labels[offset + i];
        int best = 0;
        for (int c = 1; c < classes; c++) {
          if (p[i * classes + c] > p[i * classes + best]) {
            best = c;
          }
        }
        if (best == label) {
          correct++;
        }
        loss -= Math.log(Math.max(p[i * classes + label], Float.MIN_NORMAL));
      }
    }
  }
}
