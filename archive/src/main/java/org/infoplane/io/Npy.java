package org.infoplane.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) and {@code .npz} archives.
 *
 * <p>Supported dtypes: float16/32/64, signed and unsigned integers of 1–8 bytes and booleans, in
 * either byte order, in C or Fortran order (Fortran-ordered data is transposed into C order).
 * Object arrays, structured dtypes and complex numbers are refused. Every problem is an {@link
 * IllegalArgumentException} whose message starts with the file (and archive entry) it concerns.
 *
 * <p>ND4J's own reader is not used: it reads Fortran-ordered files with their axes silently swapped
 * and aborts the whole JVM on a big-endian file.
 */
public final class Npy {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
  private static final int CHUNK = 1 << 20;

  private Npy() {}

  /** Reads one {@code .npy} file. */
  public static NpyArray read(Path file) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), CHUNK)) {
      return read(in, file.toString(), Files.size(file));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * Reads every array of a {@code .npz} archive, keyed by name without the {@code .npy} suffix, in
   * the archive's order.
   */
  public static Map<String, NpyArray> readNpz(Path file) {
    Map<String, NpyArray> out = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      List<? extends ZipEntry> entries = new ArrayList<>(zip.stream().toList());
      for (ZipEntry e : entries) {
        String name = e.getName();
        if (!name.endsWith(".npy")) {
          throw new IllegalArgumentException(file + ": entry '" + name + "' is not a .npy array");
        }
        String source = file + " [" + name + "]";
        try (InputStream in = new BufferedInputStream(zip.getInputStream(e), CHUNK)) {
          out.put(name.substring(0, name.length() - 4), read(in, source, entrySize(e, source)));
        }
      }
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file", e);
    } catch (ZipException e) {
      throw new IllegalArgumentException(file + ": not a valid .npz (zip) archive: " + e.getMessage(), e);
    } catch (IOException e) {
      if (!Files.exists(file)) {
        throw new IllegalArgumentException(file + ": no such file", e);
      }
      throw new IllegalArgumentException(file + ": cannot be read: " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * The most a deflated zip entry can expand: deflate's longest match (258 bytes) per code of at
   * least two bits gives a ratio of at most 1032, whatever the entry claims.
   */
  private static final long MAX_DEFLATE_RATIO = 1032;

  /**
   * The uncompressed size of an {@code .npz} entry, checked against what its compressed bytes can
   * hold: a size no deflate stream of that length can produce is a damaged or crafted archive.
   */
  private static long entrySize(ZipEntry e, String source) {
    long size = e.getSize();
    long compressed = e.getCompressedSize();
    if (size < 0) {
      return -1;
    }
    boolean plausible = e.getMethod() == ZipEntry.STORED
        ? compressed < 0 || size == compressed
        : compressed < 0 || size <= MAX_DEFLATE_RATIO * compressed + 1024;
    if (!plausible) {
      throw new IllegalArgumentException(source + ": the archive says the entry holds " + size + " bytes, which "
          + compressed + " compressed bytes cannot hold (damaged or crafted .npz)");
    }
    return size;
  }

  /**
   * Reads one array from a stream positioned at the start of its {@code .npy} bytes, of unknown
   * length: the values are checked against the memory the JVM can give, not against the bytes present.
   */
  public static NpyArray read(InputStream stream, String source) throws IOException {
    return read(stream, source, -1);
  }

  /**
   * Reads one array from a stream positioned at the start of its {@code .npy} bytes.
   *
   * @param length the bytes of the whole {@code .npy} (header included), or −1 when unknown; the
   *     header's shape and dtype must account for exactly the bytes after the header, checked before
   *     anything is allocated
   */
  public static NpyArray read(InputStream stream, String source, long length) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    byte[] magic = new byte[MAGIC.length];
    readFully(in, magic, source, "magic string");
    for (int i = 0; i < MAGIC.length; i++) {
      if (magic[i] != MAGIC[i]) {
        throw new IllegalArgumentException(source + ": not a .npy file (bad magic string)");
      }
    }
    int major = in.read();
    int minor = in.read();
    if (minor < 0) {
      throw truncated(source, "version");
    }
    long headerLength;
    byte[] lenBytes = new byte[major == 1 ? 2 : 4];
    if (major < 1 || major > 3) {
      throw new IllegalArgumentException(source + ": unsupported .npy format version " + major + "." + minor);
    }
    readFully(in, lenBytes, source, "header length");
    ByteBuffer lb = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN);
    headerLength = major == 1 ? (lb.getShort() & 0xffff) : (lb.getInt() & 0xffffffffL);
    if (headerLength > 1 << 20) {
      throw new IllegalArgumentException(source + ": implausible header length " + headerLength);
    }
    byte[] headerBytes = new byte[(int) headerLength];
    readFully(in, headerBytes, source, "header");
    String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

    String descr = group(DESCR, header, source, "descr");
    boolean fortran = group(FORTRAN, header, source, "fortran_order").equals("True");
    long[] shape = parseShape(group(SHAPE, header, source, "shape"), source);
    long count = 1;
    for (long s : shape) {
      count = Math.multiplyExact(count, s);
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(source + ": " + count + " values are more than one array can hold");
    }
    Dtype dt = Dtype.parse(descr, source);
    long dataBytes = count * dt.size; // count < 2^31 and size <= 8: no overflow
    if (length >= 0) {
      long present = length - MAGIC.length - 2 - lenBytes.length - headerLength;
      if (present != dataBytes) {
        throw new IllegalArgumentException(source + ": the header promises shape " + java.util.Arrays.toString(shape)
            + " of " + descr + " (" + dataBytes + " bytes of data), the file holds " + Math.max(0, present)
            + (present < dataBytes ? " (truncated or damaged file)" : " (trailing bytes: damaged file)"));
      }
    }
    long maxMemory = Runtime.getRuntime().maxMemory();
    long needed = count * (dt.kind == 'f' ? Math.max(4, dt.size) : 8);
    if (needed > maxMemory / 2) {
      throw new IllegalArgumentException(source + ": shape " + java.util.Arrays.toString(shape) + " of " + descr
          + " needs " + needed + " bytes, more than half of the " + maxMemory
          + " bytes this JVM may use (give it more memory, e.g. -Xmx, or use smaller arrays)");
    }
    int n = (int) count;

    float[] floats = null;
    double[] doubles = null;
    long[] longs = null;
    switch (dt.kind) {
      case 'f' -> {
        if (dt.size == 8) {
          doubles = new double[n];
        } else {
          floats = new float[n];
        }
      }
      default -> longs = new long[n];
    }
    byte[] chunk = new byte[Math.max(dt.size, (CHUNK / dt.size) * dt.size)];
    int done = 0;
    while (done < n) {
      int take = Math.min(n - done, chunk.length / dt.size);
      readFully(in, chunk, 0, take * dt.size, source, "data (expected " + n + " values of " + descr + ", got " + done + ")");
      ByteBuffer bb = ByteBuffer.wrap(chunk, 0, take * dt.size).order(dt.order);
      for (int i = 0; i < take; i++) {
        int k = done + i;
        switch (dt.kind) {
          case 'f' -> {
            switch (dt.size) {
              case 2 -> floats[k] = halfToFloat(bb.getShort());
              case 4 -> floats[k] = bb.getFloat();
              default -> doubles[k] = bb.getDouble();
            }
          }
          case 'i' -> longs[k] = switch (dt.size) {
            case 1 -> bb.get();
            case 2 -> bb.getShort();
            case 4 -> bb.getInt();
            default -> bb.getLong();
          };
          case 'u', 'b' -> {
            long v = switch (dt.size) {
              case 1 -> bb.get() & 0xffL;
              case 2 -> bb.getShort() & 0xffffL;
              case 4 -> bb.getInt() & 0xffffffffL;
              default -> bb.getLong();
            };
            if (v < 0) {
              throw new IllegalArgumentException(source + ": value at index " + k + " does not fit a signed 64-bit integer");
            }
            longs[k] = v;
          }
          default -> throw new IllegalStateException("unreachable dtype kind " + dt.kind);
        }
      }
      done += take;
    }
    if (fortran && shape.length > 1) {
      if (floats != null) {
        floats = toC(floats, shape);
      } else if (doubles != null) {
        doubles = toC(doubles, shape);
      } else {
        longs = toC(longs, shape);
      }
    }
    return new NpyArray(source, descr, shape, floats, doubles, longs);
  }

  private static long[] parseShape(String s, String source) {
    String body = s.trim();
    if (body.isEmpty()) {
      return new long[0];
    }
    String[] parts = body.split(",");
    List<Long> dims = new ArrayList<>();
    for (String p : parts) {
      String t = p.trim().replace("L", "");
      if (t.isEmpty()) {
        continue;
      }
      try {
        long v = Long.parseLong(t);
        if (v < 0) {
          throw new NumberFormatException();
        }
        dims.add(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(source + ": bad shape (" + s + ") in the header");
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static String group(Pattern p, String header, String source, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(source + ": header has no valid '" + key + "': " + header.trim());
    }
    return m.group(1);
  }

  private static void readFully(DataInputStream in, byte[] b, String source, String what) throws IOException {
    readFully(in, b, 0, b.length, source, what);
  }

  private static void readFully(DataInputStream in, byte[] b, int off, int len, String source, String what)
      throws IOException {
    try {
      in.readFully(b, off, len);
    } catch (EOFException e) {
      throw truncated(source, what);
    }
  }

  private static IllegalArgumentException truncated(String source, String what) {
    return new IllegalArgumentException(source + ": file is truncated (in the " + what + ")");
  }

  /** IEEE 754 binary16 to binary32, exact (every half value is a float). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = bits >>> 15;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0) {
      float v = mant * 0x1p-24f; // zero or subnormal
      return sign == 0 ? v : -v;
    }
    if (exp == 31) {
      return Float.intBitsToFloat((sign << 31) | 0x7f800000 | (mant << 13)); // infinity or NaN
    }
    return Float.intBitsToFloat((sign << 31) | ((exp + 112) << 23) | (mant << 13));
  }

  /** Strides of a C-ordered array of the given shape. */
  private static long[] cStrides(long[] shape) {
    long[] st = new long[shape.length];
    long s = 1;
    for (int k = shape.length - 1; k >= 0; k--) {
      st[k] = s;
      s *= shape[k];
    }
    return st;
  }

  /** Maps each C-order position to its Fortran-order position. */
  private static int[] fortranIndex(long[] shape) {
    long[] c = cStrides(shape);
    long[] f = new long[shape.length];
    long s = 1;
    for (int k = 0; k < shape.length; k++) {
      f[k] = s;
      s *= shape[k];
    }
    int n = (int) s;
    int[] map = new int[n];
    for (int i = 0; i < n; i++) {
      long rest = i;
      long pos = 0;
      for (int k = 0; k < shape.length; k++) {
        long idx = rest / c[k];
        rest %= c[k];
        pos += idx * f[k];
      }
      map[i] = (int) pos;
    }
    return map;
  }

  private static float[] toC(float[] v, long[] shape) {
    int[] m = fortranIndex(shape);
    float[] out = new float[v.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = v[m[i]];
    }
    return out;
  }

  private static double[] toC(double[] v, long[] shape) {
    int[] m = fortranIndex(shape);
    double[] out = new double[v.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = v[m[i]];
    }
    return out;
  }

  private static long[] toC(long[] v, long[] shape) {
    int[] m = fortranIndex(shape);
    long[] out = new long[v.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = v[m[i]];
    }
    return out;
  }

  /** A parsed NumPy type string: byte order, kind (f, i, u, b) and item size. */
  private record Dtype(ByteOrder order, char kind, int size) {
    static Dtype parse(String descr, String source) {
      if (descr.length() < 3) {
        throw unsupported(descr, source);
      }
      char o = descr.charAt(0);
      ByteOrder order = switch (o) {
        case '<', '|', '=' -> ByteOrder.LITTLE_ENDIAN;
        case '>' -> ByteOrder.BIG_ENDIAN;
        default -> throw unsupported(descr, source);
      };
      char kind = descr.charAt(1);
      int size;
      try {
        size = Integer.parseInt(descr.substring(2));
      } catch (NumberFormatException e) {
        throw unsupported(descr, source);
      }
      boolean ok = switch (kind) {
        case 'f' -> size == 2 || size == 4 || size == 8;
        case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
        case 'b' -> size == 1;
        default -> false;
      };
      if (!ok) {
        throw unsupported(descr, source);
      }
      return new Dtype(order, kind, size);
    }

    private static IllegalArgumentException unsupported(String descr, String source) {
      return new IllegalArgumentException(source + ": unsupported dtype '" + descr
          + "' (supported: float16/32/64, integers, booleans)");
    }
  }
}
