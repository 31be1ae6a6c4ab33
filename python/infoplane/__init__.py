"""InfoPlane's Python side: record a model's layers at training checkpoints for ``bin/infoplane import npz``.

NumPy is all that writing needs (:class:`ExportWriter`, :func:`write_npz`); the PyTorch recorder
(:class:`Recorder`, :func:`mark`, :class:`Record`) imports torch when it is first used.
"""
from .export import (FORMAT, FORMAT_VERSION, STANDARD_METRICS, CheckpointWriter, ExportWriter, clean_metrics,
                     layer_key, read_checkpoints, write_npz)

__all__ = ["ExportWriter", "CheckpointWriter", "write_npz", "layer_key", "clean_metrics", "read_checkpoints",
           "FORMAT", "FORMAT_VERSION", "STANDARD_METRICS", "Recorder", "Record", "RecorderError", "mark"]
__version__ = "0.1.0"

_TORCH_NAMES = {"Recorder", "Record", "RecorderError", "mark"}


def __getattr__(name):
    if name in _TORCH_NAMES:
        from . import recorder  # needs torch
        return getattr(recorder, name)
    raise AttributeError("module 'infoplane' has no attribute %r" % name)
