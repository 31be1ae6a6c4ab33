package org.infoplane.estimator.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.infoplane.estimator.matrix.SquaredDistances;
import org.infoplane.estimator.reference.TestData;
import org.junit.jupiter.api.Test;

/**
 * I(X;Y), the head of the chain X → T1 → … for I(T;Y) (METHOD.md §1), against closed forms: the
 * label kernel's entropy is the Rényi entropy of the class frequencies (METHOD.md §6, property 6).
 */
class InputInformationTest {

  static final double TOL = 1e-9;
  /** Classes 0..3 with 2, 3, 5 and 6 samples. */
  static final int[] LABELS = {0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3};
  static final double ALPHA = 1.01;

  /** 1/(1 − α) log2 Σ p_c^α of the classes of {@link #LABELS}. */
  static double renyiOfFrequencies() {
    double[] counts = {2, 3, 5, 6};
    double sum = 0.0;
    for (double c : counts) {
      sum += Math.pow(c / LABELS.length, ALPHA);
    }
    return Math.log(sum) / Math.log(2) / (1.0 - ALPHA);
  }

  private static RenyiTensorKernelEstimator.InputTerms inputs(double[][] x) {
    RenyiTensorKernelEstimator e = InformationPlaneEstimators.tensorKernel(RenyiSettings.defaults().withAlpha(ALPHA));
    return e.prepareInputs(SquaredDistances.of(TestData.nd(x)), LABELS, 4);
  }

  /**
   * Inputs that are their class, far apart (every sample of a class at one point): K_X is the
   * same-class indicator, K_X = K_Y = K_X ∘ K_Y, so I(X;Y) = S(X) = S(Y) = the entropy of the class
   * frequencies.
   */
  @Test
  void inputsThatAreTheirClassCarryTheLabelEntropy() {
    double[][] x = new double[LABELS.length][4];
    for (int i = 0; i < x.length; i++) {
      x[i][LABELS[i]] = 1000.0;
    }
    RenyiTensorKernelEstimator.InputTerms in = inputs(x);
    assertThat(in.hY()).isCloseTo(renyiOfFrequencies(), within(TOL));
    assertThat(in.iXY()).isCloseTo(renyiOfFrequencies(), within(TOL));
    assertThat(in.iXYErr()).isZero();
  }

  /**
   * Inputs all far apart (A_X = I/N): S(X) = S(X,Y) = log2 N, so I(X;Y) = S(Y), as I(X;T) = S(T)
   * for T of property 3.
   */
  @Test
  void inputsAllFarApartCarryTheLabelEntropyToo() {
    double[][] x = new double[LABELS.length][LABELS.length];
    for (int i = 0; i < x.length; i++) {
      x[i][i] = 1000.0;
    }
    RenyiTensorKernelEstimator.InputTerms in = inputs(x);
    assertThat(in.hX()).isCloseTo(Math.log(LABELS.length) / Math.log(2), within(TOL));
    assertThat(in.iXY()).isCloseTo(in.hY(), within(TOL));
  }

  /** Property 4: 0 ≤ I(X;Y) ≤ min(S(X), S(Y)) on ordinary inputs. */
  @Test
  void inputInformationIsBoundedByBothEntropies() {
    RenyiTensorKernelEstimator.InputTerms in = inputs(TestData.gaussian(new java.util.Random(3), LABELS.length, 9, 2.0));
    assertThat(in.iXY()).isBetween(-TOL, Math.min(in.hX(), in.hY()) + TOL);
  }
}
