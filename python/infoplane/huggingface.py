"""A Hugging Face ``TrainerCallback`` that records the model at the trainer's checkpoints (needs ``transformers``).

Example::

    from infoplane.huggingface import InfoPlaneTrainerCallback
    cb = InfoPlaneTrainerCallback(infoplane.ExportWriter("export/run1", num_classes=2),
                                  splits={"train": train_eval_loader, "test": test_loader},
                                  metric_splits={"validation": val_loader})
    Trainer(model, args, train_dataset=..., callbacks=[cb]).train()
"""
from __future__ import annotations

import math
from typing import Mapping, Optional, Sequence

from transformers import TrainerCallback

from ._callbacks import CheckpointTaker
from .export import ExportWriter
from .recorder import Recorder

__all__ = ["InfoPlaneTrainerCallback"]

#: Entries of ``state.log_history`` that are counters, not metrics.
_NOT_METRICS = {"epoch", "step", "total_flos"}


class InfoPlaneTrainerCallback(TrainerCallback):
    """Records the model before training and whenever the ``Trainer`` saves a checkpoint
    (``save_strategy``), with the trainer's ``state.global_step``, its epoch (completed epochs,
    rounded down) and the metrics it logged at that step (``state.log_history``).

    Only the world process zero writes. The recorder's output is the model output's ``logits``
    (``output_key="logits"``) unless ``recorder_kwargs`` says otherwise; dict batches give the
    input from ``input_ids`` and labels from ``labels`` (``input_key``, ``label_key``), every other
    entry being passed to the model as a keyword argument (an attention mask). A logged metric of a
    name the recorder computes (the trainer's ``loss``) is kept as ``logged_<name>``.

    Parameters
    ----------
    export : ExportWriter
        The run's export directory.
    splits : mapping of str to split
        The recorded evaluation splits (see :meth:`Recorder.write_checkpoint`).
    metric_splits : mapping of str to split, optional
        Splits whose loss and accuracy are computed but not recorded (``{"validation": ...}``).
    recorder : Recorder, optional
        Default: ``Recorder(model, layers, **recorder_kwargs)`` built when training begins.
    layers : sequence of str, optional
        For the default recorder.
    recorder_kwargs : dict, optional
        For the default recorder.
    at_start : bool
        Record before the first step (epoch 0, step 0).
    batch_size, chunk_size : int
        See :meth:`Recorder.write_split`.
    """

    def __init__(self, export: ExportWriter, splits: Mapping[str, object], *,
                 metric_splits: Optional[Mapping[str, object]] = None, recorder: Optional[Recorder] = None,
                 layers: Optional[Sequence[str]] = None, recorder_kwargs: Optional[dict] = None,
                 at_start: bool = True, batch_size: int = 256, chunk_size: int = 2000) -> None:
        self.recorder = recorder
        self.layers = layers
        self.recorder_kwargs = {"output_key": "logits", **(recorder_kwargs or {})}
        self.at_start = at_start
        self.taker = CheckpointTaker(export, splits, metric_splits, batch_size, chunk_size)

    @property
    def written(self):
        """The (epoch, step) checkpoints this process wrote."""
        return list(self.taker.written)

    def _record(self, state, model) -> None:
        if not state.is_world_process_zero:
            return
        if self.recorder is None:
            if model is None:
                raise ValueError("the Trainer passed no model to the callback; give InfoPlaneTrainerCallback a "
                                 "recorder")
            self.recorder = Recorder(model, self.layers, **self.recorder_kwargs)
        logged = {}
        for entry in state.log_history:
            if entry.get("step") == state.global_step:
                logged.update({k: v for k, v in entry.items() if k not in _NOT_METRICS})
        epoch = int(math.floor((state.epoch or 0.0) + 1e-6))
        self.taker.take(self.recorder, epoch, state.global_step, logged)

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if self.at_start and state.global_step == 0:
            self._record(state, model)

    def on_save(self, args, state, control, model=None, **kwargs):
        self._record(state, model)
