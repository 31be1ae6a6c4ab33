package org.infoplane.capture;

import java.util.Objects;

/**
 * How to train and what to record.
 *
 * @param epochs passes over the training images, >= 1
 * @param batchSize samples per SGD step (the paper: 100)
 * @param everySteps record a checkpoint every this many steps; 0 records at the end of every epoch
 * @param trainSamples train on the first this many training images outside the validation split; 0 for all of
 *     them
 * @param validationSamples training images held out as the validation split, never trained on ({@link
 *     TrainingSplit}); 0 for none (then nothing can be early-stopped on)
 * @param evalSamples samples per evaluation split
 * @param seed seeds the evaluation sets, the weight initialisation and the shuffling
 * @param averagingFrequency with Spark: steps each worker takes between parameter averagings
 */
public record TrainingOptions(NetworkSpec network, int epochs, int batchSize, int everySteps, int trainSamples,
    int validationSamples, int evalSamples, long seed, int averagingFrequency) {

  /**
   * The default validation split: 10,000 of Fashion-MNIST's 60,000 training images (MNIST's customary
   * 50,000 / 10,000 division), which leaves 500 steps of 100 per epoch, divisible by 4 checkpoints per epoch.
   */
  public static final int DEFAULT_VALIDATION_SAMPLES = 10_000;

  public TrainingOptions {
    Objects.requireNonNull(network, "network");
    if (epochs < 1) {
      throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
    }
    if (everySteps < 0) {
      throw new IllegalArgumentException("--every-steps must be >= 1, got " + everySteps);
    }
    if (trainSamples < 0) {
      throw new IllegalArgumentException("--train-samples must be >= 1, got " + trainSamples);
    }
    if (validationSamples < 0) {
      throw new IllegalArgumentException("--validation-samples must be >= 0 (0: no validation split), got "
          + validationSamples);
    }
    if (evalSamples < 2) {
      throw new IllegalArgumentException("--eval-samples must be >= 2, got " + evalSamples);
    }
    if (averagingFrequency < 1) {
      throw new IllegalArgumentException("--averaging-frequency must be >= 1, got " + averagingFrequency);
    }
  }

  /** The checkpoints a run of {@code trainImages} training images records, step 0 included. */
  public int checkpoints(int trainImages) {
    return checkpoints(trainImages, false);
  }

  /**
   * The checkpoints a run records, step 0 included: locally every K steps counted over the whole run
   * (and the last step), with Spark every K mini-batches of each epoch and at each epoch's end.
   */
  public int checkpoints(int trainImages, boolean spark) {
    if (everySteps == 0) {
      return epochs + 1;
    }
    int perEpoch = stepsPerEpoch(trainImages);
    if (spark) {
      return 1 + epochs * ((perEpoch + everySteps - 1) / everySteps);
    }
    long total = (long) epochs * perEpoch;
    return (int) (1 + total / everySteps + (total % everySteps == 0 ? 0 : 1));
  }

  /** The steps at which a run records its checkpoints, in order, step 0 included (as {@link #checkpoints}). */
  public java.util.List<Long> recordedSteps(int trainImages, boolean spark) {
    int perEpoch = stepsPerEpoch(trainImages);
    java.util.List<Long> steps = new java.util.ArrayList<>(java.util.List.of(0L));
    long step = 0;
    for (int e = 1; e <= epochs; e++) {
      for (int s = 1; s <= perEpoch; s++) {
        step++;
        boolean k = everySteps > 0 && (spark ? s % everySteps == 0 : step % everySteps == 0);
        if (k || s == perEpoch && (everySteps == 0 || spark)) {
          steps.add(step);
        }
      }
    }
    if (steps.get(steps.size() - 1) != step) {
      steps.add(step);
    }
    return steps;
  }

  /** SGD steps per epoch (the last batch may be smaller). */
  public int stepsPerEpoch(int trainImages) {
    return (trainImages + batchSize - 1) / batchSize;
  }
}
