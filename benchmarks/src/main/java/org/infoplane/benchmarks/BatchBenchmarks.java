package org.infoplane.benchmarks;

import java.util.OptionalDouble;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.infoplane.estimator.ip.InformationPlaneEstimators;
import org.infoplane.estimator.ip.IpEstimate;
import org.infoplane.estimator.ip.RenyiSettings;
import org.infoplane.estimator.ip.RenyiTensorKernelEstimator;
import org.infoplane.estimator.ip.RenyiTensorKernelEstimator.InputTerms;
import org.infoplane.estimator.matrix.DistanceMatrix;
import org.infoplane.estimator.matrix.DistancePrecision;
import org.infoplane.estimator.matrix.KernelAlignment;
import org.infoplane.estimator.matrix.KernelMatrix;
import org.infoplane.estimator.matrix.RenyiEntropy;
import org.infoplane.estimator.matrix.SquaredDistances;
import org.infoplane.estimator.width.KernelWidthRule;
import org.infoplane.estimator.width.KernelWidthRules;
import org.infoplane.estimator.width.WidthInput;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost of one batch of B samples of a layer with D features (METHOD.md §2–§5).
 *
 * <ul>
 *   <li>{@code distances}: {@link SquaredDistances#of} on the float activations in double precision
 *       (shift, Gram product by {@code dsyrk}, distances).</li>
 *   <li>{@code distancesFloat32}: the same with single-precision Gram products
 *       ({@link DistancePrecision#FLOAT32}, the default).</li>
 *   <li>{@code sgemm}: the Gram product X·Xᵀ alone in single precision, one {@code cblas_sgemm} on
 *       an already centred contiguous float matrix: the floor of the single-precision distance step.</li>
 *   <li>{@code baselineFloat32}: {@code sgemm} plus three eigenvalue calls: the float32 floor of an
 *       IP point.</li>
 *   <li>{@code widthSearchExhaustive}: the alignment curve at all 300 grid points
 *       ({@link KernelAlignment#gaussianAlignmentCurve}) and its first maximum: the search before
 *       {@code AlignmentSearch}, which {@code widthSearch} now runs.</li>
 *   <li>{@code ipPointBefore}: an IP point as computed before single-precision distances and the
 *       bounded search: double-precision distances, the exhaustive scan, then the same estimate.</li>
 *   <li>{@code gemm}: the Gram product X·Xᵀ alone, in double, on an already converted and centred
 *       contiguous B × D matrix: one {@code cblas_dgemm} straight into OpenBLAS, the floor of the
 *       distance step before any conversion, centring or ND4J overhead. (SquaredDistances itself
 *       uses {@code dsyrk}, half these flops.)</li>
 *   <li>{@code widthSearch}: the alignment rule (300 grid points) on precomputed distances and the
 *       label kernel.</li>
 *   <li>{@code eigenvalues}: one {@link RenyiEntropy#eigenvalues} call on the B × B kernel K_T, the
 *       cost of one entropy.</li>
 *   <li>{@code baseline}: {@code gemm} plus three eigenvalue calls (on K_T, K_X∘K_T and K_T∘K_Y,
 *       the three matrices an IP point decomposes): the floor of an IP point.</li>
 *   <li>{@code ipPoint}: a whole IP point of a layer: distances of T, the width search, K_T, S(T),
 *       S(X,T), S(T,Y) and the two MIs. The X and Y terms (K_X, K_Y, S(X), S(Y)) are prepared once
 *       in the setup, as the pipeline does once per batch of the evaluation set.</li>
 * </ul>
 *
 * Activations are seeded uniform [0, 1) floats (ReLU-like, non-negative), inputs X are B × 784
 * in [0, 1) and labels are 10 seeded random classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class BatchBenchmarks {

  /** Batch size. */
  @Param({"100", "200", "500", "1000"})
  public int b;

  /** Features of one flattened sample of the layer T. */
  @Param({"784", "65536"})
  public int d;

  private static final long SEED = 20_240_601L;
  private static final int INPUT_DIM = 784;
  private static final int CLASSES = 10;

  private final RenyiTensorKernelEstimator estimator =
      InformationPlaneEstimators.tensorKernel(RenyiSettings.defaults());
  private final KernelWidthRule alignment = KernelWidthRules.alignment();

  private INDArray t;
  private DoublePointer centred;
  private DoublePointer gram;
  private FloatPointer centredF;
  private FloatPointer gramF;
  private KernelMatrix ky;
  private InputTerms inputs;
  private DistanceMatrix distancesT;
  private KernelMatrix kt;
  private KernelMatrix kxt;
  private KernelMatrix kty;

  @Setup(Level.Trial)
  public void setUp() {
    Nd4j.getRandom().setSeed(SEED);
    t = Nd4j.rand(DataType.FLOAT, b, d);
    INDArray x = Nd4j.rand(DataType.FLOAT, b, INPUT_DIM);
    Random r = new Random(SEED);
    int[] labels = new int[b];
    for (int i = 0; i < b; i++) {
      labels[i] = r.nextInt(CLASSES);
    }
    inputs = estimator.prepareInputs(SquaredDistances.of(x), labels, CLASSES);

    INDArray c = t.castTo(DataType.DOUBLE).dup('c');
    c.subiRowVector(c.mean(0));
    centred = new DoublePointer((long) b * d);
    centred.put(c.data().asDouble());
    c.close();
    gram = new DoublePointer((long) b * b);
    INDArray cf = t.dup('c');
    cf.subiRowVector(cf.mean(0));
    centredF = new FloatPointer((long) b * d);
    centredF.put(cf.data().asFloat());
    cf.close();
    gramF = new FloatPointer((long) b * b);
    ky = inputs.ky();

    distancesT = SquaredDistances.of(t);
    OptionalDouble sigma = estimator.selectWidth(inputs, distancesT, d);
    kt = KernelMatrix.gaussian(distancesT, sigma.orElseThrow());
    kxt = inputs.kx().hadamard(kt);
    kty = kt.hadamard(inputs.ky());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    t.close();
    centred.close();
    gram.close();
    centredF.close();
    gramF.close();
  }

  @Benchmark
  public DistanceMatrix distances() {
    return SquaredDistances.of(t, DistancePrecision.FLOAT64);
  }

  @Benchmark
  public double gemm() {
    openblas.cblas_dgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasTrans,
        b, b, d, 1.0, centred, d, centred, d, 0.0, gram, b);
    return gram.get(0);
  }

  @Benchmark
  public DistanceMatrix distancesFloat32() {
    return SquaredDistances.of(t, DistancePrecision.FLOAT32);
  }

  @Benchmark
  public float sgemm() {
    openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasTrans,
        b, b, d, 1.0f, centredF, d, centredF, d, 0.0f, gramF, b);
    return gramF.get(0);
  }

  @Benchmark
  public void baselineFloat32(Blackhole bh) {
    bh.consume(sgemm());
    bh.consume(RenyiEntropy.eigenvalues(kt));
    bh.consume(RenyiEntropy.eigenvalues(kxt));
    bh.consume(RenyiEntropy.eigenvalues(kty));
  }

  @Benchmark
  public OptionalDouble widthSearchExhaustive() {
    return OptionalDouble.of(exhaustiveWidth(distancesT));
  }

  /** The alignment rule as it was: the whole curve, then its first maximum (ties to the smallest σ). */
  private double exhaustiveWidth(DistanceMatrix dt) {
    if (dt.isConstant()) {
      return Double.NaN;
    }
    double[] grid = KernelWidthRules.alignmentGrid(dt, KernelWidthRules.DEFAULT_GRID_SIZE);
    double[] curve = KernelAlignment.gaussianAlignmentCurve(dt, ky, grid, null);
    int best = 0;
    for (int i = 1; i < grid.length; i++) {
      if (curve[i] > curve[best] || (curve[i] == curve[best] && grid[i] < grid[best])) {
        best = i;
      }
    }
    return grid[best];
  }

  @Benchmark
  public IpEstimate ipPointBefore() {
    DistanceMatrix dt = SquaredDistances.of(t, DistancePrecision.FLOAT64);
    return estimator.estimate(inputs, dt, OptionalDouble.of(exhaustiveWidth(dt)));
  }

  @Benchmark
  public OptionalDouble widthSearch() {
    return alignment.select(new WidthInput(distancesT, d, inputs.ky()));
  }

  @Benchmark
  public double[] eigenvalues() {
    return RenyiEntropy.eigenvalues(kt);
  }

  @Benchmark
  public void baseline(Blackhole bh) {
    bh.consume(gemm());
    bh.consume(RenyiEntropy.eigenvalues(kt));
    bh.consume(RenyiEntropy.eigenvalues(kxt));
    bh.consume(RenyiEntropy.eigenvalues(kty));
  }

  @Benchmark
  public IpEstimate ipPoint() {
    DistanceMatrix dt = SquaredDistances.of(t, estimator.settings().distancePrecision());
    OptionalDouble sigma = estimator.selectWidth(inputs, dt, d);
    return estimator.estimate(inputs, dt, sigma);
  }
}
