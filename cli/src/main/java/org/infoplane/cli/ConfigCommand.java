package org.infoplane.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.infoplane.config.ConfigDocs;
import org.infoplane.config.ResolvedConf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code infoplane config}: the resolved settings, or the reference page. */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Prints the resolved settings, or with --docs the configuration reference (docs/configuration.md).")
public final class ConfigCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--docs", description = "Print the configuration reference in Markdown.")
  boolean docs;

  @Mixin ConfOptions confOptions;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (docs) {
      out.print(ConfigDocs.markdown());
    } else {
      ResolvedConf conf = confOptions.resolver().resolve();
      for (Map.Entry<String, String> e : conf.values().entrySet()) {
        String source = conf.sources().getOrDefault(e.getKey(), "default");
        out.println(e.getKey() + "=" + e.getValue() + (source.startsWith("preset ") ? "  # " + source : ""));
      }
      for (Map.Entry<String, String> e : conf.sparkSettings().entrySet()) {
        out.println(e.getKey() + "=" + e.getValue());
      }
    }
    out.flush();
    return 0;
  }
}
