package org.infoplane.analysis;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.infoplane.estimator.matrix.DistanceMatrix;

/**
 * The compact form of a distance matrix in the store: its upper triangle (i &lt; j), row by row,
 * as little-endian float64 — n(n−1)/2 values, exact.
 */
final class Triangles {

  private Triangles() {}

  static byte[] encode(DistanceMatrix d) {
    int n = d.size();
    ByteBuffer b = ByteBuffer.allocate(8 * (n * (n - 1) / 2)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        b.putDouble(d.squared(i, j));
      }
    }
    return b.array();
  }

  static DistanceMatrix decode(int n, byte[] bytes) {
    long expected = 8L * n * (n - 1) / 2;
    if (bytes.length != expected) {
      throw new IllegalArgumentException("stored distance matrix of " + n + " samples has " + bytes.length
          + " bytes, expected " + expected);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    double[] full = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double v = b.getDouble();
        full[i * n + j] = v;
        full[j * n + i] = v;
      }
    }
    return DistanceMatrix.of(n, full);
  }
}
