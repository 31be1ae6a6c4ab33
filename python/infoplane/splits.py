"""Reading an evaluation split batch by batch: arrays, loaders, datasets, keyword inputs (needs torch)."""
from __future__ import annotations

from typing import Iterator, Mapping, Optional, Tuple

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, IterableDataset, RandomSampler

from .export import iter_chunks
from .marks import RecorderError

__all__ = ["iter_batches", "split_length", "to_numpy"]

#: One batch: the model's positional input, the labels, keyword inputs of ``forward``.
Batch = Tuple[object, object, dict]


def to_numpy(a) -> np.ndarray:
    """A tensor (any device) or array-like as a NumPy array."""
    if torch.is_tensor(a):
        return a.detach().cpu().numpy()
    return np.asarray(a)


def _is_xy(data) -> bool:
    return isinstance(data, tuple) and 2 <= len(data) <= 3 and not isinstance(data[0], (tuple, list, dict))


def iter_batches(data, y, batch_size: int, kwargs: Optional[dict], input_key: str, label_key: str) -> Iterator[Batch]:
    """``(x, y, kwargs)`` per batch of a split.

    Parameters
    ----------
    data : array, tensor, tuple, DataLoader, Dataset or iterable
        With ``y`` given (or an array), the inputs; else the whole split: ``(x, y)``,
        ``(x, y, kwargs)``, a ``DataLoader`` (not shuffled), a ``Dataset`` (read in order in batches
        of ``batch_size``) or an iterable of batches.
    y : array or tensor, optional
        The labels of array inputs.
    batch_size : int
        Samples per batch of arrays and datasets.
    kwargs : dict, optional
        Keyword inputs for array inputs: arrays with one row per sample are batched with ``x``.
    input_key, label_key : str
        Where a batch is a dict: the input and the labels; the other entries are keyword inputs.

    Raises
    ------
    RecorderError
        For a shuffling loader, labels missing or of another length, or a batch of another shape.
    """
    if y is not None or isinstance(data, (np.ndarray, torch.Tensor)):
        yield from _array_batches(data, y, kwargs, batch_size)
        return
    if _is_xy(data):
        yield from _array_batches(data[0], data[1], data[2] if len(data) == 3 else kwargs, batch_size)
        return
    if isinstance(data, DataLoader):
        loader = data
        if isinstance(loader.sampler, RandomSampler):
            raise RecorderError("the DataLoader shuffles (shuffle=True): an evaluation split must be the same "
                                "samples in the same order at every checkpoint; use shuffle=False")
    elif isinstance(data, (Dataset, IterableDataset)) or hasattr(data, "__getitem__") and hasattr(data, "__len__"):
        loader = DataLoader(data, batch_size=batch_size, shuffle=False)
    elif hasattr(data, "__iter__"):
        loader = data
    else:
        raise RecorderError("an evaluation split is (x, y), (x, y, kwargs), a DataLoader, a Dataset or an "
                            "iterable of batches; got a %s" % type(data).__name__)
    for batch in loader:
        yield _unpack(batch, input_key, label_key)


def _unpack(batch, input_key: str, label_key: str) -> Batch:
    if isinstance(batch, Mapping):
        b = dict(batch)
        if input_key not in b or label_key not in b:
            raise RecorderError("a batch is a dict with keys %s; the recorder takes the input from %r and the "
                                "labels from %r (Recorder(input_key=..., label_key=...))"
                                % (list(b), input_key, label_key))
        x = b.pop(input_key)
        y = b.pop(label_key)
        return x, y, b
    if isinstance(batch, (tuple, list)) and len(batch) in (2, 3):
        return batch[0], batch[1], (batch[2] if len(batch) == 3 else {})
    raise RecorderError("a batch of the evaluation split is a %s; give (x, y), (x, y, kwargs) or a dict"
                        % type(batch).__name__)


def _array_batches(x, y, kwargs: Optional[dict], batch_size: int) -> Iterator[Batch]:
    n = len(x)
    if y is None:
        raise RecorderError("an array split needs its labels: give (x, y)")
    if len(y) != n:
        raise RecorderError("the split has %d inputs and %d labels" % (n, len(y)))
    y = to_numpy(y)
    for start, stop in iter_chunks(n, batch_size):
        kw = {k: (v[start:stop] if (torch.is_tensor(v) or isinstance(v, np.ndarray)) and v.ndim and len(v) == n
                  else v) for k, v in (kwargs or {}).items()}
        yield x[start:stop], y[start:stop], {k: (torch.as_tensor(v) if isinstance(v, np.ndarray) else v)
                                             for k, v in kw.items()}


def split_length(split) -> int:
    """The number of samples of a split (for the projected size); ``TypeError`` where it is unknown."""
    if _is_xy(split):
        return len(split[1])
    if isinstance(split, DataLoader):
        return len(split.dataset)
    return len(split)
