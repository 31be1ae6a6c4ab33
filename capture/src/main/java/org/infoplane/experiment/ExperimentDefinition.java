package org.infoplane.experiment;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.infoplane.capture.NetworkSpec;

/**
 * One experiment of METHOD.md §8: a network, its training, how many repeated runs, and the
 * checkpoints, read from a properties file of {@code experiments/}. Every key is known and checked;
 * an unknown key or a bad value is an error naming the file, the key and the value.
 *
 * <p>Keys: {@code description}, {@code model} (mlp, cnn, vgg16), {@code activation}, {@code runs},
 * {@code epochs}, {@code train-samples} (0: all outside the validation split), {@code validation-samples}
 * (training images held out for early stopping, never trained on; default
 * {@value org.infoplane.capture.TrainingOptions#DEFAULT_VALIDATION_SAMPLES}, 0: none), {@code eval-samples} (per split),
 * {@code checkpoints-per-epoch}, {@code learning-rate}, {@code warmup-steps} (the SGD steps of a linear
 * learning-rate warm-up, {@link org.infoplane.capture.NetworkSpec}; default 0: none, as in the paper),
 * {@code batch-size}, {@code width-multiplier} (vgg16) and {@code seed} (run i, counted from 1, is trained
 * with seed + i − 1).
 */
public record ExperimentDefinition(String name, String description, String model, String activation, int runs,
    int epochs, int trainSamples, int validationSamples, int evalSamples, int checkpointsPerEpoch, double learningRate,
    int warmupSteps, int batchSize, double widthMultiplier, long seed) {

  /** The keys a definition may hold. */
  public static final Set<String> KEYS = Set.of("description", "model", "activation", "runs", "epochs",
      "train-samples", "validation-samples", "eval-samples", "checkpoints-per-epoch", "learning-rate", "warmup-steps", "batch-size",
      "width-multiplier", "seed");

  public ExperimentDefinition {
    if (!name.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("experiment name '" + name + "' must use letters, digits, '_', '-', '.'");
    }
    if (!Set.of("mlp", "cnn", "vgg16").contains(model)) {
      throw new IllegalArgumentException("experiment " + name + ": model must be mlp, cnn or vgg16, got '" + model + "'");
    }
    positive(name, "runs", runs);
    positive(name, "epochs", epochs);
    positive(name, "eval-samples", evalSamples);
    positive(name, "checkpoints-per-epoch", checkpointsPerEpoch);
    positive(name, "batch-size", batchSize);
    if (trainSamples < 0) {
      throw new IllegalArgumentException("experiment " + name + ": train-samples must be >= 0 (0: all), got " + trainSamples);
    }
    if (validationSamples < 0) {
      throw new IllegalArgumentException("experiment " + name + ": validation-samples must be >= 0 (0: none, and no"
          + " early stopping), got " + validationSamples);
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("experiment " + name + ": learning-rate must be > 0, got " + learningRate);
    }
    if (!(widthMultiplier > 0)) {
      throw new IllegalArgumentException("experiment " + name + ": width-multiplier must be > 0, got " + widthMultiplier);
    }
    String warmup = NetworkSpec.warmupStepsProblem("warmup-steps", warmupSteps);
    if (warmup != null) {
      throw new IllegalArgumentException("experiment " + name + ": " + warmup);
    }
  }

  private static void positive(String name, String key, int v) {
    if (v < 1) {
      throw new IllegalArgumentException("experiment " + name + ": " + key + " must be >= 1, got " + v);
    }
  }

  /** The id of run {@code i} (from 1): the experiment's name and the run's number. */
  public String runId(int i) {
    return name + "-" + i;
  }

  /** Reads a definition; the experiment's name is the file name without {@code .properties}. */
  public static ExperimentDefinition read(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the experiment " + file + ": " + e.getMessage(), e);
    }
    String fileName = file.getFileName().toString();
    String name = fileName.endsWith(".properties") ? fileName.substring(0, fileName.length() - 11) : fileName;
    Map<String, String> v = new LinkedHashMap<>();
    Set<String> unknown = new TreeSet<>();
    for (String k : p.stringPropertyNames()) {
      if (KEYS.contains(k)) {
        v.put(k, p.getProperty(k).trim());
      } else {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(file + ": unknown keys " + unknown + "; known: " + new TreeSet<>(KEYS));
    }
    for (String k : List.of("model", "runs", "epochs", "eval-samples", "checkpoints-per-epoch")) {
      if (!v.containsKey(k)) {
        throw new IllegalArgumentException(file + ": the key '" + k + "' is missing");
      }
    }
    String model = v.get("model");
    int warmupSteps = integer(file, v, "warmup-steps", "0");
    String warmup = NetworkSpec.warmupStepsProblem("warmup-steps", warmupSteps);
    if (warmup != null) {
      throw new IllegalArgumentException(file + ": " + warmup);
    }
    return new ExperimentDefinition(name, v.getOrDefault("description", name), model,
        v.getOrDefault("activation", model.equals("mlp") ? "tanh" : "relu"),
        integer(file, v, "runs", null), integer(file, v, "epochs", null), integer(file, v, "train-samples", "0"),
        integer(file, v, "validation-samples", "" + org.infoplane.capture.TrainingOptions.DEFAULT_VALIDATION_SAMPLES),
        integer(file, v, "eval-samples", null), integer(file, v, "checkpoints-per-epoch", null),
        real(file, v, "learning-rate", "0.09"), warmupSteps, integer(file, v, "batch-size", "100"),
        real(file, v, "width-multiplier", "1"), (long) integer(file, v, "seed", "1"));
  }

  private static int integer(Path file, Map<String, String> v, String key, String dflt) {
    return parse(file, v, key, dflt, Integer::parseInt, "an integer");
  }

  private static double real(Path file, Map<String, String> v, String key, String dflt) {
    return parse(file, v, key, dflt, Double::parseDouble, "a number");
  }

  /** The value of {@code key} (or {@code dflt}) parsed, or an error naming the file, key and value. */
  private static <T> T parse(Path file, Map<String, String> v, String key, String dflt,
      java.util.function.Function<String, T> parser, String what) {
    String s = v.getOrDefault(key, dflt);
    try {
      return parser.apply(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + ": " + key + " must be " + what + ", got '" + s + "'");
    }
  }

  /** The definition with this machine's sizes: every non-null override replaces its key. */
  public ExperimentDefinition with(Integer runs, Integer epochs, Integer trainSamples, Integer validationSamples,
      Integer evalSamples, Integer checkpointsPerEpoch, Double widthMultiplier) {
    return new ExperimentDefinition(name, description, model, activation, runs != null ? runs : this.runs,
        epochs != null ? epochs : this.epochs, trainSamples != null ? trainSamples : this.trainSamples,
        validationSamples != null ? validationSamples : this.validationSamples,
        evalSamples != null ? evalSamples : this.evalSamples,
        checkpointsPerEpoch != null ? checkpointsPerEpoch : this.checkpointsPerEpoch, learningRate, warmupSteps,
        batchSize,
        widthMultiplier != null ? widthMultiplier : this.widthMultiplier, seed);
  }

  /** The arguments of {@code infoplane train} for run {@code i} (from 1), after the archive. */
  public List<String> trainArguments(int i, String archive) {
    List<String> a = new ArrayList<>(List.of("train", "--model", model, "--activation", activation,
        "--dataset", "fashion-mnist", "--epochs", "" + epochs, "--validation-samples", "" + validationSamples,
        "--eval-samples", "" + evalSamples,
        "--checkpoints-per-epoch", "" + checkpointsPerEpoch, "--learning-rate", "" + learningRate,
        "--warmup-steps", "" + warmupSteps,
        "--batch-size", "" + batchSize, "--seed", "" + (seed + i - 1), "--archive", archive, "--run", runId(i),
        "--resume"));
    if (trainSamples > 0) {
      a.add("--train-samples");
      a.add("" + trainSamples);
    }
    if (model.equals("vgg16")) {
      a.add("--width-multiplier");
      a.add("" + widthMultiplier);
    }
    return a;
  }
}
