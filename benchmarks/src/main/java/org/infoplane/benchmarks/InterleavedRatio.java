package org.infoplane.benchmarks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Contention-robust companion of the JMH run: runs the benchmark bodies of {@link BatchBenchmarks}
 * interleaved, one of each per round, in one JVM, so that load from other processes hits every
 * candidate alike; prints min, median and p90 per body and the ratios of medians and of minima.
 * Usage: InterleavedRatio B D ROUNDS (see docs/benchmarks.md).
 */
public final class InterleavedRatio {

  private InterleavedRatio() {}

  public static void main(String[] a) {
    BatchBenchmarks bb = new BatchBenchmarks();
    bb.b = Integer.parseInt(a[0]);
    bb.d = Integer.parseInt(a[1]);
    int reps = Integer.parseInt(a[2]);
    bb.setUp();
    Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    Map<String, Supplier<Object>> bodies = new LinkedHashMap<>();
    bodies.put("ipPointBefore", bb::ipPointBefore);
    bodies.put("ipPoint", bb::ipPoint);
    bodies.put("baseline", () -> {
      bb.baseline(bh);
      return null;
    });
    bodies.put("baselineFloat32", () -> {
      bb.baselineFloat32(bh);
      return null;
    });
    bodies.put("distances", bb::distances);
    bodies.put("distancesFloat32", bb::distancesFloat32);
    bodies.put("gemm", bb::gemm);
    bodies.put("sgemm", bb::sgemm);
    bodies.put("widthSearchExhaustive", bb::widthSearchExhaustive);
    bodies.put("widthSearch", bb::widthSearch);
    bodies.put("eigenvalues", bb::eigenvalues);
    int warm = Math.max(2, Math.min(10, reps / 4));
    Map<String, double[]> ms = new LinkedHashMap<>();
    bodies.keySet().forEach(k -> ms.put(k, new double[reps]));
    for (int i = -warm; i < reps; i++) {
      for (Map.Entry<String, Supplier<Object>> e : bodies.entrySet()) {
        long t0 = System.nanoTime();
        bh.consume(e.getValue().get());
        double took = (System.nanoTime() - t0) / 1e6;
        if (i >= 0) {
          ms.get(e.getKey())[i] = took;
        }
      }
    }
    System.out.printf("B=%d D=%d rounds=%d (interleaved; ms)%n", bb.b, bb.d, reps);
    ms.forEach(InterleavedRatio::print);
    ratio(ms, "widthSearchExhaustive", "widthSearch");
    ratio(ms, "distances", "distancesFloat32");
    ratio(ms, "ipPointBefore", "ipPoint");
    ratio(ms, "ipPoint", "baselineFloat32");
    ratio(ms, "ipPoint", "baseline");
    bb.tearDown();
  }

  private static void print(String name, double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    System.out.printf("  %-22s min %9.3f  median %9.3f  p90 %9.3f%n", name, s[0], s[s.length / 2],
        s[(int) (s.length * 0.9)]);
  }

  private static void ratio(Map<String, double[]> ms, String a, String b) {
    double[] x = ms.get(a).clone();
    double[] y = ms.get(b).clone();
    Arrays.sort(x);
    Arrays.sort(y);
    System.out.printf("  %s / %s: ratio of medians %.2f, of minima %.2f%n", a, b, x[x.length / 2] / y[y.length / 2],
        x[0] / y[0]);
  }
}
