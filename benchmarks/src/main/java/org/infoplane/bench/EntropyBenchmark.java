package org.infoplane.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import org.infoplane.capture.Idx;
import org.infoplane.estimator.ip.InformationPlaneEstimators;
import org.infoplane.estimator.ip.IpEstimate;
import org.infoplane.estimator.ip.RenyiSettings;
import org.infoplane.estimator.ip.RenyiTensorKernelEstimator;
import org.infoplane.estimator.matrix.DistanceMatrix;
import org.infoplane.estimator.matrix.EntropyMethod;
import org.infoplane.estimator.matrix.SquaredDistances;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One information-plane point of one batch of N Fashion-MNIST training images (D = 784, scaled to
 * [0, 1]) and a fixed layer T = tanh(X·W) (W: 784 × 256, seeded Gaussian, scale 3/√784), with
 * σ_X = 8, σ_T = the mean pairwise distance of T, α = 1.01, by one entropy method; the timings of
 * the distances and of the entropies, and the estimates, appended as one JSON object to a file.
 * Timings are wall seconds and the process's CPU seconds (all threads) of the entropy step. Run each case in its own JVM (see {@code benchmarks/entropy-benchmark.sh}) so that its peak
 * memory can be measured from outside.
 */
public final class EntropyBenchmark {

  private EntropyBenchmark() {}

  /**
   * Arguments: N, {@code exact} or {@code randomized:PROBES:RANK:STEPS:SEED}, the results file
   * (JSON lines, appended), and the Fashion-MNIST directory.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println("usage: EntropyBenchmark N exact|randomized:PROBES:RANK:STEPS:SEED results.jsonl FASHION_MNIST_DIR");
      System.exit(2);
    }
    int n = Integer.parseInt(args[0]);
    EntropyMethod method = parse(args[1]);
    Path out = Path.of(args[2]);
    Path data = Path.of(args[3]);
    Idx.Images images = Idx.readImages(data.resolve("train-images-idx3-ubyte.gz"));
    int[] allLabels = Idx.readLabels(data.resolve("train-labels-idx1-ubyte.gz"));
    int d = images.rows() * images.cols();
    float[] xv = new float[n * d];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < d; p++) {
        xv[i * d + p] = images.pixel(i, p);
      }
    }
    int[] labels = java.util.Arrays.copyOf(allLabels, n);
    INDArray x = Nd4j.create(xv, new long[] {n, d}, 'c');
    Random random = new Random(12);
    int width = 256;
    float[] wv = new float[d * width];
    for (int i = 0; i < wv.length; i++) {
      wv[i] = (float) (random.nextGaussian() * 3.0 / Math.sqrt(d));
    }
    INDArray t = Transforms.tanh(x.mmul(Nd4j.create(wv, new long[] {d, width}, 'c')), false);

    long t0 = System.nanoTime();
    DistanceMatrix dx = SquaredDistances.of(x);
    DistanceMatrix dt = SquaredDistances.of(t);
    double distanceSeconds = (System.nanoTime() - t0) / 1e9;
    double sigmaT = Math.sqrt(dt.meanEuclidean() * dt.meanEuclidean()); // the mean pairwise distance

    RenyiTensorKernelEstimator estimator = InformationPlaneEstimators.tensorKernel(
        RenyiSettings.defaults().withEntropyMethod(method));
    long t1 = System.nanoTime();
    long cpu1 = processCpuNanos();
    RenyiTensorKernelEstimator.InputTerms in = estimator.prepareInputs(dx, labels, 10);
    IpEstimate e = estimator.estimate(in, dt, OptionalDouble.of(sigmaT));
    double entropySeconds = (System.nanoTime() - t1) / 1e9;
    double entropyCpuSeconds = (processCpuNanos() - cpu1) / 1e9;

    long heapPeak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPeak += pool.getPeakUsage().getUsed();
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("n", n);
    r.put("method", method.spec());
    r.put("randomized_route", method.randomizesBatchOf(n));
    r.put("sigma_t", sigmaT);
    r.put("seconds_distances", distanceSeconds);
    r.put("seconds_entropies", entropySeconds);
    r.put("cpu_seconds_entropies", entropyCpuSeconds);
    r.put("h_x", e.hX());
    r.put("h_t", e.hT());
    r.put("h_y", e.hY());
    r.put("i_xt", e.iXT());
    r.put("i_ty", e.iTY());
    r.put("h_t_err", e.hTErr());
    r.put("i_xt_err", e.iXTErr());
    r.put("i_ty_err", e.iTYErr());
    r.put("heap_peak_mb", heapPeak >> 20);
    r.put("omp_num_threads", System.getenv("OMP_NUM_THREADS"));
    r.put("cores", Runtime.getRuntime().availableProcessors());
    String line = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r);
    try {
      Files.writeString(out, line + System.lineSeparator(), java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    System.out.println(line);
  }

  /**
   * CPU time of the whole process (every thread, OpenBLAS's included): on a machine shared with
   * other work it measures the work done, where wall time measures the share of the cores it got.
   */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static EntropyMethod parse(String s) {
    if (s.equals("exact")) {
      return EntropyMethod.exact();
    }
    String[] p = s.split(":");
    if (p.length != 5 || !p[0].equals("randomized")) {
      throw new IllegalArgumentException("method must be exact or randomized:PROBES:RANK:STEPS:SEED, got " + s);
    }
    return EntropyMethod.randomized(Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]),
        Long.parseLong(p[4]));
  }
}
