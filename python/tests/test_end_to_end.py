"""The PyTorch user's path end to end, with real PyTorch and the built InfoPlane (``bin/infoplane``):
a small CNN with a shared activation module and a functional activation is trained for a few steps
and recorded at 3 checkpoints; the export directory is imported (twice: the second import skips
everything), analysed and reported through the Python API (``infoplane.import_export``,
``infoplane.analyze``, ``infoplane.report``, which run the launcher). The oracle for the numbers is
``infoplane mi`` on the same arrays with the width the analysis used, and for the training curves the
metrics recorded; the JVM-free readers (``infoplane.read_report``, ``infoplane.read_table``) are
checked against ``infoplane sql`` on the same warehouse, and the report's interactive plane in a real
headless Chromium. Commands run in an empty working directory, which must stay empty (no
``spark-warehouse/``, no ``warehouse/``).
"""
import json
import os
import pathlib
import shutil
import html as html_lib
import io
import re
import subprocess

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

import infoplane  # noqa: E402
from infoplane import ExportWriter, InfoPlaneError, Recorder  # noqa: E402
from test_recorder import SharedReluNet  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "bin" / "infoplane"
#: mi and the analysis compute the same estimate from the same float32 arrays; they differ only in
#: summation order, far below a thousandth of a bit.
TOLERANCE_BITS = 1e-6

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="needs Java 17 to run bin/infoplane")


def _data(n, seed):
    """Four classes of 8 x 8 images in [0, 1]: a bright quadrant per class, plus noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 4
    x = rng.random((n, 1, 8, 8)).astype(np.float32) * 0.5
    for i, c in enumerate(y):
        r, col = divmod(int(c), 2)
        x[i, 0, 4 * r:4 * r + 4, 4 * col:4 * col + 4] += 0.5
    return x, y


def _run(cwd, *args, expect=0):
    p = subprocess.run([str(LAUNCHER), *args], cwd=cwd, capture_output=True, text=True, timeout=900,
                       env={**os.environ, "INFOPLANE_JAVA_OPTS": "-Xmx2g"})
    assert p.returncode == expect, "%s\nstdout:\n%s\nstderr:\n%s" % (args, p.stdout, p.stderr[-4000:])
    return p


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """Trains, records, imports, analyses and reports once for the tests of this module."""
    tmp_path = tmp_path_factory.mktemp("e2e")
    torch.manual_seed(0)
    model = SharedReluNet(channels=8, hidden=(16, 12), classes=4)
    x_train, y_train = _data(300, seed=1)
    x_eval = {"train": (x_train[:100], y_train[:100]), "test": _data(100, seed=2)}
    rec = Recorder(model)
    assert rec.layer_names == ["conv1", "conv2", "fc1", "fc2", "out"]
    assert rec.functional_activations == ["fc2 (F.relu)"]

    export = ExportWriter(str(tmp_path / "export"), num_classes=4, model="small-cnn", dataset="quadrants")
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    recorded_metrics = {}
    step = 0
    for epoch in range(3):
        if epoch > 0:
            for _ in range(10):
                idx = torch.randint(0, len(xt), (32,))
                loss = F.cross_entropy(model(xt[idx]), yt[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                step += 1
        # no metric by hand: the recorder computes each split's loss and accuracy
        rec.write_checkpoint(export, epoch, step, x_eval, {"lr": 0.1}, batch_size=64, chunk_size=60)
        recorded_metrics[step] = rec.last_metrics
        assert {"loss", "train_accuracy", "test_loss", "test_accuracy"} <= set(rec.last_metrics)

    work = tmp_path / "cwd"
    work.mkdir()
    archive, warehouse = str(tmp_path / "archive"), str(tmp_path / "warehouse")

    lines = []
    first = infoplane.import_export(str(tmp_path / "export"), archive=archive, run="r1", cwd=str(work),
                                    on_line=lambda stream, line: lines.append((stream, line)))
    assert any(line.startswith("[9/9]") for line in first), first
    assert ("stdout", first[-1]) in lines and "6 checkpoint splits imported" in first[-1]
    again = _run(work, "import", "npz", "--archive", archive, "--run", "r1", str(tmp_path / "export"))
    assert "0 checkpoint splits imported, 0 replaced, 6 already there; 0 metrics files written" in again.stdout

    refused = _run(work, "sql", "SELECT count(*) FROM information_plane", expect=2)
    assert str(work / "warehouse") in refused.stderr and "--warehouse" in refused.stderr
    assert not (work / "warehouse").exists()

    infoplane.analyze(archive, warehouse=warehouse, cwd=str(work))
    rows = json.loads(_run(work, "sql", "--warehouse", warehouse, "--format", "json",
                           "SELECT split, epoch, step, layer_index, layer_name, sigma, i_xt, i_ty, h_t, n_batches"
                           " FROM information_plane ORDER BY split, step, layer_index").stdout)
    assert len(rows) == 2 * 3 * 5
    assert [r["layer_name"] for r in rows[:5]] == ["conv1", "conv2", "fc1", "fc2", "out"]

    # the same arrays through `infoplane mi`, with the width the analysis used
    checks = [("test", 20, "conv1"), ("test", 0, "fc2"), ("train", 10, "out")]
    for split, at_step, layer in checks:
        row = next(r for r in rows if (r["split"], r["step"], r["layer_name"]) == (split, at_step, layer))
        cdir = tmp_path / "export" / ("epoch=%d-step=%d" % (row["epoch"], at_step))
        files = json.loads((cdir / "checkpoint.json").read_text())["splits"][split]
        parts = [np.load(cdir / f) for f in files]
        index = rec.layer_names.index(layer)
        arrays = {"x": "x", "t": "L%d_%s" % (index, layer), "y": "y"}
        for short, key in arrays.items():
            np.save(tmp_path / (short + ".npy"), np.concatenate([p[key] for p in parts]))
        mi = json.loads(_run(work, "mi", "--x", str(tmp_path / "x.npy"), "--t", str(tmp_path / "t.npy"),
                             "--y", str(tmp_path / "y.npy"), "--sigma-t", repr(row["sigma"]),
                             "--format", "json").stdout)
        assert mi["n_batches"] == row["n_batches"] == 1
        for col in ("i_xt", "i_ty", "h_t"):
            assert abs(mi[col] - row[col]) <= TOLERANCE_BITS, (split, at_step, layer, col, mi[col], row[col])

    metrics = json.loads(_run(work, "sql", "--warehouse", warehouse, "--format", "json",
                              "SELECT m.step, m.loss, m.train_accuracy, m.test_accuracy, m.test_loss FROM runs"
                              " LATERAL VIEW explode(metrics) e AS m WHERE run_id = 'r1' ORDER BY m.step").stdout)
    assert [m["step"] for m in metrics] == [0, 10, 20]
    for m in metrics:
        want = recorded_metrics[m["step"]]
        assert (m["loss"], m["train_accuracy"], m["test_accuracy"], m["test_loss"]) == \
            (want["loss"], want["train_accuracy"], want["test_accuracy"], want["test_loss"])

    index = infoplane.report(run="r1", warehouse=warehouse, out=str(tmp_path / "report"), cwd=str(work))
    assert index == tmp_path / "report" / "index.html"
    assert sorted(os.listdir(work)) == [], "commands leave nothing in the working directory"
    return {"tmp": tmp_path, "work": work, "warehouse": warehouse, "rows": rows, "report": tmp_path / "report"}


def test_record_import_analyse_report(pipeline):
    assert (pipeline["report"] / "training.png").stat().st_size > 0
    html = (pipeline["report"] / "index.html").read_text()
    assert "training.png" in html
    for name in infoplane.results.REPORT_FILES:
        assert (pipeline["report"] / (name + ".csv")).stat().st_size > 0, name


def test_read_report_holds_the_warehouse_rows(pipeline):
    pytest.importorskip("pandas", reason="read_report needs pandas (pip install 'infoplane[tables]')")
    report = infoplane.read_report(pipeline["report"])
    assert set(report) == set(infoplane.results.REPORT_FILES)
    plane = report["plane"].sort_values(["split", "step", "layer_index"]).reset_index(drop=True)
    rows = pipeline["rows"]
    assert len(plane) == len(rows) == 30
    for i, r in enumerate(rows):
        got = plane.iloc[i]
        assert (got["run_id"], got["split"], got["epoch"], got["step"], got["layer_name"]) == \
            ("r1", r["split"], r["epoch"], r["step"], r["layer_name"])
        for col in ("i_xt", "i_ty", "sigma"):  # the CSV holds each double exactly
            assert got[col] == r[col], (i, col, got[col], r[col])
        assert got["i_xt_ci_low"] <= got["i_xt"] <= got["i_xt_ci_high"]
    assert list(report["metrics"]["step"]) == [0, 10, 20]
    # the verdict views' rows, as the launcher's own SQL gives them
    dpi = _sql_csv(pipeline, "SELECT * FROM dpi_check WHERE run_id = 'r1'")
    assert len(report["dpi"]) == len(dpi) > 0
    assert list(report["dpi"].columns) == list(dpi.columns)
    phases = _sql_csv(pipeline, "SELECT * FROM compression_phases WHERE run_id = 'r1'")
    assert len(report["phases"]) == len(phases) > 0
    assert set(report["widths"].columns) >= {"run_id", "split", "step", "layer_name", "sigma", "sigma_raw"}


def _sql_csv(pipeline, query):
    import pandas as pd
    out = _run(pipeline["work"], "sql", "--warehouse", pipeline["warehouse"], "--format", "csv", query).stdout
    return pd.read_csv(io.StringIO(out), float_precision="round_trip")


def test_read_table_without_a_jvm_matches_sql(pipeline):
    pytest.importorskip("pyiceberg", reason="read_table needs PyIceberg (pip install 'infoplane[tables]')")
    cols = ["run_id", "split", "epoch", "step", "layer_index", "layer_name", "i_xt", "i_ty", "h_t", "sigma",
            "i_xt_ci_low", "i_xt_ci_high", "n_batches"]
    want = _sql_csv(pipeline, "SELECT %s FROM information_plane ORDER BY split, step, layer_index" % ", ".join(cols))
    got = infoplane.read_table(pipeline["warehouse"], "information_plane")
    assert len(got) == len(want) == 30
    got = got[cols].sort_values(["split", "step", "layer_index"]).reset_index(drop=True)
    for col in cols:
        assert list(got[col]) == list(want[col]), col
    runs = infoplane.read_table(pipeline["warehouse"], "runs", row_filter="run_id == 'r1'")
    assert list(runs["run_id"]) == ["r1"] and runs["model"][0] == "small-cnn"
    assert [m["step"] for m in runs["metrics"][0]] == [0, 10, 20]
    with pytest.raises(FileNotFoundError, match="no table ip.no_such_table .*information_plane"):
        infoplane.read_table(pipeline["warehouse"], "no_such_table")


def test_a_failed_command_raises_the_launchers_one_line(pipeline):
    with pytest.raises(InfoPlaneError) as e:
        infoplane.report(run="r9", warehouse=pipeline["warehouse"], out=str(pipeline["tmp"] / "no-report"),
                         cwd=str(pipeline["work"]))
    assert str(e.value) == "infoplane report: no results for run 'r9'; runs with results: r1"
    assert e.value.returncode == 2
    assert not (pipeline["tmp"] / "no-report" / "index.html").exists()


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    if os.environ.get("INFOPLANE_REQUIRE_BROWSER") == "1":
        pytest.fail("INFOPLANE_REQUIRE_BROWSER=1, but no chromium on the PATH (Debian: apt-get install chromium)")
    pytest.skip("no headless browser: install Debian's chromium to test the report's interactive plane")


#: Appended to a copy of the page: hovers the first point, hides the first layer, and writes what it
#: saw into the DOM that Chromium dumps.
PROBE = """<script>
(function () {
  var root = document.getElementById("plane"), pts = root.querySelectorAll("circle.pt");
  pts[0].dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
  var tip = root.querySelector(".plane-tip");
  var seen = {points: pts.length, tip: tip.textContent, tipDisplay: tip.style.display,
    visible: +root.getAttribute("data-visible-points")};
  root.querySelector("input[data-group='li']").click();
  seen.visibleWithoutFirstLayer = +root.getAttribute("data-visible-points");
  root.querySelector("input[data-group='split'][value='test']").click();
  seen.visibleTrainOnly = +root.getAttribute("data-visible-points");
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(seen);
  document.body.appendChild(out);
})();
</script></body>"""


def test_interactive_plane_in_a_headless_browser(pipeline):
    browser = _chromium()
    page = (pipeline["report"] / "index.html").read_text()
    assert "<script src" not in page and "<link" not in page, "the page loads nothing from elsewhere"
    probe = pipeline["report"] / "probe.html"
    probe.write_text(page.replace("</body>", PROBE))
    p = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--user-data-dir=%s" % (pipeline["tmp"] / "chromium-profile"), "--dump-dom",
                        probe.as_uri()], capture_output=True, text=True, timeout=180)
    found = re.search(r'<pre id="probe">(.*?)</pre>', p.stdout, re.S)
    assert found, "no probe output; chromium said:\n%s" % p.stderr[-3000:]
    seen = json.loads(html_lib.unescape(found.group(1)))
    rows = pipeline["rows"]
    assert seen["points"] == seen["visible"] == len(rows) == 30
    assert seen["visibleWithoutFirstLayer"] == 24  # 2 splits x 3 checkpoints of conv1 hidden
    assert seen["visibleTrainOnly"] == 12
    # the first point drawn: split test, step 0, layer conv1 (plane.csv's order)
    first = next(r for r in rows if (r["split"], r["step"], r["layer_name"]) == ("test", 0, "conv1"))
    tip = seen["tip"]
    assert seen["tipDisplay"] == "block"
    for text in ("run r1", "layer conv1 (%d)" % first["layer_index"], "split test", "epoch 0, step 0", "\u03c3 = "):
        assert text in tip, (text, tip)
    shown = float(re.search(r"I\(X;T\) = ([0-9.e+-]+) bits \[", tip).group(1))
    assert abs(shown - first["i_xt"]) <= 1e-3 * max(1.0, abs(first["i_xt"])), (shown, first["i_xt"])
    sigma = float(re.search("\u03c3 = ([0-9.e+-]+)", tip).group(1))
    assert abs(sigma - first["sigma"]) <= 1e-3 * first["sigma"], (sigma, first["sigma"])
