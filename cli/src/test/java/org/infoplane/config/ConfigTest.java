package org.infoplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

  @TempDir Path dir;

  /** The reference page is generated from the registry; regenerate with bin/infoplane config --docs. */
  @Test
  void docsPageMatchesTheRegistry() throws Exception {
    Path page = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/configuration.md");
    assertThat(page).exists();
    assertThat(Files.readString(page))
        .as("docs/configuration.md is stale: run 'bin/infoplane config --docs > docs/configuration.md'")
        .isEqualTo(ConfigDocs.markdown());
  }

  @Test
  void everySettingIsDocumentedWithItsDefault() {
    String page = ConfigDocs.markdown();
    for (ConfigEntry<?> e : InfoPlaneConf.entries()) {
      assertThat(page).contains("`" + e.key() + "`", "`" + e.defaultValue() + "`");
      assertThat(e.doc()).isNotBlank();
    }
  }

  @Test
  void laterSourcesWinInTheStatedOrder() throws Exception {
    Path file = Files.writeString(dir.resolve("defaults.conf"),
        "infoplane.alpha=2\ninfoplane.batch.size=50\ninfoplane.sigma.x=4\nspark.executor.memory=3g\n");
    ResolvedConf c = new ConfResolver()
        .file(file)
        .pairs(List.of("infoplane.batch.size=60", "infoplane.sigma.x=5"))
        .option(InfoPlaneConf.SIGMA_X, 6.0)
        .option(InfoPlaneConf.WAREHOUSE, null)
        .resolve();
    assertThat(c.get(InfoPlaneConf.ALPHA)).isEqualTo(2.0); // file over default
    assertThat(c.get(InfoPlaneConf.BATCH_SIZE)).isEqualTo(60); // --conf over file
    assertThat(c.get(InfoPlaneConf.SIGMA_X)).isEqualTo(6.0); // option over --conf
    assertThat(c.get(InfoPlaneConf.WAREHOUSE)).isEqualTo("warehouse"); // absent option keeps the default
    assertThat(c.sparkSettings()).containsEntry("spark.executor.memory", "3g");
  }

  @Test
  void maintenanceDurationsReadUnitsAndRefuseUnsafeOrphanAges() {
    ResolvedConf c = new ConfResolver().pairs(List.of("infoplane.maintenance.retention=90m",
        "infoplane.maintenance.orphans.olderThan=2d")).resolve();
    assertThat(c.get(InfoPlaneConf.MAINTENANCE_RETENTION)).isEqualTo(java.time.Duration.ofMinutes(90));
    assertThat(c.get(InfoPlaneConf.MAINTENANCE_ORPHANS_OLDER_THAN)).isEqualTo(java.time.Duration.ofDays(2));
    assertThat(new ConfResolver().resolve().get(InfoPlaneConf.MAINTENANCE_RETENTION))
        .isEqualTo(java.time.Duration.ofDays(7));
    assertThatThrownBy(() -> new ConfResolver().pairs(List.of("infoplane.maintenance.orphans.olderThan=10m")))
        .hasMessageContaining("infoplane.maintenance.orphans.olderThan").hasMessageContaining("10m")
        .hasMessageContaining("at least 1h");
    assertThatThrownBy(() -> new ConfResolver().pairs(List.of("infoplane.maintenance.retention=7 days")))
        .hasMessageContaining("infoplane.maintenance.retention").hasMessageContaining("7 days")
        .hasMessageContaining("unit s, m, h or d");
  }

  @Test
  void badValuesAndUnknownKeysNameTheKeyAndValue() {
    assertThatThrownBy(() -> new ConfResolver().pairs(List.of("infoplane.alpha=-1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("infoplane.alpha").hasMessageContaining("-1").hasMessageContaining("> 0");
    assertThatThrownBy(() -> new ConfResolver().pairs(List.of("infoplane.batch.size=ten")))
        .hasMessageContaining("infoplane.batch.size").hasMessageContaining("ten");
    assertThatThrownBy(() -> new ConfResolver().pairs(List.of("infoplane.alpah=2")))
        .hasMessageContaining("unknown setting 'infoplane.alpah'").hasMessageContaining("did you mean 'infoplane.alpha'");
    assertThatThrownBy(() -> new ConfResolver().pairs(List.of("alpha=2")))
        .hasMessageContaining("unknown setting 'alpha'");
    assertThatThrownBy(() -> new ConfResolver().pairs(List.of("infoplane.width.rule=widest")))
        .hasMessageContaining("infoplane.width.rule").hasMessageContaining("widest");
    assertThatThrownBy(() -> new ConfResolver().pairs(List.of("novalue")))
        .hasMessageContaining("key=value");
  }

  @Test
  void theEstimatorSettingReadsTheKernelDensityBoundAndItsVariance() {
    assertThat(new ConfResolver().pairs(List.of("infoplane.estimator=KDE-Upper")).resolve().get(InfoPlaneConf.ESTIMATOR))
        .isEqualTo("kde-upper");
    assertThat(new ConfResolver().pairs(List.of("infoplane.estimator=kde-upper-0.01")).resolve()
        .get(InfoPlaneConf.ESTIMATOR)).isEqualTo("kde-upper-0.01");
    for (String bad : List.of("kde-upper-0", "kde-upper--1", "kde-upper-abc")) {
      assertThatThrownBy(() -> new ConfResolver().pairs(List.of("infoplane.estimator=" + bad)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("infoplane.estimator").hasMessageContaining("'" + bad + "'")
          .hasMessageContaining("kde-upper-VARIANCE (VARIANCE > 0)");
    }
  }

  @Test
  void theDefaultsFileIsFoundInAConfDirectoryOfAnyNameOrUnderTheHome() throws Exception {
    Path site = Files.createDirectories(dir.resolve("site"));
    Files.writeString(site.resolve("infoplane-defaults.conf"), "infoplane.catalog.name=sitecat\n");
    Path home = dir.resolve("home");
    Files.createDirectories(home.resolve("conf"));
    Files.writeString(home.resolve(ConfResolver.DEFAULTS_FILE), "infoplane.catalog.name=homecat\n");

    assertThat(ConfResolver.installationDefaults(site.toString(), home.toString())).contains(site.resolve("infoplane-defaults.conf"));
    assertThat(ConfResolver.installationDefaults(null, home.toString())).contains(home.resolve(ConfResolver.DEFAULTS_FILE));
    assertThat(ConfResolver.installationDefaults(dir.resolve("none").toString(), null)).isEmpty();
    assertThat(ConfResolver.installationDefaults(null, null)).isEmpty();
    ResolvedConf c = new ConfResolver().file(ConfResolver.installationDefaults(site.toString(), null).orElseThrow()).resolve();
    assertThat(c.get(InfoPlaneConf.CATALOG_NAME)).isEqualTo("sitecat");
  }

  @Test
  void aPresetSetsItsGroupAndExplicitKeysOverrideIt() {
    ResolvedConf ipdl = new ConfResolver().pairs(List.of("infoplane.preset=ipdl", "infoplane.alpha=2")).resolve();
    assertThat(ipdl.get(InfoPlaneConf.KERNEL_CONVENTION)).isEqualTo("2sigma2");
    assertThat(ipdl.get(InfoPlaneConf.EIGENVALUE_OFFSET)).isEqualTo(1e-8);
    assertThat(ipdl.get(InfoPlaneConf.WIDTH_GRID_MEAN)).isEqualTo("off-diagonal");
    assertThat(ipdl.get(InfoPlaneConf.WIDTH_SMOOTHING)).isEqualTo(0.5);
    assertThat(ipdl.get(InfoPlaneConf.WIDTH_SMOOTHING_CONVENTION)).isEqualTo("beta-on-new");
    assertThat(ipdl.get(InfoPlaneConf.ALPHA)).as("explicit key wins").isEqualTo(2.0);
    assertThat(ipdl.sources()).containsEntry("infoplane.kernel.convention", "preset ipdl")
        .containsEntry("infoplane.alpha", "--conf").containsEntry("infoplane.batch.size", "default");

    ResolvedConf authors = new ConfResolver().option(InfoPlaneConf.PRESET, "authors-code").resolve();
    assertThat(authors.get(InfoPlaneConf.ALPHA)).isEqualTo(1.0);
    assertThat(authors.get(InfoPlaneConf.WIDTH_GRID_START)).isEqualTo(0.3);
    assertThat(authors.get(InfoPlaneConf.WIDTH_GRID_EDGES)).isEqualTo("keep");
    assertThat(authors.get(InfoPlaneConf.WIDTH_SCOPE)).isEqualTo("batch");
    assertThat(authors.get(InfoPlaneConf.KERNEL_CONVENTION)).isEqualTo("sigma2");

    ResolvedConf paper = new ConfResolver().resolve();
    for (String key : Presets.group(Presets.PAPER).keySet()) {
      assertThat(paper.values().get(key)).as(key).isEqualTo(InfoPlaneConf.entry(key).defaultValue());
      assertThat(paper.sources().get(key)).isEqualTo("default");
    }
    assertThatThrownBy(() -> new ConfResolver().pairs(List.of("infoplane.preset=tishby")))
        .hasMessageContaining("infoplane.preset").hasMessageContaining("tishby");
  }

  @Test
  void theConfigCommandMarksTheValuesAPresetSet() {
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cl = org.infoplane.cli.InfoPlaneCli.commandLine();
    cl.setOut(new java.io.PrintWriter(out));
    assertThat(cl.execute("config", "--preset", "ipdl", "--conf", "infoplane.alpha=2")).isZero();
    assertThat(out.toString()).contains("infoplane.kernel.convention=2sigma2  # preset ipdl\n")
        .contains("infoplane.alpha=2\n").contains("infoplane.preset=ipdl\n");
  }
}
