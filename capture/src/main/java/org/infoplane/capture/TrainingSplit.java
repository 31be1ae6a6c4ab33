package org.infoplane.capture;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a run divides the training images (sample ids = indices in the training IDX file) between
 * training and validation.
 *
 * <p>The rule (recorded in a run's manifest by {@link #properties()}, so that {@code train --resume}
 * and {@code extract} draw the same ids):
 *
 * <ol>
 *   <li>the <b>validation split</b>: {@code validationSamples} ids drawn without replacement from
 *       all {@code pool} training images, by {@link EvaluationSets#draw} under the name
 *       {@value #VALIDATION} and the run's seed (nothing else enters the draw); never trained on;
 *   <li>the <b>training ids</b>: the first {@code trainSamples} of the other ids, in id order (all
 *       of them when {@code trainSamples} is 0). The network trains on these only, and the train
 *       evaluation split is drawn from them ({@link EvaluationData#draw}).
 * </ol>
 *
 * <p>With {@code validationSamples} 0 there is no validation split and the training ids are the
 * first {@code trainSamples} images: the division of runs made before validation splits existed.
 *
 * <p>The arrays are the record's own: callers read them and do not modify them.
 *
 * @param pool the training images in the file
 * @param trainIds the ids the network trains on, ascending
 * @param validationIds the held-out ids, ascending; empty when there is no validation split
 */
public record TrainingSplit(int pool, int[] trainIds, int[] validationIds) {

  /** The name the validation split is drawn under (it seeds the draw together with the run's seed). */
  public static final String VALIDATION = "validation";

  /** Manifest property: the number of validation images (0: none). */
  public static final String VALIDATION_SAMPLES = "validationSamples";

  /** Manifest property: the rule that draws the validation ids, in words. */
  public static final String VALIDATION_RULE = "validationRule";

  /** Manifest property: SHA-256 of the validation ids, each a big-endian int32, in ascending order. */
  public static final String VALIDATION_IDS_SHA256 = "validationIdsSha256";

  /**
   * Carves the validation split out of {@code pool} training images and picks the training ids.
   *
   * @param trainSamples training images to train on; 0 for all that the validation split leaves
   * @param validationSamples images to hold out; 0 for no validation split
   * @param source the training images file, named in errors
   * @throws IllegalArgumentException when the counts are negative or do not fit in the pool
   */
  public static TrainingSplit carve(int pool, int trainSamples, int validationSamples, long seed, Object source) {
    if (trainSamples < 0) {
      throw new IllegalArgumentException("--train-samples must be >= 1 (0: all), got " + trainSamples);
    }
    if (validationSamples < 0) {
      throw new IllegalArgumentException("--validation-samples must be >= 0 (0: no validation split), got "
          + validationSamples);
    }
    if (trainSamples > pool) {
      throw new IllegalArgumentException("--train-samples " + trainSamples + " exceeds the " + pool + " images of "
          + source);
    }
    if (validationSamples >= pool) {
      throw new IllegalArgumentException("--validation-samples " + validationSamples + " leaves none of the " + pool
          + " images of " + source + " to train on: lower it (0: no validation split)");
    }
    if ((long) trainSamples + validationSamples > pool) {
      throw new IllegalArgumentException("--train-samples " + trainSamples + " and --validation-samples "
          + validationSamples + " need " + ((long) trainSamples + validationSamples) + " of the " + pool
          + " images of " + source + ": lower either (--validation-samples 0 trains without a validation split)");
    }
    int[] validation = EvaluationSets.draw(VALIDATION, pool, validationSamples, seed);
    int n = trainSamples == 0 ? pool - validationSamples : trainSamples;
    int[] train = new int[n];
    int k = 0;
    int v = 0;
    for (int id = 0; id < pool && k < n; id++) {
      if (v < validation.length && validation[v] == id) {
        v++;
      } else {
        train[k++] = id;
      }
    }
    return new TrainingSplit(pool, train, validation);
  }

  /** Training images the network trains on. */
  public int trainCount() {
    return trainIds.length;
  }

  /** Whether there is a validation split. */
  public boolean hasValidation() {
    return validationIds.length > 0;
  }

  /**
   * The training ids at these positions of {@link #trainIds()} (positions in [0, trainCount())): the
   * ids of a mini-batch or of an evaluation set drawn by position.
   */
  public int[] idsAt(int[] positions) {
    int[] out = new int[positions.length];
    for (int i = 0; i < positions.length; i++) {
      out[i] = trainIds[positions[i]];
    }
    return out;
  }

  /**
   * The manifest properties that pin the validation split down: its size, the rule in words and the
   * ids' SHA-256 (so that a changed file or rule is noticed when a run is resumed).
   */
  public Map<String, String> properties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(VALIDATION_SAMPLES, Integer.toString(validationIds.length));
    p.put(VALIDATION_RULE, validationIds.length == 0 ? "none: trains on the first trainSamples training images"
        : validationIds.length + " ids drawn without replacement from the seed over all " + pool
            + " training images (name '" + VALIDATION + "'); trains on the first trainSamples of the others, in id order");
    p.put(VALIDATION_IDS_SHA256, sha256(validationIds));
    return p;
  }

  /** SHA-256 of the ids, each a big-endian int32, hex. */
  static String sha256(int[] ids) {
    ByteBuffer b = ByteBuffer.allocate(4 * ids.length);
    for (int id : ids) {
      b.putInt(id);
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM lacks SHA-256, which every Java platform must provide", e);
    }
  }
}
