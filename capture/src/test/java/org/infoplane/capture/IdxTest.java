package org.infoplane.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The IDX reader on the real Fashion-MNIST files and on broken ones. */
class IdxTest {

  @TempDir Path dir;

  static ImageDataset fashionMnistOrSkip() {
    assumeTrue(Files.isRegularFile(ImageDataset.FASHION_MNIST_DIR.resolve("t10k-labels-idx1-ubyte.gz")),
        "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    return ImageDataset.fashionMnist();
  }

  @Test
  void readsFashionMnist() {
    ImageDataset ds = fashionMnistOrSkip();
    LabeledImages test = ds.test();
    assertThat(test.count()).isEqualTo(10_000);
    assertThat(test.rows()).isEqualTo(28);
    assertThat(test.cols()).isEqualTo(28);
    int[] counts = new int[10];
    for (int i = 0; i < test.count(); i++) {
      counts[test.label(i)]++;
    }
    // Fashion-MNIST's test set holds exactly 1000 images of each class; its first image is an ankle boot (9).
    assertThat(counts).containsOnly(1000);
    assertThat(test.label(0)).isEqualTo(9);
    INDArray x = test.features(new int[] {0, 1, 9999});
    assertThat(x.shape()).containsExactly(3, 784);
    assertThat(x.minNumber().doubleValue()).isEqualTo(0.0);
    assertThat(x.maxNumber().doubleValue()).isLessThanOrEqualTo(1.0).isGreaterThan(0.5);
    assertThat(Idx.readLabels(ds.trainLabels())).hasSize(60_000);
  }

  @Test
  void plainAndGzipGiveTheSameImages() throws IOException {
    byte[] body = idx(3, new int[] {2, 3, 4}, 24);
    Path plain = Files.write(dir.resolve("a-idx3-ubyte"), body);
    Path gz = gzip(dir.resolve("a-idx3-ubyte.gz"), body);
    Idx.Images p = Idx.readImages(plain);
    Idx.Images g = Idx.readImages(gz);
    assertThat(p.count()).isEqualTo(2);
    assertThat(p.rows()).isEqualTo(3);
    assertThat(p.cols()).isEqualTo(4);
    assertThat(g.pixels()).isEqualTo(p.pixels());
    assertThat(p.pixel(1, 11)).isEqualTo(23 / 255f);
  }

  @Test
  void badMagicNamesTheFile() throws IOException {
    byte[] body = idx(3, new int[] {2, 3, 4}, 24);
    body[2] = 0x0D; // float data
    Path f = Files.write(dir.resolve("float-idx3"), body);
    assertThatThrownBy(() -> Idx.readImages(f)).isInstanceOf(DatasetException.class)
        .hasMessageContaining(f.toString()).hasMessageContaining("bad magic number 0x00000d03");
    Path labels = Files.write(dir.resolve("labels-as-images"), idx(1, new int[] {5}, 5));
    assertThatThrownBy(() -> Idx.readImages(labels)).isInstanceOf(DatasetException.class)
        .hasMessageContaining(labels.toString()).hasMessageContaining("expected 0x00000803");
  }

  @Test
  void truncatedDataIsReported() throws IOException {
    byte[] body = idx(3, new int[] {2, 3, 4}, 24);
    byte[] cut = Arrays.copyOf(body, body.length - 5);
    Path plain = Files.write(dir.resolve("cut-idx3"), cut);
    assertThatThrownBy(() -> Idx.readImages(plain)).isInstanceOf(DatasetException.class)
        .hasMessageContaining(plain.toString()).hasMessageContaining("truncated")
        .hasMessageContaining("2 images of 3x4 pixels (24 bytes) but only 19 bytes follow");
    Path header = Files.write(dir.resolve("header-idx3"), Arrays.copyOf(body, 10));
    assertThatThrownBy(() -> Idx.readImages(header)).isInstanceOf(DatasetException.class)
        .hasMessageContaining(header.toString()).hasMessageContaining("truncated in its header");
  }

  @Test
  void truncatedGzipIsReported() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(idx(3, new int[] {50, 28, 28}, 50 * 784));
    }
    byte[] gz = bytes.toByteArray();
    Path f = Files.write(dir.resolve("cut-idx3.gz"), Arrays.copyOf(gz, gz.length / 2));
    assertThatThrownBy(() -> Idx.readImages(f)).isInstanceOf(DatasetException.class)
        .hasMessageContaining(f.toString()).hasMessageContaining("truncated");
  }

  @Test
  void countMismatchNamesBothFiles() throws IOException {
    Path images = Files.write(dir.resolve("img"), idx(3, new int[] {3, 2, 2}, 12));
    Path labels = Files.write(dir.resolve("lab"), idx(1, new int[] {4}, 4));
    ImageDataset ds = new ImageDataset("t", images, labels, images, labels);
    assertThatThrownBy(ds::train).isInstanceOf(DatasetException.class)
        .hasMessage(images + " holds 3 images but " + labels + " holds 4 labels");
  }

  @Test
  void labelOutsideTheClassesIsReported() throws IOException {
    Path images = Files.write(dir.resolve("img"), idx(3, new int[] {3, 2, 2}, 12));
    byte[] l = idx(1, new int[] {3}, 3);
    l[l.length - 1] = 10;
    Path labels = Files.write(dir.resolve("lab"), l);
    assertThatThrownBy(() -> new ImageDataset("t", images, labels, images, labels).test())
        .isInstanceOf(DatasetException.class).hasMessageContaining("label 10 of sample 2 is outside [0, 10)");
  }

  @Test
  void missingFileIsReported() {
    Path f = dir.resolve("nope.gz");
    assertThatThrownBy(() -> Idx.readLabels(f)).isInstanceOf(DatasetException.class)
        .hasMessage(f + ": no such file");
  }

  /** An IDX file of unsigned bytes with these dimensions; value i is i mod 256 (labels: i mod 10). */
  static byte[] idx(int dims, int[] sizes, int values) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(new byte[] {0, 0, 8, (byte) dims});
    for (int s : sizes) {
      out.writeInt(s);
    }
    for (int i = 0; i < values; i++) {
      out.writeByte(dims == 1 ? i % 10 : i % 256);
    }
    out.flush();
    return bytes.toByteArray();
  }

  private static Path gzip(Path f, byte[] body) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
      out.write(body);
    }
    return f;
  }
}
