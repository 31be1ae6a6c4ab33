"""What the training-loop integrations share: the checkpoint written from a trainer's state (needs torch)."""
from __future__ import annotations

import math
import numbers
from typing import Dict, Mapping, Optional

import torch

from .export import ExportWriter
from .recorder import Recorder, metric_names


def logged_metrics(logged: Mapping[str, object], computed: Mapping[str, object]) -> Dict[str, float]:
    """A trainer's logged scalars, kept beside the recorder's own metrics.

    A logged metric named like one the recorder computes (``loss``: the trainer's is the last
    batches' training loss, the recorder's the mean over the train evaluation split) is kept as
    ``logged_<name>``; names with characters an export refuses have them replaced by ``_``.
    """
    out: Dict[str, float] = {}
    for k, v in logged.items():
        if torch.is_tensor(v):
            if v.numel() != 1:
                continue
            v = float(v)
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or math.isinf(float(v)):
            continue
        name = "".join(ch if ch.isalnum() or ch in "_.-" else "_" for ch in str(k))
        out[("logged_" + name) if name in computed else name] = float(v)
    return out


class CheckpointTaker:
    """Writes one checkpoint from a trainer's state: the recorder's split metrics plus the logged ones."""

    def __init__(self, export: ExportWriter, splits: Mapping[str, object],
                 metric_splits: Optional[Mapping[str, object]], batch_size: int, chunk_size: int,
                 checkpoints: Optional[int] = None) -> None:
        self.export = export
        self.splits = dict(splits)
        self.metric_splits = dict(metric_splits or {})
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        self.checkpoints = checkpoints
        self.written = []

    def take(self, recorder: Recorder, epoch: int, step: int, logged: Mapping[str, object]) -> Optional[str]:
        computed = {name: None for split in list(self.splits) + list(self.metric_splits)
                    for name in metric_names(split)} if recorder.compute_metrics else {}
        path = recorder.write_checkpoint(self.export, epoch, step, self.splits, logged_metrics(logged, computed),
                                         self.batch_size, self.chunk_size, self.metric_splits, overwrite=True,
                                         checkpoints=self.checkpoints)
        if path is not None:
            self.written.append((epoch, step))
        return path
