package org.infoplane.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.infoplane.snapshot.LayerInfo;
import org.junit.jupiter.api.Test;

/** The recorded layers of the three networks: how many, their kinds and shapes. */
class NetworkSpecTest {

  private static List<LayerInfo> layers(NetworkSpec spec) {
    MultiLayerNetwork net = spec.build();
    return RecordedLayers.describe(net, RecordedLayers.of(net), 784);
  }

  private static String summary(List<LayerInfo> layers) {
    StringBuilder sb = new StringBuilder();
    for (LayerInfo l : layers) {
      sb.append(l.name()).append(':').append(l.kind()).append(java.util.Arrays.toString(l.shape())).append(' ');
    }
    return sb.toString().trim();
  }

  @Test
  void vgg16RecordsSixteenLayers() {
    // Multiplier 1/16: channels 4-4 | 8-8 | 16x3 | 32x3 | 32x3, dense 256; 32x32 input halved by each pool.
    List<LayerInfo> l = layers(NetworkSpec.of(Architecture.VGG16, 0.09, 1.0 / 16, 1));
    assertThat(l).hasSize(16);
    assertThat(summary(l)).isEqualTo("conv1:conv[4, 32, 32] conv2:conv[4, 32, 32] conv3:conv[8, 16, 16] "
        + "conv4:conv[8, 16, 16] conv5:conv[16, 8, 8] conv6:conv[16, 8, 8] conv7:conv[16, 8, 8] "
        + "conv8:conv[32, 4, 4] conv9:conv[32, 4, 4] conv10:conv[32, 4, 4] conv11:conv[32, 2, 2] "
        + "conv12:conv[32, 2, 2] conv13:conv[32, 2, 2] dense1:dense[256] dense2:dense[256] softmax:output[10]");
    assertThat(l).extracting(LayerInfo::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  }

  @Test
  void vgg16BlocksAreConvThenBatchNormThenActivationAndRecordAfterTheActivation() {
    MultiLayerNetwork net = NetworkSpec.of(Architecture.VGG16, 0.09, 1.0 / 16, 1).build();
    List<RecordedLayers.Recorded> r = RecordedLayers.of(net);
    for (RecordedLayers.Recorded rec : r.subList(0, 13)) {
      int i = rec.networkIndex();
      var conv = (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) net.getLayerWiseConfigurations().getConf(i - 2)
          .getLayer();
      assertThat(conv.getActivationFn()).as(rec.name() + " conv: linear")
          .isInstanceOf(org.nd4j.linalg.activations.impl.ActivationIdentity.class);
      assertThat(net.getLayerWiseConfigurations().getConf(i - 1).getLayer()).as(rec.name() + " then BatchNorm")
          .isInstanceOf(org.deeplearning4j.nn.conf.layers.BatchNormalization.class);
      var act = (org.deeplearning4j.nn.conf.layers.ActivationLayer) net.getLayerWiseConfigurations().getConf(i)
          .getLayer();
      assertThat(act.getActivationFn()).as(rec.name() + " then ReLU, recorded")
          .isInstanceOf(org.nd4j.linalg.activations.impl.ActivationReLU.class);
    }
    // Recorded after the ReLU: no negative activation.
    org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.rand(
        org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, NetworkSpec.SIDE * NetworkSpec.SIDE);
    List<org.nd4j.linalg.api.ndarray.INDArray> acts = net.feedForward(x, false);
    for (RecordedLayers.Recorded rec : r.subList(0, 13)) {
      assertThat(acts.get(rec.networkIndex() + 1).minNumber().doubleValue()).as(rec.name()).isGreaterThanOrEqualTo(0.0);
    }
  }

  @Test
  void mlpRecordsFourHiddenBlocksAndTheSoftmax() {
    List<LayerInfo> l = layers(NetworkSpec.of(Architecture.MLP, 0.09, 1, 1));
    assertThat(summary(l)).isEqualTo(
        "dense1:dense[1024] dense2:dense[20] dense3:dense[20] dense4:dense[20] softmax:output[10]");
  }

  @Test
  void cnnRecordsThreeConvsTheDenseAndTheSoftmax() {
    List<LayerInfo> l = layers(NetworkSpec.of(Architecture.CNN, 0.09, 1, 1));
    assertThat(summary(l)).isEqualTo(
        "conv1:conv[4, 28, 28] conv2:conv[8, 28, 28] conv3:conv[16, 14, 14] dense1:dense[256] softmax:output[10]");
  }

  @Test
  void badParametersAreRefused() {
    assertThatThrownBy(() -> new NetworkSpec(Architecture.MLP, "sigmoid", 0.09, 1, 1))
        .hasMessage("activation must be tanh or relu, got 'sigmoid'");
    assertThatThrownBy(() -> NetworkSpec.of(Architecture.MLP, -1, 1, 1)).hasMessage("learning rate must be > 0, got -1.0");
    assertThatThrownBy(() -> Architecture.parse("resnet")).hasMessage("unknown model 'resnet': choose one of mlp, cnn, vgg16");
  }

  @Test
  void evaluationIdsAreDeterministicSortedAndDistinct() {
    int[] a = EvaluationSets.choose("train", 300, 100, 7);
    assertThat(a).hasSize(100).isSorted().doesNotHaveDuplicates();
    assertThat(java.util.Arrays.stream(a).allMatch(i -> i >= 0 && i < 300)).isTrue();
    assertThat(EvaluationSets.choose("train", 300, 100, 7)).isEqualTo(a);
    assertThat(EvaluationSets.choose("train", 300, 100, 8)).isNotEqualTo(a);
    assertThat(EvaluationSets.choose("test", 300, 100, 7)).isNotEqualTo(a);
    assertThat(EvaluationSets.choose("test", 50, 100, 7)).hasSize(50);
  }
}
