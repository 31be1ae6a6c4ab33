package org.infoplane.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.infoplane.snapshot.CheckpointId;
import org.junit.jupiter.api.Test;

/** Which training step each checkpoint is smoothed at. */
class TrainingStepsTest {

  private static CheckpointId cp(int epoch, long step) {
    return new CheckpointId(epoch, step);
  }

  @Test
  void checkpointsThatCarryStepsUseThem() {
    Map<CheckpointId, Long> s = TrainingSteps.of(List.of(cp(1, 600), cp(0, 0), cp(2, 1200)), OptionalLong.of(7))
        .orElseThrow();
    assertThat(s).containsExactly(Map.entry(cp(0, 0), 0L), Map.entry(cp(1, 600), 600L), Map.entry(cp(2, 1200), 1200L));
  }

  @Test
  void checkpointsWithoutStepsUseTheStepsPerEpoch() {
    Map<CheckpointId, Long> s = TrainingSteps.of(List.of(cp(0, 0), cp(3, 0), cp(1, 0)), OptionalLong.of(50))
        .orElseThrow();
    assertThat(s).containsExactly(Map.entry(cp(0, 0), 0L), Map.entry(cp(1, 0), 50L), Map.entry(cp(3, 0), 150L));
  }

  @Test
  void neitherIsUnknownButOneCheckpointNeedsNoSteps() {
    assertThat(TrainingSteps.of(List.of(cp(0, 0), cp(1, 0)), OptionalLong.empty())).isEmpty();
    assertThat(TrainingSteps.of(List.of(cp(2, 0)), OptionalLong.empty())).isPresent();
    assertThat(TrainingSteps.refusal("r9", "test", List.of(cp(1, 0), cp(0, 0))))
        .startsWith("run r9: ").contains("split test (epoch 0 step 0, epoch 1 step 0)");
  }
}
