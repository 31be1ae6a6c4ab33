"""How the Python API finds and starts the launcher, and its errors before anything starts (no Java
needed). The real runs are in test_end_to_end.py."""
import os
import pathlib
import shutil

import pytest

import infoplane
from infoplane import InfoPlaneError
from infoplane.launcher import launcher_command, run_launcher

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_missing_java_is_a_clear_error_before_anything_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no java, no bash
    with pytest.raises(InfoPlaneError, match=r"Java is not installed or not on the PATH \(%s\).*openjdk-17"
                       % tmp_path):
        infoplane.analyze(str(tmp_path / "archive"), warehouse=str(tmp_path / "warehouse"))
    assert os.listdir(tmp_path) == []


def test_the_launcher_of_this_checkout_by_default(monkeypatch):
    monkeypatch.delenv("INFOPLANE_HOME", raising=False)
    monkeypatch.delenv("INFOPLANE_SPARK_SUBMIT", raising=False)
    assert launcher_command() == [str(ROOT / "bin" / "infoplane")]
    assert launcher_command("/opt/x/bin/infoplane") == ["/opt/x/bin/infoplane"]


def test_infoplane_home_without_a_launcher_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("INFOPLANE_HOME", str(tmp_path))
    monkeypatch.delenv("INFOPLANE_SPARK_SUBMIT", raising=False)
    with pytest.raises(InfoPlaneError, match="INFOPLANE_HOME is %s, which has no bin/infoplane" % tmp_path):
        launcher_command()


def test_spark_submit_with_the_analysis_jar_of_the_home(tmp_path, monkeypatch):
    jar = tmp_path / "cli" / "target" / "infoplane-analysis.jar"
    monkeypatch.setenv("INFOPLANE_HOME", str(tmp_path))
    monkeypatch.setenv("INFOPLANE_SPARK_SUBMIT", "/opt/spark/bin/spark-submit")
    monkeypatch.delenv("INFOPLANE_JAR", raising=False)
    with pytest.raises(InfoPlaneError, match="the jar %s does not exist" % jar):
        launcher_command()
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"")
    assert launcher_command() == ["/opt/spark/bin/spark-submit", "--class", "org.infoplane.cli.InfoPlaneCli",
                                  str(jar)]


def test_spark_submit_with_the_jar_named(tmp_path, monkeypatch):
    jar = tmp_path / "infoplane-jobs.jar"
    monkeypatch.setenv("INFOPLANE_SPARK_SUBMIT", "/opt/spark/bin/spark-submit")
    monkeypatch.setenv("INFOPLANE_JAR", str(jar))
    with pytest.raises(InfoPlaneError, match="the jar %s does not exist" % jar):
        launcher_command()
    jar.write_bytes(b"")
    assert launcher_command() == ["/opt/spark/bin/spark-submit", "--class", "org.infoplane.cli.InfoPlaneCli",
                                  str(jar)]


def test_report_needs_one_target():
    with pytest.raises(ValueError, match="exactly one of run= and model="):
        infoplane.report(warehouse="w", out="o")


@pytest.mark.skipif(shutil.which("java") is None or shutil.which("false") is None, reason="needs java and false")
def test_a_launcher_that_fails_without_a_line_of_its_own_gives_its_status():
    with pytest.raises(InfoPlaneError, match=r"^\S*false analyze exited with status 1 and printed no error$") as e:
        run_launcher(["analyze"], launcher=shutil.which("false"))
    assert e.value.returncode == 1


@pytest.mark.skipif(shutil.which("java") is None, reason="needs java to get past the check")
def test_each_line_reaches_the_callback_as_it_is_printed(tmp_path):
    script = tmp_path / "launcher"
    script.write_text("#!/bin/sh\necho one\necho two >&2\necho \"infoplane sql: $1 is not a query\" >&2\nexit 2\n")
    script.chmod(0o755)
    seen = []
    with pytest.raises(InfoPlaneError) as e:
        run_launcher(["SELEKT"], launcher=str(script), on_line=lambda s, l: seen.append((s, l)))
    assert str(e.value) == "infoplane sql: SELEKT is not a query" and e.value.returncode == 2
    assert sorted(seen) == [("stderr", "infoplane sql: SELEKT is not a query"), ("stderr", "two"), ("stdout", "one")]
