package org.infoplane.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class NpyTest {

  @TempDir Path dir;

  @Test
  void readsCOrderFloat32WithShapeAndValues() throws Exception {
    float[] v = new float[24];
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.5f - 3f;
    }
    Path f = NpyFiles.writeFloat32(dir.resolve("a.npy"), new long[] {2, 3, 4}, v);
    INDArray a = Npy.read(f).toFloatArray();
    assertThat(a.shape()).containsExactly(2, 3, 4);
    assertThat(a.dataType()).isEqualTo(DataType.FLOAT);
    assertThat(a.getFloat(1, 2, 3)).isEqualTo(v[1 * 12 + 2 * 4 + 3]);
    assertThat(a.getFloat(0, 1, 0)).isEqualTo(v[4]);
  }

  @Test
  void transposesFortranOrderIntoCOrder() throws Exception {
    // The 2×3 matrix [[0,1,2],[3,4,5]] stored column by column: 0,3,1,4,2,5.
    float[] colMajor = {0, 3, 1, 4, 2, 5};
    Path f = dir.resolve("f.npy");
    Files.write(f, NpyFiles.npy("<f4", true, new long[] {2, 3}, NpyFiles.floats(colMajor, ByteOrder.LITTLE_ENDIAN)));
    INDArray a = Npy.read(f).toFloatArray();
    assertThat(a.shape()).containsExactly(2, 3);
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        assertThat(a.getFloat(i, j)).isEqualTo(i * 3 + j);
      }
    }
  }

  @Test
  void readsBigEndianFloat64AndFloat16() throws Exception {
    Path be = dir.resolve("be.npy");
    Files.write(be, NpyFiles.npy(">f4", false, new long[] {3}, NpyFiles.floats(new float[] {1.5f, -2f, 1e-3f}, ByteOrder.BIG_ENDIAN)));
    assertThat(Npy.read(be).toFloatArray().toFloatVector()).containsExactly(1.5f, -2f, 1e-3f);

    Path f8 = NpyFiles.writeFloat64(dir.resolve("d.npy"), new long[] {2}, new double[] {Math.PI, -1e300});
    INDArray d = Npy.read(f8).toFloatArray();
    assertThat(d.dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(d.toDoubleVector()).containsExactly(Math.PI, -1e300);

    // float16 bit patterns from the IEEE 754 tables: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF,
    // smallest subnormal 2^-24 = 0x0001, +inf = 0x7C00.
    ByteBuffer h = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    for (int bits : new int[] {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00}) {
      h.putShort((short) bits);
    }
    Path f2 = dir.resolve("h.npy");
    Files.write(f2, NpyFiles.npy("<f2", false, new long[] {5}, h.array()));
    assertThat(Npy.read(f2).toFloatArray().toFloatVector())
        .containsExactly(1.0f, -2.0f, 65504f, (float) Math.pow(2, -24), Float.POSITIVE_INFINITY);
  }

  @Test
  void readsIntegerLabelsOfEveryWidth() throws Exception {
    Path i8 = NpyFiles.writeInt64(dir.resolve("y.npy"), new long[] {0, 9, 3});
    assertThat(Npy.read(i8).toLabels()).containsExactly(0, 9, 3);
    Path u1 = dir.resolve("u.npy");
    Files.write(u1, NpyFiles.npy("|u1", false, new long[] {3}, new byte[] {0, (byte) 200, 7}));
    assertThat(Npy.read(u1).toLabels()).containsExactly(0, 200, 7);
    ByteBuffer i4 = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(-5).putInt(70000);
    Path bi = dir.resolve("bi.npy");
    Files.write(bi, NpyFiles.npy(">i4", false, new long[] {2}, i4.array()));
    assertThat(Npy.read(bi).toLabels()).containsExactly(-5, 70000);
  }

  @Test
  void readsNpzEntriesInOrder() throws Exception {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("x", NpyFiles.npy("<f4", false, new long[] {2}, NpyFiles.floats(new float[] {1, 2}, ByteOrder.LITTLE_ENDIAN)));
    m.put("y", NpyFiles.npy("<i8", false, new long[] {2}, NpyFiles.longs(new long[] {1, 0})));
    Map<String, NpyArray> read = Npy.readNpz(NpyFiles.writeNpz(dir.resolve("a.npz"), m));
    assertThat(read.keySet()).containsExactly("x", "y");
    assertThat(read.get("y").toLabels()).containsExactly(1, 0);
    assertThat(read.get("x").source()).contains("a.npz").contains("x.npy");
  }

  @Test
  void refusesBadFilesWithTheFileNamed() throws Exception {
    Path good = NpyFiles.writeFloat32(dir.resolve("g.npy"), new long[] {4, 4}, new float[16]);
    byte[] bytes = Files.readAllBytes(good);

    Path truncated = Files.write(dir.resolve("trunc.npy"), Arrays.copyOf(bytes, bytes.length - 5));
    assertThatThrownBy(() -> Npy.read(truncated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trunc.npy").hasMessageContaining("truncated");

    Path notNpy = Files.writeString(dir.resolve("text.npy"), "hello, not numpy");
    assertThatThrownBy(() -> Npy.read(notNpy)).hasMessageContaining("text.npy").hasMessageContaining("magic");

    Path complex = dir.resolve("c.npy");
    Files.write(complex, NpyFiles.npy("<c8", false, new long[] {1}, new byte[8]));
    assertThatThrownBy(() -> Npy.read(complex)).hasMessageContaining("c.npy").hasMessageContaining("<c8");

    assertThatThrownBy(() -> Npy.read(dir.resolve("missing.npy"))).hasMessageContaining("missing.npy")
        .hasMessageContaining("no such file");

    Path notZip = Files.writeString(dir.resolve("bad.npz"), "not a zip");
    assertThatThrownBy(() -> Npy.readNpz(notZip)).hasMessageContaining("bad.npz");

    assertThatThrownBy(() -> Npy.read(good).toLabels()).hasMessageContaining("g.npy").hasMessageContaining("integers");
  }

  /**
   * A header promising 268 M × 8 float64 values (about 17 GB) in a file of a few hundred bytes is
   * refused from the header and the file size alone, before any array is allocated.
   */
  @Test
  void aHeaderPromisingMoreThanTheFileHoldsIsRefusedBeforeAllocating() throws Exception {
    byte[] bomb = NpyFiles.npy("<f8", false, new long[] {268_000_000L, 8}, new byte[128]);
    assertThat(bomb.length).isLessThan(300);
    Path file = Files.write(dir.resolve("bomb.npy"), bomb);
    assertThatThrownBy(() -> Npy.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bomb.npy")
        .hasMessageContaining("[268000000, 8]")
        .hasMessageContaining("17152000000 bytes of data")
        .hasMessageContaining("holds 128");

    Path npz = NpyFiles.writeNpz(dir.resolve("bomb.npz"), Map.of("L0_fc", bomb));
    assertThatThrownBy(() -> Npy.readNpz(npz))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bomb.npz [L0_fc.npy]")
        .hasMessageContaining("holds 128");
  }

  @Test
  void trailingBytesAfterTheValuesAreRefusedAsADamagedFile() throws Exception {
    byte[] longer = NpyFiles.npy("<f4", false, new long[] {2}, new byte[12]);
    Path file = Files.write(dir.resolve("long.npy"), longer);
    assertThatThrownBy(() -> Npy.read(file))
        .hasMessageContaining("long.npy").hasMessageContaining("8 bytes of data").hasMessageContaining("holds 12");
  }
}
