package org.infoplane.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import org.infoplane.analysis.AnalysisConfig;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.estimator.batch.BatchPlan;
import org.infoplane.estimator.ip.InformationPlane;
import org.infoplane.estimator.ip.InformationPlaneEstimator;
import org.infoplane.estimator.ip.IpBatch;
import org.infoplane.estimator.ip.IpSummary;
import org.infoplane.estimator.ip.RenyiSettings;
import org.infoplane.estimator.matrix.EntropyMethod;
import org.infoplane.estimator.matrix.RenyiEntropy;
import org.infoplane.estimator.matrix.SquaredDistances;
import org.infoplane.io.Npy;
import org.infoplane.io.NpyArray;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code infoplane mi}: one information-plane point from NumPy arrays, the quickest way to try the
 * method. The samples (first axis) are cut into batches of B by sample position, every quantity is
 * estimated per batch, and the means over batches are printed.
 */
@Command(
    name = "mi",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Estimates I(X;T), I(T;Y) and the entropies of one layer from NumPy arrays (bits).",
      "X and T: .npy of any float dtype and rank, first axis = samples; Y: integer labels.",
      "Prints the means over batches of B samples; a last batch smaller than B is left out."
    })
public final class MiCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--x", required = true, paramLabel = "X.npy", description = "Network inputs, N × … (float).")
  Path xFile;

  @Option(names = "--t", required = true, paramLabel = "T.npy", description = "Layer activations, N × … (float).")
  Path tFile;

  @Option(names = "--y", required = true, paramLabel = "Y.npy", description = "Class labels, N integers >= 0.")
  Path yFile;

  @Option(names = "--alpha", description = "Entropy order alpha > 0 (infoplane.alpha; default: the preset's, "
      + RenyiEntropy.DEFAULT_ALPHA + " for paper).")
  Double alpha;

  @Option(names = "--sigma-x", description = "Input kernel width (infoplane.sigma.x; default: "
      + RenyiSettings.DEFAULT_SIGMA_X + ", for inputs in [0, 1]).")
  Double sigmaX;

  @Option(names = "--sigma-y", description = "Label kernel width (infoplane.sigma.y; default: "
      + RenyiSettings.DEFAULT_SIGMA_Y + ").")
  Double sigmaY;

  @Option(names = "--sigma-t", defaultValue = "auto", paramLabel = "auto|VALUE",
      description = "Layer kernel width: a value, or auto = the width rule per batch, averaged over batches (default: ${DEFAULT-VALUE}).")
  String sigmaT;

  @Option(names = "--width-rule", paramLabel = "RULE",
      description = "Rule behind --sigma-t auto: alignment[:GRID], median, knn[:K], silverman[:GAMMA] (infoplane.width.rule; default: alignment).")
  String widthRule;

  @Option(names = "--distance-precision", paramLabel = "float32|float64",
      description = "Arithmetic of the squared distances' Gram products (infoplane.distance.precision; default: float32).")
  String distancePrecision;

  @Option(names = "--estimator", paramLabel = "NAME",
      description = "renyi-tensor, renyi-multivariate, binning[-BINS] or kde-upper[-VARIANCE] (infoplane.estimator; default: renyi-tensor).")
  String estimatorName;

  @Option(names = "--batch-size",
      description = "Samples per batch B (infoplane.batch.size; default: " + BatchPlan.DEFAULT_BATCH_SIZE + ").")
  Integer batchSize;

  @Mixin ConfOptions confOptions;

  @Option(names = "--num-classes", paramLabel = "C",
      description = "Number of classes (default: largest label + 1).")
  Integer numClasses;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json",
      description = "Output format (default: ${DEFAULT-VALUE}).")
  String format;

  /** The resolved analysis settings of this call. */
  private AnalysisConfig config;

  @Override
  public Integer call() {
    String fmt = format.toLowerCase(Locale.ROOT);
    if (!fmt.equals("table") && !fmt.equals("json")) {
      throw new BadInputException("--format must be table or json, got '" + format + "'");
    }
    OptionalDouble fixedSigma = parseSigmaT(sigmaT);
    ResolvedConf conf = confOptions.resolver()
        .option(InfoPlaneConf.ALPHA, alpha)
        .option(InfoPlaneConf.SIGMA_X, sigmaX)
        .option(InfoPlaneConf.SIGMA_Y, sigmaY)
        .option(InfoPlaneConf.WIDTH_RULE, widthRule)
        .option(InfoPlaneConf.DISTANCE_PRECISION, distancePrecision)
        .option(InfoPlaneConf.ESTIMATOR, estimatorName)
        .option(InfoPlaneConf.BATCH_SIZE, batchSize)
        .resolve();
    config = AnalysisConfig.from(conf);
    int batchSize = config.batchSize();
    InformationPlaneEstimator estimator = config.buildEstimator();
    BatchPlan plan = BatchPlan.sorted(batchSize);

    INDArray x = readFloats(xFile);
    INDArray t = readFloats(tFile);
    int[] y = Npy.read(yFile).toLabels();
    long nx = x.size(0);
    long nt = t.size(0);
    if (nx != nt || nx != y.length) {
      throw new BadInputException("sample counts differ: " + xFile + " has " + nx + ", " + tFile + " has " + nt
          + ", " + yFile + " has " + y.length);
    }
    int classes = numClasses != null ? numClasses : checkLabels(y) + 1;
    for (int i = 0; i < y.length; i++) {
      if (y[i] < 0 || y[i] >= classes) {
        throw new BadInputException(yFile + ": label " + y[i] + " of sample " + i + " is outside [0, " + classes + ")");
      }
    }
    if (y.length < batchSize) {
      throw new BadInputException("--batch-size " + batchSize + " is larger than the " + y.length
          + " samples in " + tFile);
    }

    long[] ids = LongStream.range(0, y.length).toArray();
    List<IpBatch> batches = IpBatch.cut(x, t, y, classes, ids, plan);
    IpSummary s = InformationPlane.estimateCheckpoint(estimator, batches, fixedSigma, config.perBatchWidth());
    print(s, estimator.name(), fmt);
    return 0;
  }

  private static INDArray readFloats(Path file) {
    NpyArray a = Npy.read(file);
    if (a.shape().length < 1) {
      throw new BadInputException(file + ": expected an array with a sample axis, found a scalar");
    }
    INDArray arr = a.toFloatArray();
    if (arr.size(0) >= 2) {
      SquaredDistances.requireFinite(arr, file.toString());
    }
    return arr;
  }

  private int checkLabels(int[] y) {
    int max = -1;
    for (int i = 0; i < y.length; i++) {
      if (y[i] < 0) {
        throw new BadInputException(yFile + ": label " + y[i] + " of sample " + i + " is negative");
      }
      max = Math.max(max, y[i]);
    }
    return max;
  }

  private static OptionalDouble parseSigmaT(String s) {
    if (s.equalsIgnoreCase("auto")) {
      return OptionalDouble.empty();
    }
    double v;
    try {
      v = Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new BadInputException("--sigma-t must be auto or a number > 0, got '" + s + "'");
    }
    if (!(v > 0.0) || Double.isInfinite(v)) {
      throw new BadInputException("--sigma-t must be auto or a number > 0, got " + s);
    }
    return OptionalDouble.of(v);
  }

  private void print(IpSummary s, String estimator, String fmt) {
    PrintWriter out = spec.commandLine().getOut();
    if (fmt.equals("json")) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode o = mapper.createObjectNode();
      o.put("i_xt", s.iXT().mean());
      o.put("i_ty", s.iTY().mean());
      o.put("h_t", s.hT().mean());
      o.put("h_x", s.hX().mean());
      o.put("h_y", s.hY().mean());
      if (s.sigmaT().isPresent()) {
        o.put("sigma_t", s.sigmaT().getAsDouble());
      } else {
        o.putNull("sigma_t");
      }
      o.put("n_batches", s.nBatches());
      o.put("i_xt_std", s.iXT().std());
      o.put("i_ty_std", s.iTY().std());
      o.put("h_t_std", s.hT().std());
      o.put("i_xt_err", s.iXTErr());
      o.put("i_ty_err", s.iTYErr());
      o.put("h_t_err", s.hTErr());
      o.put("entropy_method", entropyMethod().spec());
      o.put("estimator", estimator);
      o.put("alpha", config.alpha());
      o.put("batch_size", config.batchSize());
      o.put("preset", config.preset().spec());
      o.put("width_scope", config.widths().scope().spec());
      o.put("unit", "bits");
      try {
        out.println(mapper.writeValueAsString(o));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("cannot write JSON", e);
      }
    } else {
      boolean randomized = entropyMethod().randomized();
      out.printf(Locale.ROOT, randomized ? "%-9s %10s %10s %10s%n" : "%-9s %10s %10s%n", "quantity", "mean", "std",
          "error");
      row(out, "I(X;T)", s.iXT(), randomized, s.iXTErr());
      row(out, "I(T;Y)", s.iTY(), randomized, s.iTYErr());
      row(out, "H(T)", s.hT(), randomized, s.hTErr());
      row(out, "H(X)", s.hX(), false, 0.0);
      row(out, "H(Y)", s.hY(), false, 0.0);
      out.printf(Locale.ROOT, "%-9s %10s%n", "sigma_T", s.sigmaT().isPresent()
          ? String.format(Locale.ROOT, "%.4f", s.sigmaT().getAsDouble()) : "none (constant layer)");
      out.printf(Locale.ROOT, "%-9s %10d%n", "batches", s.nBatches());
      out.printf(Locale.ROOT, "(bits; %s, alpha=%s, B=%d, preset %s%s%s)%n", estimator, config.alpha(),
          config.batchSize(), config.preset().spec(), config.perBatchWidth() ? ", each batch its own sigma_T" : "",
          randomized ? "; " + entropyMethod().spec() + ", error = estimated standard error of the mean" : "");
    }
    out.flush();
  }

  /** The entropy method in effect: the configured one for the tensor-kernel estimator, else exact. */
  private EntropyMethod entropyMethod() {
    return config.usesDistances() ? config.entropyMethod() : EntropyMethod.exact();
  }

  private static void row(PrintWriter out, String name, IpSummary.Stat st, boolean withError, double error) {
    if (withError) {
      out.printf(Locale.ROOT, "%-9s %10.4f %10.4f %10.4f%n", name, st.mean(), st.std(), error);
    } else {
      out.printf(Locale.ROOT, "%-9s %10.4f %10.4f%n", name, st.mean(), st.std());
    }
  }
}
