package org.infoplane.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.infoplane.snapshot.CheckpointId;

/**
 * The training step of each checkpoint of one run and split, for smoothing widths per step
 * (METHOD.md §4): the checkpoints' own steps when they tell the checkpoints apart, else epoch ×
 * the run's {@code steps_per_epoch} when the manifest records it. Neither: the steps are unknown.
 */
final class TrainingSteps {

  private TrainingSteps() {}

  /**
   * Checkpoint → training step, in training order; empty when the checkpoints carry no steps that
   * tell them apart and the run records no steps per epoch (or its epochs repeat).
   */
  static java.util.Optional<Map<CheckpointId, Long>> of(List<CheckpointId> checkpoints, OptionalLong stepsPerEpoch) {
    List<CheckpointId> sorted = new ArrayList<>(checkpoints);
    sorted.sort(Comparator.naturalOrder());
    Map<CheckpointId, Long> out = new LinkedHashMap<>();
    if (sorted.stream().map(CheckpointId::step).distinct().count() == sorted.size()) {
      sorted.forEach(c -> out.put(c, c.step()));
      return java.util.Optional.of(out);
    }
    if (stepsPerEpoch.isPresent()
        && sorted.stream().map(CheckpointId::epoch).distinct().count() == sorted.size()) {
      sorted.sort(Comparator.comparingInt(CheckpointId::epoch));
      sorted.forEach(c -> out.put(c, c.epoch() * stepsPerEpoch.getAsLong()));
      return java.util.Optional.of(out);
    }
    return java.util.Optional.empty();
  }

  /** Checkpoint → its position in training order (0, 1, 2, …): one update per checkpoint. */
  static Map<CheckpointId, Long> positions(List<CheckpointId> checkpoints) {
    List<CheckpointId> sorted = new ArrayList<>(checkpoints);
    sorted.sort(Comparator.naturalOrder());
    Map<CheckpointId, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < sorted.size(); i++) {
      out.put(sorted.get(i), (long) i);
    }
    return out;
  }

  /** Why a run cannot be smoothed per step, and the ways out. */
  static String refusal(String runId, String split, List<CheckpointId> checkpoints) {
    String listed = checkpoints.stream().sorted().limit(6).map(CheckpointId::toString)
        .collect(Collectors.joining(", ")) + (checkpoints.size() > 6 ? ", ..." : "");
    return "run " + runId + ": widths are smoothed per training step (infoplane.width.smoothing.unit=step), but the"
        + " checkpoints of split " + split + " (" + listed + ") carry no steps that tell them apart and the manifest"
        + " records no steps_per_epoch; give the steps (import npz --step S, or --steps-per-epoch K), or set"
        + " infoplane.width.smoothing.unit=checkpoint, or infoplane.width.smoothing=0";
  }
}
