package org.infoplane.capture;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.infoplane.snapshot.LayerInfo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which layers of a network are recorded, decided from the network alone (so that a saved model
 * needs no side information). Every convolution or dense layer opens a block; the block's output is
 * the last of the BatchNorm and activation layers that directly follow it, if any, else the layer
 * itself. The output layer is recorded too. Padding and pooling layers are not recorded. This
 * gives, for {@link Architecture}: MLP 5 layers (4 hidden blocks after BatchNorm, softmax), CNN 5
 * (3 conv, dense, softmax), VGG-16 16 (13 conv blocks conv → BatchNorm → activation, recorded after
 * the activation; 2 dense, softmax).
 *
 * <p>Kinds: {@code conv}, {@code dense}, {@code output}. Names: {@code conv1}..., {@code dense1}...,
 * {@code softmax}. Manifest layer indices are the positions among the recorded layers (0, 1, ...).
 */
public final class RecordedLayers {

  /**
   * A recorded layer.
   *
   * @param networkIndex the DL4J layer index whose output is recorded; {@code feedForward} lists it
   *     at position networkIndex + 1 (position 0 is the input)
   */
  public record Recorded(int networkIndex, String name, String kind) {}

  private RecordedLayers() {}

  /** The recorded layers of a network, in network order. */
  public static List<Recorded> of(MultiLayerNetwork net) {
    int n = net.getnLayers();
    List<Recorded> out = new ArrayList<>();
    int convs = 0;
    int denses = 0;
    for (int i = 0; i < n; i++) {
      Layer l = layer(net, i);
      if (l instanceof BaseOutputLayer) {
        out.add(new Recorded(i, "softmax", "output"));
      } else if (l instanceof ConvolutionLayer || l instanceof DenseLayer) {
        boolean conv = l instanceof ConvolutionLayer;
        String name = conv ? "conv" + (++convs) : "dense" + (++denses);
        int recorded = i;
        while (recorded + 1 < n && (layer(net, recorded + 1) instanceof BatchNormalization
            || layer(net, recorded + 1) instanceof ActivationLayer)) {
          recorded++;
        }
        out.add(new Recorded(recorded, name, conv ? "conv" : "dense"));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("the network has no convolution, dense or output layer to record");
    }
    return out;
  }

  /**
   * The manifest entries: each recorded layer with the shape of one sample's activations, found by
   * passing one input of {@code inputSize} zeros through the network.
   */
  public static List<LayerInfo> describe(MultiLayerNetwork net, List<Recorded> recorded, long inputSize) {
    INDArray probe = Nd4j.zeros(DataType.FLOAT, 1, inputSize);
    List<INDArray> acts = net.feedForward(probe, false);
    List<LayerInfo> infos = new ArrayList<>();
    for (int k = 0; k < recorded.size(); k++) {
      Recorded r = recorded.get(k);
      long[] shape = acts.get(r.networkIndex() + 1).shape();
      infos.add(new LayerInfo(k, r.name(), r.kind(), Arrays.copyOfRange(shape, 1, shape.length)));
    }
    return infos;
  }

  private static Layer layer(MultiLayerNetwork net, int i) {
    return net.getLayerWiseConfigurations().getConf(i).getLayer();
  }
}
