package org.infoplane.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.infoplane.estimator.batch.MeanUncertainty;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of one row's uncertainty: the standard error and the bootstrap interval
 * ({@link MeanUncertainty}, 10,000 resamples) of the mean of {@code n} batch values. Every
 * {@code information_plane} row pays it three times (I(X;T), I(T;Y), S(T)), on the driver; compare
 * with {@code BatchBenchmarks.ipPoint}, which the same row pays n times.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class UncertaintyBenchmarks {

  /** Batches per row: 5 (500 evaluation samples at B = 100), 100 (10,000 samples). */
  @Param({"5", "100"})
  public int n;

  private double[] values;
  private MeanUncertainty.Bootstrap plan;

  @Setup
  public void setup() {
    Random r = new Random(11);
    values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = 3 + 0.1 * r.nextGaussian();
    }
    plan = MeanUncertainty.Bootstrap.of(n);
  }

  /** What a row pays in the analysis: the positions are drawn once per number of batches. */
  @Benchmark
  public MeanUncertainty.Interval bootstrapReusedPlan() {
    return plan.interval(values);
  }

  /** Drawing the positions too: the first row of each number of batches. */
  @Benchmark
  public MeanUncertainty.Interval bootstrap() {
    return MeanUncertainty.bootstrap(values);
  }

  @Benchmark
  public double standardError() {
    return MeanUncertainty.standardError(values);
  }
}
