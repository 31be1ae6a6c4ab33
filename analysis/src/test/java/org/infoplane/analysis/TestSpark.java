package org.infoplane.analysis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.infoplane.config.ConfResolver;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;

/**
 * The Spark session the tests share, and the warehouses they register in it: one place for the
 * settings every Spark test wants (two local slots, two shuffle partitions), so that a test names
 * only what it varies.
 *
 * <p>{@link Sessions#create} returns the JVM's one session and registers the configuration's
 * catalog in it, so a test class starts the session once ({@link #session}) and then asks for a
 * configuration per warehouse ({@link #warehouse}); each catalog name stays bound to its warehouse
 * for the rest of the JVM, hence {@link #catalog} for a name no other test has used.
 */
public final class TestSpark {

  private static final AtomicInteger CATALOGS = new AtomicInteger();

  private TestSpark() {}

  /** The settings of every test session and warehouse, before a test's own (which override them). */
  static final List<String> DEFAULTS = List.of("infoplane.local.master=local[2]", "spark.sql.shuffle.partitions=2");

  /**
   * The shared session, with {@link #DEFAULTS} and then {@code pairs}. Creating a session registers
   * a catalog, so this one registers {@value #SESSION_CATALOG} in an empty temporary directory: the
   * default catalog, {@code infoplane} in the working directory's {@code warehouse/}, would replace
   * a test's own {@code infoplane} warehouse registered before it, and fill the source tree.
   */
  public static SparkSession session(String... pairs) {
    List<String> base = new ArrayList<>(DEFAULTS);
    base.add("infoplane.catalog.name=" + SESSION_CATALOG);
    base.add("infoplane.warehouse=" + scratch());
    return Sessions.create(resolve(base, pairs), "test");
  }

  /** The catalog that {@link #session} registers, which no test uses. */
  static final String SESSION_CATALOG = "test_session";

  private static Path scratch;

  private static synchronized Path scratch() {
    if (scratch == null) {
      try {
        scratch = java.nio.file.Files.createTempDirectory("infoplane-test-session");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return scratch;
  }

  /**
   * A configuration for the warehouse at {@code warehouse} under the catalog {@code catalog}, with
   * {@link #DEFAULTS} and then {@code pairs}, its catalog registered in the shared session.
   */
  public static ResolvedConf warehouse(Path warehouse, String catalog, String... pairs) {
    List<String> base = new ArrayList<>(DEFAULTS);
    base.add("infoplane.warehouse=" + warehouse);
    base.add("infoplane.catalog.name=" + catalog);
    ResolvedConf conf = resolve(base, pairs);
    Sessions.create(conf, "test");
    return conf;
  }

  /** {@link #warehouse(Path, String, String...)} with a test class's own settings before the test's. */
  public static ResolvedConf warehouse(Path warehouse, String catalog, List<String> classPairs, String... pairs) {
    List<String> all = new ArrayList<>(classPairs);
    all.addAll(List.of(pairs));
    return warehouse(warehouse, catalog, all.toArray(String[]::new));
  }

  /** A catalog name that no other test in this JVM has used: {@code prefix} and a number. */
  public static String catalog(String prefix) {
    return prefix + CATALOGS.incrementAndGet();
  }

  private static ResolvedConf resolve(List<String> base, String... pairs) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(pairs));
    return new ConfResolver().pairs(all).resolve();
  }
}
