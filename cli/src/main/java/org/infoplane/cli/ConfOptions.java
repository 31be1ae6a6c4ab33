package org.infoplane.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.infoplane.config.ConfResolver;
import picocli.CommandLine.Option;

/** The configuration options every Spark command shares: a defaults file and {@code --conf} pairs. */
public final class ConfOptions {

  @Option(names = "--conf", paramLabel = "KEY=VALUE",
      description = "A setting (infoplane.* from docs/configuration.md, or spark.*); repeatable.")
  List<String> pairs = new ArrayList<>();

  @Option(names = "--preset", paramLabel = "NAME",
      description = "A group of analysis settings: paper (default), authors-code or ipdl (infoplane.preset;"
          + " explicit settings override it).")
  String preset;

  @Option(names = "--conf-file", paramLabel = "FILE",
      description = "A properties file of settings, instead of conf/infoplane-defaults.conf.")
  Path confFile;

  /** Starts resolution: registry defaults, then the defaults file, then {@code --conf}, then {@code --preset}. */
  public ConfResolver resolver() {
    ConfResolver r = new ConfResolver();
    if (confFile != null) {
      r.file(confFile);
    } else {
      ConfResolver.installationDefaults().ifPresent(r::file);
    }
    r.pairs(pairs);
    return r.option(org.infoplane.config.InfoPlaneConf.PRESET, preset);
  }
}
