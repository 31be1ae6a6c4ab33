package org.infoplane.analysis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, from Debian's {@code postgresql} package: {@code initdb} into a
 * temporary directory, {@code pg_ctl start} on 127.0.0.1 and a free port, {@code pg_ctl stop} and the
 * directory removed on {@link #close}. PostgreSQL refuses to run as root: as root the server runs
 * as the package's {@code postgres} user ({@code runuser -u postgres --}). Authentication is
 * {@code trust} for the superuser {@value #USER}; fsync is off (a test server).
 */
final class PostgresServer implements AutoCloseable {

  static final String USER = "infoplane";
  private static final String BIN_ROOT = "/usr/lib/postgresql";

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgres;

  private PostgresServer(Path bin, Path dir, int port, boolean asPostgres) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgres = asPostgres;
  }

  /**
   * Why no server can be started here, or empty when one can: the binaries ({@code initdb} and
   * {@code pg_ctl} under {@value #BIN_ROOT}/VERSION/bin), and as root the {@code postgres} user.
   */
  static Optional<String> unavailable() {
    if (binaries().isEmpty()) {
      return Optional.of("no PostgreSQL server binaries (initdb, pg_ctl) under " + BIN_ROOT
          + "/*/bin: install Debian's postgresql package (apt-get install postgresql)");
    }
    if (isRoot() && !userExists("postgres")) {
      return Optional.of("running as root, and there is no 'postgres' user to run the server as (PostgreSQL refuses root)");
    }
    return Optional.empty();
  }

  /** The newest installed version's bin directory. */
  private static Optional<Path> binaries() {
    Path root = Path.of(BIN_ROOT);
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString())));
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + root, e);
    }
  }

  private static Integer versionOf(String name) {
    return name.matches("\\d+") ? Integer.parseInt(name) : 0;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static boolean userExists(String user) {
    try {
      return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(user + ":"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Initialises a cluster in a new temporary directory and starts the server; waits until it accepts. */
  static PostgresServer start() throws IOException, InterruptedException {
    Path bin = binaries().orElseThrow(() -> new IllegalStateException(unavailable().orElse("no binaries")));
    boolean asPostgres = isRoot();
    Path dir = Files.createTempDirectory("infoplane-pg-");
    if (asPostgres) {
      UserPrincipal pg = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(dir, pg);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    PostgresServer server = new PostgresServer(bin, dir, port, asPostgres);
    server.exec(List.of(bin.resolve("initdb").toString(), "-D", server.data().toString(), "-U", USER,
        "-A", "trust", "-E", "UTF8", "--no-sync"), "initdb");
    server.exec(List.of(bin.resolve("pg_ctl").toString(), "-D", server.data().toString(), "-l",
        dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
        "-p " + port + " -h 127.0.0.1 -k " + dir + " -F", "start"), "pg_ctl start");
    return server;
  }

  private Path data() {
    return dir.resolve("data");
  }

  /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres}. */
  String jdbcUri() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  private void exec(List<String> command, String what) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (asPostgres) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(command);
    File log = dir.resolve(what.replace(' ', '-') + ".out").toFile();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("PostgreSQL " + what + " in " + dir + " did not finish in 120 s: " + cmd);
    }
    if (p.exitValue() != 0) {
      String server = Files.exists(dir.resolve("server.log")) ? Files.readString(dir.resolve("server.log")) : "";
      throw new IllegalStateException("PostgreSQL " + what + " in " + dir + " exited with " + p.exitValue() + ": "
          + cmd + "\n" + Files.readString(log.toPath()) + server);
    }
  }

  /** Stops the server (fast shutdown) and removes its directory. */
  @Override
  public void close() throws IOException, InterruptedException {
    try {
      exec(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "fast", "-w", "stop"),
          "pg_ctl stop");
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
