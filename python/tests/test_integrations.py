"""The training-loop integrations with the real libraries on a tiny model: a PyTorch Lightning Callback and
a Hugging Face TrainerCallback record at the trainer's own checkpoints, with its step counts (the
oracle: the trainer's global step after each epoch, batches per epoch times epochs) and its logged
metrics beside the recorder's loss and accuracy. Each test skips, saying why, where its library is
not installed."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional
from torch.utils.data import DataLoader, Dataset, TensorDataset  # noqa: E402

from infoplane import ExportWriter, read_checkpoints  # noqa: E402

N_TRAIN, BATCH, EPOCHS = 48, 8, 2
STEPS_PER_EPOCH = N_TRAIN // BATCH


def _data(n, seed):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, 4, generator=g) + 1.5 * y[:, None].float()
    return x, y


def _by_hand(net, x, y):
    with torch.no_grad():
        logits = net(x)
    return float(F.cross_entropy(logits, y)), int((logits.argmax(1) == y).sum()) / len(y)


def test_the_lightning_callback_records_at_each_epoch_with_the_trainers_steps_and_logs(tmp_path):
    pl = pytest.importorskip("lightning.pytorch", reason="PyTorch Lightning is not installed (pip install lightning)")
    from infoplane.lightning import InfoPlaneCallback

    class Tiny(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 6)
            self.out = nn.Linear(6, 2)

        def forward(self, x):
            return self.out(torch.tanh(self.fc(x)))

        def training_step(self, batch, _):
            loss = F.cross_entropy(self(batch[0]), batch[1])
            self.log("loss", loss)
            self.log("lr", 0.1)
            return loss

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    torch.manual_seed(0)
    model = Tiny()
    train, test, val = _data(N_TRAIN, 1), _data(20, 2), _data(12, 3)
    cb = InfoPlaneCallback(ExportWriter(str(tmp_path / "ex"), num_classes=2),
                           splits={"train": (train[0][:16], train[1][:16]), "test": test},
                           metric_splits={"validation": val})
    trainer = pl.Trainer(max_epochs=EPOCHS, callbacks=[cb], logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False, accelerator="cpu", devices=1)
    trainer.fit(model, DataLoader(TensorDataset(*train), batch_size=BATCH, shuffle=True))
    cps = read_checkpoints(str(tmp_path / "ex"))
    assert [(c["epoch"], c["step"]) for c in cps] == [(0, 0), (1, STEPS_PER_EPOCH), (2, 2 * STEPS_PER_EPOCH)]
    assert cps[-1]["step"] == trainer.global_step
    assert cps[-1]["layers"] == ["fc", "out"] and sorted(cps[-1]["splits"]) == ["test", "train"]
    last = cps[-1]["metrics"]
    assert last["lr"] == pytest.approx(0.1), "a logged metric is kept"
    assert last["logged_loss"] == pytest.approx(float(trainer.callback_metrics["loss"])), \
        "the trainer's loss (the last batch's) is kept apart from the recorder's"
    for split, (x, y) in {"train": (train[0][:16], train[1][:16]), "test": test, "validation": val}.items():
        loss, acc = _by_hand(model, x, y)
        prefix = {"train": "", "test": "test_", "validation": "val_"}[split]
        assert last[(prefix or "") + "loss"] == pytest.approx(loss, rel=1e-5), split
        assert last[("train_" if split == "train" else prefix) + "accuracy"] == pytest.approx(acc), split
    assert "loss" not in cps[0]["metrics"] or cps[0]["metrics"]["loss"] != last["loss"], "training changed the model"


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
    transformers = pytest.importorskip("transformers",
                                       reason="transformers is not installed (pip install transformers)")
    pytest.importorskip("accelerate", reason="the transformers Trainer needs accelerate (pip install accelerate)")
    from infoplane.huggingface import InfoPlaneTrainerCallback

    torch.manual_seed(0)
    model = HfTiny()
    train, test, val = _data(N_TRAIN, 1), _data(20, 2), _data(12, 3)
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
        loss, acc = _by_hand(lambda t: model(t)["logits"], x, y)
        lk = {"train": "loss", "test": "test_loss", "validation": "val_loss"}[split]
        ak = {"train": "train_accuracy", "test": "test_accuracy", "validation": "val_accuracy"}[split]
        assert last[lk] == pytest.approx(loss, rel=1e-5), split
        assert last[ak] == pytest.approx(acc), split
    assert math.isfinite(cps[0]["metrics"]["loss"])
    assert np.isfinite(last["loss"])
