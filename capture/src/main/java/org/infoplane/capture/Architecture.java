package org.infoplane.capture;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The networks of the paper's experiments (METHOD.md §8), all taking 28×28 single-channel images
 * flattened to 784 values in [0, 1].
 *
 * <ul>
 *   <li>{@link #MLP}: 784-1024-20-20-20-10, each hidden layer Dense → activation → BatchNorm.
 *   <li>{@link #CNN}: conv 3×3 with 4, 8, 16 filters ("same" padding, activation), max-pool 2×2 after
 *       the 2nd and 3rd, dense 256, softmax.
 *   <li>{@link #VGG16}: the image zero-padded to 32×32, 13 blocks conv 3×3 → BatchNorm → activation
 *       (the block order of the authors' published VGG16)
 *       with 64-64 | 128-128 | 256×3 | 512×3 | 512×3 filters (times the width multiplier), max-pool 2×2
 *       after each group, dense 4096-4096 (times the multiplier, dropout 0.5 after each), softmax 10.
 * </ul>
 */
public enum Architecture {
  MLP("mlp", "tanh"),
  CNN("cnn", "relu"),
  VGG16("vgg16", "relu");

  private final String cliName;
  private final String defaultActivation;

  Architecture(String cliName, String defaultActivation) {
    this.cliName = cliName;
    this.defaultActivation = defaultActivation;
  }

  /** The name on the command line and in run manifests. */
  public String cliName() {
    return cliName;
  }

  /** The hidden activation used unless another is asked for. */
  public String defaultActivation() {
    return defaultActivation;
  }

  /** The architecture named {@code name} (case-insensitive). */
  public static Architecture parse(String name) {
    for (Architecture a : values()) {
      if (a.cliName.equals(name.toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown model '" + name + "': choose one of "
        + Arrays.stream(values()).map(Architecture::cliName).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return cliName;
  }
}
