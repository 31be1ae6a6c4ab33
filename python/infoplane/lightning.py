"""A PyTorch Lightning ``Callback`` that records the model at the trainer's checkpoints (needs ``lightning``).

Example::

    from infoplane.lightning import InfoPlaneCallback
    cb = InfoPlaneCallback(infoplane.ExportWriter("export/run1", num_classes=10),
                           splits={"train": (x_train_eval, y_train_eval), "test": (x_test, y_test)},
                           metric_splits={"validation": (x_val, y_val)})
    lightning.Trainer(max_epochs=10, callbacks=[cb]).fit(module, train_loader)
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

try:
    from lightning.pytorch import Callback
except ImportError:  # the older package name
    from pytorch_lightning import Callback

from ._callbacks import CheckpointTaker
from .export import ExportWriter
from .recorder import Recorder

__all__ = ["InfoPlaneCallback"]


class InfoPlaneCallback(Callback):
    """Records the LightningModule before training and at the end of every ``every_n_epochs`` epochs
    (and every ``every_n_train_steps`` optimizer steps, if given), with the trainer's real epoch and
    step counts (``trainer.global_step``) and its logged metrics (``trainer.callback_metrics``).

    Only the global rank 0 writes. Each split's loss and accuracy are computed by the recorder
    (:meth:`Recorder.write_checkpoint`); a logged metric of the same name is kept as ``logged_<name>``.
    Checkpoints are written with ``overwrite=True``, so a run resumed from a Lightning checkpoint
    rewrites the checkpoints it repeats.

    Parameters
    ----------
    export : ExportWriter
        The run's export directory.
    splits : mapping of str to split
        The recorded evaluation splits (see :meth:`Recorder.write_checkpoint`).
    metric_splits : mapping of str to split, optional
        Splits whose loss and accuracy are computed but not recorded (``{"validation": ...}``).
    recorder : Recorder, optional
        Default: ``Recorder(pl_module, layers, **recorder_kwargs)`` built when training starts.
    layers : sequence of str, optional
        For the default recorder.
    recorder_kwargs : dict, optional
        For the default recorder (``output_key``, ``tracer_kwargs``, ``loss_fn``...).
    every_n_epochs : int
        Record after every n-th epoch (0: never at epoch ends).
    every_n_train_steps : int, optional
        Also record after every n-th optimizer step.
    at_start : bool
        Record before the first step (epoch 0, step 0).
    batch_size, chunk_size : int
        See :meth:`Recorder.write_split`.
    """

    def __init__(self, export: ExportWriter, splits: Mapping[str, object], *,
                 metric_splits: Optional[Mapping[str, object]] = None, recorder: Optional[Recorder] = None,
                 layers: Optional[Sequence[str]] = None, recorder_kwargs: Optional[dict] = None,
                 every_n_epochs: int = 1, every_n_train_steps: Optional[int] = None, at_start: bool = True,
                 batch_size: int = 256, chunk_size: int = 2000) -> None:
        super().__init__()
        if every_n_epochs < 0 or (every_n_train_steps is not None and every_n_train_steps < 1):
            raise ValueError("every_n_epochs must be >= 0 and every_n_train_steps >= 1, got %r and %r"
                             % (every_n_epochs, every_n_train_steps))
        self.recorder = recorder
        self.layers = layers
        self.recorder_kwargs = dict(recorder_kwargs or {})
        self.every_n_epochs = every_n_epochs
        self.every_n_train_steps = every_n_train_steps
        self.at_start = at_start
        self.taker = CheckpointTaker(export, splits, metric_splits, batch_size, chunk_size)

    @property
    def written(self):
        """The (epoch, step) checkpoints this process wrote."""
        return list(self.taker.written)

    def _record(self, trainer, pl_module, epoch: int) -> None:
        if not trainer.is_global_zero:
            return
        if self.recorder is None:
            self.recorder = Recorder(pl_module, self.layers, **self.recorder_kwargs)
        if any(step == trainer.global_step for _, step in self.taker.written):
            return  # this step is recorded already (a step count and an epoch end can coincide)
        self.taker.take(self.recorder, epoch, trainer.global_step, trainer.callback_metrics)

    def on_train_start(self, trainer, pl_module) -> None:
        if self.at_start and trainer.global_step == 0:
            self._record(trainer, pl_module, trainer.current_epoch)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        n = self.every_n_train_steps
        if n and trainer.global_step > 0 and trainer.global_step % n == 0:
            self._record(trainer, pl_module, trainer.current_epoch)

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        n = self.every_n_epochs
        if n and (trainer.current_epoch + 1) % n == 0:
            self._record(trainer, pl_module, trainer.current_epoch + 1)
