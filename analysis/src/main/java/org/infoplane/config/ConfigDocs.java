package org.infoplane.config;

/** Generates the configuration reference page from the registry. */
public final class ConfigDocs {

  private ConfigDocs() {}

  /** The text of {@code docs/configuration.md}. */
  public static String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# Configuration reference\n\n")
        .append("<!-- Generated from org.infoplane.config.InfoPlaneConf by `bin/infoplane config --docs`."
            + " Do not edit by hand: a test fails when this page and the registry differ. -->\n\n")
        .append("Settings resolve on the driver, later sources winning: the defaults below, the defaults file\n")
        .append("`conf/infoplane-defaults.conf` (or `--conf-file FILE`), `--conf key=value`, then a command's own\n")
        .append("options (for example `--warehouse`). Keys starting with `spark.` are passed to Spark; any other\n")
        .append("unknown key is an error.\n\n")
        .append("| key | type | default | meaning |\n")
        .append("| --- | --- | --- | --- |\n");
    for (ConfigEntry<?> e : InfoPlaneConf.entries()) {
      String check = e.checkDoc().isEmpty() ? "" : " (" + e.checkDoc() + ")";
      b.append("| `").append(e.key()).append("` | ").append(e.type()).append(" | `")
          .append(e.defaultValue()).append("` | ").append(e.doc().replace("|", "\\|")).append(check)
          .append(" |\n");
    }
    b.append("\n## Presets\n\n")
        .append("`infoplane.preset` (or `--preset NAME` of `analyze`, `mi` and `config`) sets the keys below that no\n")
        .append("other source set: a defaults file, `--conf` and a command's own options override it. `bin/infoplane\n")
        .append("config` marks each value a preset set. What each preset reproduces, and what it cannot, is in\n")
        .append("docs/tables.md (Kernel widths).\n\n")
        .append("| key |");
    for (String p : Presets.names()) {
      b.append(" `").append(p).append("` |");
    }
    b.append("\n| --- |");
    for (int i = 0; i < Presets.names().size(); i++) {
      b.append(" --- |");
    }
    b.append("\n");
    for (String key : Presets.group(Presets.PAPER).keySet()) {
      b.append("| `").append(key).append("` |");
      for (String p : Presets.names()) {
        b.append(" `").append(Presets.group(p).get(key)).append("` |");
      }
      b.append("\n");
    }
    b.append("\n");
    for (String p : Presets.names()) {
      b.append("- `").append(p).append("`: ").append(Presets.describe(p)).append("\n");
    }
    return b.toString();
  }
}
