package org.infoplane.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * Runs InfoPlane commands in a fresh JVM and says whether any of them left a Spark session: the
 * arguments are commands separated by {@code ---}. Exit status 0 when every command succeeded and no
 * session exists, 3 when a command started one (named on standard error), 4 when a command failed.
 * Used by {@link ReadingCommandsTest} in a child process, so that sessions of other tests in the
 * test JVM cannot hide or fake a result.
 */
public final class NoSparkCommands {

  private NoSparkCommands() {}

  public static void main(String[] args) {
    List<List<String>> commands = new ArrayList<>();
    commands.add(new ArrayList<>());
    for (String a : args) {
      if (a.equals("---")) {
        commands.add(new ArrayList<>());
      } else {
        commands.get(commands.size() - 1).add(a);
      }
    }
    for (List<String> c : commands) {
      int code = InfoPlaneCli.commandLine().execute(c.toArray(String[]::new));
      if (code != 0) {
        System.err.println("failed (" + code + "): " + c);
        System.exit(4);
      }
      if (SparkSession.getDefaultSession().isDefined() || SparkSession.getActiveSession().isDefined()) {
        System.err.println("started a Spark session: " + c);
        System.exit(3);
      }
    }
    System.err.println("no Spark session after " + Arrays.toString(args));
    System.exit(0);
  }
}
