package org.infoplane.estimator.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** BH q-values against SciPy, a worked example and the properties of the step-up adjustment. */
class BenjaminiHochbergTest {

  static final double TOL = 1e-15;

  @Test
  void matchesScipyFalseDiscoveryControl() {
    // SciPy 1.17.1 (NumPy 2.4.6), outside the project:
    //   scipy.stats.false_discovery_control([0.01, 0.04, 0.03, 0.005, 0.20, 0.04, 0.5, 0.9], method='bh')
    //   = [0.04, 0.064, 0.064, 0.04, 0.26666666666666666, 0.064, 0.5714285714285714, 0.9]
    double[] p = {0.01, 0.04, 0.03, 0.005, 0.20, 0.04, 0.5, 0.9};
    double[] expected = {0.04, 0.064, 0.064, 0.04, 0.26666666666666666, 0.064, 0.5714285714285714, 0.9};
    double[] q = BenjaminiHochberg.qValues(p);
    for (int i = 0; i < p.length; i++) {
      assertThat(q[i]).as("q[%d]", i).isCloseTo(expected[i], within(TOL));
    }
    assertThat(p).as("input unchanged").containsExactly(0.01, 0.04, 0.03, 0.005, 0.20, 0.04, 0.5, 0.9);
  }

  @Test
  void workedExampleIsPTimesMOverRank() {
    // m = 4, sorted p already increasing in p·m/rank: 0.001·4/1 = 0.004, 0.02·4/2 = 0.04,
    // 0.04·4/3 = 0.0533…, 0.3·4/4 = 0.3; the step-up minimum changes none of them.
    double[] q = BenjaminiHochberg.qValues(new double[] {0.3, 0.001, 0.04, 0.02});
    assertThat(q[0]).isCloseTo(0.3, within(TOL));
    assertThat(q[1]).isCloseTo(0.004, within(TOL));
    assertThat(q[2]).isCloseTo(0.04 * 4 / 3, within(TOL));
    assertThat(q[3]).isCloseTo(0.04, within(TOL));
  }

  @Test
  void nanPassesThroughAndDoesNotCountInM() {
    // Without the NaNs m = 2: q = {0.01·2/1, 0.04·2/2} = {0.02, 0.04}.
    double[] q = BenjaminiHochberg.qValues(new double[] {Double.NaN, 0.04, Double.NaN, 0.01});
    assertThat(q[0]).isNaN();
    assertThat(q[2]).isNaN();
    assertThat(q[1]).isCloseTo(0.04, within(TOL));
    assertThat(q[3]).isCloseTo(0.02, within(TOL));
    assertThat(BenjaminiHochberg.qValues(new double[0])).isEmpty();
    assertThat(BenjaminiHochberg.qValues(new double[] {Double.NaN})[0]).isNaN();
  }

  @Test
  void qIsAtLeastPMonotoneInPAndAtMostOne() {
    Random random = new Random(99);
    for (int trial = 0; trial < 50; trial++) {
      double[] p = new double[1 + random.nextInt(30)];
      for (int i = 0; i < p.length; i++) {
        p[i] = random.nextInt(4) == 0 ? random.nextDouble() * 0.01 : random.nextDouble();
      }
      double[] q = BenjaminiHochberg.qValues(p);
      Integer[] order = new Integer[p.length];
      Arrays.setAll(order, i -> i);
      Arrays.sort(order, (x, y) -> Double.compare(p[x], p[y]));
      for (int k = 0; k < p.length; k++) {
        int i = order[k];
        assertThat(q[i]).isGreaterThanOrEqualTo(p[i]).isLessThanOrEqualTo(1.0);
        if (k > 0) {
          assertThat(q[i]).isGreaterThanOrEqualTo(q[order[k - 1]]);
        }
      }
    }
  }

  @Test
  void aValueOutsideTheUnitIntervalIsNamed() {
    assertThatThrownBy(() -> BenjaminiHochberg.qValues(new double[] {0.1, 1.2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("p[1] must be in [0, 1] or NaN, got 1.2");
  }
}
