package org.infoplane.snapshot;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.infoplane.io.NpyFiles;

/**
 * The arrays of one {@code .npz} checkpoint file for tests, written with {@link NpyFiles}: by
 * default x (N × 1 × 2 × 2, float32), y (i mod 3), L0_conv1 (N × 2 × 2 × 2, float32, a conv layer)
 * and L1_fc (N × 4, float64), values drawn from a fixed seed.
 */
public final class NpzCase {

  public static final long[] X_SHAPE = {1, 2, 2};
  public static final long[] CONV_SHAPE = {2, 2, 2};
  public static final long[] FC_SHAPE = {4};

  private final Map<String, byte[]> arrays = new LinkedHashMap<>();
  /** The float32 values each float array holds once stored (float64 arrays rounded). */
  public final Map<String, float[]> stored = new LinkedHashMap<>();
  public final int n;

  private NpzCase(int n) {
    this.n = n;
  }

  /** The default arrays of n samples; {@code seed} varies the activations, {@code xSeed} the inputs. */
  public static NpzCase of(int n, long xSeed, long seed) {
    NpzCase c = new NpzCase(n);
    c.f32("x", X_SHAPE, random(n * 4, xSeed));
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 3;
    }
    c.i64("y", y);
    c.f32("L0_conv1", CONV_SHAPE, random(n * 8, seed));
    Random r = new Random(seed + 1);
    double[] fc = new double[n * 4];
    for (int i = 0; i < fc.length; i++) {
      fc[i] = r.nextGaussian() * 1e3;
    }
    c.f64("L1_fc", FC_SHAPE, fc);
    return c;
  }

  static float[] random(int count, long seed) {
    Random r = new Random(seed);
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private static long[] full(int n, long[] sampleShape) {
    return Stream.concat(Stream.of((long) n), java.util.Arrays.stream(sampleShape).boxed())
        .mapToLong(Long::longValue).toArray();
  }

  /** Puts a float32 array of n rows × sampleShape. */
  public NpzCase f32(String key, long[] sampleShape, float[] v) {
    return f32Rows(key, n, sampleShape, v);
  }

  public NpzCase f32Rows(String key, int rows, long[] sampleShape, float[] v) {
    arrays.put(key, NpyFiles.npy("<f4", false, full(rows, sampleShape), NpyFiles.floats(v, ByteOrder.LITTLE_ENDIAN)));
    stored.put(key, v.clone());
    return this;
  }

  public NpzCase f64(String key, long[] sampleShape, double[] v) {
    arrays.put(key, NpyFiles.npy("<f8", false, full(n, sampleShape), NpyFiles.doubles(v)));
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    stored.put(key, f);
    return this;
  }

  public NpzCase i64(String key, long[] v) {
    arrays.put(key, NpyFiles.npy("<i8", false, new long[] {v.length}, NpyFiles.longs(v)));
    stored.remove(key);
    return this;
  }

  public NpzCase remove(String key) {
    arrays.remove(key);
    stored.remove(key);
    return this;
  }

  /** Rows [from, to) of every array, as a new case (for chunked imports). */
  public NpzCase rows(int from, int to) {
    NpzCase c = new NpzCase(to - from);
    c.f32("x", X_SHAPE, java.util.Arrays.copyOfRange(stored.get("x"), from * 4, to * 4));
    long[] y = new long[to - from];
    for (int i = from; i < to; i++) {
      y[i - from] = i % 3;
    }
    c.i64("y", y);
    c.f32("L0_conv1", CONV_SHAPE, java.util.Arrays.copyOfRange(stored.get("L0_conv1"), from * 8, to * 8));
    c.f32("L1_fc", FC_SHAPE, java.util.Arrays.copyOfRange(stored.get("L1_fc"), from * 4, to * 4));
    return c;
  }

  public Path write(Path file) throws IOException {
    return NpyFiles.writeNpz(file, arrays);
  }

  /** Every file under a directory with its bytes, to show that a refused write changed nothing. */
  public static Map<String, byte[]> contents(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    if (!Files.exists(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
      }
    }
    return out;
  }
}
