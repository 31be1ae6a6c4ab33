"""Marking a tensor for recording: :func:`mark` and the :class:`Record` module (needs torch).

A mark is the identity. When the model is traced with ``torch.fx`` it is a node of its own, so the
recorder finds it in the graph; when the recorder uses forward hooks, the forward pass in progress is
held in a context variable (not a global list), so nested or concurrent recordings (threads, asyncio
tasks) each see only their own marks.
"""
from __future__ import annotations

import contextvars
from typing import Callable, Optional

import torch
import torch.fx
import torch.nn as nn

__all__ = ["mark", "Record", "RecorderError", "capturing"]


class RecorderError(ValueError):
    """A layer cannot be recorded as asked; the message says why and what to do."""


#: The capture of the forward pass in progress (hooks mode): a callable taking (name, tensor).
_CAPTURE: contextvars.ContextVar[Optional[Callable[[str, torch.Tensor], None]]] = \
    contextvars.ContextVar("infoplane_capture", default=None)


class capturing:
    """Context manager: marks made in its body are passed to ``on_mark(name, tensor)``."""

    def __init__(self, on_mark: Callable[[str, torch.Tensor], None]) -> None:
        self.on_mark = on_mark
        self._token: Optional[contextvars.Token] = None

    def __enter__(self) -> "capturing":
        self._token = _CAPTURE.set(self.on_mark)
        return self

    def __exit__(self, *exc) -> None:
        _CAPTURE.reset(self._token)


def _marked(tensor: torch.Tensor, name: str) -> torch.Tensor:
    """The identity; a node of its own in a traced graph (``torch.fx.wrap``) so the recorder finds it."""
    on_mark = _CAPTURE.get()
    if on_mark is not None:
        on_mark(name, tensor)
    return tensor


torch.fx.wrap("_marked")


def mark(tensor: torch.Tensor, name: str) -> torch.Tensor:
    """Marks a tensor in ``forward`` for recording under ``name``; returns it unchanged.

    Use it where the tensor to record has no module of its own, e.g. after a functional activation
    in a model that cannot be traced::

        h = mark(F.relu(self.fc1(x)), "fc1")

    Parameters
    ----------
    tensor : torch.Tensor
        The tensor, first axis the sample.
    name : str
        The layer's name (letters, digits, ``_``, ``-``, ``.``), unique in the model.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.
    """
    return _marked(tensor, name)


class Record(nn.Module):
    """A module that marks its input for recording and returns it unchanged.

    Parameters
    ----------
    name : str, optional
        The layer's name; by default the module's own path in the model (``block.record``).

    Examples
    --------
    >>> self.features = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), Record("conv1"))
    """

    def __init__(self, name: Optional[str] = None) -> None:
        super().__init__()
        self.name = name

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.name is None:
            raise RecorderError("a Record module without a name is used outside a Recorder; give it a name")
        return _marked(x, self.name)
