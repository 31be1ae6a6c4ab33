package org.infoplane.capture;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST-like datasets (plain or gzip-compressed; gzip is recognised by its
 * magic bytes, not by the file name).
 *
 * <p>Format (big-endian): two zero bytes, a type byte ({@code 0x08} = unsigned byte, the only type
 * read here), the number of dimensions d, then d 32-bit sizes, then the values in row-major order.
 * Images are {@code idx3} (count × rows × columns), labels {@code idx1} (count).
 */
public final class Idx {

  private static final int UNSIGNED_BYTE = 0x08;

  private Idx() {}

  /** The images of an {@code idx3-ubyte} file. */
  public static Images readImages(Path file) {
    try (DataInputStream in = open(file)) {
      int[] dims = header(in, file, 3);
      long size = (long) dims[0] * dims[1] * dims[2];
      if (size > Integer.MAX_VALUE) {
        throw new DatasetException(file + ": " + dims[0] + " images of " + dims[1] + "x" + dims[2]
            + " are too many to hold in one array");
      }
      byte[] pixels = new byte[(int) size];
      readFully(in, pixels, file, dims[0] + " images of " + dims[1] + "x" + dims[2] + " pixels");
      return new Images(file.toString(), dims[0], dims[1], dims[2], pixels);
    } catch (IOException e) {
      throw ioFailure(file, e);
    }
  }

  /** The labels of an {@code idx1-ubyte} file, each in [0, 255]. */
  public static int[] readLabels(Path file) {
    try (DataInputStream in = open(file)) {
      int[] dims = header(in, file, 1);
      byte[] raw = new byte[dims[0]];
      readFully(in, raw, file, dims[0] + " labels");
      int[] labels = new int[raw.length];
      for (int i = 0; i < raw.length; i++) {
        labels[i] = raw[i] & 0xff;
      }
      return labels;
    } catch (IOException e) {
      throw ioFailure(file, e);
    }
  }

  /** The images of one IDX file: pixel values 0–255, sample after sample, row-major. */
  public record Images(String source, int count, int rows, int cols, byte[] pixels) {
    /** Pixels per image. */
    public int size() {
      return rows * cols;
    }

    /** Pixel {@code p} of image {@code i}, scaled to [0, 1]. */
    public float pixel(int i, int p) {
      return (pixels[i * size() + p] & 0xff) / 255f;
    }
  }

  private static DataInputStream open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file + ": no such file");
    }
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    raw.mark(2);
    int b0 = raw.read();
    int b1 = raw.read();
    raw.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      raw = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
    }
    return new DataInputStream(raw);
  }

  private static int[] header(DataInputStream in, Path file, int expectedDims) throws IOException {
    byte[] magic = new byte[4];
    readFully(in, magic, file, "the 4-byte magic number");
    int type = magic[2] & 0xff;
    int dims = magic[3] & 0xff;
    if (magic[0] != 0 || magic[1] != 0 || type != UNSIGNED_BYTE || dims != expectedDims) {
      throw new DatasetException(String.format(
          "%s: bad magic number 0x%02x%02x%02x%02x: expected 0x000008%02x (IDX, unsigned bytes, %d dimension%s)",
          file, magic[0], magic[1], magic[2], magic[3], expectedDims, expectedDims, expectedDims == 1 ? "" : "s"));
    }
    int[] sizes = new int[dims];
    for (int d = 0; d < dims; d++) {
      try {
        sizes[d] = in.readInt();
      } catch (EOFException e) {
        throw new DatasetException(file + ": truncated in its header (dimension " + (d + 1) + " of " + dims + ")");
      }
      if (sizes[d] < 1) {
        throw new DatasetException(file + ": dimension " + (d + 1) + " has size " + sizes[d] + ", must be >= 1");
      }
    }
    return sizes;
  }

  private static void readFully(DataInputStream in, byte[] buf, Path file, String what) throws IOException {
    int off = 0;
    while (off < buf.length) {
      int n = in.read(buf, off, buf.length - off);
      if (n < 0) {
        throw new DatasetException(file + ": truncated: the header announces " + what + " (" + buf.length
            + " bytes) but only " + off + " bytes follow");
      }
      off += n;
    }
  }

  private static DatasetException ioFailure(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new DatasetException(file + ": no such file", e);
    }
    if (e instanceof ZipException || e instanceof EOFException) {
      return new DatasetException(file + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
    }
    return new DatasetException(file + ": cannot read: " + e.getMessage(), e);
  }
}
