package org.infoplane.estimator.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The BLAS self-check: ND4J's OpenBLAS passes it under the kernels of this JVM (the build runs this
 * class under every kernel family the CPU has), and a wrong result injected into any one checked
 * routine is refused with one line naming the call, the kernel and the way out.
 */
class NumericSelfCheckTest {

  /** A relative error far below what a wrong kernel gives (0.3 to 50 measured) and far above round-off. */
  private static final double INJECTED = 1e-6;

  @Test
  void theKernelsOfThisJvmComputeEveryCheckedCallRight() {
    List<NumericSelfCheck.Result> results = new NumericSelfCheck(NumericSelfCheck.OPENBLAS).run();
    assertThat(results).hasSize(11);
    for (NumericSelfCheck.Result r : results) {
      assertThat(r.passed()).as("%s: error %s (kernel %s)", r.call(), r.error(), NumericSelfCheck.kernelInUse())
          .isTrue();
    }
    // The estimator's entry points run the same check on first use; it passes here too.
    NumericSelfCheck.requireRightKernels();
  }

  @ParameterizedTest
  @CsvSource({
      "dgemm, cblas_dgemm",
      "dsyrk, cblas_dsyrk",
      "ssyrk, cblas_ssyrk",
      "dgeqrf, LAPACKE_dgeqrf",
      "dorgqr, LAPACKE_dorgqr",
      "dstev, LAPACKE_dstev",
      "dsyev, LAPACKE_dsyev",
      "nd4jSyev, ND4J lapack().syev"})
  void aWrongResultOfAnyCheckedRoutineIsRefusedWithOneLine(String routine, String named) {
    NumericSelfCheck check = new NumericSelfCheck(new WrongOne(routine));
    NumericSelfCheck.Result failed = check.firstFailure(check.run());
    assertThat(failed).isNotNull();
    assertThat(failed.call()).contains(named);
    assertThat(failed.error()).isGreaterThan(failed.tolerance());

    String line = check.verdict("SkylakeX (OPENBLAS_CORETYPE)");
    assertThat(line)
        .doesNotContain("\n")
        .contains(named)
        .contains("SkylakeX (OPENBLAS_CORETYPE)")
        .contains("OPENBLAS_CORETYPE=Haswell")
        .contains(String.format(java.util.Locale.ROOT, "%.3g", failed.error()));
  }

  @Test
  void rightRoutinesGiveNoVerdict() {
    assertThat(new NumericSelfCheck(NumericSelfCheck.OPENBLAS).verdict("any")).isNull();
  }

  @Test
  void thePropertyTurnsItOffAndRefusesOtherValues() {
    assertThat(NumericSelfCheck.enabled(null)).isTrue();
    assertThat(NumericSelfCheck.enabled("true")).isTrue();
    assertThat(NumericSelfCheck.enabled("false")).isFalse();
    assertThatThrownBy(() -> NumericSelfCheck.enabled("off"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("infoplane.blas.selfcheck must be true or false, got 'off'");
  }

  @Test
  void theKernelIsNamedFromTheEnvironment() {
    String forced = System.getenv("OPENBLAS_CORETYPE");
    String expected = forced == null || forced.isBlank() ? "OPENBLAS_CORETYPE unset" : forced + " (OPENBLAS_CORETYPE)";
    assertThat(NumericSelfCheck.kernelInUse()).contains(expected);
  }

  /** ND4J's OpenBLAS with one routine's result made wrong by a relative {@value #INJECTED}. */
  private static final class WrongOne implements NumericSelfCheck.Routines {
    private final NumericSelfCheck.Routines ok = NumericSelfCheck.OPENBLAS;
    private final String wrong;

    WrongOne(String wrong) {
      this.wrong = wrong;
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int lda,
        double[] b, int ldb, double beta, double[] c, int ldc) {
      ok.dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      if (wrong.equals("dgemm")) {
        c[c.length - 1] *= 1.0 + INJECTED;
      }
    }

    @Override
    public void dsyrk(int n, int k, double[] a, double[] c) {
      ok.dsyrk(n, k, a, c);
      if (wrong.equals("dsyrk")) {
        c[1] *= 1.0 + INJECTED;
      }
    }

    @Override
    public void ssyrk(int n, int k, float[] a, float[] c) {
      ok.ssyrk(n, k, a, c);
      if (wrong.equals("ssyrk")) {
        c[1] += 1.0f; // against Σ|a·b| ≈ 128: 8e-3, above float32's tolerance of 1e-4
      }
    }

    @Override
    public int dgeqrf(int m, int n, double[] a, double[] tau) {
      int info = ok.dgeqrf(m, n, a, tau);
      if (wrong.equals("dgeqrf")) {
        a[n - 1] *= 1.0 + INJECTED; // an entry of R
      }
      return info;
    }

    @Override
    public int dorgqr(int m, int n, double[] a, double[] tau) {
      int info = ok.dorgqr(m, n, a, tau);
      if (wrong.equals("dorgqr")) {
        a[0] *= 1.0 + INJECTED;
      }
      return info;
    }

    @Override
    public int dstev(int n, double[] d, double[] e, double[] z) {
      int info = ok.dstev(n, d, e, z);
      if (wrong.equals("dstev")) {
        d[n / 2] *= 1.0 + INJECTED;
      }
      return info;
    }

    @Override
    public int dsyev(int n, double[] a, double[] w) {
      int info = ok.dsyev(n, a, w);
      if (wrong.equals("dsyev")) {
        w[n - 1] *= 1.0 + INJECTED;
      }
      return info;
    }

    @Override
    public int nd4jSyev(int n, double[] a, double[] w) {
      int info = ok.nd4jSyev(n, a, w);
      if (wrong.equals("nd4jSyev")) {
        w[n - 1] *= 1.0 + INJECTED;
      }
      return info;
    }
  }
}
