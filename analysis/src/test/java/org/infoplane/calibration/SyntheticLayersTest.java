package org.infoplane.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.infoplane.calibration.SyntheticLayers.Network;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The drifting network of the calibration: its entries keep their distribution, and the weights of
 * consecutive checkpoints correlate by √(1 − d). Checked on the 15,680 weights of one draw (the
 * sampling error of a correlation is about 1/√15,680 ≈ 0.008, of a variance ratio about 0.011:
 * the tolerances are four of those).
 */
class SyntheticLayersTest {

  private static double[] moments(float[] a, float[] b) {
    double saa = 0;
    double sbb = 0;
    double sab = 0;
    for (int i = 0; i < a.length; i++) {
      saa += a[i] * (double) a[i];
      sbb += b[i] * (double) b[i];
      sab += a[i] * (double) b[i];
    }
    return new double[] {saa / a.length, sbb / b.length, sab / Math.sqrt(saa * sbb)};
  }

  @Test
  void driftKeepsTheDistributionAndCorrelatesBySqrtOneMinusD() {
    SplittableRandom r = new SplittableRandom(11L);
    Network base = Network.draw(r);
    double variance = 1.0 / SyntheticLayers.INPUT_DIM;
    for (double d : new double[] {0.1, 0.3, 0.7}) {
      Network next = base.drift(d, r);
      double[] m = moments(base.weights(), next.weights());
      assertThat(m[0] / variance).as("base variance ratio").isCloseTo(1.0, within(0.045));
      assertThat(m[1] / variance).as("drifted variance ratio at d = " + d).isCloseTo(1.0, within(0.045));
      assertThat(m[2]).as("correlation at d = " + d).isCloseTo(Math.sqrt(1.0 - d), within(0.032));
    }
    assertThat(base.drift(0.0, r).weights()).containsExactly(base.weights());
    assertThat(moments(base.weights(), base.drift(1.0, r).weights())[2]).isCloseTo(0.0, within(0.032));
    assertThatThrownBy(() -> base.drift(1.5, r)).hasMessageContaining("drift must be in [0, 1], got 1.5");
  }

  @Test
  void aFreshPlantedLayerIsTheSameAsItsNetworksDraw() {
    INDArray x = SyntheticLayers.inputs(30, new SplittableRandom(3L));
    int[] y = SyntheticLayers.labels(30, new SplittableRandom(4L));
    INDArray fresh = SyntheticLayers.planted(x, y, 0.3, new SplittableRandom(5L));
    INDArray viaNetwork = SyntheticLayers.planted(x, y, 0.3, Network.draw(new SplittableRandom(5L)));
    assertThat(fresh.equalsWithEps(viaNetwork, 0.0)).isTrue();
  }
}
