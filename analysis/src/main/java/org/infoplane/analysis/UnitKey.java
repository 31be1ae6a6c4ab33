package org.infoplane.analysis;

import java.io.Serializable;
import org.infoplane.warehouse.UnitCoordinates;

/**
 * A unit of work: one layer of one checkpoint of one split of one run. The input X of a run and
 * split is the unit with {@code layerIndex = -1} (and epoch = step = -1).
 */
public record UnitKey(String runId, String split, int epoch, long step, int layerIndex, String layerName,
    String layerKind) implements Serializable, UnitCoordinates {

  public static final int INPUT = -1;

  public static UnitKey input(String runId, String split) {
    return new UnitKey(runId, split, -1, -1L, INPUT, "input", "input");
  }

  public boolean isInput() {
    return layerIndex == INPUT;
  }

  /** The unit for messages: run, split, checkpoint and layer. */
  public String describe() {
    if (isInput()) {
      return "run " + runId + ", split " + split + ", input X";
    }
    return "run " + runId + ", split " + split + ", epoch " + epoch + " step " + step + ", layer "
        + layerIndex + " (" + layerName + ")";
  }

  /** The series this unit's width is smoothed in: run, split and layer. */
  public String seriesKey() {
    return runId + "\u0000" + split + "\u0000" + layerIndex;
  }

  /** The unit's identity without its layer name and kind. */
  public String id() {
    return runId + "\u0000" + split + "\u0000" + epoch + "\u0000" + step + "\u0000" + layerIndex;
  }
}
