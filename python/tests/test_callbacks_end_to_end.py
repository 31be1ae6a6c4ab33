"""Both training-loop callbacks end to end, with the real libraries and the built InfoPlane: a tiny model
trained by PyTorch Lightning (InfoPlaneCallback) and one by the Hugging Face Trainer
(InfoPlaneTrainerCallback) write their exports; the Python API imports both into one archive, analyses it
(``infoplane.import_export``, ``infoplane.analyze``), and the warehouse's tables, read back without a JVM
(``infoplane.read_table``), hold every checkpoint of both runs with the metrics the callbacks recorded. The
default batch of 100 samples is larger than these evaluation sets: that analysis fails, and the error names
the count and the first failure.
Skipped, saying why, where Java, Lightning, transformers or PyIceberg is missing."""
import os
import re
import shutil

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="needs Java 17 to run bin/infoplane")

import infoplane  # noqa: E402
from infoplane import ExportWriter, InfoPlaneError, read_checkpoints  # noqa: E402
from integration_data import BATCH, EPOCHS, N_TRAIN, STEPS_PER_EPOCH, data  # noqa: E402

METRICS = ("loss", "train_accuracy", "test_loss", "test_accuracy", "val_loss", "val_accuracy")


def _lightning_export(directory):
    pl = pytest.importorskip("lightning.pytorch", reason="PyTorch Lightning is not installed (pip install lightning)")
    from torch.utils.data import DataLoader, TensorDataset
    from infoplane.lightning import InfoPlaneCallback
    from test_lightning import Tiny
    torch.manual_seed(0)
    train, test, val = data(N_TRAIN, 1), data(20, 2), data(12, 3)
    cb = InfoPlaneCallback(ExportWriter(directory, num_classes=2, model="tiny", dataset="shifted"),
                           splits={"train": (train[0][:16], train[1][:16]), "test": test},
                           metric_splits={"validation": val})
    pl.Trainer(max_epochs=EPOCHS, callbacks=[cb], logger=False, enable_checkpointing=False, enable_progress_bar=False,
               enable_model_summary=False, accelerator="cpu", devices=1).fit(
        Tiny(), DataLoader(TensorDataset(*train), batch_size=BATCH, shuffle=True))


def _hugging_face_export(directory, scratch):
    transformers = pytest.importorskip("transformers", reason="transformers is not installed (pip install transformers)")
    pytest.importorskip("accelerate", reason="the transformers Trainer needs accelerate (pip install accelerate)")
    from infoplane.huggingface import InfoPlaneTrainerCallback
    from test_huggingface import HfTiny, Pairs
    torch.manual_seed(0)
    train, test, val = data(N_TRAIN, 1), data(20, 2), data(12, 3)
    cb = InfoPlaneTrainerCallback(ExportWriter(directory, num_classes=2, model="hf-tiny", dataset="shifted"),
                                  splits={"train": (train[0][:16], train[1][:16]), "test": test},
                                  metric_splits={"validation": Pairs(*val)})
    args = transformers.TrainingArguments(
        output_dir=scratch, num_train_epochs=EPOCHS, per_device_train_batch_size=BATCH, save_strategy="epoch",
        logging_strategy="epoch", report_to=[], learning_rate=0.05, disable_tqdm=True, use_cpu=True)
    transformers.Trainer(model=HfTiny(), args=args, train_dataset=Pairs(*train), callbacks=[cb]).train()


def test_both_callbacks_through_the_analysis(tmp_path):
    pytest.importorskip("pyiceberg", reason="read_table needs PyIceberg (pip install 'infoplane[tables]')")
    exports = {"lightning": str(tmp_path / "lightning"), "hf": str(tmp_path / "hf")}
    _lightning_export(exports["lightning"])
    _hugging_face_export(exports["hf"], str(tmp_path / "hf-trainer"))
    work = tmp_path / "cwd"
    work.mkdir()
    archive, warehouse = str(tmp_path / "archive"), str(tmp_path / "warehouse")
    for run, export in exports.items():
        out = infoplane.import_export(export, archive=archive, run=run, cwd=str(work))
        assert "6 checkpoint splits imported" in out[-1], out
    # the evaluation sets hold 16 and 20 samples: the default batch of 100 fails every unit (status 3) ...
    with pytest.raises(InfoPlaneError) as failed:
        infoplane.analyze(archive, warehouse=str(tmp_path / "too-large-batches"), cwd=str(work))
    assert failed.value.returncode == 3
    # 28 units: per run and split, the input and 3 checkpoints x 2 layers
    assert re.fullmatch(r"infoplane analyze: 28 units or runs failed \(see the analysis_errors table\); first: run \w+,"
                        r" split \w+, [^:]+: batch size 100 is larger than the evaluation set of (16|20) samples",
                        str(failed.value)), str(failed.value)
    # ... batches of 8 fit
    infoplane.analyze(archive, warehouse=warehouse, conf={"infoplane.batch.size": 8}, cwd=str(work))

    plane = infoplane.read_table(warehouse, "information_plane")
    runs = infoplane.read_table(warehouse, "runs").set_index("run_id")
    assert sorted(runs.index) == ["hf", "lightning"]
    steps = [0, STEPS_PER_EPOCH, 2 * STEPS_PER_EPOCH]
    for run, export in exports.items():
        cps = read_checkpoints(export)
        assert [c["step"] for c in cps] == steps
        mine = plane[plane.run_id == run]
        assert len(mine) == 2 * 3 * 2, "2 splits x 3 checkpoints x 2 layers"
        assert sorted(set(mine.layer_name)) == ["fc", "out"] and sorted(set(mine.step)) == steps
        assert mine.i_xt.notna().all() and (mine.i_ty >= 0).all()
        stored = {m["step"]: m for m in runs.loc[run, "metrics"]}
        assert sorted(stored) == steps
        for c in cps:
            for k in METRICS:
                assert stored[c["step"]][k] == c["metrics"][k], (run, c["step"], k)
    assert sorted(os.listdir(work)) == []
