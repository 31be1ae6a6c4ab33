"""The Hugging Face TrainerCallback with the real library on a tiny model: it records when the Trainer
saves, with its step counts (the oracle: batches per epoch times epochs, and the trainer's global
step) and the metrics it logged beside the recorder's loss and accuracy; a process that is not world
process zero writes nothing. Skipped, saying why, where transformers or accelerate is not installed."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers", reason="transformers is not installed (pip install transformers)")
pytest.importorskip("accelerate", reason="the transformers Trainer needs accelerate (pip install accelerate)")
nn = torch.nn
F = torch.nn.functional
from torch.utils.data import DataLoader, Dataset  # noqa: E402

from infoplane import ExportWriter, read_checkpoints  # noqa: E402
from infoplane.huggingface import InfoPlaneTrainerCallback  # noqa: E402
from integration_data import BATCH, EPOCHS, N_TRAIN, STEPS_PER_EPOCH, by_hand, data  # noqa: E402


class Pairs(Dataset):
    """Dict samples, as Hugging Face collators batch them."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"input_ids": self.x[i], "labels": self.y[i]}


class HfTiny(nn.Module):
    """A model as the Trainer takes one: keyword inputs, a dict output with the loss and the logits."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 6)
        self.out = nn.Linear(6, 2)

    def forward(self, input_ids, labels=None):
        logits = self.out(F.relu(self.fc(input_ids)))
        return {"logits": logits} if labels is None else {"loss": F.cross_entropy(logits, labels), "logits": logits}


def test_the_hugging_face_callback_records_when_the_trainer_saves_with_its_steps_and_logs(tmp_path):
    torch.manual_seed(0)
    model = HfTiny()
    train, test, val = data(N_TRAIN, 1), data(20, 2), data(12, 3)
    cb = InfoPlaneTrainerCallback(ExportWriter(str(tmp_path / "ex"), num_classes=2),
                                  splits={"train": DataLoader(Pairs(train[0][:16], train[1][:16]), batch_size=5),
                                          "test": test},
                                  metric_splits={"validation": Pairs(*val)})
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"), num_train_epochs=EPOCHS, per_device_train_batch_size=BATCH,
        save_strategy="epoch", logging_strategy="epoch", report_to=[], learning_rate=0.05, disable_tqdm=True,
        use_cpu=True)
    trainer = transformers.Trainer(model=model, args=args, train_dataset=Pairs(*train), callbacks=[cb])
    trainer.train()
    cps = read_checkpoints(str(tmp_path / "ex"))
    assert [(c["epoch"], c["step"]) for c in cps] == [(0, 0), (1, STEPS_PER_EPOCH), (2, 2 * STEPS_PER_EPOCH)]
    assert cps[-1]["step"] == trainer.state.global_step
    assert cps[-1]["layers"] == ["fc", "out"], "the output is the dict's logits"
    last = cps[-1]["metrics"]
    logged = [e for e in trainer.state.log_history if e.get("step") == trainer.state.global_step and "loss" in e]
    assert logged and last["logged_loss"] == pytest.approx(logged[0]["loss"]), "the trainer's logged loss is kept"
    assert last["learning_rate"] == pytest.approx(logged[0]["learning_rate"])
    for split, (x, y) in {"train": (train[0][:16], train[1][:16]), "test": test, "validation": val}.items():
        loss, acc = by_hand(lambda t: model(t)["logits"], x, y)
        lk = {"train": "loss", "test": "test_loss", "validation": "val_loss"}[split]
        ak = {"train": "train_accuracy", "test": "test_accuracy", "validation": "val_accuracy"}[split]
        assert last[lk] == pytest.approx(loss, rel=1e-5), split
        assert last[ak] == pytest.approx(acc), split
    assert math.isfinite(cps[0]["metrics"]["loss"])
    assert np.isfinite(last["loss"])


def test_a_process_that_is_not_world_process_zero_writes_nothing(tmp_path):
    torch.manual_seed(0)
    cb = InfoPlaneTrainerCallback(ExportWriter(str(tmp_path / "ex"), num_classes=2), splits={"test": data(20, 2)})
    args = transformers.TrainingArguments(output_dir=str(tmp_path / "out"), report_to=[], use_cpu=True)
    state = transformers.TrainerState(is_world_process_zero=False, is_local_process_zero=False)
    state.global_step, state.epoch = 6, 1.0
    cb.on_save(args, state, transformers.TrainerControl(), model=HfTiny())
    assert read_checkpoints(str(tmp_path / "ex")) == [] and cb.written == []
    state.is_world_process_zero = True
    cb.on_save(args, state, transformers.TrainerControl(), model=HfTiny())
    assert [(c["epoch"], c["step"]) for c in read_checkpoints(str(tmp_path / "ex"))] == [(1, 6)]
