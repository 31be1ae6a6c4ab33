package org.infoplane.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code mi --preset authors-code} and {@code mi --preset ipdl} against golden values computed by
 * the two reference implementations' own published functions.
 *
 * <p>Data: {@code src/test/resources/golden/presets/} holds x.npy (200 × 32 float32), t.npy (200 × 5
 * float32) and y.npy (200 int64 labels, 20 of each of 10 classes), written by numpy 1.24.2 with
 * {@code rng = np.random.default_rng(20261130)}: x = rng.normal(0, 1.5, (200, 32)) as float32;
 * y = np.tile(arange(10), 20), rng.shuffle(y); w = rng.normal(0, 1, (32, 5)); centers =
 * rng.normal(0, 1, (10, 5)); t = float32(2·tanh(float64(x) @ w / sqrt(32) + 0.8·centers[y])). Two
 * batches of 100 (rows 0–99 and 100–199), each estimated on its own.
 *
 * <p>How the goldens were made: outside this project, with Debian's python3-torch 1.13 on
 * /usr/bin/python3, {@code torch.set_default_dtype(torch.float64)}, the float32 arrays cast to
 * float64, per batch:
 *
 * <ul>
 *   <li>authors-code: Wickstrom/InformationTheoryExperiment at commit
 *       18b55e2400747334af64454aa3cf9f61aacd3b95, file python/network.py, class Network: k_x =
 *       kernel_mat(x, [], [], sigma=8.0), k_y = kernel_mat(one_hot(y), [], [], sigma=0.1), k_t =
 *       kernel_mat(t, k_x, k_y, epoch=0, idx=0) (the alignment search of the first iteration), then
 *       entropy(k), entropy(k_x, k_t), entropy(k_t, k_y) composed as compute_mi does. Tensor.cuda
 *       was replaced by the identity (no GPU).
 *   <li>ipdl: SolidusAbi/IPDL at commit 3ffbb4e1ae7cfdc9fae1beff7fdc21dfa62d6c57: _, A_x =
 *       IPDL.functional.matrix_estimator(x, sigma=8); K_y, A_y = matrix_estimator(one_hot(y, 10),
 *       sigma=.1); a model nn.Sequential(MatrixEstimator(0.1), MatrixEstimator(0.1)) run on t in
 *       eval mode (the second estimator only so that the optimizer's softmax on the last one does not
 *       touch T); IPDL.optim.AligmentOptimizer(model, beta=1.0, n_sigmas=300).step(K_y) (β = 1:
 *       the batch's own σ*); ClassificationInformationPlane(model, use_softmax=False)
 *       .computeMutualInformation(A_x, A_y) for I(X;T), I(T;Y), and
 *       MatrixBasedRenyisEntropy.entropy of A_x, A_y and model[0].get_matrix() for the entropies.
 *       pandas (imported by IPDL but unused here) was stubbed.
 * </ul>
 */
class MiPresetGoldenTest {

  /** The bar: within 1e-6 bits of the reference implementations. */
  private static final double BITS = 1e-6;
  /**
   * Widths come from the same grid points: equal up to the grid's end, 10·mean distance, which moves
   * with the distances' round-off (single-precision Gram products by default: about 1e-8 relative
   * here), far below the 3 % between neighbouring grid points.
   */
  private static final double WIDTH_REL = 1e-6;

  // Per batch (batch 0, batch 1), from Wickstrom/InformationTheoryExperiment python/network.py.
  private static final double[] AUTHORS_SIGMA = {4.0915231784648, 4.246861077981088};
  private static final double[] AUTHORS_IXT = {3.4616093117578206, 3.3281057795077365};
  private static final double[] AUTHORS_ITY = {1.3821222267202966, 1.3016572262332256};
  private static final double[] AUTHORS_HT = {3.8404628083171843, 3.6778629535593113};
  private static final double[] AUTHORS_HX = {6.116677089154343, 6.152439021111973};
  private static final double[] AUTHORS_HY = {3.2947203416171122, 3.2962819935528547};

  // Per batch, from SolidusAbi/IPDL.
  private static final double[] IPDL_SIGMA = {2.8243336818768205, 2.982666980398528};
  private static final double[] IPDL_IXT = {2.7042413417331668, 2.559037558685638};
  private static final double[] IPDL_ITY = {1.424020657851214, 1.3131254830535077};
  private static final double[] IPDL_HT = {3.920040352224401, 3.7001477157245217};
  private static final double[] IPDL_HX = {4.866476963244195, 4.919518969148598};
  private static final double[] IPDL_HY = {3.2947444503318613, 3.2963061019291073};

  @Test
  void authorsCodePresetMatchesTheirPublishedFunctions() throws Exception {
    JsonNode j = mi("authors-code");
    assertThat(j.get("preset").asText()).isEqualTo("authors-code");
    assertThat(j.get("alpha").asDouble()).isEqualTo(1.0);
    assertThat(j.get("n_batches").asInt()).isEqualTo(2);
    assertThat(j.get("sigma_t").asDouble()).isCloseTo(mean(AUTHORS_SIGMA), within(WIDTH_REL * mean(AUTHORS_SIGMA)));
    assertThat(j.get("i_xt").asDouble()).isCloseTo(mean(AUTHORS_IXT), within(BITS));
    assertThat(j.get("i_ty").asDouble()).isCloseTo(mean(AUTHORS_ITY), within(BITS));
    assertThat(j.get("h_t").asDouble()).isCloseTo(mean(AUTHORS_HT), within(BITS));
    assertThat(j.get("h_x").asDouble()).isCloseTo(mean(AUTHORS_HX), within(BITS));
    assertThat(j.get("h_y").asDouble()).isCloseTo(mean(AUTHORS_HY), within(BITS));
  }

  @Test
  void ipdlPresetMatchesItsPublishedFunctions() throws Exception {
    JsonNode j = mi("ipdl");
    assertThat(j.get("preset").asText()).isEqualTo("ipdl");
    assertThat(j.get("n_batches").asInt()).isEqualTo(2);
    assertThat(j.get("sigma_t").asDouble()).isCloseTo(mean(IPDL_SIGMA), within(WIDTH_REL * mean(IPDL_SIGMA)));
    assertThat(j.get("i_xt").asDouble()).isCloseTo(mean(IPDL_IXT), within(BITS));
    assertThat(j.get("i_ty").asDouble()).isCloseTo(mean(IPDL_ITY), within(BITS));
    assertThat(j.get("h_t").asDouble()).isCloseTo(mean(IPDL_HT), within(BITS));
    assertThat(j.get("h_x").asDouble()).isCloseTo(mean(IPDL_HX), within(BITS));
    assertThat(j.get("h_y").asDouble()).isCloseTo(mean(IPDL_HY), within(BITS));
  }

  @Test
  void thePresetsDifferFromThePaperDefaults() throws Exception {
    // Guards the test above against a preset that silently does nothing: the paper's settings give
    // other numbers on the same data (its own grid, alpha 1.01, the checkpoint's mean width).
    JsonNode paper = mi("paper");
    assertThat(Math.abs(paper.get("i_xt").asDouble() - mean(AUTHORS_IXT))).isGreaterThan(1e-3);
    assertThat(Math.abs(paper.get("i_xt").asDouble() - mean(IPDL_IXT))).isGreaterThan(1e-3);
  }

  @Test
  void explicitOptionsOverrideThePreset() throws Exception {
    JsonNode j = mi("ipdl", "--alpha", "2");
    assertThat(j.get("alpha").asDouble()).isEqualTo(2.0);
  }

  private static double mean(double[] v) {
    return DoubleStream.of(v).average().orElseThrow();
  }

  private static JsonNode mi(String preset, String... more) throws Exception {
    Path dir = resource();
    String[] base = {"mi", "--x", dir.resolve("x.npy").toString(), "--t", dir.resolve("t.npy").toString(), "--y",
        dir.resolve("y.npy").toString(), "--num-classes", "10", "--preset", preset, "--format", "json"};
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    CommandLine cl = InfoPlaneCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    assertThat(code).as(err.toString()).isZero();
    return new ObjectMapper().readTree(out.toString());
  }

  private static Path resource() throws URISyntaxException {
    return Path.of(MiPresetGoldenTest.class.getResource("/golden/presets/x.npy").toURI()).getParent();
  }
}
