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
import java.util.List;
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
  /** The configuration of {@code file} changed by {@code edit}, saved as {@code name}. */
  private Path withConfiguration(String name, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit)
      throws Exception {
    Map<String, byte[]> e = entries(saved);
    com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode root =
        (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(e.get(ModelFiles.CONFIGURATION));
    edit.accept(root);
    e.put(ModelFiles.CONFIGURATION, m.writeValueAsBytes(root));
    return zip(name, e);
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode layer(
      com.fasterxml.jackson.databind.node.ObjectNode root, int index) {
    return (com.fasterxml.jackson.databind.node.ObjectNode) root.get("confs").get(index).get("layer");
  }

  /**
   * configuration.json is read as data first: a type InfoPlane does not train is refused, naming the
   * file and the type, before DL4J's mapper could load the class (RecordingActivation records its
   * own loading; DL4J would load it and run it as the activation).
   */
  @Test
  void aTypeInfoPlaneDoesNotTrainIsRefusedBeforeItsClassIsLoaded() throws Exception {
    String recording = "org.infoplane.capture.RecordingActivation";
    Path crafted = withConfiguration("activation.zip",
        root -> ((com.fasterxml.jackson.databind.node.ObjectNode) layer(root, 0).get("activationFn")).put("@class", recording));
    assertThatThrownBy(() -> load(crafted))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith("cannot load the model " + crafted + ": entry configuration.json names the type '"
            + recording + "' at confs[0].layer.activationFn")
        .hasMessageContaining("activations: ActivationIdentity, ActivationReLU, ActivationSigmoid, ActivationSoftmax, ActivationTanH");
    assertThat(System.getProperty(RecordingActivation.LOADED)).as("the class was loaded").isNull();

    Path lstm = withConfiguration("lstm.zip", root -> layer(root, 0).put("@class", "org.deeplearning4j.nn.conf.layers.LSTM"));
    assertThatThrownBy(() -> load(lstm)).isInstanceOf(DatasetException.class)
        .hasMessageContaining(lstm.toString())
        .hasMessageContaining("names the type 'org.deeplearning4j.nn.conf.layers.LSTM' at confs[0].layer,")
        .hasMessageContaining("layers: ActivationLayer, BatchNormalization, ConvolutionLayer, DenseLayer, OutputLayer,"
            + " SubsamplingLayer, ZeroPaddingLayer");

    Path updater = withConfiguration("updater.zip", root -> ((com.fasterxml.jackson.databind.node.ObjectNode) layer(root, 0)
        .get("iupdater")).put("@class", recording));
    assertThatThrownBy(() -> load(updater)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("names the type '" + recording + "' at confs[0].layer.iupdater");

    Path preprocessor = withConfiguration("preprocessor.zip", root -> root.putObject("inputPreProcessors").putObject("1")
        .put("@class", "org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor"));
    assertThatThrownBy(() -> load(preprocessor)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("names the type 'org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor'"
            + " at inputPreProcessors.1,");

    // A distribution names its class in "type"; an older format names types without "@class".
    Path distribution = withConfiguration("dist.zip", root -> layer(root, 0).putObject("dist").put("type", recording));
    assertThatThrownBy(() -> load(distribution)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("dist.zip").hasMessageContaining("at confs[0].layer.dist");
    Path typeField = withConfiguration("type.zip", root -> layer(root, 0).putObject("dist")
        .put("@class", "org.nd4j.linalg.learning.config.Sgd").put("type", recording));
    assertThatThrownBy(() -> load(typeField)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("type.zip").hasMessageContaining("in the field 'type' at confs[0].layer.dist");
    // Two "@class" fields: Jackson's tree keeps the second, DL4J's mapper would act on the first.
    Map<String, byte[]> twice = entries(saved);
    String json = new String(twice.get(ModelFiles.CONFIGURATION), java.nio.charset.StandardCharsets.UTF_8);
    String relu = "\"@class\" : \"org.nd4j.linalg.activations.impl.ActivationTanH\"";
    assertThat(json).contains(relu);
    twice.put(ModelFiles.CONFIGURATION, json.replaceFirst(java.util.regex.Pattern.quote(relu),
        "\"@class\" : \"" + recording + "\", " + relu).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Path duplicate = zip("duplicate.zip", twice);
    assertThatThrownBy(() -> load(duplicate)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("duplicate.zip").hasMessageContaining("Duplicate field '@class'");
    Path legacy = withConfiguration("legacy.zip", root -> {
      com.fasterxml.jackson.databind.node.ObjectNode dense = layer(root, 0).deepCopy();
      dense.remove("@class");
      ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("confs").get(0)).putObject("layer").set("dense", dense);
    });
    assertThatThrownBy(() -> load(legacy)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("legacy.zip").hasMessageContaining("at confs[0].layer names no type ('@class')");
    assertThat(System.getProperty(RecordingActivation.LOADED)).as("the class was loaded").isNull();
  }

  /** Every network InfoPlane trains passes the check and loads back, with and without a learning-rate warm-up. */
  @Test
  void everyArchitectureInfoPlaneTrainsLoadsBack() {
    for (Architecture a : Architecture.values()) {
      for (String activation : List.of("tanh", "relu")) {
        for (int warmup : new int[] {0, 5}) {
          MultiLayerNetwork n = new NetworkSpec(a, activation, 0.09, warmup, 1.0 / 16, 3).build();
          Path file = dir.resolve(a + "-" + activation + "-" + warmup + ".zip");
          ModelFiles.save(n, new org.apache.hadoop.fs.Path(file.toUri()), new Configuration());
          MultiLayerNetwork back = load(file);
          assertThat(back.numParams()).as(a + " " + activation).isEqualTo(n.numParams());
          var sgd = (org.nd4j.linalg.learning.config.Sgd) ((org.deeplearning4j.nn.conf.layers.BaseLayer)
              back.getLayerWiseConfigurations().getConf(1).getLayer()).getIUpdater();
          // With the warm-up, step 1 (from 0) uses 0.09 * 2/5; without, 0.09.
          assertThat(sgd.getLearningRate(1, 0)).as(a + " " + activation + " warm-up " + warmup)
              .isCloseTo(warmup == 0 ? 0.09 : 0.09 * 2 / 5, org.assertj.core.api.Assertions.within(1e-15));
        }
      }
    }
  }

  /**
   * A learning-rate schedule's values (a map of iteration to rate, the one untyped object the check
   * lets through below a type) hold numbers only: an object there is refused, naming where.
   */
  @Test
  void aScheduleValueThatIsNotANumberIsRefused() throws Exception {
    net = new NetworkSpec(Architecture.MLP, "tanh", 0.09, 3, 0.25, 7).build();
    saved = dir.resolve("warmup.zip");
    ModelFiles.save(net, new org.apache.hadoop.fs.Path(saved.toUri()), new Configuration());
    assertThat(load(saved).numParams()).isEqualTo(net.numParams());
    String recording = "org.infoplane.capture.RecordingActivation";
    Path crafted = withConfiguration("schedule.zip", root -> ((com.fasterxml.jackson.databind.node.ObjectNode) layer(root, 0)
        .get("iupdater").get("learningRateSchedule").get("values")).putObject("1").put("@class", recording));
    assertThatThrownBy(() -> load(crafted)).isInstanceOf(DatasetException.class)
        .hasMessage("cannot load the model " + crafted + ": entry configuration.json holds the entry '1' (an object) at"
            + " confs[0].layer.iupdater.learningRateSchedule.values, which is not an iteration (a non-negative"
            + " integer) and a learning rate (a number)");
    Path key = withConfiguration("key.zip", root -> ((com.fasterxml.jackson.databind.node.ObjectNode) layer(root, 0)
        .get("iupdater").get("learningRateSchedule").get("values")).put("x", 0.5));
    assertThatThrownBy(() -> load(key)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("holds the entry 'x' (a number) at confs[0].layer.iupdater.learningRateSchedule.values");
    assertThat(System.getProperty(RecordingActivation.LOADED)).as("the class was loaded").isNull();
  }
}
