"""Writing an export directory for ``bin/infoplane import npz --archive A --run R DIR`` (NumPy only).

An export directory holds one training run::

    DIR/export.json                          the run: format, model, dataset, number of classes
    DIR/epoch=E-step=S/checkpoint.json       a checkpoint: epoch, step, metrics, its files per split
    DIR/epoch=E-step=S/SPLIT-00000.npz       consecutive chunks of a split's samples
    DIR/epoch=E-step=S/SPLIT-00001.npz

Each ``.npz`` file holds ``x`` (N x ..., float32), ``y`` (N int64 labels), ``sample_id`` (N int64) and
one float32 array per layer named ``L<index>_<name>`` (N x ...), the index giving the network order.
``checkpoint.json`` is written last, through a temporary file and a rename, so a checkpoint whose
writing was interrupted has none and is not imported. The format is described in ``README.md``
of this package and in ``docs/snapshot-format.md``.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import sys
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

FORMAT = "infoplane-export"
FORMAT_VERSION = 1

#: Metric names that reach the ``runs`` table's columns; every other numeric metric is kept as well.
#: ``loss`` and ``train_accuracy`` are measured on the train evaluation split, ``test_*`` on the test
#: split and ``val_*`` on the validation split (held out of the training data; it drives early stopping).
STANDARD_METRICS = ("loss", "train_accuracy", "test_loss", "test_accuracy", "val_loss", "val_accuracy")


def process_rank() -> int:
    """This process's rank under ``torch.distributed`` (0 when it is not initialised), else ``$RANK`` or 0.

    Only rank 0 writes an export directory.
    """
    torch = sys.modules.get("torch")
    dist = getattr(torch, "distributed", None) if torch is not None else None
    if dist is not None and dist.is_available() and dist.is_initialized():
        return int(dist.get_rank())
    try:
        return int(os.environ.get("RANK", "0"))
    except ValueError:
        return 0

_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
_SPLIT = re.compile(r"^[A-Za-z0-9_\-]+$")


def layer_key(index: int, name: str) -> str:
    """The ``.npz`` key of a layer.

    Parameters
    ----------
    index : int
        The layer's position in the network (0 for the first recorded layer).
    name : str
        The layer's name; characters outside ``[A-Za-z0-9_.-]`` are replaced by ``_``.

    Returns
    -------
    str
        ``L<index>_<name>``, e.g. ``L0_conv1``.
    """
    if index < 0:
        raise ValueError("layer index must be >= 0, got %d" % index)
    return "L%d_%s" % (index, re.sub(r"[^A-Za-z0-9_.\-]", "_", name))


def write_npz(path: str, x: np.ndarray, y: np.ndarray, layers: Sequence[Tuple[str, np.ndarray]],
              sample_id: Optional[np.ndarray] = None) -> None:
    """Writes one file of one checkpoint and split.

    Parameters
    ----------
    path : str
        The file to write.
    x : array, shape (N, ...)
        The inputs; stored as float32.
    y : array, shape (N,)
        Integer class labels in ``[0, num_classes)``.
    layers : sequence of (name, array of shape (N, ...))
        The recorded layers in network order; stored as float32 under :func:`layer_key`.
    sample_id : array, shape (N,), optional
        Sample ids; default ``0 ... N-1``.

    Raises
    ------
    ValueError
        If a sample count differs, a label is not a non-negative integer, or a value is not finite
        (naming the array, sample and feature).
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim < 2:
        x = x.reshape(x.shape[0] if x.ndim == 1 else 1, -1)
    n = x.shape[0]
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError("y has shape %s, expected (%d,) to match x" % (y.shape, n))
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError("y must hold integer class labels, found dtype %s" % y.dtype)
    if n and y.min() < 0:
        raise ValueError("y holds a negative label %d at sample %d" % (y.min(), int(np.argmin(y))))
    ids = np.arange(n, dtype=np.int64) if sample_id is None else np.asarray(sample_id, dtype=np.int64)
    if ids.shape != (n,):
        raise ValueError("sample_id has shape %s, expected (%d,)" % (ids.shape, n))
    _require_finite("x", x)
    arrays = {"x": x, "y": y.astype(np.int64), "sample_id": ids}
    for i, (name, a) in enumerate(layers):
        a = np.asarray(a, dtype=np.float32)
        if a.shape[0] != n:
            raise ValueError("layer %s has %d samples, x has %d" % (name, a.shape[0], n))
        _require_finite("layer %s" % name, a)
        arrays[layer_key(i, name)] = a.reshape(n, -1) if a.ndim == 1 else a
    tmp = path + ".tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def _require_finite(what: str, a: np.ndarray) -> None:
    bad = ~np.isfinite(a)
    if bad.any():
        flat = int(np.argmax(bad.reshape(-1)))
        per = int(np.prod(a.shape[1:])) if a.ndim > 1 else 1
        raise ValueError("%s: value %r at sample %d, feature %d; activations must be finite"
                         % (what, float(a.reshape(-1)[flat]), flat // per, flat % per))


def checkpoint_dir_name(epoch: int, step: int) -> str:
    """The directory of a checkpoint inside an export directory: ``epoch=E-step=S``."""
    return "epoch=%d-step=%d" % (epoch, step)


def clean_metrics(metrics: Optional[Mapping[str, object]]) -> Dict[str, float]:
    """Checks training metrics and returns them as plain floats.

    Parameters
    ----------
    metrics : mapping of str to number, optional
        Any numeric metrics (loss, accuracies, learning rate, ...); :data:`STANDARD_METRICS` are the
        ones the report and the views use; accuracies are fractions in ``[0, 1]``.
        0-d arrays and tensors are accepted (anything ``float()`` takes).

    Returns
    -------
    dict of str to float

    Raises
    ------
    ValueError
        For a name outside ``[A-Za-z0-9_.-]``, a value that is not a finite number (NaN is allowed
        for "not measured"), or an accuracy outside ``[0, 1]`` (a percentage, say).
    """
    out: Dict[str, float] = {}
    for name, value in (metrics or {}).items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError("metric name %r: use letters, digits, '_', '-', '.'" % (name,))
        if isinstance(value, bool):
            raise ValueError("metric %s: %r is not a number" % (name, value))
        try:
            v = float(value)  # numbers, numpy scalars, 0-d tensors
        except (TypeError, ValueError):
            raise ValueError("metric %s: %r is not a number" % (name, value)) from None
        if math.isinf(v):
            raise ValueError("metric %s is infinite" % name)
        if name.endswith("accuracy") and not math.isnan(v) and not 0.0 <= v <= 1.0:
            raise ValueError("metric %s is %r; accuracies are fractions in [0, 1] (divide a percentage by 100)"
                             % (name, v))
        out[name] = v
    return out


class ExportWriter:
    """Writes a training run as an export directory, one checkpoint at a time.

    Parameters
    ----------
    directory : str
        The export directory; created if missing. One directory holds one run.
    num_classes : int
        Number of classes: labels are in ``[0, num_classes)``. Given explicitly because an
        evaluation subset may miss the last class.
    model, dataset : str, optional
        Free text, recorded in the run's manifest when it is imported.
    overwrite : bool
        The default of :meth:`checkpoint`'s ``overwrite``: replace a checkpoint already written at the
        same (epoch, step), as a run resumed after a crash does.

    Under ``torch.distributed`` (or with ``$RANK`` set) only rank 0 writes: on other ranks the
    writer and its checkpoints do nothing (:attr:`active` is ``False``). The rank is read at each
    checkpoint, so a writer made before the process group exists (and sent to its workers) is right.

    Examples
    --------
    >>> w = ExportWriter("export", num_classes=10, model="cnn", dataset="fashion-mnist")
    >>> with w.checkpoint(epoch=1, step=469, metrics={"loss": 0.41, "test_accuracy": 0.85}) as c:
    ...     c.add("test", x, y, [("conv1", a1), ("fc1", a2)])

    Then ``bin/infoplane import npz --archive ARCHIVE --run RUN export``.
    """

    def __init__(self, directory: str, num_classes: int, model: Optional[str] = None,
                 dataset: Optional[str] = None, overwrite: bool = False) -> None:
        if int(num_classes) < 1:
            raise ValueError("num_classes must be >= 1, got %r" % (num_classes,))
        self.directory = directory
        self.num_classes = int(num_classes)
        self.overwrite = overwrite
        self._header = {"format": FORMAT, "format_version": FORMAT_VERSION, "num_classes": self.num_classes,
                        "model": model, "dataset": dataset}
        self._created = False
        if self.active:
            self._create()

    @property
    def active(self) -> bool:
        """Whether this process writes (rank 0)."""
        return process_rank() == 0

    def _create(self) -> None:
        """Makes the directory and its ``export.json``, or checks that the one there describes this run."""
        if self._created:
            return
        os.makedirs(self.directory, exist_ok=True)
        path = os.path.join(self.directory, "export.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = json.load(f)
            if old != self._header:
                raise ValueError("%s describes another run (%s); use a new directory for each run" % (path, old))
        else:
            _write_json(path, self._header)
        self._created = True

    def checkpoint(self, epoch: int, step: int, metrics: Optional[Mapping[str, object]] = None,
                   overwrite: Optional[bool] = None) -> "CheckpointWriter":
        """Starts a checkpoint; use it as a context manager (or call :meth:`CheckpointWriter.close`).

        Parameters
        ----------
        epoch, step : int
            The checkpoint (>= 0). Training order is by step, then epoch.
        metrics : mapping of str to number, optional
            Training metrics at this checkpoint, see :func:`clean_metrics`.
        overwrite : bool, optional
            Replace a checkpoint already written at this (epoch, step): its ``checkpoint.json`` is
            removed first (so an interrupted rewrite is not imported), then its files. Default: the
            writer's ``overwrite``.
        """
        return CheckpointWriter(self, int(epoch), int(step), clean_metrics(metrics),
                                self.overwrite if overwrite is None else overwrite)


class CheckpointWriter:
    """The files of one checkpoint: chunks of each split, then ``checkpoint.json`` on close."""

    def __init__(self, export: ExportWriter, epoch: int, step: int, metrics: Dict[str, float],
                 overwrite: bool = False) -> None:
        if epoch < 0 or step < 0:
            raise ValueError("epoch and step must be >= 0, got epoch %d, step %d" % (epoch, step))
        self.export = export
        self.epoch = epoch
        self.step = step
        self.metrics = metrics
        self.path = os.path.join(export.directory, checkpoint_dir_name(epoch, step))
        self.files: Dict[str, List[str]] = {}
        self.layers: Optional[List[str]] = None
        self.samples: Dict[str, int] = {}
        self.closed = False
        self.active = export.active
        if not self.active:
            return
        export._create()
        marker = os.path.join(self.path, "checkpoint.json")
        if os.path.exists(marker):
            if not overwrite:
                raise ValueError("%s already holds a checkpoint; each (epoch, step) is written once (give "
                                 "overwrite=True to replace it, e.g. in a run resumed after a crash)" % self.path)
            os.remove(marker)  # first: an interrupted rewrite leaves no checkpoint.json
        if overwrite and os.path.isdir(self.path):
            shutil.rmtree(self.path)
        os.makedirs(self.path, exist_ok=True)

    def set_metrics(self, metrics: Optional[Mapping[str, object]]) -> None:
        """Replaces the checkpoint's metrics (before :meth:`close`), see :func:`clean_metrics`."""
        if self.closed:
            raise ValueError("checkpoint %s is closed" % self.path)
        self.metrics = clean_metrics(metrics)

    def add(self, split: str, x: np.ndarray, y: np.ndarray, layers: Sequence[Tuple[str, np.ndarray]],
            sample_id: Optional[np.ndarray] = None) -> None:
        """Writes the next chunk of a split's samples (chunks of a split are joined in the order added).

        Parameters
        ----------
        split : str
            The evaluation split, e.g. ``train`` or ``test`` (letters, digits, ``_``, ``-``).
        x, y, layers, sample_id
            As for :func:`write_npz`. Without ``sample_id`` the ids count on from the split's
            previous chunks. Every chunk of every split holds the same layers.
        """
        if self.closed:
            raise ValueError("checkpoint %s is closed" % self.path)
        if not self.active:
            return
        if not _SPLIT.match(split):
            raise ValueError("split name %r: use letters, digits, '_', '-'" % split)
        names = [name for name, _ in layers]
        if self.layers is None:
            self.layers = names
        elif names != self.layers:
            raise ValueError("split %s records layers %s, this checkpoint's other files have %s"
                             % (split, names, self.layers))
        labels = np.asarray(y)
        if labels.size and labels.max() >= self.export.num_classes:
            raise ValueError("split %s: label %d is outside [0, %d)" % (split, labels.max(), self.export.num_classes))
        start = self.samples.get(split, 0)
        n = len(labels)
        if sample_id is None:
            sample_id = np.arange(start, start + n, dtype=np.int64)
        files = self.files.setdefault(split, [])
        name = "%s-%05d.npz" % (split, len(files))
        write_npz(os.path.join(self.path, name), x, labels, layers, sample_id)
        files.append(name)
        self.samples[split] = start + n

    def close(self) -> None:
        """Writes ``checkpoint.json``, which makes the checkpoint visible to the importer."""
        if self.closed:
            return
        if not self.active:
            self.closed = True
            return
        if not self.files:
            raise ValueError("checkpoint %s has no split; call add() first" % self.path)
        _write_json(os.path.join(self.path, "checkpoint.json"), {
            "format": FORMAT, "format_version": FORMAT_VERSION, "epoch": self.epoch, "step": self.step,
            "metrics": {k: (None if math.isnan(v) else v) for k, v in self.metrics.items()},
            "layers": self.layers, "splits": self.files})
        self.closed = True

    def __enter__(self) -> "CheckpointWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()


def read_checkpoints(directory: str) -> List[dict]:
    """The completed checkpoints of an export directory, in training order (step, then epoch)."""
    out = []
    for entry in sorted(os.listdir(directory)):
        path = os.path.join(directory, entry, "checkpoint.json")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                c = json.load(f)
            c["path"] = os.path.join(directory, entry)
            out.append(c)
    out.sort(key=lambda c: (c["step"], c["epoch"]))
    return out


def _write_json(path: str, value: object) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, allow_nan=False)
        f.write("\n")
    os.replace(tmp, path)


def iter_chunks(n: int, size: int) -> Iterable[Tuple[int, int]]:
    """``(start, stop)`` of consecutive chunks of at most ``size`` of ``n`` rows."""
    if size < 1:
        raise ValueError("chunk size must be >= 1, got %d" % size)
    for start in range(0, n, size):
        yield start, min(n, start + size)


class ExportSize:
    """The projected size of an export before compression: bytes per checkpoint, and in all where the
    number of checkpoints is known.

    Parameters
    ----------
    samples : dict of str to int
        Samples per recorded split.
    per_sample_floats : dict of str to int
        Floats per sample of ``x`` and of each recorded layer.
    per_sample_bytes : int
        Bytes per sample in all (float32 arrays, int64 label and id).
    checkpoints : int, optional
    """

    def __init__(self, samples: Dict[str, int], per_sample_floats: Dict[str, int], per_sample_bytes: int,
                 checkpoints: Optional[int]) -> None:
        self.samples = samples
        self.per_sample_floats = per_sample_floats
        self.per_checkpoint = per_sample_bytes * sum(samples.values())
        self.checkpoints = checkpoints
        self.total = None if checkpoints is None else self.per_checkpoint * checkpoints

    def __str__(self) -> str:
        head = "projected export size: %s per checkpoint" % _bytes(self.per_checkpoint)
        if self.total is not None:
            head += " x %d checkpoints = %s" % (self.checkpoints, _bytes(self.total))
        return head + " (float32 inputs and %d recorded layers of %s floats per sample; samples %s; before " \
            "compression)" % (len(self.per_sample_floats) - 1, sum(self.per_sample_floats.values()) -
                              self.per_sample_floats["x"], self.samples)


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return ("%d %s" % (n, unit)) if unit == "B" else "%.1f %s" % (n, unit)
        n /= 1024.0
    return "%d B" % n
