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

  @Override
  public String toString() {
    return "epoch " + epoch + " step " + step;
  }
}
