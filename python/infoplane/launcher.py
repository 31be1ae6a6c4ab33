"""Runs InfoPlane's analysis from Python: :func:`import_export`, :func:`analyze` and :func:`report` start the
project's launcher (``bin/infoplane``, which builds the jobs on first use and runs them on the local JVM),
or the analysis jar through ``spark-submit`` when configured, stream its output line by line, and raise
:class:`InfoPlaneError` carrying the launcher's one-line error when it fails.

Which launcher, in this order: the ``launcher=`` argument; ``INFOPLANE_SPARK_SUBMIT`` (a ``spark-submit``
executable, with the jar ``INFOPLANE_JAR``, default ``$INFOPLANE_HOME/cli/target/infoplane-analysis.jar``, the
jar without DL4J that has every command this package runs);
``$INFOPLANE_HOME/bin/infoplane``; ``bin/infoplane`` of the checkout this package lies in.
"""
import logging
import os
import pathlib
import shutil
import subprocess
import threading
from typing import Callable, List, Optional, Sequence

__all__ = ["InfoPlaneError", "import_export", "analyze", "report", "run_launcher", "launcher_command"]

LOG = logging.getLogger("infoplane")

#: The launcher's exit status for bad input (an unknown run, a missing directory, a bad option).
EXIT_BAD_INPUT = 2

#: Called with each line the launcher prints: (stream, line) with stream "stdout" or "stderr".
LineCallback = Callable[[str, str], None]


class InfoPlaneError(RuntimeError):
    """The launcher failed. ``str(e)`` is its one-line error (e.g. ``infoplane report: no results for run
    'r9'; runs with results: r1``); ``returncode`` is its exit status (2: bad input, 1: a failure) and
    ``stderr`` the last lines it wrote to standard error."""

    def __init__(self, message: str, returncode: Optional[int] = None, command: Sequence[str] = (),
                 stderr: str = ""):
        super().__init__(message)
        self.returncode = returncode
        self.command = list(command)
        self.stderr = stderr


def _home() -> Optional[pathlib.Path]:
    if os.environ.get("INFOPLANE_HOME"):
        return pathlib.Path(os.environ["INFOPLANE_HOME"])
    checkout = pathlib.Path(__file__).resolve().parents[2]
    return checkout if (checkout / "bin" / "infoplane").is_file() else None


def launcher_command(launcher: Optional[str] = None) -> List[str]:
    """The command that starts InfoPlane (see the module's documentation for the order of choices)."""
    if launcher is not None:
        return [str(launcher)]
    submit = os.environ.get("INFOPLANE_SPARK_SUBMIT")
    if submit:
        home = _home()
        jar = os.environ.get("INFOPLANE_JAR") or (
            str(home / "cli" / "target" / "infoplane-analysis.jar") if home else None)
        if not jar or not os.path.isfile(jar):
            raise InfoPlaneError("INFOPLANE_SPARK_SUBMIT is set, but the jar %s does not exist; set INFOPLANE_JAR"
                                 " to the jar (mvn -B package builds cli/target/infoplane-analysis.jar)" % jar)
        return [submit, "--class", "org.infoplane.cli.InfoPlaneCli", jar]
    home = _home()
    if home is None or not (home / "bin" / "infoplane").is_file():
        raise InfoPlaneError("cannot find InfoPlane's launcher: this package is not inside an InfoPlane checkout and"
                             " INFOPLANE_HOME is %s; set INFOPLANE_HOME to the checkout, or pass launcher="
                             % ("not set" if home is None else "%s, which has no bin/infoplane" % home))
    return [str(home / "bin" / "infoplane")]


def _echo(stream: str, line: str) -> None:
    if stream == "stdout":
        LOG.info("%s", line)
    else:
        LOG.debug("%s", line)


def run_launcher(args: Sequence[str], *, launcher: Optional[str] = None, on_line: Optional[LineCallback] = None,
                 cwd: Optional[str] = None, env: Optional[dict] = None) -> List[str]:
    """Runs ``infoplane ARGS`` and returns the lines it printed on standard output.

    Parameters
    ----------
    args : the command line after ``infoplane`` (e.g. ``["sql", "--warehouse", W, "SELECT 1"]``)
    launcher : the launcher to run instead of the one found (module documentation)
    on_line : called with ``(stream, line)`` for each line as the launcher prints it, one call at a
        time; by default standard output goes to the ``infoplane`` logger at INFO and standard error
        (Spark's log) at DEBUG
    cwd, env : working directory and environment of the launcher (default: this process's)

    Raises
    ------
    InfoPlaneError
        when Java is not on the PATH (before anything starts), and when the launcher exits with a
        non-zero status: the message is its one-line error.
    """
    environ = dict(os.environ if env is None else env)
    if shutil.which("java", path=environ.get("PATH", "")) is None:
        raise InfoPlaneError("Java is not installed or not on the PATH (%s): InfoPlane runs on Java 17; install a"
                             " JDK 17 (Debian: apt-get install openjdk-17-jdk-headless) and put its bin/ on the PATH"
                             % (environ.get("PATH") or "empty"))
    command = launcher_command(launcher) + [str(a) for a in args]
    callback = on_line or _echo
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
                                cwd=cwd, env=environ)
    except OSError as e:
        raise InfoPlaneError("cannot start %s: %s" % (command[0], e), command=command) from e
    out: List[str] = []
    err: List[str] = []
    one_at_a_time = threading.Lock()  # both streams are read at once; the callback sees one line at a time

    def pump(stream, name, keep):
        for raw in stream:
            line = raw.rstrip("\r\n")
            keep.append(line)
            with one_at_a_time:
                callback(name, line)

    reader = threading.Thread(target=pump, args=(proc.stderr, "stderr", err), daemon=True)
    reader.start()
    pump(proc.stdout, "stdout", out)
    reader.join()
    rc = proc.wait()
    if rc != 0:
        raise InfoPlaneError(_one_line(out, err, rc, command), returncode=rc, command=command,
                             stderr="\n".join(err[-50:]))
    return out


#: ``infoplane analyze`` exits with 3 when the job finished but some units failed (analysis_errors).
EXIT_UNITS_FAILED = 3


def _one_line(out: List[str], err: List[str], rc: int, command: Sequence[str]) -> str:
    """The launcher's one-line error: its line on standard error naming the command (``infoplane report:
    no results for run ...``); for an analysis whose units failed (status 3), its count of failures with
    the first failure; else the status and the last line of standard error."""
    own = [l.strip() for l in err if l.startswith("infoplane")]
    if own:
        return own[-1]
    if rc == EXIT_UNITS_FAILED:
        for i, line in enumerate(out):
            if " failed (see the analysis_errors table)" in line:
                first = out[i + 1].strip() if i + 1 < len(out) else ""
                return "infoplane analyze: %s%s" % (line.rstrip(":"), "; first: " + first if first else "")
    last = [l.strip() for l in err if l.strip()]
    return "%s exited with status %d%s" % (" ".join(command[:2]), rc,
                                           "; its last line: " + last[-1] if last else " and printed no error")


def _opt(args: List[str], name: str, value) -> None:
    if value is not None:
        args += [name, str(value)]


def _conf(args: List[str], conf: Optional[dict]) -> None:
    for k, v in (conf or {}).items():
        args += ["--conf", "%s=%s" % (k, v)]


def import_export(export: str, *, archive: str, run: Optional[str] = None, launcher: Optional[str] = None,
                  on_line: Optional[LineCallback] = None, cwd: Optional[str] = None) -> List[str]:
    """Imports an :class:`~infoplane.ExportWriter` directory into a snapshot archive
    (``infoplane import npz``); returns the lines printed. ``run`` names the run (default: the export's)."""
    args = ["import", "npz", "--archive", str(archive)]
    _opt(args, "--run", run)
    return run_launcher(args + [str(export)], launcher=launcher, on_line=on_line, cwd=cwd)


def analyze(archive: str, *, warehouse: str, preset: Optional[str] = None, conf: Optional[dict] = None,
            launcher: Optional[str] = None, on_line: Optional[LineCallback] = None,
            cwd: Optional[str] = None) -> List[str]:
    """Analyses every run of a snapshot archive into the warehouse's tables (``infoplane analyze``).

    ``preset`` names an analysis preset (``--preset``); ``conf`` maps configuration keys to values
    (``--conf KEY=VALUE``, docs/configuration.md). Returns the lines printed."""
    args = ["analyze", "--archive", str(archive), "--warehouse", str(warehouse)]
    _opt(args, "--preset", preset)
    _conf(args, conf)
    return run_launcher(args, launcher=launcher, on_line=on_line, cwd=cwd)


def report(*, warehouse: str, out: str, run: Optional[str] = None, model: Optional[str] = None,
           config_id: Optional[str] = None, launcher: Optional[str] = None, on_line: Optional[LineCallback] = None,
           cwd: Optional[str] = None) -> pathlib.Path:
    """Writes the report of one run (``run=``) or of every run of a model (``model=``) into ``out``
    (``infoplane report``): figures, CSV files and ``index.html``. Returns the path of ``index.html``;
    :func:`infoplane.read_report` reads the CSV files back."""
    if (run is None) == (model is None):
        raise ValueError("report needs exactly one of run= and model=, got run=%r, model=%r" % (run, model))
    args = ["report", "--warehouse", str(warehouse), "--out", str(out)]
    _opt(args, "--run", run)
    _opt(args, "--model", model)
    _opt(args, "--config-id", config_id)
    run_launcher(args, launcher=launcher, on_line=on_line, cwd=cwd)
    return pathlib.Path(out) / "index.html"
