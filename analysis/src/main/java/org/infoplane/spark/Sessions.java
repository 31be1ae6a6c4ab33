package org.infoplane.spark;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.infoplane.config.InfoPlaneConf;
import org.infoplane.config.ResolvedConf;

/**
 * Builds the Spark session of a command: the master from spark-submit or {@code spark.master} when
 * given (never hard-coded; {@code infoplane.local.master} otherwise), Iceberg's SQL extensions, and
 * the InfoPlane catalog.
 */
public final class Sessions {

  private Sessions() {}

  /** The session for a command, with the InfoPlane catalog configured. */
  public static SparkSession create(ResolvedConf conf, String appName) {
    SparkConf sc = new SparkConf(true); // picks up spark.* system properties set by spark-submit
    for (Map.Entry<String, String> e : conf.sparkSettings().entrySet()) {
      sc.set(e.getKey(), e.getValue());
    }
    if (!sc.contains("spark.master")) {
      sc.setMaster(conf.get(InfoPlaneConf.LOCAL_MASTER));
    }
    boolean local = sc.get("spark.master").startsWith("local");
    if (local) {
      setIfAbsent(sc, "spark.driver.host", "127.0.0.1");
      setIfAbsent(sc, "spark.driver.bindAddress", "127.0.0.1");
      setIfAbsent(sc, "spark.ui.enabled", "false");
      setIfAbsent(sc, "spark.sql.shuffle.partitions", "8");
    }
    setIfAbsent(sc, "spark.app.name", appName);
    setIfAbsent(sc, "spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions");
    setIfAbsent(sc, "spark.sql.session.timeZone", "UTC");
    // Spark creates the directory of its built-in catalog when a session starts (by default
    // ./spark-warehouse); InfoPlane keeps its tables in its own catalog, so that one goes to a
    // temporary directory, removed at exit, rather than into the user's working directory.
    if (!sc.contains("spark.sql.warehouse.dir")) {
      sc.set("spark.sql.warehouse.dir", scratchWarehouse());
    }

    String catalog = conf.get(InfoPlaneConf.CATALOG_NAME);
    String type = conf.get(InfoPlaneConf.CATALOG_TYPE);
    String prefix = "spark.sql.catalog." + catalog;
    if (!type.equals("custom")) {
      setIfAbsent(sc, prefix, "org.apache.iceberg.spark.SparkCatalog");
      setIfAbsent(sc, prefix + ".type", type);
      if (type.equals("hadoop") || type.equals("jdbc")) {
        // The file-based catalog keeps tables and their pointers there; a JDBC catalog keeps the
        // pointers in its database (spark.sql.catalog.<name>.uri, .jdbc.user, .jdbc.password) and
        // the tables' files there. The analysis lease lives there too, whatever the catalog.
        setIfAbsent(sc, prefix + ".warehouse", warehouseUri(conf.get(InfoPlaneConf.WAREHOUSE)));
      }
      if (type.equals("jdbc") && !sc.contains(prefix + ".uri")) {
        throw new IllegalArgumentException("infoplane.catalog.type=jdbc needs --conf " + prefix
            + ".uri=jdbc:postgresql://HOST:PORT/DATABASE (and " + prefix + ".jdbc.user, " + prefix
            + ".jdbc.password); see docs/tables.md, \"Which catalog for which file system\"");
      }
    } else if (!sc.contains(prefix)) {
      throw new IllegalArgumentException("infoplane.catalog.type=custom needs --conf " + prefix
          + "=<catalog class> and its settings");
    }
    return SparkSession.builder().config(sc).getOrCreate();
  }

  /** A warehouse location as a URI: plain paths become absolute {@code file:} URIs. */
  public static String warehouseUri(String location) {
    URI uri = URI.create(location.replace(" ", "%20"));
    if (uri.getScheme() != null && uri.getScheme().length() > 1) {
      return location;
    }
    return Path.of(location).toAbsolutePath().normalize().toUri().toString();
  }

  private static String scratchWarehouse() {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("infoplane-spark-sql-");
      dir.toFile().deleteOnExit();
      return dir.toUri().toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create a temporary directory for spark.sql.warehouse.dir: "
          + e.getMessage(), e);
    }
  }

  private static void setIfAbsent(SparkConf sc, String key, String value) {
    if (!sc.contains(key)) {
      sc.set(key, value);
    }
  }
}
