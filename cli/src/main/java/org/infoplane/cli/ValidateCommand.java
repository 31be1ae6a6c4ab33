package org.infoplane.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.infoplane.snapshot.ArchiveValidator;
import org.infoplane.snapshot.SnapshotArchive;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code infoplane validate}: checks every run of an archive (see {@link ArchiveValidator}) and
 * prints one line per problem, then a summary. Exit status 0 when there is no error (warnings
 * allowed), 1 when there is at least one, 2 for usage errors.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Checks every run of a snapshot archive: manifests, inputs, every layer file of every checkpoint",
      "(readable, sample ids, shape, finite values) and metrics. One line per problem, then a summary.",
      "Exit status: 0 when clean (warnings allowed), 1 when a problem was found, 2 for usage errors."
    })
public final class ValidateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--archive", required = true, paramLabel = "DIR", description = "Archive root (a path or a URI).")
  String archive;

  @Override
  public Integer call() {
    ArchiveValidator.Report r = ArchiveValidator.validate(SnapshotArchive.open(archive, new Configuration()));
    PrintWriter out = spec.commandLine().getOut();
    for (ArchiveValidator.Problem p : r.problems()) {
      out.println(p.line());
    }
    out.println(r.summary());
    out.flush();
    return r.clean() ? 0 : 1;
  }
}
