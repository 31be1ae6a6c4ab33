package org.infoplane.warehouse;

/**
 * Where a unit's rows lie in the key columns that the analysis tables share: its run, checkpoint
 * (epoch and step) and layer index. {@link TableWrites.Bounds#of} bounds a write's scan of its
 * target by them; the analysis' {@code UnitKey} is one.
 */
public interface UnitCoordinates {

  String runId();

  int epoch();

  long step();

  int layerIndex();
}
