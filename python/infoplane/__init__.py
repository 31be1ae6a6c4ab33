"""InfoPlane's Python side: record a model's layers at training checkpoints for ``bin/infoplane import npz``.

NumPy is all that writing needs (:class:`ExportWriter`, :func:`write_npz`); the PyTorch recorder
(:class:`Recorder`, :func:`mark`, :class:`Record`, :func:`find_layers`) imports torch when it is first
used. Integrations with training loops live in :mod:`infoplane.lightning` and
:mod:`infoplane.huggingface`. :func:`import_export`, :func:`analyze` and :func:`report` run the analysis
(:mod:`infoplane.launcher`, needs Java 17); :func:`read_report` and :func:`read_table` read its results into
pandas without a JVM (:mod:`infoplane.results`, the ``tables`` extra).
"""
from .export import (FORMAT, FORMAT_VERSION, STANDARD_METRICS, CheckpointWriter, ExportWriter, clean_metrics,
                     layer_key, process_rank, read_checkpoints, write_npz)
from .launcher import InfoPlaneError, analyze, import_export, report
from .results import read_report, read_table

__all__ = ["ExportWriter", "CheckpointWriter", "write_npz", "layer_key", "clean_metrics", "read_checkpoints",
           "process_rank", "FORMAT", "FORMAT_VERSION", "STANDARD_METRICS", "Recorder", "Record", "RecorderError",
           "mark", "metric_names", "unwrap", "find_layers", "import_export", "analyze", "report", "InfoPlaneError",
           "read_report", "read_table"]
__version__ = "0.2.0"

_TORCH_NAMES = {"Recorder": "recorder", "Record": "marks", "RecorderError": "marks", "mark": "marks",
                "metric_names": "recorder", "unwrap": "recorder", "find_layers": "recorder"}


def __getattr__(name):
    if name in _TORCH_NAMES:
        import importlib
        return getattr(importlib.import_module("." + _TORCH_NAMES[name], __name__), name)  # needs torch
    raise AttributeError("module 'infoplane' has no attribute %r" % name)
