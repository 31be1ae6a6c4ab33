package org.infoplane.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import org.infoplane.warehouse.IpTables;

/**
 * The check of commands that read the InfoPlane tables ({@code sql}, {@code report}): the warehouse
 * must hold them. A warehouse that is missing or empty (a wrong directory, as the default {@code
 * warehouse} is relative to the working directory) is refused with its resolved absolute location
 * and the option to give, instead of answering with empty results; nothing is created by looking.
 */
final class WarehouseCheck {

  /** The tables every reading command and view needs. */
  static final List<String> READ_TABLES = List.of(IpTables.INFORMATION_PLANE, IpTables.RUNS);

  private WarehouseCheck() {}

  /**
   * Before a session starts, for the file-based ({@code hadoop}) catalog: the warehouse directory
   * holds the namespace's tables. Other catalogs are checked by {@link #requireTables(IpTables,
   * ResolvedConf)} once the session is up.
   *
   * @throws BadInputException naming the resolved location and {@code --warehouse}
   */
  static void requireFileWarehouse(ResolvedConf conf) {
    if (!conf.get(InfoPlaneConf.CATALOG_TYPE).equals("hadoop")) {
      return;
    }
    String given = conf.get(InfoPlaneConf.WAREHOUSE);
    String uri = Sessions.warehouseUri(given);
    Path root = new Path(uri);
    List<String> missing = new ArrayList<>();
    boolean exists;
    try {
      FileSystem fs = root.getFileSystem(new Configuration());
      exists = fs.exists(root);
      Path ns = new Path(root, conf.get(InfoPlaneConf.NAMESPACE));
      for (String t : READ_TABLES) {
        if (!exists || !fs.exists(new Path(new Path(ns, t), "metadata"))) {
          missing.add(t);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("warehouse " + uri + ": " + e.getMessage(), e);
    }
    if (!missing.isEmpty()) {
      throw new BadInputException((exists ? "the warehouse " + uri + " holds no InfoPlane tables (missing: "
          + String.join(", ", missing) + ")" : "there is no warehouse at " + uri)
          + " (infoplane.warehouse = '" + given + "'" + (relative(given) ? ", resolved against the working directory"
          : "") + "); give --warehouse with the warehouse that `infoplane analyze` wrote, or run analyze first");
    }
  }

  private static boolean relative(String location) {
    return !location.contains(":") && !java.nio.file.Path.of(location).isAbsolute();
  }

  /** With the session up, for any catalog: the tables exist. */
  static void requireTables(IpTables tables, ResolvedConf conf) {
    List<String> missing = new ArrayList<>();
    for (String t : READ_TABLES) {
      if (!tables.exists(t)) {
        missing.add(tables.name(t));
      }
    }
    if (!missing.isEmpty()) {
      throw new BadInputException("catalog " + conf.get(InfoPlaneConf.CATALOG_NAME) + " (type "
          + conf.get(InfoPlaneConf.CATALOG_TYPE) + ", warehouse '" + conf.get(InfoPlaneConf.WAREHOUSE)
          + "') lacks the InfoPlane tables " + String.join(", ", missing)
          + "; give --warehouse (or --conf for the catalog) where `infoplane analyze` wrote them, or run analyze first");
    }
  }
}
