package org.infoplane.estimator.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.OptionalDouble;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;

/** The binning baseline on cases whose plug-in entropies are known in closed form. */
class BinningEstimatorTest extends InformationPlaneEstimatorContract {

  private static final double LOG2 = Math.log(2.0);

  @Override
  InformationPlaneEstimator estimator() {
    return InformationPlaneEstimators.binning(BinningEstimator.DEFAULT_BINS);
  }

  /** Distinct inputs (one symbol each): H(X) = log2 N, and T is a function of X. */
  private static double[][] distinctInputs(int n) {
    double[][] x = new double[n][2];
    for (int i = 0; i < n; i++) {
      x[i][0] = i;
      x[i][1] = -0.5 * i;
    }
    return x;
  }

  @Test
  void kEquiprobableBinPatternsGiveLog2K() {
    // Two units taking 0 or 1 (the layer's range [0, 1] puts them in bins 0 and 29): four
    // patterns, 10 samples each: H(T) = 2 bits; T is a function of the distinct X: I(X;T) = H(T).
    int n = 40;
    double[][] t = new double[n][2];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      t[i][0] = (i % 4) / 2;
      t[i][1] = (i % 4) % 2;
      y[i] = i % 2;
    }
    IpEstimate e = run(IpBatch.of(TestData.nd(distinctInputs(n)), TestData.nd(t), y, 2));
    assertThat(e.hX()).isCloseTo(Math.log(n) / LOG2, within(BITS_TOL));
    assertThat(e.hT()).isCloseTo(2.0, within(BITS_TOL));
    assertThat(e.hY()).isCloseTo(1.0, within(BITS_TOL));
    assertThat(e.iXT()).isCloseTo(2.0, within(BITS_TOL));
    // y = i mod 2 is the second unit: I(T;Y) = H(Y) = 1 bit
    assertThat(e.iTY()).isCloseTo(1.0, within(BITS_TOL));
    assertThat(e.sigmaT()).isEmpty();
  }

  @Test
  void layerWhoseBinsAreTheLabelsCarriesAllOfH_Y() {
    // Unbalanced classes 0..4 with counts 12, 8, 4, 4, 2; T = the label as one unit.
    int[] counts = {12, 8, 4, 4, 2};
    int n = 30;
    int[] y = new int[n];
    int pos = 0;
    for (int c = 0; c < counts.length; c++) {
      for (int k = 0; k < counts[c]; k++) {
        y[pos++] = c;
      }
    }
    double[][] t = new double[n][1];
    for (int i = 0; i < n; i++) {
      t[i][0] = y[i];
    }
    double hY = 0.0;
    for (int c : counts) {
      double p = c / (double) n;
      hY -= p * Math.log(p) / LOG2;
    }
    IpEstimate e = run(IpBatch.of(TestData.nd(distinctInputs(n)), TestData.nd(t), y, 5));
    assertThat(e.hY()).isCloseTo(hY, within(BITS_TOL));
    assertThat(e.hT()).isCloseTo(hY, within(BITS_TOL));
    assertThat(e.iTY()).isCloseTo(hY, within(BITS_TOL));
    assertThat(e.iXT()).isCloseTo(hY, within(BITS_TOL));
  }

  @Test
  void valuesWithinOneBinAreOneSymbol() {
    // Range [0, 3] in 3 bins: 0.1 and 0.9 share bin 0, 1.5 is bin 1, 3.0 (the top) is bin 2.
    double[][] t = {{0.0}, {0.1}, {0.9}, {1.5}, {3.0}, {2.2}};
    int[] y = {0, 0, 0, 1, 1, 1};
    IpEstimate e = InformationPlaneEstimators.binning(3)
        .estimate(IpBatch.of(TestData.nd(distinctInputs(6)), TestData.nd(t), y, 2), OptionalDouble.empty());
    // symbols: {0,0,0,1,2,2} → p = (1/2, 1/6, 1/3)
    double h = -(0.5 * Math.log(0.5) + Math.log(1 / 6.0) / 6 + Math.log(1 / 3.0) / 3) / LOG2;
    assertThat(e.hT()).isCloseTo(h, within(BITS_TOL));
    assertThat(e.iTY()).isCloseTo(1.0, within(BITS_TOL)); // the bins determine the class
  }

  @Test
  void constantLayerHasZeroEntropy() {
    double[][] t = new double[20][3];
    for (double[] row : t) {
      Arrays.fill(row, 0.7);
    }
    int[] y = new int[20];
    for (int i = 0; i < 20; i++) {
      y[i] = i % 4;
    }
    IpEstimate e = run(IpBatch.of(TestData.nd(distinctInputs(20)), TestData.nd(t), y, 4));
    assertThat(e.hT()).isCloseTo(0.0, within(BITS_TOL));
    assertThat(e.iXT()).isCloseTo(0.0, within(BITS_TOL));
    assertThat(e.iTY()).isCloseTo(0.0, within(BITS_TOL));
    assertThat(e.hY()).isCloseTo(2.0, within(BITS_TOL));
  }

  @Test
  void nameCarriesTheBinCount() {
    assertThat(InformationPlaneEstimators.binning(30).name()).isEqualTo("binning-30");
    assertThat(InformationPlaneEstimators.byName("binning", RenyiSettings.defaults()).name()).isEqualTo("binning-30");
    assertThat(InformationPlaneEstimators.byName("binning-12", RenyiSettings.defaults()).name()).isEqualTo("binning-12");
  }
}
