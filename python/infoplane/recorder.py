"""Records the outputs of a PyTorch model's layers after their activation (needs torch).

The tensor recorded for a layer is chosen from the model's graph, not guessed from module names:
the model is traced with ``torch.fx`` (as torchvision's ``create_feature_extractor`` does), so every
call site is a node of its own, functional activations (``F.relu``, ``torch.tanh``) included, and a
module called at several places (one shared ``nn.ReLU``) gives one node per call. For a layer
(``conv1``, a ``Sequential`` block ``features``), the recorder follows the data flow from the layer
through shape-keeping steps (batch norm, dropout, pooling, identity) to its activation and records
the activation's output. A layer not followed by an activation is refused with a message saying
what follows it, unless it is the model's output (its logits: recorded through ``softmax`` by
default, as InfoPlane's own capture records the output layer after its softmax).

Where tracing fails (data-dependent control flow), the recorder falls back to forward hooks, which
see modules only: activation modules (per call site, in call order), ``Sequential`` blocks that end
in an activation, and marked tensors. Functional activations are invisible to hooks; mark the tensor
you mean with :func:`mark` or a :class:`Record` module.
"""
from __future__ import annotations

import contextlib
import operator
import warnings
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F

from .export import CheckpointWriter, ExportWriter, iter_chunks

__all__ = ["Recorder", "Record", "mark", "RecorderError", "ACTIVATION_MODULES", "ACTIVATION_FUNCTIONS"]


class RecorderError(ValueError):
    """A layer cannot be recorded as asked; the message says why and what to do."""


#: Modules whose output is an activation.
ACTIVATION_MODULES: Tuple[type, ...] = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.RReLU, nn.ELU, nn.SELU, nn.CELU, nn.GELU, nn.SiLU, nn.Mish,
    nn.Tanh, nn.Sigmoid, nn.Hardtanh, nn.Hardsigmoid, nn.Hardswish, nn.Softplus, nn.Softsign, nn.Softmax,
    nn.LogSoftmax, nn.Tanhshrink, nn.LogSigmoid)

#: Functions whose result is an activation (``F.relu``, ``torch.tanh``, ...).
ACTIVATION_FUNCTIONS = {
    F.relu, F.relu6, F.leaky_relu, F.prelu, F.rrelu, F.elu, F.selu, F.celu, F.gelu, F.silu, F.mish, F.hardtanh,
    F.hardsigmoid, F.hardswish, F.softplus, F.softsign, F.softmax, F.log_softmax, F.tanhshrink, F.logsigmoid,
    F.tanh, F.sigmoid, torch.relu, torch.tanh, torch.sigmoid, torch.softmax, torch.log_softmax, torch.selu,
    torch.celu, torch.rrelu, torch.prelu}

#: Tensor methods that are activations (``x.relu()``).
ACTIVATION_METHODS = {"relu", "tanh", "sigmoid", "softmax", "log_softmax"}

#: Steps between a layer and its activation that keep the layer's meaning (per-channel affine maps,
#: dropout, pooling that commutes with monotone activations).
PASS_MODULES: Tuple[type, ...] = (
    nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.Dropout, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout,
    nn.Identity, nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)
PASS_FUNCTIONS = {F.batch_norm, F.dropout, F.dropout2d, F.max_pool1d, F.max_pool2d, F.max_pool3d, F.avg_pool1d,
                  F.avg_pool2d, F.avg_pool3d}
#: Tensor methods that change only the type or layout (``x.half()``, ``x.to(...)``).
PASS_METHODS = {"half", "float", "double", "bfloat16", "to", "contiguous", "detach"}


# ---- marking a tensor -----------------------------------------------------------------------------

_ACTIVE: List["_HookSession"] = []


def _marked(tensor: torch.Tensor, name: str) -> torch.Tensor:
    """The identity; a node of its own in a traced graph (``torch.fx.wrap``) so the recorder finds it."""
    if _ACTIVE:
        _ACTIVE[-1].on_mark(name, tensor)
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


# ---- the recorder ----------------------------------------------------------------------------------

class _Layer:
    """One recorded layer: its name, how it was found and how its tensor is obtained."""

    def __init__(self, name: str, description: str, node: Optional[torch.fx.Node] = None,
                 softmax: bool = False) -> None:
        self.name = name
        self.description = description
        self.node = node
        self.softmax = softmax


class _Tracer(torch.fx.Tracer):
    """torch.fx's tracer with Record modules kept as leaves of their own (named by their path)."""

    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return isinstance(m, Record) or super().is_leaf_module(m, qualname)


class Recorder:
    """Records named layers of a model after their activation.

    Parameters
    ----------
    model : torch.nn.Module
        A classifier whose ``forward`` takes one batch tensor (first axis the sample).
    layers : sequence of str, optional
        What to record (written in call order, which gives the layer indices): module paths (``conv1``, ``features.3``, a ``Sequential``
        block such as ``features``), names given to :func:`mark` or :class:`Record`, or names from
        :attr:`available`. Default: every activation call site in call order, the marked tensors, and
        the output.
    output_activation : {"softmax", None}
        What to record for a layer that is the model's output without an activation: its softmax
        (default; the class probabilities, as InfoPlane's own capture records the output layer), or
        ``None`` for the raw logits.
    trace : bool
        Trace the model with ``torch.fx`` (default); where that fails the recorder uses forward
        hooks and warns. ``False`` uses hooks directly.

    Attributes
    ----------
    mode : str
        ``"fx"`` or ``"hooks"``.
    available : list of str
        The names recorded by default (activation call sites, marks, output), in call order.
    functional_activations : list of str
        The functional activation call sites found (``F.relu``...), as ``name (function)``.

    Examples
    --------
    >>> rec = Recorder(model, ["conv1", "conv2", "fc1", "fc2"])
    >>> print(rec.describe())
    >>> arrays = rec.record(x_test)          # name -> float32 array (N x ...)
    """

    def __init__(self, model: nn.Module, layers: Optional[Sequence[str]] = None,
                 output_activation: Optional[str] = "softmax", trace: bool = True) -> None:
        if output_activation not in ("softmax", None):
            raise ValueError("output_activation must be 'softmax' or None, got %r" % (output_activation,))
        self.model = model
        self.output_activation = output_activation
        self.functional_activations: List[str] = []
        self._names_record_modules()
        self.trace_error: Optional[str] = None
        graph = None
        if trace:
            was_training = model.training
            model.eval()  # constants such as F.dropout(training=self.training) are traced as in eval mode
            try:
                graph = _Tracer().trace(model)
            except Exception as e:  # any tracing failure means: use hooks
                self.trace_error = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
            finally:
                model.train(was_training)
        if graph is not None:
            self.mode = "fx"
            self._init_fx(graph, layers)
        else:
            self.mode = "hooks"
            if trace:
                warnings.warn("the model cannot be traced with torch.fx (%s); recording with forward hooks, which "
                              "do not see functional activations such as F.relu: mark such tensors with "
                              "infoplane.mark(tensor, name) or an infoplane.Record module" % self.trace_error,
                              stacklevel=2)
            self._init_hooks(layers)

    # -- naming ------------------------------------------------------------------------------------

    def _names_record_modules(self) -> None:
        for path, m in self.model.named_modules():
            if isinstance(m, Record) and m.name is None:
                m.name = path

    @property
    def layer_names(self) -> List[str]:
        """The recorded layers' names, in the order they are written (network order)."""
        return [l.name for l in self._layers]

    def describe(self) -> str:
        """One line per recorded layer: its name and the tensor recorded for it."""
        lines = ["recording with %s%s:" % ("torch.fx" if self.mode == "fx" else "forward hooks",
                                           "" if self.trace_error is None else " (tracing failed: %s)" % self.trace_error)]
        for i, l in enumerate(self._layers):
            lines.append("  L%d %s: %s" % (i, l.name, l.description))
        if self.functional_activations:
            lines.append("functional activations found (recorded through the graph): "
                         + ", ".join(self.functional_activations))
        return "\n".join(lines)

    # -- fx mode -------------------------------------------------------------------------------------

    def _init_fx(self, graph: torch.fx.Graph, layers: Optional[Sequence[str]]) -> None:
        modules = dict(self.model.named_modules())
        self._modules = modules
        nodes = list(graph.nodes)
        self._order = {n: i for i, n in enumerate(nodes)}
        output = next(n for n in nodes if n.op == "output")
        outs = output.args[0]
        self._output_node = outs if isinstance(outs, torch.fx.Node) else None

        # every activation call site and mark, in call order, named by the layer it activates
        auto: List[_Layer] = []
        taken: Dict[str, int] = {}
        for n in nodes:
            if self._is_mark(n):
                auto.append(_Layer(self._mark_name(n), "marked tensor (%s)" % n.name, n))
            elif self._is_activation(n):
                producer = self._producer(n)
                name = producer if producer is not None else n.name
                if n.op == "call_function" or n.op == "call_method":
                    self.functional_activations.append("%s (%s)" % (name, self._what(n)))
                auto.append(_Layer(name, self._chain(n), n))
        if self._output_node is not None and not self._ends_in_activation(self._output_node):
            o = self._output_node
            producer = o.target if o.op == "call_module" else (self._producer(o) or o.name)
            auto.append(self._output_layer(producer, self._output_node))
        for l in auto:  # a name given twice (one module at two sites) gets -1, -2 ... in call order
            taken[l.name] = taken.get(l.name, 0) + 1
        counts: Dict[str, int] = {}
        for l in auto:
            if taken[l.name] > 1:
                counts[l.name] = counts.get(l.name, 0) + 1
                l.name = "%s-%d" % (l.name, counts[l.name])
        self.available = [l.name for l in auto]
        by_name = {l.name: l for l in auto}

        if layers is None:
            chosen = auto
        else:
            chosen = []
            for name in layers:
                if name in by_name:
                    l = by_name[name]
                    chosen.extend([_Layer(name, l.description, l.node, l.softmax)])
                else:
                    chosen.extend(self._resolve_module(name, nodes))
        chosen.sort(key=lambda l: self._order[l.node])  # network (call) order gives the layer indices
        self._check_unique(chosen)
        self._layers = chosen
        # a graph module returning the chosen nodes, sharing the model's submodules and parameters
        g = torch.fx.Graph()
        env: Dict[torch.fx.Node, torch.fx.Node] = {}
        for n in nodes:
            if n.op == "output":
                break
            env[n] = g.node_copy(n, lambda a: env[a])
        g.output(tuple(env[l.node] for l in chosen))
        self._gm = torch.fx.GraphModule(self.model, g)
        self._gm.graph.eliminate_dead_code()
        self._gm.recompile()

    def _is_mark(self, n: torch.fx.Node) -> bool:
        return (n.op == "call_function" and n.target is _marked) or \
            (n.op == "call_module" and isinstance(self._modules.get(n.target), Record))

    def _mark_name(self, n: torch.fx.Node) -> str:
        if n.op == "call_module":
            return self._modules[n.target].name
        name = n.args[1] if len(n.args) > 1 else n.kwargs.get("name")
        if not isinstance(name, str):
            raise RecorderError("infoplane.mark at node %s: the name must be a constant string" % n.name)
        return name

    def _is_kind(self, n: torch.fx.Node, modules: tuple, functions, methods) -> bool:
        """Whether the node calls one of these module types, functions or tensor methods."""
        if n.op == "call_module":
            return isinstance(self._modules.get(n.target), modules)
        if n.op == "call_function":
            return n.target in functions
        if n.op == "call_method":
            return n.target in methods
        return False

    def _is_activation(self, n: torch.fx.Node) -> bool:
        return self._is_kind(n, ACTIVATION_MODULES, ACTIVATION_FUNCTIONS, ACTIVATION_METHODS)

    def _ends_in_activation(self, n: torch.fx.Node) -> bool:
        """Whether the node is an activation or a mark, possibly followed by pass steps."""
        while self._is_pass(n) and len(n.all_input_nodes) == 1:
            n = n.all_input_nodes[0]
        return self._is_activation(n) or self._is_mark(n)

    def _is_pass(self, n: torch.fx.Node) -> bool:
        return self._is_kind(n, PASS_MODULES, PASS_FUNCTIONS, PASS_METHODS)

    def _what(self, n: torch.fx.Node) -> str:
        if n.op == "call_module":
            return "%s %s" % (n.target, type(self._modules[n.target]).__name__)
        if n.op == "call_function":
            mod = getattr(n.target, "__module__", None) or ""
            short = "F" if mod.endswith("functional") else "torch" if mod.startswith("torch") else mod
            return "%s.%s" % (short, getattr(n.target, "__name__", str(n.target)))
        if n.op == "call_method":
            return "Tensor.%s" % n.target
        return "%s %s" % (n.op, n.target)

    def _producer(self, n: torch.fx.Node) -> Optional[str]:
        """The module whose output the node activates: back through pass steps and activations."""
        cur = n
        while True:
            if cur is not n and cur.op == "call_module" and not self._is_pass(cur) and not self._is_activation(cur):
                return cur.target
            ins = [a for a in cur.all_input_nodes]
            if len(ins) != 1 or not (cur is n or self._is_pass(cur)):
                return None
            cur = ins[0]

    def _chain(self, n: torch.fx.Node) -> str:
        """The activation and what it is applied to, e.g. ``F.relu <- bn1 BatchNorm2d <- conv1 Conv2d``."""
        parts = [self._what(n)]
        cur = n
        while True:
            ins = cur.all_input_nodes
            if len(ins) != 1:
                break
            cur = ins[0]
            if cur.op == "placeholder":
                parts.append("input")
                break
            parts.append(self._what(cur))
            if not self._is_pass(cur):
                break
        return "output of " + " <- ".join(parts)

    def _output_layer(self, name: str, node: torch.fx.Node) -> _Layer:
        soft = self.output_activation == "softmax"
        desc = ("softmax over axis 1 of the model's output (%s; logits)" % self._what(node)) if soft \
            else "the model's output (%s; logits, output_activation=None)" % self._what(node)
        return _Layer(name, desc, node, softmax=soft)

    def _resolve_module(self, name: str, nodes: List[torch.fx.Node]) -> List[_Layer]:
        """A module path: its call sites' nodes, each followed to its activation."""
        if name not in self._modules or name == "":
            raise RecorderError("no layer %r; module paths: %s; recordable call sites: %s"
                                % (name, [p for p in self._modules if p], self.available))
        prefix = name + "."
        sites = [n for n in nodes if n.op == "call_module" and (n.target == name or n.target.startswith(prefix))]
        if not sites:
            raise RecorderError("module %r is never called by the model's forward" % name)
        if any(s.target != name for s in sites):  # a block (a Sequential...): its last call site ends it
            ends = [max(sites, key=lambda s: self._order[s])]
        else:  # a module: each of its call sites is a layer of its own
            ends = sites
        out = []
        for k, end in enumerate(ends):
            label = name if len(ends) == 1 else "%s-%d" % (name, k + 1)
            out.append(self._follow(label, name, end))
        return out

    def _follow(self, label: str, name: str, node: torch.fx.Node) -> _Layer:
        cur = node
        while not self._is_activation(cur) and not self._is_mark(cur):
            if cur is self._output_node:
                return self._output_layer(label, cur)
            users = [u for u in cur.users if u.op != "output"]
            if len(cur.users) != 1 or len(users) != 1 or not (self._is_pass(users[0]) or self._is_activation(users[0])):
                after = ", ".join(self._what(u) if u.op != "output" else "the model's output" for u in cur.users) \
                    or "nothing"
                raise RecorderError(
                    "layer %r: the output of %s is followed by %s, not by an activation; name the layer whose "
                    "activation you mean (recordable: %s), or mark the tensor in forward with "
                    "infoplane.mark(tensor, %r)" % (name, self._what(cur), after, self.available, name))
            cur = users[0]
        return _Layer(label, self._chain(cur), cur)

    @staticmethod
    def _check_unique(chosen: List[_Layer]) -> None:
        seen = set()
        for l in chosen:
            if l.name in seen:
                raise RecorderError("layer name %r is given twice" % l.name)
            seen.add(l.name)
        if not chosen:
            raise RecorderError("no layer to record: the model has no activation, mark or output tensor")

    # -- hooks mode ------------------------------------------------------------------------------------

    def _init_hooks(self, layers: Optional[Sequence[str]]) -> None:
        modules = dict(self.model.named_modules())
        self._modules = modules
        self._hook_targets: List[Tuple[str, nn.Module]] = []
        self._unhookable: Dict[str, str] = {}
        self._wanted = None if layers is None else list(layers)
        self._mark_names = {m.name for m in modules.values() if isinstance(m, Record)}
        if layers is None:
            self._hook_targets = [(p, m) for p, m in modules.items() if isinstance(m, ACTIVATION_MODULES)]
        else:
            for name in layers:
                if name in self._mark_names:
                    continue
                m = modules.get(name)
                if m is None or name == "":
                    # possibly a name given to mark() in forward: checked at the first batch
                    continue
                if isinstance(m, ACTIVATION_MODULES):
                    self._hook_targets.append((name, m))
                elif isinstance(m, nn.Sequential) and len(m) and isinstance(m[-1], ACTIVATION_MODULES + (Record,)):
                    self._hook_targets.append((name, m))
                else:  # unless forward marks a tensor with this name, refused at the first batch
                    self._unhookable[name] = type(m).__name__
        self._layers: List[_Layer] = []
        self.available = []
        self._probe()

    def _probe(self) -> None:
        """Layers are known once a forward pass has run: done on the first batch recorded."""
        self._probed = False

    def _hook_batch(self, xb: torch.Tensor) -> List[Tuple[str, torch.Tensor]]:
        session = _HookSession()
        handles = []
        for name, m in self._hook_targets:
            handles.append(m.register_forward_hook(session.hook(name)))
        _ACTIVE.append(session)
        try:
            out = self.model(xb)
        finally:
            _ACTIVE.pop()
            for h in handles:
                h.remove()
        calls = session.calls
        counts: Dict[str, int] = {}
        for name, _ in calls:
            counts[name] = counts.get(name, 0) + 1
        seen: Dict[str, int] = {}
        named = []
        for name, t in calls:
            if counts[name] > 1:
                seen[name] = seen.get(name, 0) + 1
                name = "%s-%d" % (name, seen[name])
            named.append((name, t))
        if torch.is_tensor(out):
            named.append(("output", torch.softmax(out.float(), dim=1) if self.output_activation == "softmax" else out))
        if self._wanted is not None:
            by = dict(named)
            for w in self._wanted:
                if w not in by and w in self._unhookable:
                    raise RecorderError(
                        "layer %r (%s): without tracing (%s) the recorder cannot tell which activation follows it; "
                        "name its activation module, a Sequential block ending in one, or mark the tensor in "
                        "forward with infoplane.mark(tensor, %r)"
                        % (w, self._unhookable[w], self.trace_error or "trace=False", w))
                if w not in by and not any(n.startswith(w + "-") for n, _ in named):
                    raise RecorderError("no layer %r was recorded in forward; recorded: %s; mark the tensor with "
                                        "infoplane.mark(tensor, %r)" % (w, [n for n, _ in named], w))
            picked = []
            for w in self._wanted:
                picked.extend([(n, t) for n, t in named if n == w or n.startswith(w + "-") and w not in by])
            named = picked
        if not self._probed:
            self._layers = [_Layer(n, "forward hook output" if n != "output" else "model output"
                                   + (" through softmax" if self.output_activation == "softmax" else ""))
                            for n, _ in named]
            self.available = [n for n, _ in named]
            self._check_unique(self._layers)
            self._probed = True
        elif [n for n, _ in named] != self.layer_names:
            raise RecorderError("the model recorded layers %s in this batch, %s before; the recorded tensors must be "
                                "the same in every forward pass" % ([n for n, _ in named], self.layer_names))
        return named

    # -- recording ---------------------------------------------------------------------------------------

    def _device_dtype(self) -> Tuple[torch.device, torch.dtype]:
        for p in self.model.parameters():
            return p.device, p.dtype
        return torch.device("cpu"), torch.float32

    def batches(self, x, batch_size: int = 256) -> Iterator[Dict[str, np.ndarray]]:
        """Runs ``x`` through the model in batches (eval mode, ``no_grad``) and yields each batch's layers.

        Parameters
        ----------
        x : array or tensor, shape (N, ...)
            The evaluation inputs, in the order they are stored.
        batch_size : int
            Samples per forward pass.

        Yields
        ------
        dict of str to numpy.ndarray
            Layer name to float32 array (batch x ...), in :attr:`layer_names` order. Half precision
            and other float types are converted to float32 on the CPU.
        """
        device, dtype = self._device_dtype()
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                for start, stop in iter_chunks(len(x), batch_size):
                    xb = torch.as_tensor(x[start:stop]).to(device)
                    if xb.is_floating_point():
                        xb = xb.to(dtype)
                    if self.mode == "fx":
                        outs = self._gm(xb)
                        named = []
                        for l, t in zip(self._layers, outs):
                            if not torch.is_tensor(t):
                                raise RecorderError("layer %r: %s is a %s, not a tensor"
                                                    % (l.name, l.description, type(t).__name__))
                            named.append((l.name, torch.softmax(t.float(), dim=1) if l.softmax else t))
                    else:
                        named = self._hook_batch(xb)
                    batch = {}
                    for name, t in named:
                        if t.shape[0] != stop - start:
                            raise RecorderError("layer %r has %d rows for a batch of %d samples; its first axis must "
                                                "be the sample" % (name, t.shape[0], stop - start))
                        batch[name] = t.detach().to("cpu", torch.float32).numpy()
                    yield batch
        finally:
            self.model.train(was_training)

    def record(self, x, batch_size: int = 256) -> Dict[str, np.ndarray]:
        """All of ``x`` at once: layer name to float32 array (N x ...). See :meth:`batches`."""
        parts: Dict[str, List[np.ndarray]] = {}
        for batch in self.batches(x, batch_size):
            for name, a in batch.items():
                parts.setdefault(name, []).append(a)
        return {name: np.concatenate(parts[name], axis=0) for name in self.layer_names}

    def write_split(self, checkpoint: CheckpointWriter, split: str, x, y, batch_size: int = 256,
                    chunk_size: int = 2000, sample_id=None) -> None:
        """Records one evaluation split into a checkpoint, at most ``chunk_size`` samples in memory.

        Parameters
        ----------
        checkpoint : CheckpointWriter
            From :meth:`ExportWriter.checkpoint`.
        split : str
            The split's name, e.g. ``train`` or ``test``.
        x, y : arrays or tensors, shape (N, ...) and (N,)
            The split's inputs and integer labels, the same samples in the same order at every checkpoint.
        batch_size : int
            Samples per forward pass.
        chunk_size : int
            Samples per file: bounds the memory the recorded activations take.
        sample_id : array, shape (N,), optional
            The samples' ids (default ``0 ... N-1``).
        """
        y = _numpy(y)
        ids = np.arange(len(y), dtype=np.int64) if sample_id is None else np.asarray(sample_id, dtype=np.int64)
        for start, stop in iter_chunks(len(y), chunk_size):
            xc = x[start:stop]
            arrays = self.record(xc, batch_size)
            checkpoint.add(split, _numpy(xc).astype(np.float32), y[start:stop],
                           [(name, arrays[name]) for name in self.layer_names], ids[start:stop])

    def write_checkpoint(self, export: ExportWriter, epoch: int, step: int, splits: Dict[str, tuple],
                         metrics: Optional[Dict[str, object]] = None, batch_size: int = 256,
                         chunk_size: int = 2000) -> str:
        """Records every split at one checkpoint and writes them with the epoch, step and metrics.

        Parameters
        ----------
        export : ExportWriter
            The run's export directory.
        epoch, step : int
            The checkpoint.
        splits : dict of str to (x, y)
            The evaluation sets, e.g. ``{"train": (x_train_eval, y_train_eval), "test": (x_test, y_test)}``.
        metrics : dict of str to number, optional
            Training metrics (``loss``, ``train_accuracy``, ``test_accuracy``, anything numeric).
        batch_size, chunk_size : int
            See :meth:`write_split`.

        Returns
        -------
        str
            The checkpoint's directory.
        """
        with export.checkpoint(epoch, step, metrics) as c:
            for split, (x, y) in splits.items():
                self.write_split(c, split, x, y, batch_size, chunk_size)
        return c.path


def _numpy(a) -> np.ndarray:
    if torch.is_tensor(a):
        return a.detach().cpu().numpy()
    return np.asarray(a)


class _HookSession:
    """What the hooks and marks saw in one forward pass, in call order."""

    def __init__(self) -> None:
        self.calls: List[Tuple[str, torch.Tensor]] = []

    def hook(self, name: str) -> Callable:
        def record(_module, _inputs, out):
            if not torch.is_tensor(out):
                raise RecorderError("module %s returns %s, not a tensor; record a submodule or mark the tensor"
                                    % (name, type(out).__name__))
            self.calls.append((name, out))
        return record

    def on_mark(self, name: str, tensor: torch.Tensor) -> None:
        self.calls.append((name, tensor))
