"""The PyTorch Lightning Callback with the real library on a tiny model: it records at the trainer's own
checkpoints, with its step counts (the oracle: batches per epoch times epochs, and the trainer's
global step) and its logged metrics beside the recorder's loss and accuracy; under a real two-process
DDP run only global rank 0 writes. Skipped, saying why, where Lightning is not installed."""
import os

import pytest

torch = pytest.importorskip("torch")
pl = pytest.importorskip("lightning.pytorch", reason="PyTorch Lightning is not installed (pip install lightning)")
nn = torch.nn
F = torch.nn.functional
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from infoplane import ExportWriter, process_rank, read_checkpoints  # noqa: E402
from infoplane.lightning import InfoPlaneCallback  # noqa: E402
from integration_data import BATCH, EPOCHS, N_TRAIN, STEPS_PER_EPOCH, by_hand, data  # noqa: E402


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


class LoggingWriter(ExportWriter):
    """An export writer that notes which process (rank and pid) starts each checkpoint."""

    def checkpoint(self, epoch, step, metrics=None, overwrite=None):
        with open(os.path.join(self.directory + ".log"), "a") as f:
            f.write("%d %d %d\n" % (process_rank(), os.getpid(), step))
        return super().checkpoint(epoch, step, metrics, overwrite)


def _trainer(cb, **kw):
    return pl.Trainer(max_epochs=EPOCHS, callbacks=[cb], logger=False, enable_checkpointing=False,
                      enable_progress_bar=False, enable_model_summary=False, accelerator="cpu", **kw)


def test_the_lightning_callback_records_at_each_epoch_with_the_trainers_steps_and_logs(tmp_path):
    torch.manual_seed(0)
    model = Tiny()
    train, test, val = data(N_TRAIN, 1), data(20, 2), data(12, 3)
    cb = InfoPlaneCallback(ExportWriter(str(tmp_path / "ex"), num_classes=2),
                           splits={"train": (train[0][:16], train[1][:16]), "test": test},
                           metric_splits={"validation": val})
    trainer = _trainer(cb, devices=1)
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
        loss, acc = by_hand(model, x, y)
        prefix = {"train": "", "test": "test_", "validation": "val_"}[split]
        assert last[(prefix or "") + "loss"] == pytest.approx(loss, rel=1e-5), split
        assert last[("train_" if split == "train" else prefix) + "accuracy"] == pytest.approx(acc), split
    assert "loss" not in cps[0]["metrics"] or cps[0]["metrics"]["loss"] != last["loss"], "training changed the model"


def test_under_ddp_only_global_rank_0_writes(tmp_path):
    torch.manual_seed(0)
    train, test = data(N_TRAIN, 1), data(20, 2)
    cb = InfoPlaneCallback(LoggingWriter(str(tmp_path / "ex"), num_classes=2), splits={"test": test})
    # two processes on the CPU with gloo: the callback and its writer travel to both
    _trainer(cb, devices=2, strategy="ddp_spawn").fit(Tiny(), DataLoader(TensorDataset(*train), batch_size=BATCH))
    cps = read_checkpoints(str(tmp_path / "ex"))
    steps = N_TRAIN // BATCH // 2  # each rank sees half the batches
    assert [(c["epoch"], c["step"]) for c in cps] == [(0, 0), (1, steps), (2, 2 * steps)]
    started = [line.split() for line in (tmp_path / "ex.log").read_text().splitlines()]
    assert [(rank, step) for rank, _, step in started] == [("0", "0"), ("0", str(steps)), ("0", str(2 * steps))]
    assert len({pid for _, pid, _ in started}) == 1, "one process writes"
