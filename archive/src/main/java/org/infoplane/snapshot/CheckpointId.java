package org.infoplane.snapshot;

import java.util.Comparator;

/** A checkpoint of training: its epoch and step. Training order is by step, then epoch. */
public record CheckpointId(int epoch, long step) implements Comparable<CheckpointId> {

  private static final Comparator<CheckpointId> ORDER =
      Comparator.comparingLong(CheckpointId::step).thenComparingInt(CheckpointId::epoch);

  public CheckpointId {
    if (epoch < 0 || step < 0) {
      throw new IllegalArgumentException("epoch and step must be >= 0, got epoch " + epoch + ", step " + step);
    }
  }

  @Override
  public int compareTo(CheckpointId o) {
    return ORDER.compare(this, o);
  }

  /**
   * Whether two checkpoints of one run contradict each other's training order: one has the later
   * epoch but the earlier step. Sorted by step, the later epoch would come first (equal steps are
   * fine: epochs then order them).
   */
  public boolean contradicts(CheckpointId o) {
    return (epoch < o.epoch && step > o.step) || (o.epoch < epoch && o.step > step);
  }

  @Override
  public String toString() {
    return "epoch " + epoch + " step " + step;
  }
}
