"""Extraction: running a model once per batch and returning the tensors discovery chose (needs torch).

Two implementations behind one interface, :class:`Extractor`:

- :class:`FxExtractor` runs a ``torch.fx`` graph module built from the traced model that returns
  the chosen nodes' outputs together with the model's own output (one forward pass serves the
  layers and the metrics), as torchvision's ``create_feature_extractor`` does.
- :class:`HookExtractor` runs the model itself with forward hooks; its first batch is also the
  probe from which discovery builds the graph of module calls.
"""
from __future__ import annotations

import abc
import inspect
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import torch
import torch.fx
import torch.nn as nn

from .discovery import HookCall, Plan, fx_steps, hook_steps, plan
from .marks import Record, RecorderError, capturing

__all__ = ["Extractor", "FxExtractor", "HookExtractor", "make_tracer", "trace", "fx_plan", "select_output",
           "defaults_after_first"]

#: Chooses the output tensor from whatever the model returns.
OutputSelector = Callable[[object], torch.Tensor]


class Extractor(abc.ABC):
    """Runs the model on a batch and returns the chosen layers' tensors and the model's output."""

    #: ``"fx"`` or ``"hooks"``.
    mode: str = ""

    @property
    @abc.abstractmethod
    def plan(self) -> Optional[Plan]:
        """What is recorded; ``None`` until known (hooks: after the first batch)."""

    @abc.abstractmethod
    def run(self, args: tuple, kwargs: dict) -> Tuple[List[torch.Tensor], object]:
        """One forward pass.

        Parameters
        ----------
        args, kwargs
            The model's inputs, on its device.

        Returns
        -------
        tensors : list of torch.Tensor
            One per layer of :attr:`plan` that is not the output layer, in plan order.
        output : object
            What the model returned.
        """


class _Tracer(torch.fx.Tracer):
    """torch.fx's tracer that keeps :class:`Record` modules and the given ``leaf_modules`` (types or
    module paths) as leaves, and tags each node with the module whose ``forward`` created it."""

    def __init__(self, leaf_modules: Sequence[object] = (), **kwargs) -> None:
        super().__init__(**kwargs)
        bad = [m for m in leaf_modules if not isinstance(m, (type, str))]
        if bad:
            raise TypeError("tracer_kwargs['leaf_modules'] takes module classes or module paths, got %r" % (bad,))
        self.leaf_types = tuple(m for m in leaf_modules if isinstance(m, type))
        self.leaf_paths = {m for m in leaf_modules if isinstance(m, str)}
        self._scope: List[str] = []

    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return isinstance(m, Record) or (bool(self.leaf_types) and isinstance(m, self.leaf_types)) \
            or qualname in self.leaf_paths or super().is_leaf_module(m, qualname)

    def call_module(self, m: nn.Module, forward, args, kwargs):
        self._scope.append(self.path_of_module(m))
        try:
            return super().call_module(m, forward, args, kwargs)
        finally:
            self._scope.pop()

    def create_node(self, kind, target, args, kwargs, name=None, type_expr=None):
        node = super().create_node(kind, target, args, kwargs, name, type_expr)
        stack = self._scope
        if kind == "call_module" and stack and stack[-1] == target:
            node.meta["infoplane_scope"] = stack[-2] if len(stack) > 1 else None
        else:
            node.meta["infoplane_scope"] = stack[-1] if stack else None
        return node


def make_tracer(tracer_kwargs: Optional[dict] = None) -> torch.fx.Tracer:
    """The tracer: ``tracer_kwargs`` holds ``leaf_modules`` (classes or module paths not to trace
    into) and any argument of ``torch.fx.Tracer`` (``autowrap_modules``, ``autowrap_functions``, ...),
    as torchvision's ``create_feature_extractor`` takes them.

    Raises
    ------
    TypeError
        For an argument ``torch.fx.Tracer`` does not take, or a leaf module that is neither a class nor a path.
    """
    kw = dict(tracer_kwargs or {})
    return _Tracer(kw.pop("leaf_modules", ()), **kw)


def trace(model: nn.Module, tracer: Optional[torch.fx.Tracer] = None,
          concrete_args: Optional[dict] = None) -> torch.fx.Graph:
    """Traces the model in eval mode (so ``F.dropout(training=self.training)`` is traced as in evaluation).

    Parameters
    ----------
    model : Module
    tracer : torch.fx.Tracer, optional
        From :func:`make_tracer` (default: one without arguments).
    concrete_args : dict, optional
        Arguments of ``forward`` fixed while tracing (``torch.fx.Tracer.trace``).
    """
    tracer = tracer if tracer is not None else make_tracer()
    was_training = model.training
    model.eval()
    try:
        return tracer.trace(model, concrete_args)
    finally:
        model.train(was_training)


def defaults_after_first(model: nn.Module) -> Dict[str, object]:
    """``forward``'s arguments after the first that have a default, with it (fixed while tracing)."""
    try:
        params = list(inspect.signature(model.forward).parameters.values())
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in params[1:] if p.default is not inspect.Parameter.empty
            and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)}



def select_output(out: object, key: object) -> torch.Tensor:
    """The logits tensor in what the model returned.

    Parameters
    ----------
    out : object
        What the model returned.
    key : str, int, callable or None
        ``output_key`` of :class:`~infoplane.Recorder`: a key of a dict or ``ModelOutput``, an index
        of a tuple, or a function from the output to the tensor; ``None`` where the output is one tensor.

    Raises
    ------
    RecorderError
        Where the output is not one tensor and ``key`` does not name one.
    """
    if key is None:
        if torch.is_tensor(out):
            return out
        what = type(out).__name__
        if isinstance(out, Mapping):
            what += " with keys %s" % list(out.keys())
        elif isinstance(out, (tuple, list)):
            what += " of %d" % len(out)
        raise RecorderError("the model returns a %s, not one tensor; give Recorder(..., output_key=...) the key "
                            "(e.g. 'logits'), the index or a function that picks the logits" % what)
    if callable(key) and not isinstance(key, (str, int)):
        t = key(out)
    elif isinstance(out, Mapping) or hasattr(out, "keys") and isinstance(key, str):
        try:
            t = out[key]
        except (KeyError, TypeError):
            keys = list(out.keys()) if hasattr(out, "keys") else []
            raise RecorderError("output_key %r: the model's output (%s) has keys %s"
                                % (key, type(out).__name__, keys)) from None
    elif isinstance(out, (tuple, list)):
        try:
            t = out[key]
        except (IndexError, TypeError):
            raise RecorderError("output_key %r: the model returns a %s of %d"
                                % (key, type(out).__name__, len(out))) from None
    else:
        raise RecorderError("output_key %r: the model returns a %s, which has no keys or items"
                            % (key, type(out).__name__))
    if not torch.is_tensor(t):
        raise RecorderError("output_key %r picks a %s, not a tensor" % (key, type(t).__name__))
    return t


def _static_output(out_arg: object, output_key: object) -> Optional[torch.fx.Node]:
    """The node of the output tensor where the traced output structure and the key name it."""
    if output_key is None:
        return out_arg if isinstance(out_arg, torch.fx.Node) else None
    if isinstance(output_key, str) and isinstance(out_arg, dict):
        v = out_arg.get(output_key)
    elif isinstance(output_key, int) and isinstance(out_arg, (tuple, list)) \
            and -len(out_arg) <= output_key < len(out_arg):
        v = out_arg[output_key]
    else:
        return None
    return v if isinstance(v, torch.fx.Node) else None


def fx_plan(model: nn.Module, graph: torch.fx.Graph, layers: Optional[Sequence[str]],
            output_activation: Optional[str], output_key: object) -> Plan:
    """Discovery on a traced graph: the layers to record (see :func:`infoplane.discovery.plan`)."""
    modules = dict(model.named_modules())
    steps, out_arg = fx_steps(graph, modules)
    by_node = {s.ref: s for s in steps}
    return plan(steps, list(modules), by_node.get(_static_output(out_arg, output_key)), layers, output_activation)


class FxExtractor(Extractor):
    """Extraction through a graph module that returns the chosen nodes and the model's output.

    Arguments of ``forward`` after the first that have a default are fixed to it while tracing
    (:func:`defaults_after_first`), unless ``concrete_args`` says otherwise; when a batch passes one
    as a keyword input, the model is traced again with it free.

    Parameters
    ----------
    model : Module
        The (unwrapped) model.
    layers, output_activation, output_key, tracer_kwargs, concrete_args
        As for :class:`~infoplane.Recorder`.

    Raises
    ------
    Exception
        Whatever tracing raises (the recorder then uses hooks); :class:`RecorderError` for a layer
        that cannot be recorded as asked.
    """

    mode = "fx"

    def __init__(self, model: nn.Module, layers: Optional[Sequence[str]], output_activation: Optional[str],
                 output_key: object, tracer_kwargs: Optional[dict] = None,
                 concrete_args: Optional[Mapping[str, object]] = None) -> None:
        self.model = model
        self.layers = None if layers is None else list(layers)
        self.output_activation = output_activation
        self.output_key = output_key
        self.tracer_kwargs = tracer_kwargs
        self.user_concrete = dict(concrete_args or {})
        self.concrete = {**defaults_after_first(model), **self.user_concrete}
        self._build()

    def _build(self) -> None:
        graph = trace(self.model, make_tracer(self.tracer_kwargs), self.concrete or None)
        self._plan = fx_plan(self.model, graph, self.layers, self.output_activation, self.output_key)
        g = torch.fx.Graph()
        env: Dict[torch.fx.Node, torch.fx.Node] = {}
        for n in graph.nodes:
            if n.op == "output":
                chosen = tuple(env[l.step.ref] for l in self._plan.layers if not l.output)
                g.output((chosen, torch.fx.graph.map_arg(n.args[0], lambda a: env[a])))
                break
            env[n] = g.node_copy(n, lambda a: env[a])
        self._gm = torch.fx.GraphModule(self.model, g)

    @property
    def plan(self) -> Plan:
        return self._plan

    def run(self, args: tuple, kwargs: dict) -> Tuple[List[torch.Tensor], object]:
        freed = [k for k in kwargs if k in self.concrete]
        if freed:
            fixed = [k for k in freed if k in self.user_concrete]
            if fixed:
                raise RecorderError("keyword input(s) %s are fixed by concrete_args; do not pass them, or do not "
                                    "fix them" % fixed)
            for k in freed:
                del self.concrete[k]
            self._build()
        chosen, out = self._gm(*args, **kwargs)
        tensors = list(chosen)
        for l, t in zip([l for l in self._plan.layers if not l.output], tensors):
            if not torch.is_tensor(t):
                raise RecorderError("layer %r: %s is a %s, not a tensor" % (l.name, l.description, type(t).__name__))
        return tensors, out


class HookExtractor(Extractor):
    """Extraction through forward hooks; the first batch is the probe that discovery reads.

    Parameters
    ----------
    model : Module
        The (unwrapped) model.
    layers, output_activation
        As for :class:`~infoplane.Recorder`.
    select_output : callable
        From the model's return value to the output tensor (raises where it is not one tensor).
    """

    mode = "hooks"

    def __init__(self, model: nn.Module, layers: Optional[Sequence[str]], output_activation: Optional[str],
                 select_output: OutputSelector) -> None:
        self.model = model
        self.layers = None if layers is None else list(layers)
        self.output_activation = output_activation
        self.select_output = select_output
        self._plan: Optional[Plan] = None
        for path, m in model.named_modules():
            if isinstance(m, Record) and m.name is None:
                m.name = path

    @property
    def plan(self) -> Optional[Plan]:
        return self._plan

    def _forward(self, args, kwargs, modules: Sequence[Tuple[str, nn.Module]]) -> Tuple[List[HookCall], object]:
        calls: List[HookCall] = []

        def hook(path: str) -> Callable:
            def record(module, inputs, output):
                calls.append(HookCall(path, module, inputs, output))
            return record

        handles = [m.register_forward_hook(hook(p)) for p, m in modules]
        try:
            with capturing(lambda name, t: calls.append(HookCall(name, None, [t], t, mark=name))):
                out = self.model(*args, **kwargs)
        finally:
            for h in handles:
                h.remove()
        return calls, out

    def run(self, args: tuple, kwargs: dict) -> Tuple[List[torch.Tensor], object]:
        if self._plan is None:
            leaves = [(p, m) for p, m in self.model.named_modules()
                      if not isinstance(m, Record) and next(m.children(), None) is None]
            calls, out = self._forward(args, kwargs, leaves)
            steps = hook_steps(calls)
            selected = self.select_output(out)
            output_step = next((s for s in reversed(steps) if calls[s.index].output is selected), None)
            self._plan = plan(steps, [p for p, _ in self.model.named_modules()], output_step, self.layers,
                              self.output_activation, hooks=True)
            refs = [l.step.ref for l in self._plan.layers if not l.output]
            self._refs = refs
            self._modules = dict(self.model.named_modules())
            return [calls[l.step.index].output for l in self._plan.layers if not l.output], out
        wanted_paths = sorted({r[0] for r in self._refs if r[0] != "mark"})
        calls, out = self._forward(args, kwargs, [(p, self._modules[p]) for p in wanted_paths])
        seen: Dict[Tuple[str, int], torch.Tensor] = {}
        counts: Dict[str, int] = {}
        for c in calls:
            key = ("mark", c.mark) if c.mark is not None else (c.path, counts.get(c.path, 0))
            if c.mark is None:
                counts[c.path] = key[1] + 1
            seen.setdefault(key, c.output)
        missing = [r for r in self._refs if r not in seen]
        if missing:
            raise RecorderError("the forward pass of this batch did not make the calls recorded at the first batch "
                                "(%s); the recorded tensors must be the same in every forward pass"
                                % ", ".join("%s call %d" % r if r[0] != "mark" else "mark %r" % r[1] for r in missing))
        return [seen[r] for r in self._refs], out
