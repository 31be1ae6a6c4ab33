package org.infoplane.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes {@code .npy} bytes for tests, following the NumPy format specification (version 1.0:
 * magic, version, little-endian header length, a Python-literal header padded to 64 bytes, then the
 * raw values), independently of the reader under test.
 */
public final class NpyFiles {

  private NpyFiles() {}

  /** A header followed by the given data bytes. */
  public static byte[] npy(String descr, boolean fortran, long[] shape, byte[] data) {
    String shapeText = shape.length == 1 ? "(" + shape[0] + ",)"
        : "(" + Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ")) + ")";
    String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
        + ", 'shape': " + shapeText + ", }";
    int unpadded = 6 + 2 + 2 + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
    out.write(h.length & 0xff);
    out.write((h.length >> 8) & 0xff);
    out.writeBytes(h);
    out.writeBytes(data);
    return out.toByteArray();
  }

  public static byte[] floats(float[] v, ByteOrder order) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  public static byte[] doubles(double[] v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double d : v) {
      b.putDouble(d);
    }
    return b.array();
  }

  public static byte[] longs(long[] v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long l : v) {
      b.putLong(l);
    }
    return b.array();
  }

  /** A little-endian float32 C-ordered array file. */
  public static Path writeFloat32(Path file, long[] shape, float[] values) throws IOException {
    return Files.write(file, npy("<f4", false, shape, floats(values, ByteOrder.LITTLE_ENDIAN)));
  }

  /** A little-endian float64 C-ordered array file. */
  public static Path writeFloat64(Path file, long[] shape, double[] values) throws IOException {
    return Files.write(file, npy("<f8", false, shape, doubles(values)));
  }

  /** A little-endian int64 label file. */
  public static Path writeInt64(Path file, long[] values) throws IOException {
    return Files.write(file, npy("<i8", false, new long[] {values.length}, longs(values)));
  }

  /** An .npz archive (a zip of .npy entries). */
  public static Path writeNpz(Path file, Map<String, byte[]> arrays) throws IOException {
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
      for (Map.Entry<String, byte[]> e : arrays.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }
}
