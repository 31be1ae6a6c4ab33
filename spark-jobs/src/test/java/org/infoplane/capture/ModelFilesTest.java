package org.infoplane.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Model zips are read without deserializing Java objects: a saved model loads back to the same
 * parameters and outputs as the network that was saved; a zip with a serialized object, or
 * parameters that do not match the configuration, is refused naming the file and the entry.
 */
class ModelFilesTest {

  @TempDir Path dir;
  MultiLayerNetwork net;
  Path saved;

  @BeforeEach
  void saveASmallNetwork() {
    net = NetworkSpec.of(Architecture.MLP, 0.09, 0.25, 7).build();
    saved = dir.resolve("epoch=0-step=0.zip");
    ModelFiles.save(net, new org.apache.hadoop.fs.Path(saved.toUri()), new Configuration());
  }

  private static Map<String, byte[]> entries(Path zip) throws Exception {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (ZipEntry e : z.stream().toList()) {
        out.put(e.getName(), z.getInputStream(e).readAllBytes());
      }
    }
    return out;
  }

  private Path zip(String name, Map<String, byte[]> entries) throws Exception {
    Path file = dir.resolve(name);
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return file;
  }

  private static byte[] serialized(Object o) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(b)) {
      out.writeObject(o);
    }
    return b.toByteArray();
  }

  private static MultiLayerNetwork load(Path file) {
    return ModelFiles.load(file.toString(), new Configuration());
  }

  @Test
  void aSavedModelLoadsBackWithTheSameParametersAndOutputs() {
    MultiLayerNetwork back = load(saved);
    assertThat(back.params().dataType()).isEqualTo(net.params().dataType());
    float[] want = net.params().dup().data().asFloat();
    float[] got = back.params().dup().data().asFloat();
    assertThat(got.length).isEqualTo(want.length);
    assertThat(Arrays.mismatch(got, want)).as("first differing parameter").isEqualTo(-1);
    INDArray x = Nd4j.linspace(-1, 1, 3 * 784, org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape(3, 784);
    assertThat(Arrays.mismatch(back.output(x, false).data().asFloat(), net.output(x, false).data().asFloat()))
        .as("first differing output").isEqualTo(-1);
  }

  @Test
  void aSerializedHashMapEntryIsRefusedNamingTheFileAndTheEntry() throws Exception {
    Map<String, byte[]> e = entries(saved);
    HashMap<String, String> map = new HashMap<>();
    map.put("k", "v");
    e.put("preprocessor.bin", serialized(map));
    Path crafted = zip("epoch=1-step=0.zip", e);
    assertThatThrownBy(() -> load(crafted))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(crafted.toString())
        .hasMessageContaining("'preprocessor.bin'")
        .hasMessageContaining("serialized Java objects");
  }

  /**
   * The nested-set bomb: 100 levels of two sets each holding both sets of the next level. It
   * serializes in linear time, but deserializing it hashes 2^100 set trees. The guard timeout only
   * keeps the build from hanging when the entry is deserialized.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void theNestedSetBombIsRefusedWithoutBeingRead() throws Exception {
    Set<Object> root = new HashSet<>();
    Set<Object> s1 = root;
    Set<Object> s2 = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      Set<Object> t1 = new HashSet<>();
      Set<Object> t2 = new HashSet<>();
      t1.add("foo");
      s1.add(t1);
      s1.add(t2);
      s2.add(t1);
      s2.add(t2);
      s1 = t1;
      s2 = t2;
    }
    byte[] bomb = serialized(root);
    assertThat(bomb.length).isLessThan(8192);
    Map<String, byte[]> e = entries(saved);
    e.put("preprocessor.bin", bomb);
    Path crafted = zip("bomb.zip", e);
    assertThatThrownBy(() -> load(crafted))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("bomb.zip")
        .hasMessageContaining("'preprocessor.bin'");
  }

  @Test
  void parametersThatDoNotMatchTheConfigurationAreRefusedBeforeAllocating() throws Exception {
    long count = net.numParams();
    Map<String, byte[]> more = entries(saved);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    Nd4j.write(Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, count + 1), new DataOutputStream(b));
    more.put(ModelFiles.COEFFICIENTS, b.toByteArray());
    Path wrongCount = zip("count.zip", more);
    assertThatThrownBy(() -> load(wrongCount))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("count.zip")
        .hasMessageContaining("coefficients.bin")
        .hasMessageContaining("holds " + (count + 1) + " parameters, the configuration has " + count);

    Map<String, byte[]> cut = entries(saved);
    byte[] c = cut.get(ModelFiles.COEFFICIENTS);
    cut.put(ModelFiles.COEFFICIENTS, Arrays.copyOf(c, c.length - 40));
    Path truncated = zip("cut.zip", cut);
    assertThatThrownBy(() -> load(truncated))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("cut.zip")
        .hasMessageContaining("coefficients.bin")
        .hasMessageContaining("the entry holds");

    Map<String, byte[]> none = entries(saved);
    none.remove(ModelFiles.CONFIGURATION);
    Path noConfig = zip("noconf.zip", none);
    assertThatThrownBy(() -> load(noConfig)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("noconf.zip").hasMessageContaining("no configuration.json");
  }
}
