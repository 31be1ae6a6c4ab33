package org.infoplane.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code infoplane} command line: one subcommand per job. Entry points stay thin: they parse,
 * build what they need, run and report; the work lives in the libraries.
 *
 * <p>Exit status: 0 on success, 2 for bad input or usage (one line on standard error naming the
 * file, run, checkpoint or layer and the problem), 1 for any other failure.
 */
@Command(
    name = "infoplane",
    mixinStandardHelpOptions = true,
    versionProvider = InfoPlaneCli.Version.class,
    description = "Information-plane analysis of deep networks (matrix-based Renyi entropy, tensor kernels).",
    subcommands = {
      CommandLine.HelpCommand.class,
      MiCommand.class,
      AnalyzeCommand.class,
      SqlCommand.class,
      ReportCommand.class,
      SensitivityCommand.class,
      CalibrateCommand.class,
      VerdictsCommand.class,
      ConfigCommand.class,
      TrainCommand.class,
      ExtractCommand.class,
      ImportCommand.class,
      ValidateCommand.class,
      MaintainCommand.class,
      BenchmarkCommand.class,
      DemoCommand.class,
      ExperimentCommand.class,
    })
public final class InfoPlaneCli implements Runnable {

  /** Exit status for bad input or usage. */
  public static final int EXIT_BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** Builds the command line with the project's exit-code and error conventions. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new InfoPlaneCli());
    cl.setExecutionExceptionHandler(new CliErrors());
    cl.setExitCodeExceptionMapper(CliErrors::exitCodeFor);
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * Reports the version and the git commit of the build, from {@code build.properties} next to this
   * class: the build writes it (spark-jobs/src/build/build-info.sh), with commit "unknown" where the
   * tree built was not a git checkout.
   */
  static final class Version implements CommandLine.IVersionProvider {

    static final String RESOURCE = "build.properties";

    @Override
    public String[] getVersion() throws java.io.IOException {
      try (java.io.InputStream in = InfoPlaneCli.class.getResourceAsStream(RESOURCE)) {
        return new String[] {line(in)};
      }
    }

    /** The version line from the build's properties; {@code in} may be null (no build information). */
    static String line(java.io.InputStream in) {
      if (in == null) {
        return "infoplane (version unknown: built without Maven; commit unknown)";
      }
      java.util.Properties p = new java.util.Properties();
      try {
        p.load(in);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot read " + RESOURCE, e);
      }
      String commit = p.getProperty("commit", "").strip();
      boolean known = !commit.isEmpty() && !commit.equals("unknown");
      return "infoplane " + p.getProperty("version", "(version unknown)").strip() + " (commit "
          + (known ? commit + (Boolean.parseBoolean(p.getProperty("modified")) ? ", with uncommitted changes" : "")
              : "unknown") + ")";
    }
  }
}
