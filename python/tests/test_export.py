"""The export directory, NumPy only: what is written is what was given, and bad input is refused."""
import json
import math
import os

import numpy as np
import pytest

from infoplane import ExportWriter, clean_metrics, layer_key, read_checkpoints, write_npz


def test_layer_key_orders_and_sanitises():
    assert layer_key(0, "conv1") == "L0_conv1"
    assert layer_key(12, "features.3") == "L12_features.3"
    assert layer_key(1, "block/relu:0") == "L1_block_relu_0"
    with pytest.raises(ValueError):
        layer_key(-1, "x")


def test_write_npz_stores_float32_and_the_given_values(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((6, 1, 4, 4))  # float64: stored as float32
    y = np.array([0, 1, 2, 0, 1, 2])
    conv = rng.standard_normal((6, 2, 4, 4)).astype(np.float16)
    fc = rng.standard_normal(6)  # one value per sample: stored as (N, 1)
    path = str(tmp_path / "c.npz")
    write_npz(path, x, y, [("conv1", conv), ("fc", fc)], sample_id=np.arange(10, 16))
    back = np.load(path)
    assert sorted(back.files) == ["L0_conv1", "L1_fc", "sample_id", "x", "y"]
    assert back["x"].dtype == np.float32 and np.array_equal(back["x"], x.astype(np.float32))
    assert back["L0_conv1"].dtype == np.float32 and np.array_equal(back["L0_conv1"], conv.astype(np.float32))
    assert back["L1_fc"].shape == (6, 1)
    assert back["y"].dtype == np.int64 and list(back["y"]) == list(y)
    assert list(back["sample_id"]) == list(range(10, 16))
    assert not [f for f in os.listdir(tmp_path) if f != "c.npz"], "no temporary file is left"


@pytest.mark.parametrize("bad, message", [
    (dict(y=np.array([0, 1, 2])), "y has shape (3,), expected (4,)"),
    (dict(y=np.array([0.0, 1.0, 0.0, 1.0])), "y must hold integer class labels"),
    (dict(y=np.array([0, -1, 0, 1])), "negative label -1 at sample 1"),
    (dict(layers=[("fc", np.ones((3, 2)))]), "layer fc has 3 samples, x has 4"),
    (dict(layers=[("fc", np.array([[1.0, 2.0], [3.0, np.nan], [0, 0], [0, 0]]))]),
     "layer fc: value nan at sample 1, feature 1"),
])
def test_write_npz_refuses_bad_arrays(tmp_path, bad, message):
    args = dict(x=np.zeros((4, 2)), y=np.array([0, 1, 0, 1]), layers=[("fc", np.ones((4, 2)))])
    args.update(bad)
    with pytest.raises(ValueError) as e:
        write_npz(str(tmp_path / "c.npz"), **args)
    assert message in str(e.value)
    assert not os.path.exists(tmp_path / "c.npz")


def test_clean_metrics_keeps_any_number_and_refuses_what_would_mislead():
    assert clean_metrics({"loss": np.float32(0.5), "test_accuracy": 1, "lr": 0.01}) == \
        {"loss": 0.5, "test_accuracy": 1.0, "lr": 0.01}
    assert math.isnan(clean_metrics({"train_accuracy": float("nan")})["train_accuracy"])
    with pytest.raises(ValueError, match=r"test_accuracy is 85.0; accuracies are fractions in \[0, 1\]"):
        clean_metrics({"test_accuracy": 85.0})
    with pytest.raises(ValueError, match="loss is infinite"):
        clean_metrics({"loss": float("inf")})
    with pytest.raises(ValueError, match="not a number"):
        clean_metrics({"loss": "low"})
    with pytest.raises(ValueError, match="not a number"):
        clean_metrics({"converged": True})
    with pytest.raises(ValueError, match="metric name"):
        clean_metrics({"test accuracy": 0.5})


def test_export_directory_layout_chunks_and_metrics(tmp_path):
    rng = np.random.default_rng(1)
    w = ExportWriter(str(tmp_path / "ex"), num_classes=3, model="mlp", dataset="toy")
    x = rng.random((7, 4)).astype(np.float32)
    y = np.arange(7) % 3
    h = rng.random((7, 5)).astype(np.float32)
    for epoch, step in [(1, 20), (0, 0)]:  # written out of order: read back in training order
        with w.checkpoint(epoch, step, {"loss": 1.0 / (step + 1), "test_accuracy": float("nan"), "lr": 0.1}) as c:
            c.add("test", x[:4], y[:4], [("h", h[:4])])
            c.add("test", x[4:], y[4:], [("h", h[4:])])  # ids count on: 4, 5, 6
            c.add("train", x[:2], y[:2], [("h", h[:2])])
    with open(tmp_path / "ex" / "export.json") as f:
        assert json.load(f) == {"format": "infoplane-export", "format_version": 1, "num_classes": 3,
                                "model": "mlp", "dataset": "toy"}
    cps = read_checkpoints(str(tmp_path / "ex"))
    assert [(c["epoch"], c["step"]) for c in cps] == [(0, 0), (1, 20)]
    c = cps[1]
    assert os.path.basename(c["path"]) == "epoch=1-step=20"
    assert c["metrics"] == {"loss": 1.0 / 21, "test_accuracy": None, "lr": 0.1}
    assert c["splits"] == {"test": ["test-00000.npz", "test-00001.npz"], "train": ["train-00000.npz"]}
    assert c["layers"] == ["h"]
    parts = [np.load(os.path.join(c["path"], f)) for f in c["splits"]["test"]]
    assert np.array_equal(np.concatenate([p["L0_h"] for p in parts]), h)
    assert np.array_equal(np.concatenate([p["x"] for p in parts]), x)
    assert list(np.concatenate([p["sample_id"] for p in parts])) == list(range(7))


def test_export_refuses_what_the_import_would(tmp_path):
    w = ExportWriter(str(tmp_path / "ex"), num_classes=2)
    with pytest.raises(ValueError, match="describes another run"):
        ExportWriter(str(tmp_path / "ex"), num_classes=3)
    c = w.checkpoint(0, 0)
    with pytest.raises(ValueError, match=r"label 2 is outside \[0, 2\)"):
        c.add("test", np.zeros((3, 1)), np.array([0, 1, 2]), [("h", np.zeros((3, 1)))])
    c.add("test", np.zeros((2, 1)), np.array([0, 1]), [("h", np.zeros((2, 1)))])
    with pytest.raises(ValueError, match=r"records layers \['g'\], this checkpoint's other files have \['h'\]"):
        c.add("train", np.zeros((2, 1)), np.array([0, 1]), [("g", np.zeros((2, 1)))])
    with pytest.raises(ValueError, match="split name"):
        c.add("test/1", np.zeros((2, 1)), np.array([0, 1]), [("h", np.zeros((2, 1)))])
    c.close()
    with pytest.raises(ValueError, match="already holds a checkpoint"):
        w.checkpoint(0, 0)
    with pytest.raises(ValueError, match="epoch and step must be >= 0"):
        w.checkpoint(-1, 0)


def test_an_interrupted_checkpoint_has_no_checkpoint_json(tmp_path):
    w = ExportWriter(str(tmp_path / "ex"), num_classes=2)
    with pytest.raises(RuntimeError):
        with w.checkpoint(0, 0) as c:
            c.add("test", np.zeros((2, 1)), np.array([0, 1]), [("h", np.zeros((2, 1)))])
            raise RuntimeError("training crashed")
    assert os.path.exists(tmp_path / "ex" / "epoch=0-step=0" / "test-00000.npz")
    assert read_checkpoints(str(tmp_path / "ex")) == []
