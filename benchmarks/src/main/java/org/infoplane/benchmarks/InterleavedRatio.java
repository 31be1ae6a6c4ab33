package org.infoplane.benchmarks;

import java.util.*;

import org.openjdk.jmh.infra.Blackhole;
/**
 * Contention-robust check of the ratio ipPoint / baseline: runs the benchmark bodies of
 * {@link BatchBenchmarks} interleaved, one of each per round, in one JVM, so that load from other
 * processes hits every candidate alike; prints min, median and p90 per body and the per-round ratio.
 * Usage: InterleavedRatio B D ROUNDS (see docs/benchmarks.md).
 */
public final class InterleavedRatio {
  public static void main(String[] a) throws Exception {
    BatchBenchmarks bb = new BatchBenchmarks(); bb.b = Integer.parseInt(a[0]); bb.d = Integer.parseInt(a[1]);
    int reps = Integer.parseInt(a[2]);
    bb.setUp();
    Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    int warm = Math.max(2, Math.min(10, reps / 4));
    for (int i = 0; i < warm; i++) { bh.consume(bb.ipPoint()); bb.baseline(bh); bh.consume(bb.distances()); bh.consume(bb.widthSearch()); }
    double[] ip = new double[reps], base = new double[reps], ratio = new double[reps], dist = new double[reps], gemm = new double[reps], ws = new double[reps], eig = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime(); bh.consume(bb.ipPoint());
      long t1 = System.nanoTime(); bb.baseline(bh);
      long t2 = System.nanoTime(); bh.consume(bb.distances());
      long t3 = System.nanoTime(); bh.consume(bb.gemm());
      long t4 = System.nanoTime(); bh.consume(bb.widthSearch());
      long t5 = System.nanoTime(); bh.consume(bb.eigenvalues());
      long t6 = System.nanoTime();
      ip[i] = (t1-t0)/1e6; base[i] = (t2-t1)/1e6; dist[i]=(t3-t2)/1e6; gemm[i]=(t4-t3)/1e6; ws[i]=(t5-t4)/1e6; eig[i]=(t6-t5)/1e6; ratio[i] = ip[i]/base[i];
    }
    System.out.printf("B=%d D=%d reps=%d (interleaved; ms: min / median)%n", bb.b, bb.d, reps);
    pr("ipPoint", ip); pr("baseline", base); pr("distances", dist); pr("gemm", gemm); pr("widthSearch", ws); pr("eigenvalues", eig); pr("ratio ip/base", ratio);
    Arrays.sort(ip); Arrays.sort(base);
    System.out.printf("ratio of medians %.2f, ratio of minima %.2f%n", ip[reps/2]/base[reps/2], ip[0]/base[0]);
    bb.tearDown();
  }
  static void pr(String n, double[] v) { double[] s = v.clone(); Arrays.sort(s); System.out.printf("  %-14s min %8.2f  median %8.2f  p90 %8.2f%n", n, s[0], s[s.length/2], s[(int)(s.length*0.9)]); }
}
