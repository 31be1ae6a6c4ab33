package org.infoplane.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.weights.WeightInitRelu;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.schedule.MapSchedule;

/**
 * Reads a model zip's {@code configuration.json} as data (a Jackson tree; no class is looked up)
 * before DL4J's mapper, which loads and instantiates every class the file names, sees it. Accepted
 * are only the types of the networks InfoPlane trains ({@link NetworkSpec}: the MLP, the CNN and
 * VGG-16 of {@link Architecture}, with tanh or ReLU):
 *
 * <ul>
 *   <li>each layer ({@code confs[i].layer}) one of {@link #LAYERS};
 *   <li>each activation ({@code activationFn}) one of {@link #ACTIVATIONS} (sigmoid is DL4J's
 *       default, which the batch-normalisation layers carry);
 *   <li>each input preprocessor ({@code inputPreProcessors}) one of {@link #PREPROCESSORS};
 *   <li>any other typed value (updater, learning-rate schedule, loss, weight initialisation, dropout) one of
 *       {@link #OTHERS}; the {@code values} of a {@link MapSchedule} (the learning-rate warm-up of
 *       {@link NetworkSpec}) must be a map of iteration (a non-negative integer) to number.
 * </ul>
 *
 * The JSON is the format DL4J 1.0.0-M2.1 writes, where every typed object names its class in
 * {@code "@class"}. An object that names no type where one is needed (older DL4J formats name types
 * by wrapper keys, which DL4J would resolve through its legacy mappers) and any {@code "type"} field
 * (the class name of a DL4J distribution) are refused too. Only the root, its
 * {@code inputPreProcessors} map, the per-layer entries of {@code confs} and a {@code MapSchedule}'s
 * {@code values} are untyped objects.
 */
final class ModelConfigurationCheck {

  static final Set<String> LAYERS = names(DenseLayer.class, BatchNormalization.class, OutputLayer.class,
      ConvolutionLayer.class, SubsamplingLayer.class, ZeroPaddingLayer.class, ActivationLayer.class);
  static final Set<String> ACTIVATIONS = names(ActivationTanH.class, ActivationReLU.class, ActivationSoftmax.class,
      ActivationSigmoid.class, ActivationIdentity.class);
  static final Set<String> PREPROCESSORS = names(FeedForwardToCnnPreProcessor.class,
      CnnToFeedForwardPreProcessor.class);
  static final Set<String> OTHERS = names(Sgd.class, MapSchedule.class, LossMCXENT.class, WeightInitXavier.class,
      WeightInitRelu.class, Dropout.class);
  private static final String MAP_SCHEDULE = MapSchedule.class.getName();

  private static final String TYPE = "@class";
  /**
   * Duplicate keys are refused: the tree keeps the last of two {@code "@class"} fields, DL4J's
   * mapper acts on the first.
   */
  private static final ObjectMapper TREE = new ObjectMapper()
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private ModelConfigurationCheck() {}

  /**
   * Checks {@code json}, the configuration entry of the model {@code uri}.
   *
   * @throws DatasetException naming the model, the entry, the type and where it is, for the first
   *     type not accepted; or when the entry is not JSON of the expected shape
   */
  static void check(String json, String uri) {
    JsonNode root;
    try {
      root = TREE.readTree(json);
    } catch (JsonProcessingException e) {
      throw refused(uri, "is not valid JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw refused(uri, "is not a JSON object");
    }
    JsonNode confs = root.path("confs");
    if (!confs.isArray() || confs.isEmpty()) {
      throw refused(uri, "has no layers ('confs' must be a non-empty list)");
    }
    for (int i = 0; i < confs.size(); i++) {
      JsonNode conf = confs.get(i);
      String at = "confs[" + i + "]";
      if (!conf.isObject()) {
        throw refused(uri, "holds " + nodeKind(conf) + " at " + at + ", not a layer's configuration");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = conf.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> f = it.next();
        walk(f.getValue(), at + "." + f.getKey(), f.getKey().equals("layer") ? LAYERS : null, uri);
      }
      if (!conf.path("layer").isObject()) {
        throw refused(uri, "has no layer object at " + at + ".layer");
      }
    }
    JsonNode pre = root.path("inputPreProcessors");
    if (!pre.isMissingNode() && !pre.isNull()) {
      if (!pre.isObject()) {
        throw refused(uri, "holds " + nodeKind(pre) + " at inputPreProcessors, not a map of layer index to preprocessor");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = pre.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> f = it.next();
        walk(f.getValue(), "inputPreProcessors." + f.getKey(), PREPROCESSORS, uri);
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!f.getKey().equals("confs") && !f.getKey().equals("inputPreProcessors")) {
        walk(f.getValue(), f.getKey(), null, uri);
      }
    }
  }

  /**
   * Checks a value at {@code at} and everything inside it: an object must name an accepted type,
   * from {@code expected} when given (a layer or a preprocessor), else by the field it sits in.
   */
  private static void walk(JsonNode node, String at, Set<String> expected, String uri) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), at + "[" + i + "]", null, uri);
      }
      return;
    }
    if (!node.isObject()) {
      return;
    }
    JsonNode type = node.get(TYPE);
    if (type == null || type.isNull()) {
      throw refused(uri, "at " + at + " names no type ('" + TYPE + "'): an older DL4J format, or not a network"
          + " InfoPlane trains");
    }
    Set<String> accepted = expected != null ? expected
        : at.endsWith(".activationFn") ? ACTIVATIONS : OTHERS;
    if (!type.isTextual() || !accepted.contains(type.asText())) {
      throw refused(uri, "names the type '" + (type.isTextual() ? type.asText() : type.toString()) + "' at " + at
          + ", which InfoPlane does not load: it reads the networks it trains, with " + describe(accepted));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals("type")) {
        throw refused(uri, "names the type " + f.getValue() + " in the field 'type' at " + at + ", which InfoPlane"
            + " does not load (a DL4J distribution; the networks InfoPlane trains have none)");
      }
      if (f.getKey().equals("values") && type.asText().equals(MAP_SCHEDULE)) {
        scheduleValues(f.getValue(), at + ".values", uri);
      } else if (!f.getKey().equals(TYPE)) {
        walk(f.getValue(), at + "." + f.getKey(), null, uri);
      }
    }
  }

  /** A {@code MapSchedule}'s values: a map of iteration (a non-negative integer) to a number, nothing else. */
  private static void scheduleValues(JsonNode node, String at, String uri) {
    if (!node.isObject()) {
      throw refused(uri, "holds " + nodeKind(node) + " at " + at + ", not a map of iteration to learning rate");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!f.getKey().matches("[0-9]{1,9}") || !f.getValue().isNumber()) {
        throw refused(uri, "holds the entry '" + f.getKey() + "' (" + nodeKind(f.getValue()) + ") at " + at
            + ", which is not an iteration (a non-negative integer) and a learning rate (a number)");
      }
    }
  }

  private static String describe(Set<String> accepted) {
    String kind = accepted == LAYERS ? "layers" : accepted == ACTIVATIONS ? "activations"
        : accepted == PREPROCESSORS ? "preprocessors"
        : "updaters, learning-rate schedules, losses, weight initialisations and dropout";
    return kind + ": " + accepted.stream().map(n -> n.substring(n.lastIndexOf('.') + 1)).sorted()
        .collect(Collectors.joining(", "));
  }

  private static String nodeKind(JsonNode n) {
    return n.isArray() ? "a list" : n.isObject() ? "an object" : n.isTextual() ? "a string" : n.isNumber() ? "a number"
        : n.getNodeType().toString();
  }

  private static DatasetException refused(String uri, String what) {
    return new DatasetException("cannot load the model " + uri + ": entry " + ModelFiles.CONFIGURATION + " " + what);
  }

  private static Set<String> names(Class<?>... classes) {
    Set<String> out = new TreeSet<>();
    for (Class<?> c : classes) {
      out.add(c.getName());
    }
    return Set.copyOf(out);
  }
}
