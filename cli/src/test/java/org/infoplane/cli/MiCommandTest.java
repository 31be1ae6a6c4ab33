package org.infoplane.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.infoplane.io.NpyFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code infoplane mi} end to end on .npy files, against closed forms (METHOD.md §6) and for every
 * kind of bad input.
 */
class MiCommandTest {

  private static final double TOL = 1e-9;
  private static final double LOG2_10 = Math.log(10) / Math.log(2);
  private static final double LOG2_100 = Math.log(100) / Math.log(2);
  private static final int N = 200;
  private static final int CLASSES = 10;

  @TempDir Path dir;
  Path x;
  Path t;
  Path y;

  /**
   * A case with a closed form: inputs 100·e_i are mutually far apart (A_X = I/N for σ_X = 8), T is
   * 50·onehot(label) so that with σ_T = 1 the layer kernel is exactly the same-class indicator, and
   * labels i mod 10 put ten samples of each class in each batch of 100. Then per batch
   * S(X) = log2 100 and S(T) = S(Y) = I(X;T) = I(T;Y) = log2 10, for any α.
   */
  @BeforeEach
  void writeClosedFormCase() throws Exception {
    float[] xv = new float[N * N];
    float[] tv = new float[N * CLASSES];
    long[] yv = new long[N];
    for (int i = 0; i < N; i++) {
      xv[i * N + i] = 100f;
      yv[i] = i % CLASSES;
      tv[i * CLASSES + (int) yv[i]] = 50f;
    }
    x = NpyFiles.writeFloat32(dir.resolve("X.npy"), new long[] {N, N}, xv);
    t = NpyFiles.writeFloat32(dir.resolve("T.npy"), new long[] {N, CLASSES}, tv);
    y = NpyFiles.writeInt64(dir.resolve("Y.npy"), yv);
  }

  @Test
  void fixedWidthGivesTheClosedForm() throws Exception {
    for (String alpha : new String[] {"1.01", "1", "2", "0.5"}) {
      Result r = run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(),
          "--sigma-t", "1", "--alpha", alpha, "--format", "json");
      assertThat(r.code).as(r.err).isZero();
      JsonNode j = new ObjectMapper().readTree(r.out);
      assertThat(j.get("h_x").asDouble()).as("alpha " + alpha).isCloseTo(LOG2_100, within(TOL));
      assertThat(j.get("h_t").asDouble()).isCloseTo(LOG2_10, within(TOL));
      assertThat(j.get("h_y").asDouble()).isCloseTo(LOG2_10, within(TOL));
      assertThat(j.get("i_xt").asDouble()).isCloseTo(LOG2_10, within(TOL));
      assertThat(j.get("i_ty").asDouble()).isCloseTo(LOG2_10, within(TOL));
      assertThat(j.get("sigma_t").asDouble()).isEqualTo(1.0);
      assertThat(j.get("n_batches").asInt()).isEqualTo(2);
    }
  }

  @Test
  void bothDistancePrecisionsGiveTheClosedForm() throws Exception {
    // Integer-valued activations: the single-precision Gram products are exact here, as are the double ones.
    for (String precision : new String[] {"float32", "float64"}) {
      Result r = run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(), "--sigma-t", "1",
          "--distance-precision", precision, "--format", "json");
      assertThat(r.code).as(r.err).isZero();
      JsonNode j = new ObjectMapper().readTree(r.out);
      assertThat(j.get("h_x").asDouble()).as(precision).isCloseTo(LOG2_100, within(TOL));
      assertThat(j.get("i_xt").asDouble()).as(precision).isCloseTo(LOG2_10, within(TOL));
      assertThat(j.get("i_ty").asDouble()).as(precision).isCloseTo(LOG2_10, within(TOL));
    }
    assertBadInput(run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(),
        "--distance-precision", "half"), "distance", "half", "float32 or float64");
  }

  @Test
  void autoWidthPicksTheSmallestGridPointWhenLabelsAreSeparated() throws Exception {
    // Every sigma below ~2.6 makes K_T exactly the same-class indicator (exp underflows to 0), so
    // the alignment ties at its maximum there and the rule must return the grid's first point 0.1.
    Result r = run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(), "--format", "json");
    assertThat(r.code).as(r.err).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out);
    assertThat(j.get("sigma_t").asDouble()).isCloseTo(0.1, within(1e-12));
    assertThat(j.get("i_ty").asDouble()).isCloseTo(LOG2_10, within(TOL));
  }

  @Test
  void tableFormatShowsEveryQuantity() {
    Result r = run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(), "--sigma-t", "1");
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("I(X;T)", "I(T;Y)", "H(T)", "H(X)", "H(Y)", "sigma_T", "batches", "3.3219");
  }

  @Test
  void kernelDensityBoundGivesTheClusterEntropies() throws Exception {
    // T's classes are identical points 50·√2 apart (≫ s = √0.1), ten per class in each batch: the
    // bound's I(X;T) is the entropy of the cluster sizes, log2 10, and so is I(T;Y) (clusters =
    // labels); the 100 distinct inputs have H(X) = log2 100. No kernel width.
    Result r = run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(),
        "--estimator", "kde-upper", "--format", "json");
    assertThat(r.code).as(r.err).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out);
    assertThat(j.get("i_xt").asDouble()).isCloseTo(LOG2_10, within(TOL));
    assertThat(j.get("i_ty").asDouble()).isCloseTo(LOG2_10, within(TOL));
    assertThat(j.get("h_t").asDouble()).isCloseTo(LOG2_10, within(TOL));
    assertThat(j.get("h_x").asDouble()).isCloseTo(LOG2_100, within(TOL));
    assertThat(j.get("h_y").asDouble()).isCloseTo(LOG2_10, within(TOL));
    assertThat(j.get("sigma_t").isNull()).isTrue();
    assertThat(j.get("n_batches").asInt()).isEqualTo(2);
    assertBadInput(run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(),
        "--estimator", "kde-upper-0"), "infoplane.estimator", "kde-upper-0");
  }

  @Test
  void deadLayerIsAValidInputWithZeroInformation() throws Exception {
    Path zeros = NpyFiles.writeFloat32(dir.resolve("dead.npy"), new long[] {N, 5}, new float[N * 5]);
    Result r = run("mi", "--x", x.toString(), "--t", zeros.toString(), "--y", y.toString(), "--format", "json");
    assertThat(r.code).as(r.err).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out);
    assertThat(j.get("h_t").asDouble()).isZero();
    assertThat(j.get("i_xt").asDouble()).isZero();
    assertThat(j.get("i_ty").asDouble()).isZero();
    assertThat(j.get("sigma_t").isNull()).isTrue();
  }

  @Test
  void nonFiniteActivationsNameTheFileSampleAndFeature() throws Exception {
    float[] tv = new float[N * 3];
    Arrays.fill(tv, 1f);
    tv[17 * 3 + 2] = Float.NaN;
    Path bad = NpyFiles.writeFloat32(dir.resolve("nan.npy"), new long[] {N, 3}, tv);
    assertBadInput(run("mi", "--x", x.toString(), "--t", bad.toString(), "--y", y.toString()),
        "nan.npy", "sample 17", "feature 2", "NaN");
  }

  @Test
  void badInputsExitWithStatus2AndOneLineNamingTheProblem() throws Exception {
    Path shortT = NpyFiles.writeFloat32(dir.resolve("short.npy"), new long[] {N - 1, 2}, new float[(N - 1) * 2]);
    assertBadInput(run("mi", "--x", x.toString(), "--t", shortT.toString(), "--y", y.toString()),
        "sample counts differ", "short.npy", "199", "200");

    long[] neg = new long[N];
    neg[5] = -1;
    Path negY = NpyFiles.writeInt64(dir.resolve("neg.npy"), neg);
    assertBadInput(run("mi", "--x", x.toString(), "--t", t.toString(), "--y", negY.toString()),
        "neg.npy", "-1", "sample 5");

    Path floatY = NpyFiles.writeFloat32(dir.resolve("fy.npy"), new long[] {N}, new float[N]);
    assertBadInput(run("mi", "--x", x.toString(), "--t", t.toString(), "--y", floatY.toString()),
        "fy.npy", "integers");

    assertBadInput(run("mi", "--x", dir.resolve("nope.npy").toString(), "--t", t.toString(), "--y", y.toString()),
        "nope.npy", "no such file");

    Path garbage = Files.writeString(dir.resolve("garbage.npy"), "x");
    assertBadInput(run("mi", "--x", garbage.toString(), "--t", t.toString(), "--y", y.toString()), "garbage.npy");

    assertBadInput(run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(), "--alpha", "0"),
        "alpha", "0.0");
    assertBadInput(run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(), "--sigma-x", "-1"),
        "sigma.x", "-1");
    assertBadInput(run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(), "--sigma-t", "0"),
        "--sigma-t");
    assertBadInput(run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(), "--batch-size", "500"),
        "--batch-size 500", "200 samples");
    assertBadInput(run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(), "--num-classes", "5"),
        "Y.npy", "label 5", "[0, 5)");
  }

  @Test
  void aHeaderPromisingGigabytesInATinyFileExitsWith2NamingTheFile() throws Exception {
    Path bomb = Files.write(dir.resolve("bomb.npy"),
        NpyFiles.npy("<f8", false, new long[] {268_000_000L, 8}, new byte[64]));
    assertBadInput(run("mi", "--x", x.toString(), "--t", bomb.toString(), "--y", y.toString()),
        "bomb.npy", "[268000000, 8]", "holds 64");
  }

  /**
   * More samples than one batch's N × N matrix may hold (46,340) are fine when cut into batches:
   * 46,400 samples, labels i mod 10, T = 50·onehot(label) with σ_T = 1, so that every batch of 100
   * has the closed form S(T) = I(T;Y) = log2 10 (the kernel is the same-class indicator).
   */
  @Test
  void moreSamplesThanOneBatchMayHoldAreCutIntoBatches() throws Exception {
    int n = 46_400;
    float[] tv = new float[n * CLASSES];
    float[] xv = new float[n];
    long[] yv = new long[n];
    for (int i = 0; i < n; i++) {
      yv[i] = i % CLASSES;
      tv[i * CLASSES + (int) yv[i]] = 50f;
      xv[i] = i;
    }
    Path bigX = NpyFiles.writeFloat32(dir.resolve("bigX.npy"), new long[] {n, 1}, xv);
    Path bigT = NpyFiles.writeFloat32(dir.resolve("bigT.npy"), new long[] {n, CLASSES}, tv);
    Path bigY = NpyFiles.writeInt64(dir.resolve("bigY.npy"), yv);
    Result r = run("mi", "--x", bigX.toString(), "--t", bigT.toString(), "--y", bigY.toString(),
        "--sigma-t", "1", "--batch-size", "100", "--format", "json");
    assertThat(r.code).as(r.err).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out);
    assertThat(j.get("n_batches").asInt()).isEqualTo(n / 100);
    assertThat(j.get("i_ty").asDouble()).isCloseTo(LOG2_10, within(TOL));
    assertThat(j.get("h_t").asDouble()).isCloseTo(LOG2_10, within(TOL));
  }

  /**
   * The randomized method through {@code --conf}, on the closed-form case: K_X = I is flat (the
   * control variate is exact) and K_T has rank 10 (the deflated subspace of rank 10 holds it all),
   * so the randomized route must give the closed forms to round-off, with errors near 0.
   */
  @Test
  void randomizedEntropiesThroughConfGiveTheClosedForm() throws Exception {
    Result r = run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(), "--sigma-t", "1",
        "--format", "json", "--conf", "infoplane.entropy.method=randomized", "--conf", "infoplane.entropy.rank=10",
        "--conf", "infoplane.entropy.probes=10", "--conf", "infoplane.entropy.seed=3");
    assertThat(r.code).as(r.err).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out);
    assertThat(j.get("entropy_method").asText()).isEqualTo("randomized(probes=10,rank=10,steps=30,seed=3)");
    assertThat(j.get("h_x").asDouble()).isCloseTo(LOG2_100, within(1e-6));
    assertThat(j.get("h_t").asDouble()).isCloseTo(LOG2_10, within(1e-6));
    assertThat(j.get("i_xt").asDouble()).isCloseTo(LOG2_10, within(1e-6));
    assertThat(j.get("i_ty").asDouble()).isCloseTo(LOG2_10, within(1e-6));
    assertThat(j.get("i_xt_err").asDouble()).isBetween(0.0, 1e-6);
    assertThat(j.get("h_t_err").asDouble()).isBetween(0.0, 1e-6);
  }

  /**
   * On clustered random data the randomized route agrees with the exact one within 0.01 bits and
   * within four times its own error estimate, and the same seed prints the same numbers.
   */
  @Test
  void randomizedAgreesWithExactAndIsReproducible() throws Exception {
    int n = 400;
    int d = 8;
    java.util.Random random = new java.util.Random(23);
    float[] xv = new float[n * d];
    float[] tv = new float[n * d];
    long[] yv = new long[n];
    for (int i = 0; i < n; i++) {
      yv[i] = random.nextInt(CLASSES);
      for (int f = 0; f < d; f++) {
        xv[i * d + f] = (float) (random.nextGaussian() * 3);
        tv[i * d + f] = (float) (random.nextGaussian() + (f == yv[i] % d ? 3 : 0));
      }
    }
    Path xr = NpyFiles.writeFloat32(dir.resolve("Xr.npy"), new long[] {n, d}, xv);
    Path tr = NpyFiles.writeFloat32(dir.resolve("Tr.npy"), new long[] {n, d}, tv);
    Path yr = NpyFiles.writeInt64(dir.resolve("Yr.npy"), yv);
    String[] common = {"mi", "--x", xr.toString(), "--t", tr.toString(), "--y", yr.toString(), "--sigma-t", "2",
        "--batch-size", "400", "--format", "json"};
    String[] rnd = Stream.concat(Arrays.stream(common), Stream.of("--conf", "infoplane.entropy.method=randomized",
        "--conf", "infoplane.entropy.rank=40", "--conf", "infoplane.entropy.probes=20")).toArray(String[]::new);
    Result exact = run(common);
    Result first = run(rnd);
    Result second = run(rnd);
    assertThat(first.code).as(first.err).isZero();
    assertThat(second.out).isEqualTo(first.out);
    JsonNode e = new ObjectMapper().readTree(exact.out);
    JsonNode a = new ObjectMapper().readTree(first.out);
    for (String q : new String[] {"h_t", "i_xt", "i_ty"}) {
      double err = Math.abs(a.get(q).asDouble() - e.get(q).asDouble());
      // Within 4 of the method's own reported standard errors (about 0.01 bits at 20 probes and rank
      // 40 here); the absolute bound only guards against a reported error that is itself absurd. (A
      // bound of 0.01 bits, tighter than one reported error, failed by 0.0001 bits on OpenBLAS
      // kernels that round differently: it tested the kernel's rounding, not the estimator.)
      assertThat(err).as(q).isLessThan(0.05).isLessThan(4 * a.get(q + "_err").asDouble() + 1e-9);
      assertThat(e.get(q + "_err").asDouble()).isZero();
    }
  }

  @Test
  void badSettingsThroughConfNameTheKey() {
    assertBadInput(run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(),
        "--conf", "infoplane.entropy.method=fast"), "infoplane.entropy.method", "fast");
    assertBadInput(run("mi", "--x", x.toString(), "--t", t.toString(), "--y", y.toString(),
        "--conf", "infoplane.entropy.probes=1"), "infoplane.entropy.probes", ">= 2");
  }

  private static void assertBadInput(Result r, String... fragments) {
    assertThat(r.code).as("exit status; stderr: " + r.err).isEqualTo(2);
    String[] lines = r.err.strip().split("\n");
    assertThat(lines).as("one line on stderr: " + r.err).hasSize(1);
    assertThat(lines[0]).contains(fragments);
    assertThat(r.out).isEmpty();
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = InfoPlaneCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(Stream.of(args).toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }
}
