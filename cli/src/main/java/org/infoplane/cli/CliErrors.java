package org.infoplane.cli;

import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Turns exceptions that escape a subcommand into the CLI's conventions: {@link BadInputException}
 * and {@link IllegalArgumentException} become one line on standard error and exit status 2; anything
 * else is a bug or an environment failure, shown with its stack trace (in the log) and exit status 1.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(CliErrors.class);

  @Override
  public int handleExecutionException(
      Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    if (isBadInput(ex)) {
      err.println(commandLine.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
      err.flush();
      return InfoPlaneCli.EXIT_BAD_INPUT;
    }
    LOG.error("infoplane {} failed", commandLine.getCommandName(), ex);
    err.println(commandLine.getCommandSpec().qualifiedName() + ": failed: " + ex);
    err.flush();
    return 1;
  }

  static int exitCodeFor(Throwable t) {
    return isBadInput(t) ? InfoPlaneCli.EXIT_BAD_INPUT : 1;
  }

  private static boolean isBadInput(Throwable t) {
    return t instanceof BadInputException || t instanceof IllegalArgumentException;
  }
}
