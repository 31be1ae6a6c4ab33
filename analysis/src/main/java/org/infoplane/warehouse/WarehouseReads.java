package org.infoplane.warehouse;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The queries of the InfoPlane tables that the commands make: the session of {@code infoplane sql},
 * a run's plane for {@code infoplane demo}, the sensitivity summary. Each query is a method; its
 * values are bound as named parameters, never part of the SQL text. The report's queries are
 * {@link ReportReads}.
 */
public final class WarehouseReads {

  private final SparkSession spark;
  private final IpTables tables;

  public WarehouseReads(SparkSession spark, IpTables tables) {
    this.spark = spark;
    this.tables = tables;
  }

  private String t(String table) {
    return tables.name(table);
  }

  // ---- the commands ----------------------------------------------------------------------------

  /**
   * Prepares the session for a person's own SQL ({@code infoplane sql}): the tables of a warehouse
   * of an earlier version gain the newer tables and columns that the views read, the views are
   * registered, and the InfoPlane namespace is the current one, so that unqualified names are its
   * tables.
   */
  public void prepareForUserQueries() {
    tables.createAll();
    IpViews.register(spark, tables);
    spark.sql("USE " + tables.namespace());
  }

  /**
   * A run's information plane under an estimator and α, by split (descending), step and layer:
   * split, epoch, step, layer_index, layer_name, i_xt, i_ty.
   */
  public List<Row> plane(String run, String estimator, double alpha) {
    return spark.sql("SELECT split, epoch, step, layer_index, layer_name, i_xt, i_ty FROM "
        + t(IpTables.INFORMATION_PLANE) + " WHERE run_id = :run AND estimator = :estimator AND alpha = :alpha"
        + " ORDER BY split DESC, step, layer_index", Map.<String, Object>of("run", run, "estimator", estimator,
            "alpha", alpha)).collectAsList();
  }

  /**
   * A run's rows of the view {@code sensitivity_summary} under the analysed configuration
   * {@code baseConfigId}, by split, α and width factor; registers the views first.
   */
  public List<Row> sensitivitySummary(String run, String baseConfigId) {
    IpViews.register(spark, tables);
    return spark.sql("SELECT split, alpha, sigma_scale, dpi_share, base_dpi_share, dpi_share_changed,"
        + " n_layers_changed, n_layers, layers_changed FROM " + IpViews.SENSITIVITY_SUMMARY
        + " WHERE run_id = :run AND base_config_id = :config ORDER BY split, alpha, sigma_scale",
        Map.<String, Object>of("run", run, "config", baseConfigId)).collectAsList();
  }
}
