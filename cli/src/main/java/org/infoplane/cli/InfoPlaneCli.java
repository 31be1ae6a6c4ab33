package org.infoplane.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code infoplane} command line: one subcommand per job. Entry points stay thin: they parse,
 * build what they need, run and report; the work lives in the libraries.
 *
 * <p>Exit status: 0 on success, 2 for bad input or usage (one line on standard error naming the
 * file, run, checkpoint or layer and the problem), 1 for any other failure.
 *
 * <p>Two jars carry it. The full jar ({@value #FULL_JAR}, module app; what bin/infoplane runs) has
 * every command; the analysis jar ({@value #ANALYSIS_JAR}, module cli; what deploy/submit.sh gives
 * spark-submit for the analysis) has no DL4J, and so none of the commands that module app adds
 * (train, extract, benchmark, demo, experiment; {@link #addFullJarCommand}): there, naming one is
 * refused in one line that names the full jar. This class never refers to those commands: it
 * registers each by its class name when the class is on the classpath.
 */
@Command(
    name = "infoplane",
    mixinStandardHelpOptions = true,
    versionProvider = InfoPlaneCli.Version.class,
    description = "Information-plane analysis of deep networks (matrix-based Renyi entropy, tensor kernels).")
public final class InfoPlaneCli implements Runnable {

  /** Exit status for bad input or usage. */
  public static final int EXIT_BAD_INPUT = 2;

  /** The jar with every command, DL4J included (app/target). */
  static final String FULL_JAR = "infoplane-jobs.jar";

  /** The jar for spark-submit's analysis, without DL4J (cli/target). */
  static final String ANALYSIS_JAR = "infoplane-analysis.jar";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** Builds the command line with the project's exit-code and error conventions. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new InfoPlaneCli());
    // In the order of the help's list.
    cl.addSubcommand(CommandLine.HelpCommand.class);
    cl.addSubcommand(MiCommand.class);
    cl.addSubcommand(AnalyzeCommand.class);
    cl.addSubcommand(SqlCommand.class);
    cl.addSubcommand(ReportCommand.class);
    cl.addSubcommand(SensitivityCommand.class);
    cl.addSubcommand(CalibrateCommand.class);
    cl.addSubcommand(VerdictsCommand.class);
    cl.addSubcommand(ConfigCommand.class);
    addFullJarCommand(cl, "train");
    addFullJarCommand(cl, "extract");
    cl.addSubcommand(ImportCommand.class);
    cl.addSubcommand(ValidateCommand.class);
    cl.addSubcommand(MaintainCommand.class);
    addFullJarCommand(cl, "benchmark");
    addFullJarCommand(cl, "demo");
    addFullJarCommand(cl, "experiment");
    // After the subcommands: picocli gives these settings to the subcommands present.
    cl.setExecutionExceptionHandler(new CliErrors());
    cl.setExitCodeExceptionMapper(CliErrors::exitCodeFor);
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * Adds the full jar's command {@code name}, the class {@code org.infoplane.cli.<Name>Command} of
   * module app: the command where its class is present, else its refusal. deploy/submit.sh names the
   * same commands to choose the jar.
   */
  private static void addFullJarCommand(CommandLine cl, String name) {
    String className = "org.infoplane.cli." + Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Command";
    Class<?> command;
    try {
      command = Class.forName(className, false, InfoPlaneCli.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      cl.addSubcommand(name, new NotInThisJar(name));
      return;
    }
    cl.addSubcommand(name, command);
  }

  /**
   * Stands for a command of the full jar in the analysis jar: hidden from the help, it takes any
   * arguments and refuses with one line (exit status 2) that says which jar has the command.
   */
  @Command(hidden = true)
  static final class NotInThisJar implements Callable<Integer> {

    private final String name;

    @CommandLine.Unmatched List<String> args;

    NotInThisJar(String name) {
      this.name = name;
    }

    @Override
    public Integer call() {
      throw new BadInputException("not in " + ANALYSIS_JAR + ", the jar without DL4J: " + name
          + " is in the full jar, " + FULL_JAR + " (app/target; bin/infoplane runs it, deploy/submit.sh"
          + " submits it for " + name + ")");
    }
  }

  /**
   * Reports the version and the git commit of the build, from {@code build.properties} next to this
   * class: the build writes it (cli/src/build/build-info.sh), with commit "unknown" where the
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
