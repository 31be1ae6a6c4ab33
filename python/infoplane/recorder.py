"""Records a PyTorch model's layer representations and metrics at training checkpoints (needs torch).

:class:`Recorder` ties three parts together: discovery (:mod:`infoplane.discovery`: which tensor is a
layer's representation T, by the rule of METHOD.md section 1), extraction (:mod:`infoplane.extract`:
a ``torch.fx`` graph module or forward hooks behind one interface) and writing
(:mod:`infoplane.export`). It evaluates each split once per checkpoint: the same forward pass gives
the recorded layers and the split's mean loss and accuracy.
"""
from __future__ import annotations

import logging
import warnings
from typing import Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn

from .discovery import ACTIVATION_FUNCTIONS, ACTIVATION_MODULES, NORM_FUNCTIONS, NORM_MODULES, LayerSpec, Plan
from .export import CheckpointWriter, ExportSize, ExportWriter, process_rank
from .extract import (Extractor, FxExtractor, HookExtractor, defaults_after_first, fx_plan, make_tracer,
                      select_output)
from .extract import trace as fx_trace
from .marks import Record, RecorderError, mark
from .metrics import LossFn, Totals, default_loss, metric_names
from .splits import iter_batches, split_length, to_numpy

__all__ = ["Recorder", "Record", "mark", "RecorderError", "ACTIVATION_MODULES", "ACTIVATION_FUNCTIONS",
           "NORM_MODULES", "NORM_FUNCTIONS", "metric_names", "unwrap"]

log = logging.getLogger("infoplane")

def unwrap(model: nn.Module) -> Tuple[nn.Module, List[str]]:
    """The model inside ``DataParallel``, ``DistributedDataParallel`` and ``torch.compile`` wrappers.

    Returns
    -------
    module : Module
        The innermost model.
    wrappers : list of str
        The wrappers removed, outermost first (``["DataParallel"]``).
    """
    wrappers = []
    while True:
        if isinstance(model, (nn.DataParallel, nn.parallel.DistributedDataParallel)):
            wrappers.append(type(model).__name__)
            model = model.module
        elif type(model).__name__ == "OptimizedModule" and isinstance(getattr(model, "_orig_mod", None), nn.Module):
            wrappers.append("torch.compile")
            model = model._orig_mod
        else:
            return model, wrappers


def find_layers(model: nn.Module, layers: Optional[Sequence[str]] = None,
                output_activation: Optional[str] = "softmax", *, output_key: object = None,
                tracer_kwargs: Optional[dict] = None, concrete_args: Optional[dict] = None) -> Plan:
    """Discovery alone (as torchvision's ``get_graph_node_names``): which tensor each layer records.

    Traces the model with ``torch.fx``; runs nothing. Parameters as for :class:`Recorder`.

    Returns
    -------
    Plan
        ``plan.layers`` (each with ``name`` and ``description``, the chain of calls whose last output
        is recorded), ``plan.available`` (the default names) and ``plan.functional_activations``.

    Raises
    ------
    Exception
        Whatever tracing raises for a model ``torch.fx`` cannot trace (:class:`Recorder` then uses hooks).
    """
    model, _ = unwrap(model)
    for path, m in model.named_modules():
        if isinstance(m, Record) and m.name is None:
            m.name = path
    concrete = {**defaults_after_first(model), **(concrete_args or {})}
    return fx_plan(model, fx_trace(model, make_tracer(tracer_kwargs), concrete or None), layers, output_activation,
                   output_key)


class Recorder:
    """Records named layers of a model (their representation T) and the model's loss and accuracy.

    Parameters
    ----------
    model : torch.nn.Module
        A classifier (``DataParallel``, ``DistributedDataParallel`` and ``torch.compile`` wrappers
        are removed: the module inside is recorded).
    layers : sequence of str, optional
        What to record (written in network order, which gives the layer indices): module paths
        (``conv1``, ``features.3``), blocks (a module with submodules, ``features.0``: its output),
        names given to :func:`mark` or :class:`Record`, or names from :attr:`available`. Default:
        every activation call site in call order, the marked tensors, and the output.
    output_activation : {"softmax", None}
        The output layer: the softmax of the model's output (default; the class probabilities), or
        ``None`` for the raw logits.
    trace : bool
        Trace the model with ``torch.fx`` (default); where that fails the recorder uses forward
        hooks and warns. ``False`` uses hooks directly.
    output_key : str, int or callable, optional
        Where the model's output is not one tensor: the key (``"logits"``) of a dict or
        ``ModelOutput``, the index of a tuple, or a function from the output to the logits tensor.
    tracer_kwargs : dict, optional
        ``leaf_modules`` (module classes or paths not traced into) and arguments of
        ``torch.fx.Tracer``, as torchvision's ``create_feature_extractor`` takes them.
    concrete_args : dict, optional
        ``forward`` arguments fixed while tracing (``torch.fx.Tracer.trace``). By default every
        argument after the first that has a default value is fixed to it (``labels=None``,
        ``return_dict=True``), unless a batch passes it as a keyword input: then the model is traced
        again with that argument free.
    loss_fn : callable, optional
        ``loss_fn(output, labels)`` -> the batch's mean loss, used for the splits' loss metrics.
        Default: cross-entropy (nats) of the logits; of the log-probabilities where the traced model
        ends in a (log-)softmax.
    compute_metrics : bool
        Compute each split's mean loss and accuracy (default ``True``).
    input_key, label_key : str
        For batches that are dicts (a Hugging Face collator's): the model's positional input and the
        labels; every other entry is passed to ``forward`` as a keyword argument.

    Attributes
    ----------
    model : Module
        The model recorded (unwrapped).
    wrappers : list of str
        The wrappers removed.
    mode : str
        ``"fx"`` or ``"hooks"``.
    trace_error : str or None
        Why tracing failed.
    last_metrics : dict of str to float
        The metrics of the last checkpoint written (computed and given), as written.

    Examples
    --------
    >>> rec = Recorder(model, ["conv1", "conv2", "fc1", "fc2"])
    >>> print(rec.describe())
    >>> arrays = rec.record(x_test)          # name -> float32 array (N x ...)
    """

    def __init__(self, model: nn.Module, layers: Optional[Sequence[str]] = None,
                 output_activation: Optional[str] = "softmax", trace: bool = True, *,
                 output_key: Union[None, str, int, Callable[[object], torch.Tensor]] = None,
                 tracer_kwargs: Optional[dict] = None, concrete_args: Optional[dict] = None,
                 loss_fn: Optional[LossFn] = None, compute_metrics: bool = True,
                 input_key: str = "input_ids", label_key: str = "labels") -> None:
        if output_activation not in ("softmax", None):
            raise ValueError("output_activation must be 'softmax' or None, got %r" % (output_activation,))
        if output_key is not None and not isinstance(output_key, (str, int)) and not callable(output_key):
            raise ValueError("output_key must be a key, an index or a callable, got %r" % (output_key,))
        self.model, self.wrappers = unwrap(model)
        self.output_activation = output_activation
        self.output_key = output_key
        self.loss_fn = loss_fn
        self.compute_metrics = compute_metrics
        self.input_key = input_key
        self.label_key = label_key
        self.trace_error: Optional[str] = None
        self._per_sample: Optional[Dict[str, int]] = None
        self._size_logged = False
        self.last_metrics: Dict[str, float] = {}
        for path, m in self.model.named_modules():
            if isinstance(m, Record) and m.name is None:
                m.name = path
        extractor: Optional[Extractor] = None
        if trace:
            make_tracer(tracer_kwargs)  # misuse raises here, it is not a reason to use hooks
            try:
                extractor = FxExtractor(self.model, layers, output_activation, output_key, tracer_kwargs,
                                        concrete_args)
            except RecorderError:
                raise
            except Exception as e:  # any tracing failure means: use hooks
                self.trace_error = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
        if extractor is None:
            if trace:
                warnings.warn("the model cannot be traced with torch.fx (%s); recording with forward hooks, which "
                              "do not see functional activations such as F.relu: mark such tensors with "
                              "infoplane.mark(tensor, name) or an infoplane.Record module, or give tracer_kwargs="
                              "{'leaf_modules': [...]} for the modules tracing fails in" % self.trace_error,
                              stacklevel=2)
            extractor = HookExtractor(self.model, layers, output_activation,
                                      lambda out: select_output(out, output_key))
        self.extractor = extractor

    # -- what is recorded ------------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self.extractor.mode

    @property
    def plan(self) -> Optional[Plan]:
        """Discovery's decision (``None`` in hooks mode before the first batch)."""
        return self.extractor.plan

    @property
    def _layers(self) -> List[LayerSpec]:
        p = self.extractor.plan
        return [] if p is None else p.layers

    @property
    def layer_names(self) -> List[str]:
        """The recorded layers' names, in the order they are written (network order)."""
        return [l.name for l in self._layers]

    @property
    def available(self) -> List[str]:
        """The names recorded by default (activation call sites, marks, output), in call order."""
        p = self.extractor.plan
        return [] if p is None else list(p.available)

    @property
    def functional_activations(self) -> List[str]:
        """The functional activation call sites found (``F.relu``...), as ``name (function)``."""
        p = self.extractor.plan
        return [] if p is None else list(p.functional_activations)

    def describe(self) -> str:
        """One line per recorded layer: its name and the chain of calls whose last output is recorded."""
        head = "recording with %s%s" % ("torch.fx" if self.mode == "fx" else "forward hooks",
                                        "" if self.trace_error is None else " (tracing failed: %s)" % self.trace_error)
        if self.wrappers:
            head += ", the model inside %s" % " inside ".join(self.wrappers)
        lines = [head + ":"]
        if self.plan is None:
            lines.append("  (the layers are found at the first batch recorded)")
        for i, l in enumerate(self._layers):
            lines.append("  L%d %s: %s" % (i, l.name, l.description))
        if self.functional_activations:
            lines.append("functional activations found (recorded through the graph): "
                         + ", ".join(self.functional_activations))
        return "\n".join(lines)

    # -- the model's output ----------------------------------------------------------------------------

    def _loss_fn(self) -> LossFn:
        if self.loss_fn is not None:
            return self.loss_fn
        return default_loss(self.plan.output_softmax if self.plan is not None else None)

    # -- inputs ------------------------------------------------------------------------------------------

    def _device_dtype(self) -> Tuple[torch.device, torch.dtype]:
        for p in self.model.parameters():
            return p.device, p.dtype
        return torch.device("cpu"), torch.float32

    def _forward(self, x, kwargs: dict) -> Tuple[List[Tuple[str, torch.Tensor]], torch.Tensor]:
        device, dtype = self._device_dtype()
        xb = torch.as_tensor(x).to(device)
        if xb.is_floating_point():
            xb = xb.to(dtype)
        kw = {k: (v.to(device) if torch.is_tensor(v) else v) for k, v in (kwargs or {}).items()}
        tensors, out = self.extractor.run((xb,), kw)
        output = select_output(out, self.output_key)
        named = []
        it = iter(tensors)
        for l in self._layers:
            if l.output:
                named.append((l.name, torch.softmax(output.float(), dim=1) if l.softmax else output))
            else:
                named.append((l.name, next(it)))
        return named, output

    # -- recording ---------------------------------------------------------------------------------------

    def _evaluate(self, data, y, batch_size: int, kwargs: Optional[dict], layers: bool,
                  totals: Optional[Totals]) -> Iterator[tuple]:
        """Runs a split in eval mode under ``no_grad``; yields ``(x, y, {name: float32 array})`` per batch."""
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                for xb, yb, kw in iter_batches(data, y, batch_size, kwargs, self.input_key, self.label_key):
                    n = len(xb)
                    named, output = self._forward(xb, kw)
                    if totals is not None:
                        totals.add(output, to_numpy(yb), self._loss_fn())
                    arrays = {}
                    if layers:
                        for name, t in named:
                            if t.shape[0] != n:
                                raise RecorderError("layer %r has %d rows for a batch of %d samples; its first axis "
                                                    "must be the sample" % (name, t.shape[0], n))
                            arrays[name] = t.detach().to("cpu", torch.float32).numpy()
                    yield xb, yb, arrays
        finally:
            self.model.train(was_training)

    def batches(self, x, batch_size: int = 256, kwargs: Optional[dict] = None) -> Iterator[Dict[str, np.ndarray]]:
        """Runs inputs through the model in batches (eval mode, ``no_grad``) and yields each batch's layers.

        Parameters
        ----------
        x : array, tensor, DataLoader or Dataset
            The evaluation inputs in the order they are stored (a loader's or dataset's batches are
            ``(x, y)`` or dicts; the labels are not used here).
        batch_size : int
            Samples per forward pass.
        kwargs : dict, optional
            Keyword inputs of ``forward``: per-sample arrays (first axis the sample) are batched with
            ``x``, anything else is passed as it is.

        Yields
        ------
        dict of str to numpy.ndarray
            Layer name to float32 array (batch x ...), in :attr:`layer_names` order. Half precision
            and other float types are converted to float32 on the CPU.
        """
        arrays = isinstance(x, (np.ndarray, torch.Tensor))
        for _, _, layers in self._evaluate(x, np.zeros(len(x), np.int64) if arrays else None, batch_size, kwargs,
                                           True, None):
            yield layers

    def record(self, x, batch_size: int = 256, kwargs: Optional[dict] = None) -> Dict[str, np.ndarray]:
        """All of ``x`` at once: layer name to float32 array (N x ...). See :meth:`batches`."""
        parts: Dict[str, List[np.ndarray]] = {}
        for batch in self.batches(x, batch_size, kwargs):
            for name, a in batch.items():
                parts.setdefault(name, []).append(a)
        return {name: np.concatenate(parts[name], axis=0) for name in self.layer_names}

    def evaluate(self, data, y=None, batch_size: int = 256, kwargs: Optional[dict] = None) -> Tuple[float, float]:
        """A split's mean loss and accuracy, without recording layers.

        Parameters
        ----------
        data, y, kwargs
            A split, as for :meth:`write_split`.

        Returns
        -------
        (float, float)
            Mean loss (``loss_fn``; cross-entropy in nats by default) and accuracy (fraction).
        """
        totals = Totals()
        for _ in self._evaluate(data, y, batch_size, kwargs, False, totals):
            pass
        return totals.means()

    def write_split(self, checkpoint: CheckpointWriter, split: str, x, y=None, batch_size: int = 256,
                    chunk_size: int = 2000, sample_id=None, kwargs: Optional[dict] = None) -> Dict[str, float]:
        """Records one evaluation split into a checkpoint, at most ``chunk_size`` samples in memory.

        Parameters
        ----------
        checkpoint : CheckpointWriter
            From :meth:`ExportWriter.checkpoint`.
        split : str
            The split's name, e.g. ``train`` or ``test``.
        x, y : arrays or tensors, shape (N, ...) and (N,)
            The split's inputs and integer labels, the same samples in the same order at every
            checkpoint. With ``y`` omitted, ``x`` is the whole split: ``(x, y)``, ``(x, y, kwargs)``,
            a ``DataLoader`` (not shuffled), a ``Dataset`` or an iterable of such batches.
        batch_size : int
            Samples per forward pass (arrays and datasets).
        chunk_size : int
            Samples per file: bounds the memory the recorded activations take.
        sample_id : array, shape (N,), optional
            The samples' ids (default ``0 ... N-1``).
        kwargs : dict, optional
            Keyword inputs of ``forward`` for array splits (see :meth:`batches`).

        Returns
        -------
        dict of str to float
            The split's loss and accuracy under :func:`metric_names` (empty with ``compute_metrics=False``).
        """
        totals = Totals() if self.compute_metrics else None
        buf_x: List[np.ndarray] = []
        buf_y: List[np.ndarray] = []
        buf_l: Dict[str, List[np.ndarray]] = {}
        held = 0
        written = 0
        ids = None if sample_id is None else np.asarray(sample_id, dtype=np.int64)

        def flush(n: int) -> None:
            nonlocal held, written, buf_x, buf_y, buf_l
            xs, ys = np.concatenate(buf_x), np.concatenate(buf_y)
            ls = {k: np.concatenate(v) for k, v in buf_l.items()}
            checkpoint.add(split, xs[:n], ys[:n], [(name, ls[name][:n]) for name in self.layer_names],
                           None if ids is None else ids[written:written + n])
            buf_x, buf_y = [xs[n:]], [ys[n:]]
            buf_l = {k: [v[n:]] for k, v in ls.items()}
            held -= n
            written += n

        for xb, yb, arrays in self._evaluate(x, y, batch_size, kwargs, True, totals):
            self._note_sizes(xb, arrays)
            buf_x.append(to_numpy(xb).astype(np.float32))
            buf_y.append(to_numpy(yb))
            for name, a in arrays.items():
                buf_l.setdefault(name, []).append(a)
            held += len(xb)
            while held >= chunk_size:
                flush(chunk_size)
        if held:
            flush(held)
        if totals is None:
            return {}
        loss, acc = totals.means()
        lk, ak = metric_names(split)
        return {lk: loss, ak: acc}

    # -- the export's size ---------------------------------------------------------------------------------

    def _note_sizes(self, xb, arrays: Dict[str, np.ndarray]) -> None:
        if self._per_sample is None:
            n = max(1, len(xb))
            sizes = {"x": int(np.prod(to_numpy(xb).shape[1:]))}
            sizes.update({k: int(a.size // n) for k, a in arrays.items()})
            self._per_sample = sizes

    def projected_size(self, splits: Mapping[str, object], checkpoints: Optional[int] = None) -> "ExportSize":
        """The bytes an export of these splits takes per checkpoint (and in all), before compression.

        Runs the first batch of the first split if no batch has been recorded yet.

        Parameters
        ----------
        splits : mapping of str to split
            The recorded splits, as for :meth:`write_checkpoint` (their sample counts must be known:
            arrays, datasets or loaders over a dataset).
        checkpoints : int, optional
            How many checkpoints will be written.
        """
        if self._per_sample is None:
            for xb, _, arrays in self._evaluate(next(iter(splits.values())), None, 2, None, True, None):
                self._note_sizes(xb, arrays)
                break
        samples = {name: split_length(s) for name, s in splits.items()}
        per_sample_bytes = 4 * sum(self._per_sample.values()) + 16  # float32 x and layers, int64 y and id
        return ExportSize(samples, dict(self._per_sample), per_sample_bytes, checkpoints)

    # -- checkpoints -------------------------------------------------------------------------------------

    def write_checkpoint(self, export: ExportWriter, epoch: int, step: int, splits: Mapping[str, object],
                         metrics: Optional[Mapping[str, object]] = None, batch_size: int = 256,
                         chunk_size: int = 2000, metric_splits: Optional[Mapping[str, object]] = None,
                         overwrite: bool = False, checkpoints: Optional[int] = None) -> Optional[str]:
        """Records every split at one checkpoint and writes them with the epoch, step and metrics.

        Under ``torch.distributed`` only rank 0 evaluates and writes; other ranks return ``None``.

        Parameters
        ----------
        export : ExportWriter
            The run's export directory.
        epoch, step : int
            The checkpoint: epochs and optimizer steps so far.
        splits : mapping of str to split
            The recorded evaluation sets: each ``(x, y)``, ``(x, y, kwargs)``, a ``DataLoader`` (not
            shuffled) or a ``Dataset``, e.g. ``{"train": (x_train_eval, y_train_eval), "test": test_loader}``.
        metrics : mapping of str to number, optional
            The user's metrics (``lr``, anything numeric); they override the computed ones of the same name.
        batch_size, chunk_size : int
            See :meth:`write_split`.
        metric_splits : mapping of str to split, optional
            Splits whose loss and accuracy are computed but whose layers are not recorded, e.g.
            ``{"validation": (x_val, y_val)}`` for early stopping.
        overwrite : bool
            Replace a checkpoint already written at this (epoch, step) (a run resumed after a crash).
        checkpoints : int, optional
            How many checkpoints the run will write: the projected size logged before the first one
            (logger ``infoplane``, level INFO) then gives the total.

        Returns
        -------
        str or None
            The checkpoint's directory (``None`` on ranks other than 0).
        """
        if process_rank() != 0:
            return None
        overlap = set(splits) & set(metric_splits or {})
        if overlap:
            raise RecorderError("split(s) %s are given both as recorded splits and as metric_splits" % sorted(overlap))
        computed: Dict[str, float] = {}
        c = export.checkpoint(epoch, step, None, overwrite=overwrite)
        with c:
            for split, data in splits.items():
                if not self._size_logged:
                    self._log_size(splits, checkpoints)
                computed.update(self.write_split(c, split, data, None, batch_size, chunk_size))
            if self.compute_metrics:
                for split, data in (metric_splits or {}).items():
                    loss, acc = self.evaluate(data, None, batch_size)
                    lk, ak = metric_names(split)
                    computed.update({lk: loss, ak: acc})
            computed.update(metrics or {})
            c.set_metrics(computed)
        self.last_metrics = dict(c.metrics)
        return c.path

    def _log_size(self, splits: Mapping[str, object], checkpoints: Optional[int]) -> None:
        self._size_logged = True
        try:
            size = self.projected_size(splits, checkpoints)
        except (TypeError, RecorderError) as e:  # a split of unknown length: nothing to project
            log.info("projected export size unknown: %s", e)
            return
        log.info("%s", size)
