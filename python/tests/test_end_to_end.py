"""The PyTorch user's path end to end, with real PyTorch and the built InfoPlane (``bin/infoplane``):
a small CNN with a shared activation module and a functional activation is trained for a few steps
and recorded at 3 checkpoints; the export directory is imported in one command (twice: the second
import skips everything), analysed and reported. The oracle for the numbers is ``infoplane mi`` on
the same arrays with the width the analysis used, and for the training curves the metrics recorded.
Commands run in an empty working directory, which must stay empty (no ``spark-warehouse/``, no
``warehouse/``).
"""
import json
import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from infoplane import ExportWriter, Recorder  # noqa: E402
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


def test_record_import_analyse_report(tmp_path):
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

    first = _run(work, "import", "npz", "--archive", archive, "--run", "r1", str(tmp_path / "export"))
    assert "[9/9]" in first.stdout and "6 checkpoint splits imported" in first.stdout
    again = _run(work, "import", "npz", "--archive", archive, "--run", "r1", str(tmp_path / "export"))
    assert "0 checkpoint splits imported, 0 replaced, 6 already there; 0 metrics files written" in again.stdout

    refused = _run(work, "sql", "SELECT count(*) FROM information_plane", expect=2)
    assert str(work / "warehouse") in refused.stderr and "--warehouse" in refused.stderr
    assert not (work / "warehouse").exists()

    _run(work, "analyze", "--archive", archive, "--warehouse", warehouse)
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

    _run(work, "report", "--run", "r1", "--warehouse", warehouse, "--out", str(tmp_path / "report"))
    assert (tmp_path / "report" / "training.png").stat().st_size > 0
    html = (tmp_path / "report" / "index.html").read_text()
    assert "training.png" in html
    assert sorted(os.listdir(work)) == [], "commands leave nothing in the working directory"
