package org.infoplane.analysis;

import java.util.List;

/**
 * A table that the passes write, with the columns that identify one of its rows: what the tests of
 * concurrent writers check for a row written twice or lost.
 */
public record TableKey(String table, String columns) {

  /** The tables of the three passes. */
  public static final List<TableKey> PASS_TABLES = List.of(
      new TableKey("distance_matrices", "run_id, split, epoch, step, layer_index, batching, batch_index"),
      new TableKey("layer_widths", "run_id, split, epoch, step, layer_index, batching"),
      new TableKey("information_plane", "run_id, split, epoch, step, layer_index, config_id"));
}
