"""Which tensor is a layer's representation T: the rule of METHOD.md section 1, applied to a model's calls.

Discovery is apart from extraction (as torchvision's ``get_graph_node_names`` is apart from
``create_feature_extractor``): it looks at the model's forward pass as a graph of *steps* (calls:
modules, functions, tensor methods, marks) and decides, for each layer asked for, which step's
output is recorded. The graph comes from ``torch.fx`` (:func:`fx_steps`: every call site is a node,
functional activations included) or, for a model that cannot be traced, from one forward pass with
hooks on every leaf module (:func:`hook_steps`: the data flow between modules is read from tensor
identity; functional calls are invisible there).

The rule (METHOD.md section 1, "What T is"): a layer's representation is its block's output, the
output of the activation, or, where a normalisation (BatchNorm, LayerNorm, GroupNorm, InstanceNorm)
directly follows the activation, the output of that normalisation; always before pooling and
dropout. A normalisation before the activation (conv -> BN -> ReLU) is inside the block, so T is the
activation's output there. The output layer is the softmax of the model's logits.

- A module (``fc1``): from each of its call sites, follow the data through normalisations, dropout,
  pooling and type casts to the activation; T is the activation's output, or that of a
  normalisation directly after it.
- A block (a module with submodules, ``features.0``): its last step, walked back through pooling,
  dropout and casts: an activation (then T as above, but not past the block's end), a
  normalisation directly after an activation, or a mark; a block that ends before its activation
  (a Linear, a BatchNorm before the activation) is followed on as a module is.
- By default: every activation call site (settled on a normalisation directly after it), every
  marked tensor, and the model's output unless it already ends in an activation.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F

from .marks import Record, RecorderError, _marked

__all__ = ["ACTIVATION_MODULES", "ACTIVATION_FUNCTIONS", "ACTIVATION_METHODS", "NORM_MODULES", "NORM_FUNCTIONS",
           "PASS_MODULES", "PASS_FUNCTIONS", "PASS_METHODS", "Step", "LayerSpec", "Plan", "HookCall", "fx_steps",
           "hook_steps", "plan"]

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

#: Normalisations: inside the block before an activation, the block's output directly after one.
NORM_MODULES: Tuple[type, ...] = (
    nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm, nn.LayerNorm, nn.GroupNorm,
    nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d, nn.LocalResponseNorm)
NORM_FUNCTIONS = {F.batch_norm, F.layer_norm, F.group_norm, F.instance_norm, F.local_response_norm}
NORM_METHODS: set = set()

#: Steps that keep a layer's meaning between it and its activation (dropout, pooling that commutes
#: with monotone activations, identity) but end a block after it: T is taken before them.
PASS_MODULES: Tuple[type, ...] = (
    nn.Dropout, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.Identity, nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d,
    nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d) + ((nn.Dropout1d,) if hasattr(nn, "Dropout1d") else ())
PASS_FUNCTIONS = {F.dropout, F.dropout2d, F.max_pool1d, F.max_pool2d, F.max_pool3d, F.avg_pool1d, F.avg_pool2d,
                  F.avg_pool3d}
#: Tensor methods that change only the type or layout (``x.half()``, ``x.to(...)``).
PASS_METHODS = {"half", "float", "double", "bfloat16", "to", "contiguous", "detach"}

_SOFTMAX = {"softmax": "softmax", "log_softmax": "log_softmax"}


class Step:
    """One call of the forward pass: a node of the graph the rule walks.

    Attributes
    ----------
    index : int
        Call order.
    kind : str
        ``activation``, ``norm``, ``pass``, ``mark``, ``input``, ``param`` (a parameter or buffer read
        in ``forward``) or ``other``.
    what : str
        What is called, for messages: ``conv1 Conv2d``, ``F.relu``, ``Tensor.flatten``.
    module : str or None
        The module path of a module call.
    name : str
        The step's own name (the fx node name, or the module path and call number).
    mark : str or None
        The name given to a mark.
    softmax : str or None
        ``softmax`` or ``log_softmax`` where the step is one (the output's loss depends on it).
    inputs, users : list of Step
        Data flow.
    scope : str or None
        The module whose ``forward`` made the call (fx only; ``None`` at the top level).
    ref : object
        The fx node, or ``(module path, call number)`` for a hooked call, or ``("mark", name)``.
    """

    def __init__(self, index: int, kind: str, what: str, name: str, ref: object, module: Optional[str] = None,
                 mark: Optional[str] = None, softmax: Optional[str] = None) -> None:
        self.index = index
        self.kind = kind
        self.what = what
        self.name = name
        self.ref = ref
        self.module = module
        self.mark = mark
        self.softmax = softmax
        self.inputs: List["Step"] = []
        self.users: List["Step"] = []
        self.scope: Optional[str] = None

    def __repr__(self) -> str:
        return "Step(%d %s %s)" % (self.index, self.kind, self.what)


class LayerSpec:
    """One layer to record: its name, the step whose output is T (``None`` for the output layer taken
    from the model's output at run time), whether the softmax is applied, and how it was found."""

    def __init__(self, name: str, step: Optional[Step], description: str, output: bool = False,
                 softmax: bool = False) -> None:
        self.name = name
        self.step = step
        self.description = description
        self.output = output
        self.softmax = softmax


class Plan:
    """What discovery decided: the layers in network order, the names recordable by default, the
    functional activations found, and the output's final activation (if known)."""

    def __init__(self, layers: List[LayerSpec], available: List[str], functional: List[str],
                 output_softmax: Optional[str]) -> None:
        self.layers = layers
        self.available = available
        self.functional_activations = functional
        self.output_softmax = output_softmax

    @property
    def names(self) -> List[str]:
        return [l.name for l in self.layers]


# ---- building the graph of steps ------------------------------------------------------------------

def _module_kind(m: nn.Module) -> str:
    if isinstance(m, Record):
        return "mark"
    if isinstance(m, ACTIVATION_MODULES):
        return "activation"
    if isinstance(m, NORM_MODULES):
        return "norm"
    if isinstance(m, PASS_MODULES):
        return "pass"
    return "other"


def _function_what(f) -> str:
    name = getattr(f, "__name__", None)
    if name is not None and getattr(F, name, None) is f:
        return "F.%s" % name
    if name is not None and getattr(torch, name, None) is f:
        return "torch.%s" % name
    mod = getattr(f, "__module__", None) or ""
    short = "F" if mod.endswith("functional") else "torch" if mod.startswith("torch") else mod
    return "%s.%s" % (short, getattr(f, "__name__", str(f)))


def fx_steps(graph: torch.fx.Graph, modules: Dict[str, nn.Module]) -> Tuple[List[Step], list]:
    """The steps of a traced graph and the output node's argument (the model's output structure).

    Parameters
    ----------
    graph : torch.fx.Graph
        The model traced.
    modules : dict of str to Module
        ``dict(model.named_modules())``.

    Returns
    -------
    steps : list of Step
        One per node but the output, in call order; ``ref`` is the node.
    output : object
        The output node's argument: a node, or a tuple / dict of them.
    """
    steps: List[Step] = []
    by_node: Dict[torch.fx.Node, Step] = {}
    output = None
    for n in graph.nodes:
        if n.op == "output":
            output = n.args[0]
            continue
        mark = None
        softmax = None
        if n.op == "call_module":
            m = modules[n.target]
            kind, what = _module_kind(m), "%s %s" % (n.target, type(m).__name__)
            if kind == "mark":
                mark = m.name
            if isinstance(m, nn.Softmax):
                softmax = "softmax"
            elif isinstance(m, nn.LogSoftmax):
                softmax = "log_softmax"
        elif n.op == "call_function":
            what = _function_what(n.target)
            if n.target is _marked:
                kind = "mark"
                mark = n.args[1] if len(n.args) > 1 else n.kwargs.get("name")
                if not isinstance(mark, str):
                    raise RecorderError("infoplane.mark at node %s: the name must be a constant string" % n.name)
                what = "infoplane.mark"
            elif n.target in ACTIVATION_FUNCTIONS:
                kind = "activation"
                softmax = _SOFTMAX.get(getattr(n.target, "__name__", ""))
            elif n.target in NORM_FUNCTIONS:
                kind = "norm"
            elif n.target in PASS_FUNCTIONS:
                kind = "pass"
            else:
                kind = "other"
        elif n.op == "call_method":
            what = "Tensor.%s" % n.target
            kind = "activation" if n.target in ACTIVATION_METHODS else "pass" if n.target in PASS_METHODS else "other"
            softmax = _SOFTMAX.get(n.target)
        elif n.op == "placeholder":
            kind, what = "input", "input %s" % n.target
        elif n.op == "get_attr":
            kind, what = "param", "parameter %s" % n.target
        else:
            kind, what = "other", "%s %s" % (n.op, n.target)
        s = Step(len(steps), kind, what, n.name, n, module=n.target if n.op == "call_module" else None, mark=mark,
                 softmax=softmax)
        s.scope = n.meta.get("infoplane_scope")
        for a in n.all_input_nodes:
            if a in by_node:
                s.inputs.append(by_node[a])
                by_node[a].users.append(s)
        by_node[n] = s
        steps.append(s)
    return steps, output


class HookCall:
    """One leaf-module call or mark seen by hooks: its path (or mark name), inputs and output."""

    def __init__(self, path: str, module: Optional[nn.Module], inputs: Sequence[object], output: object,
                 mark: Optional[str] = None) -> None:
        self.path = path
        self.module = module
        self.inputs = [t for t in inputs if torch.is_tensor(t)]
        self.output = output
        self.mark = mark


def hook_steps(calls: Sequence[HookCall]) -> List[Step]:
    """The steps of one forward pass seen through hooks; edges join a call to the latest earlier call
    whose output is (the same tensor object as) one of its inputs. ``ref`` is ``(path, k)``, the k-th
    call (from 0) of the module at ``path``, or ``("mark", name)``."""
    steps: List[Step] = []
    counts: Dict[str, int] = {}
    made_by: Dict[int, Step] = {}  # id of an output tensor -> the latest step that returned it (all kept alive)
    for c in calls:
        if c.mark is not None:
            s = Step(len(steps), "mark", "infoplane.mark %r" % c.mark, c.mark, ("mark", c.mark), mark=c.mark)
        else:
            k = counts.get(c.path, 0)
            counts[c.path] = k + 1
            kind = _module_kind(c.module)
            sm = "softmax" if isinstance(c.module, nn.Softmax) else \
                "log_softmax" if isinstance(c.module, nn.LogSoftmax) else None
            s = Step(len(steps), kind, "%s %s" % (c.path, type(c.module).__name__), "%s#%d" % (c.path, k),
                     (c.path, k), module=c.path, softmax=sm)
        for t in c.inputs:
            src = made_by.get(id(t))
            if src is not None and src not in s.inputs:
                s.inputs.append(src)
                src.users.append(s)
        if torch.is_tensor(c.output):
            made_by[id(c.output)] = s
        steps.append(s)
    return steps


# ---- the rule ----------------------------------------------------------------------------------------

def _data(step: Step) -> List[Step]:
    """A step's data inputs: its inputs but the parameters and buffers it reads."""
    return [i for i in step.inputs if i.kind != "param"]


def _settle(act: Step) -> Step:
    """An activation's block output: a normalisation that directly (and alone) follows it, else itself."""
    if len(act.users) == 1 and act.users[0].kind == "norm" and _data(act.users[0]) == [act]:
        return act.users[0]
    return act


def _chain(step: Step) -> str:
    """``output of bn BatchNorm1d <- act Tanh <- fc Linear``: the step and what it is applied to, back to
    the layer (through normalisations, pass steps and one activation)."""
    parts = [step.what]
    cur = step
    crossed = step.kind == "activation"
    while len(_data(cur)) == 1:
        cur = _data(cur)[0]
        if cur.kind == "input":
            parts.append("input")
            break
        parts.append(cur.what)
        if cur.kind == "activation" and not crossed:
            crossed = True
            continue
        if cur.kind not in ("pass", "norm"):
            break
    return "output of " + " <- ".join(parts)


def _producer(act: Step) -> Optional[str]:
    """The module whose output the activation takes, back through normalisations and pass steps."""
    cur = act
    while len(_data(cur)) == 1:
        cur = _data(cur)[0]
        if cur.kind in ("pass", "norm"):
            continue
        return cur.module if cur.kind == "other" else None
    return None


def _ends_in_activation(step: Step) -> bool:
    cur = step
    while cur.kind in ("pass", "norm") and len(_data(cur)) == 1:
        cur = _data(cur)[0]
    return cur.kind in ("activation", "mark")


def _output_softmax(step: Optional[Step]) -> Optional[str]:
    cur = step
    while cur is not None and cur.kind in ("pass", "norm") and len(_data(cur)) == 1:
        cur = _data(cur)[0]
    return None if cur is None else cur.softmax


class _Resolver:
    def __init__(self, steps: List[Step], module_paths: Sequence[str], output: Optional[Step],
                 output_activation: Optional[str], hooks: bool) -> None:
        self.steps = steps
        self.paths = [p for p in module_paths if p]
        self.output = output
        self.output_activation = output_activation
        self.hooks = hooks
        self.available: List[str] = []

    def output_layer(self, name: str) -> LayerSpec:
        soft = self.output_activation == "softmax"
        what = " (%s)" % self.output.what if self.output is not None else ""
        desc = ("softmax over axis 1 of the model's output%s" % what) if soft \
            else "the model's output%s (logits, output_activation=None)" % what
        return LayerSpec(name, self.output, desc, output=True, softmax=soft)

    def settle(self, act: Step, label: str) -> LayerSpec:
        t = act if act.kind == "mark" else _settle(act)
        return LayerSpec(label, t, _chain(t))

    def auto(self) -> List[LayerSpec]:
        out: List[LayerSpec] = []
        for s in self.steps:
            if s.kind == "mark":
                out.append(LayerSpec(s.mark, s, "marked tensor (%s)" % s.name))
            elif s.kind == "activation":
                name = _producer(s) or s.module or s.name
                out.append(self.settle(s, name))
        if self.output is None or not _ends_in_activation(self.output):
            o = self.output
            name = "output" if o is None else (o.module if o.kind == "other" and o.module else _producer(o) or o.name)
            out.append(self.output_layer(name))
        return _number(out)

    def follow(self, label: str, name: str, start: Step) -> LayerSpec:
        """From a layer's step forward to its activation (through norms and pass steps), then settled."""
        cur = start
        if cur.kind == "norm" and _data(cur) and _data(cur)[0].kind == "activation" \
                and _settle(_data(cur)[0]) is cur:  # a normalisation after an activation: the block's output
            return LayerSpec(label, cur, _chain(cur))
        while cur.kind not in ("activation", "mark"):
            if cur is self.output:
                return self.output_layer(label)
            if len(cur.users) != 1 or cur.users[0].kind not in ("pass", "norm", "activation", "mark"):
                after = ", ".join(u.what for u in cur.users) or \
                    "nothing (the model's output where output_key does not name it, or calls the graph does not show)"
                hint = ("; forward hooks see modules only (the model was not traced), so an activation applied as a "
                        "function is invisible" if self.hooks else "")
                raise RecorderError(
                    "layer %r: the output of %s is followed by %s, not by an activation%s; name the layer whose "
                    "activation you mean (recordable: %s), or mark the tensor in forward with "
                    "infoplane.mark(tensor, %r)" % (name, cur.what, after, hint, self.available, name))
            cur = cur.users[0]
        return self.settle(cur, label)

    def block(self, name: str, sites: List[Step]) -> LayerSpec:
        """A block's output: its last step, back through pass steps (T is before pooling and dropout)."""
        end = max(sites, key=lambda s: s.index)
        inside = set(sites)
        core = end
        while core.kind == "pass" and len(_data(core)) == 1 and _data(core)[0] in inside:
            core = _data(core)[0]
        if core.kind == "mark":
            return LayerSpec(name, core, "marked tensor (%s), the end of block %s" % (core.name, name))
        if core.kind == "activation":
            return LayerSpec(name, core, _chain(core))
        if core.kind == "norm" and _data(core) and _data(core)[0].kind == "activation" \
                and _settle(_data(core)[0]) is core:
            return LayerSpec(name, core, _chain(core))
        return self.follow(name, name, end)

    def named(self, name: str, by_name: Dict[str, LayerSpec]) -> List[LayerSpec]:
        if name in by_name:
            l = by_name[name]
            return [LayerSpec(name, l.step, l.description, l.output, l.softmax)]
        if name not in self.paths:
            raise RecorderError("no layer %r; module paths: %s; recordable call sites: %s"
                                % (name, self.paths, self.available))
        prefix = name + "."
        sites = [s for s in self.steps if s.module is not None and (s.module == name or s.module.startswith(prefix))]
        if not sites:
            raise RecorderError("module %r is never called by the model's forward" % name)
        if any(s.module != name for s in sites):  # a block: its calls and the functions called inside it
            inside = [s for s in self.steps if s in sites or s.scope is not None
                      and (s.scope == name or s.scope.startswith(prefix))]
            return [self.block(name, inside)]
        return [self.follow(name if len(sites) == 1 else "%s-%d" % (name, k + 1), name, s)
                for k, s in enumerate(sites)]


def _number(layers: List[LayerSpec]) -> List[LayerSpec]:
    """A name given twice (one module at several call sites) becomes ``name-1``, ``name-2``, ... in call order."""
    taken: Dict[str, int] = {}
    for l in layers:
        taken[l.name] = taken.get(l.name, 0) + 1
    counts: Dict[str, int] = {}
    for l in layers:
        if taken[l.name] > 1:
            counts[l.name] = counts.get(l.name, 0) + 1
            l.name = "%s-%d" % (l.name, counts[l.name])
    return layers


def plan(steps: List[Step], module_paths: Sequence[str], output: Optional[Step], layers: Optional[Sequence[str]],
         output_activation: Optional[str], hooks: bool = False) -> Plan:
    """Decides the layers to record.

    Parameters
    ----------
    steps : list of Step
        From :func:`fx_steps` or :func:`hook_steps`.
    module_paths : sequence of str
        The model's module paths (``named_modules``).
    output : Step or None
        The step whose output is the model's (selected) output, where known.
    layers : sequence of str, optional
        The layers asked for (module paths, block paths, mark names, default names); ``None``: the
        default set.
    output_activation : {"softmax", None}
        For the output layer.
    hooks : bool
        Whether the steps come from hooks (for messages).

    Returns
    -------
    Plan
        Layers in network order (the output layer last).
    """
    r = _Resolver(steps, module_paths, output, output_activation, hooks)
    auto = r.auto()
    r.available = [l.name for l in auto]
    functional = []
    for l in auto:
        act = None if l.step is None else l.step if l.step.kind == "activation" else \
            _data(l.step)[0] if l.step.kind == "norm" and _data(l.step) else None
        if act is not None and isinstance(act.ref, torch.fx.Node) and act.ref.op in ("call_function", "call_method"):
            functional.append("%s (%s)" % (l.name, act.what))
    if layers is None:
        chosen = auto
    else:
        by_name = {l.name: l for l in auto}
        chosen = []
        for name in layers:
            chosen.extend(r.named(name, by_name))
    last = len(steps)
    chosen.sort(key=lambda l: l.step.index if l.step is not None and not l.output else last)
    seen = set()
    for l in chosen:
        if l.name in seen:
            raise RecorderError("layer name %r is given twice" % l.name)
        seen.add(l.name)
    if not chosen:
        raise RecorderError("no layer to record: the model has no activation, mark or output tensor")
    return Plan(chosen, r.available, functional, _output_softmax(output))

