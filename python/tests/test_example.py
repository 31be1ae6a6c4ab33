"""notebooks/pytorch_export.py, the README's example, runs and writes what the importer reads."""
import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("torch")

from infoplane import read_checkpoints  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_example_writes_an_export_directory(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "python")}
    p = subprocess.run([sys.executable, str(ROOT / "notebooks" / "pytorch_export.py"), str(tmp_path / "ex"),
                        "--fake-data", "--epochs", "1", "--eval-samples", "40"],
                       capture_output=True, text=True, env=env, timeout=600)
    assert p.returncode == 0, p.stderr
    assert "L0 conv1: output of act ReLU <- conv1 Conv2d" in p.stdout
    assert "L3 fc2: output of F.relu <- fc2 Linear" in p.stdout
    cps = read_checkpoints(str(tmp_path / "ex"))
    # 2000 fake training images less 40 for validation, in batches of 128
    assert [(c["epoch"], c["step"]) for c in cps] == [(0, 0), (1, 16)]
    for c in cps:
        assert sorted(c["metrics"]) == ["loss", "lr", "test_accuracy", "test_loss", "train_accuracy", "val_accuracy",
                                        "val_loss"], "every split's loss and accuracy, none written by hand"
        assert all(0 <= c["metrics"][k] <= 1 for k in ("train_accuracy", "test_accuracy", "val_accuracy"))
    assert cps[1]["layers"] == ["conv1", "conv2", "fc1", "fc2", "out"]
    assert sorted(cps[1]["splits"]) == ["test", "train"], "the validation split is measured, not recorded"
    assert "projected export size: " in p.stdout and " x 2 checkpoints = " in p.stdout
