"""Compile a checked spec to a Keras model: Sequential for a plain chain, functional otherwise."""

from __future__ import annotations

import dataclasses
import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from graphspec.api import CheckResult, check
from graphspec.backends.keras.loading import import_keras_quietly, quiet_native_stderr
from graphspec.base.catalog import (
    FORBIDDEN_LAYERS,
    NESTED_LAYER_ARGS,
    POSITIONAL_CALLS,
    TUPLE_ARGS,
    auto_name,
    layer_module,
    layer_names,
    named_objects,
    object_kind,
)
from graphspec.base.custom_layers import custom_layer, user_layer
from graphspec.errors import CompileError, Diagnostic, UsageError
from graphspec.frontend.spec import Spec
from graphspec.ir.graph import Graph, IRNode
from graphspec.ir.kinds import KINDS, Stage, hook, kind_of

if TYPE_CHECKING:
    from pathlib import Path

    import keras

__all__ = [
    "APIS",
    "STOPPED",
    "BuiltModel",
    "build_model",
    "compile_spec",
    "flat_outputs",
    "keras_text",
    "layer_object",
    "object_refusal",
]

APIS: Final = ("auto", "sequential", "functional")
"""The accepted values of ``api``."""


STOPPED: Final = "compilation stopped here: the nodes after it depend on it"
"""The related note of a compile error: nothing after the failed node was built."""
_ANSI: Final = re.compile(r"\x1b\[[0-9;]*m")
_MAX_KERAS_LINES: Final = 4
_MAX_LINE: Final = 300


@dataclass
class BuiltModel:
    """A compiled model with what was made on the way.

    ``kind`` is ``"Sequential"`` or ``"Functional"``; ``layers`` holds each layer object by the
    name of the node that owns it; ``tensors`` holds each node's Keras output (functional builds
    only; empty for Sequential).
    """

    model: keras.Model
    kind: str
    layers: dict[str, keras.layers.Layer] = field(default_factory=dict)
    tensors: dict[str, Any] = field(default_factory=dict)


class _Refused(Exception):
    """Raised while building one node; turned into an E602/E603 diagnostic located at the node."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


def compile_spec(
    spec: Spec | str | Path,
    *,
    api: str = "auto",
    params: Mapping[str, Any] | None = None,
) -> keras.Model:
    """Check a spec (object, path or YAML text) and build its Keras model.

    ``api="auto"`` builds a ``keras.Sequential`` exactly when the graph is one plain chain, and a
    functional ``keras.Model`` otherwise; ``"sequential"`` insists on Sequential (raises
    :class:`CompileError` ``E601`` for a non-chain); ``"functional"`` always builds a functional
    model. Static validation runs first: an invalid spec raises :class:`SpecError` with every
    diagnostic, before any layer is made. A Keras failure raises :class:`CompileError` ``E602``
    naming the node and its location.
    """
    _check_api(api)
    result = check(spec, params=params)
    result.raise_for_errors()
    return build_model(result, api=api).model


def build_model(result: CheckResult, *, api: str = "auto") -> BuiltModel:
    """Build the Keras model of an already checked, valid spec (see :func:`compile_spec`)."""
    _check_api(api)
    result.raise_for_library("build")
    if result.shapes is None and any(node.sized for node in result.graph):
        raise UsageError(
            "this spec reads sizes from node shapes (`${shape(...)}`), which only a check with "
            "shapes computes: build it from graphspec.check(spec) (shapes=True, the default)"
        )
    import_keras_quietly()
    graph = result.graph
    if api == "auto":
        api = graph.api  # the spec's own `api:` (auto unless it says otherwise)
    chain, reason = graph.is_chain()
    if api == "sequential" and not chain:
        raise CompileError([_not_a_chain(graph, reason or "it is not a chain")])
    builder = _Builder(graph)
    if api == "functional" or (api == "auto" and not chain):
        return builder.functional()
    return builder.sequential()


def _pick(tensor: Any, port: int) -> Any:
    """Output ``port`` of a node: layers such as ``LSTM(return_state=True)`` return a list.

    Nested results (the states of ``RNN(StackedRNNCells)`` holding an LSTMCell) are numbered
    flat, as the shape rules number them.
    """
    if isinstance(tensor, list | tuple):
        return flat_outputs(tensor)[port]
    return tensor


def flat_outputs(tensors: Any) -> list[Any]:
    """A node's output tensors as one flat list, in port order."""
    if isinstance(tensors, list | tuple):
        return [t for item in tensors for t in flat_outputs(item)]
    return [tensors]


def _check_api(api: str) -> None:
    if api not in APIS:
        raise UsageError(f"api must be one of {', '.join(APIS)}; got {api!r}")


def _not_a_chain(graph: Graph, reason: str) -> Diagnostic:
    found = re.search(r"`([^`]+)`", reason)
    node = graph.nodes.get(found.group(1)) if found else None
    loc = node.loc if node is not None else None
    return Diagnostic(
        "E601",
        f"cannot compile as Sequential: {reason}",
        file=graph.file,
        loc=loc,
        node=node.name if node is not None else None,
        hint="a Sequential model is one chain of single-input layers; use api `auto` or "
        "`functional` (`--api functional` on the command line)",
    )


def _keras_names(nodes: Any, backend: str) -> dict[str, str]:
    """Keras layer names for node names the backend refuses: PyTorch's parameter registry
    refuses a ``.`` (block instances are named ``stage1.0.conv``), so there it becomes ``_``,
    with a number added should that name be taken.

    >>> _keras_names(["a.b", "a_b", "c"], "torch")
    {'a.b': 'a_b_2'}
    >>> _keras_names(["a.b"], "jax")
    {}
    """
    if backend != "torch":
        return {}
    taken = set(nodes)
    out: dict[str, str] = {}
    for name in nodes:
        if "." in name:
            base = candidate = name.replace(".", "_")
            number = 2
            while candidate in taken:
                candidate, number = f"{base}_{number}", number + 1
            taken.add(candidate)
            out[name] = candidate
    return out


class _Builder:
    """Makes the layers of one graph and wires them up."""

    def __init__(self, graph: Graph) -> None:
        import keras

        self.keras = keras
        self.graph = graph
        self.layers: dict[str, keras.layers.Layer] = {}
        named = {n.name: n.keras_name for n in graph.nodes.values() if n.keras_name}
        self.keras_names = named | _keras_names(
            [n for n in graph.nodes if n not in named], keras.backend.backend()
        )
        """Node name -> Keras layer name: the name a block's ``names:`` template gives it, else
        the node's (changed only where the backend refuses a name)."""
        self.names: set[str] = set(graph.nodes) | set(self.keras_names.values())
        """Every name given to a layer or operation of the model so far (Keras wants them unique)."""

    # -- models -------------------------------------------------------------------------------

    def sequential(self) -> BuiltModel:
        """A ``keras.Sequential``: the input, then every layer in the order written."""
        keras = self.keras
        graph = self.graph
        nodes = graph.layers
        stack = [self._input(graph.nodes[graph.inputs[0]])]
        stack += [self._layer(node) for node in nodes]
        try:
            model = keras.Sequential(stack, name=graph.name)
        except Exception as exc:  # a layer refused its input: find which, for the message
            self._blame_call(nodes, exc)
            raise  # pragma: no cover - _blame_call always raises
        return BuiltModel(model, "Sequential", self.layers)

    def functional(self) -> BuiltModel:
        """A functional ``keras.Model`` with inputs and outputs in spec order."""
        keras = self.keras
        graph = self.graph
        tensors: dict[str, Any] = {name: self._input(graph.nodes[name]) for name in graph.inputs}
        for name in graph.topological_order():
            node = graph.nodes[name]
            if not node.is_input:
                args = [_pick(tensors[src], node.port(i)) for i, src in enumerate(node.inputs)]
                kind = kind_of(node.kind)
                if kind.anchored:  # no input of its own: the first input joins it to the graph
                    args = [tensors[graph.inputs[0]]]
                if Stage.MAKE_LAYER in kind.hooks:  # a layer object, called
                    tensors[name] = self._call(node, args)
                else:  # the kind builds its output itself (an expression's operations)
                    tensors[name] = hook(node.kind, Stage.BUILD)(self, node, args)
        inputs = [tensors[name] for name in graph.inputs]
        ports = graph.output_ports or [0] * len(graph.outputs)
        picked = [
            _pick(tensors[node], port) for (_, node), port in zip(graph.outputs, ports, strict=True)
        ]
        if graph.outputs_named:
            outputs: Any = {out: t for (out, _), t in zip(graph.outputs, picked, strict=True)}
        else:
            outputs = picked[0] if len(picked) == 1 else picked
        model = keras.Model(
            inputs=inputs[0] if len(inputs) == 1 else inputs, outputs=outputs, name=graph.name
        )
        return BuiltModel(model, "Functional", self.layers, tensors)

    # -- nodes --------------------------------------------------------------------------------

    def _input(self, node: IRNode) -> Any:
        name = self.keras_names.get(node.name, node.name)
        return self.keras.Input(shape=tuple(node.shape or ()), dtype=node.dtype, name=name)

    def _layer(self, node: IRNode) -> keras.layers.Layer:
        """The layer object a node calls: made once per owner, shared by ``share`` nodes."""
        owner_name = node.layer_owner
        layer = self.layers.get(owner_name)
        if layer is not None:
            return layer
        owner = self.graph.nodes[owner_name]
        try:
            layer = hook(owner.kind, Stage.MAKE_LAYER)(self, owner)
        except _Refused as refused:
            raise self._error(owner, refused.code, refused.message, refused.hint) from None
        except Exception as exc:
            raise self._error(
                owner,
                "E602",
                f"node `{owner.name}`: Keras refused to make {owner.display_type}: "
                f"{keras_text(exc)}",
                _make_hint(owner),
            ) from exc
        self.layers[owner_name] = layer
        return layer

    def _call(self, node: IRNode, args: list[Any]) -> Any:
        layer = self._layer(node)
        args, kwargs = node.split_call(args)
        try:
            if node.type in POSITIONAL_CALLS:
                return layer(*args, **kwargs)
            if len(args) == 1:
                return layer(args[0], **kwargs)
            return layer(args, **kwargs)
        except Exception as exc:
            raise self._call_error(node, exc) from exc

    def _blame_call(self, nodes: list[IRNode], exc: Exception) -> None:
        """Re-run a failed Sequential stack layer by layer and raise for the first that fails."""
        x = self._input(self.graph.nodes[self.graph.inputs[0]])
        for node in nodes:
            try:
                x = self.layers[node.layer_owner](x)
            except Exception as found:
                raise self._call_error(node, found) from found
        raise self._error(  # the stack failed as a whole, no single layer did
            nodes[-1] if nodes else self.graph.nodes[self.graph.inputs[0]],
            "E602",
            f"Keras refused to build the Sequential model: {keras_text(exc)}",
            "try `--api functional`",
        ) from exc

    def _call_error(self, node: IRNode, exc: Exception) -> CompileError:
        sources = ", ".join(f"`{src}`" for src in node.inputs)
        return self._error(
            node,
            "E602",
            f"node `{node.name}`: Keras could not apply {node.type} to {sources}: "
            f"{keras_text(exc)}",
            f"check the shapes reaching `{node.name}` (`graphspec summary` lists them) and its "
            "arguments",
        )

    def layer_name(self, node: IRNode) -> str:
        """The Keras name of the layer ``node`` owns (``stage1_0_conv`` on PyTorch)."""
        return self.keras_names.get(node.name, node.name)

    def fresh_name(self, base: str) -> str:
        """A name no layer or operation of the model has yet: ``base``, else ``base_1``, …"""
        name, k = base, 1
        while name in self.names:
            name, k = f"{base}_{k}", k + 1
        self.names.add(name)
        return name

    def error(self, node: IRNode, code: str, message: str, hint: str | None) -> CompileError:
        """A :class:`CompileError` located at ``node`` (for the node builders of other kinds)."""
        return self._error(node, code, message, hint)

    def explain(self, exc: BaseException) -> str:
        """Keras's own message of ``exc``, trimmed (see :func:`keras_text`)."""
        return keras_text(exc)

    def build_nested(self, checked: CheckResult, name: str) -> Any:
        """The Keras model of a nested, already checked spec, named ``name``."""
        renamed = dataclasses.replace(checked, graph=dataclasses.replace(checked.graph, name=name))
        return build_model(renamed).model

    def _error(self, node: IRNode, code: str, message: str, hint: str | None) -> CompileError:
        loc = node.loc
        diagnostic = Diagnostic(
            code,
            message,
            file=self.graph.file,
            loc=loc,
            hint=hint,
            node=node.name,
            related=(STOPPED,),
        )
        return CompileError([diagnostic])


# -- layer classes and arguments ----------------------------------------------------------------


def _make_hint(owner: IRNode) -> str:
    """Where the arguments of a node's class are documented: Keras's, KerasHub's or the user's."""
    entry = user_layer(owner.type or "") if owner.is_layer else None
    if entry is not None:
        return (
            f"check the arguments of `{owner.name}` against {entry.qualname}.__init__ (your code)"
        )
    if owner.is_layer:
        home = layer_module(owner.type or "") or "keras.layers"
        return (
            f"check the arguments of `{owner.name}` against the documentation of "
            f"{home}.{owner.type}"
        )
    return f"check the arguments of `{owner.name}` against the Keras documentation of keras.{owner.display_type}"


@KINDS["layer"].hook(Stage.MAKE_LAYER)
def _make_layer(builder: _Builder, node: IRNode) -> Any:
    """The layer object of a layer node: its class (catalogued or registered) and arguments."""
    kwargs = _layer_kwargs(node.type or "", node.args)
    cls = _layer_class(node.type or "")
    return cls(**kwargs, name=builder.layer_name(node))


def layer_object(type_name: str, args: Mapping[str, Any], *, name: str | None = None) -> Any:
    """The Keras layer a node of ``type_name`` with ``args`` makes (imports Keras).

    Raises :class:`CompileError` ``E603`` for a type the compiler refuses; Keras's own exceptions
    pass through.
    """
    import_keras_quietly()
    try:
        cls = _layer_class(type_name)
        kwargs = _layer_kwargs(type_name, args)
    except _Refused as refused:
        raise CompileError([Diagnostic(refused.code, refused.message, hint=refused.hint)]) from None
    return cls(**kwargs) if name is None else cls(**kwargs, name=name)


@cache
def _allowed_layers() -> frozenset[str]:
    return frozenset(layer_names())


def _layer_class(type_name: str) -> type:
    """A registered custom layer or an allowed, catalogued class of ``keras.layers``."""
    if type_name in FORBIDDEN_LAYERS:
        raise _Refused(
            "E603", f"layer type `{type_name}` is not allowed: {FORBIDDEN_LAYERS[type_name]}"
        )
    cls = custom_layer(type_name)
    if cls is not None:
        return cls
    if type_name not in _allowed_layers():
        raise _Refused(
            "E603",
            f"unknown layer type `{type_name}`: expected a class of keras.layers or of a layer "
            "package you declared (`--layers MODULE`)",
            "run `graphspec validate` to see suggestions",
        )
    import keras

    module = layer_module(type_name)  # Keras's application layers (LayerScale, …), KerasHub's
    try:
        with quiet_native_stderr():
            home = keras.layers if module is None else importlib.import_module(module)
    except ImportError as exc:
        raise _Refused(
            "E210",
            f"layer type `{type_name}` is KerasHub's, and KerasHub cannot be imported here: {exc}",
            "pip install 'graphspec[hub]' (or keras-hub)",
        ) from None
    cls = getattr(home, type_name, None)
    if not isinstance(cls, type):
        raise _Refused(
            "E603",
            f"layer type `{type_name}` is in graphspec's catalog but not in the installed Keras "
            f"{keras.__version__}",
            "install the Keras version the catalog was made from, or regenerate the catalog",
        )
    return cls


def _layer_kwargs(type_name: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """Spec arguments to constructor keywords: nested layers and named objects made."""
    nested = NESTED_LAYER_ARGS.get(type_name, ())
    out: dict[str, Any] = {}
    for key, value in args.items():
        if key in nested:
            out[key] = None if value is None else _nested_layer(key, value)
            continue
        kind = object_kind(key)
        out[key] = _plain(key, value) if kind is None else _named_object(kind, key, value)
    return out


def _nested_layer(key: str, value: Any) -> Any:
    """``{type: LSTM, units: 8}`` to an (unnamed) layer object; a list (``cells``) to a list."""
    if isinstance(value, list):
        return [_nested_layer(key, item) for item in value]
    if not isinstance(value, Mapping) or not isinstance(value.get("type"), str):
        raise _Refused(
            "E603",
            f"`{key}` must be a layer mapping such as `{{type: LSTM, units: 8}}`; found {value!r}",
        )
    type_name = value["type"]
    kwargs = _layer_kwargs(type_name, {k: v for k, v in value.items() if k not in _NOT_ARGS})
    return _layer_class(type_name)(**kwargs, name=value.get("name") or auto_name(type_name))


_NOT_ARGS: Final = ("type", "name")
"""Keys of a nested layer mapping that are not constructor arguments of its own."""


def _named_object(kind: str, key: str, value: Any) -> Any:
    """A name from ``keras.<kind>`` passes through; ``{type: NAME, ...}`` is instantiated."""
    if value is None:
        return None
    refused = object_refusal(kind, key, value)
    if refused is not None:
        raise _Refused("E603", *refused)
    if not isinstance(value, Mapping):
        return value
    name = value["type"]
    rest = {k: _plain(k, v) for k, v in value.items() if k != "type"}
    if kind == "activations":
        return name
    import keras

    return getattr(getattr(keras, kind), name)(**rest)


def object_refusal(kind: str, key: str, value: Any) -> tuple[str, str | None] | None:
    """Why a named-object argument (``activation``, ``kernel_initializer``, …) cannot be made,
    as ``(message, hint)``; ``None`` when it can. Code generation refuses what this refuses.

    >>> object_refusal("activations", "activation", {"type": "relu", "alpha": 1})[0]
    "`activation`: an activation is named by a string and takes no arguments; found ['alpha']"
    >>> object_refusal("activations", "activation", "relu") is None
    True
    """
    if value is None:
        return None
    name = value.get("type") if isinstance(value, Mapping) else value
    if not isinstance(name, str) or name not in named_objects(kind):
        return (
            f"`{key}` must name one of keras.{kind}; found {value!r}",
            "run `graphspec validate` to see the accepted names",
        )
    rest = sorted(k for k in value if k != "type") if isinstance(value, Mapping) else []
    if kind == "activations" and rest:
        return (
            f"`{key}`: an activation is named by a string and takes no arguments; found {rest}",
            f"write `{key}: {name}`, or add an activation layer node "
            "(e.g. `{type: LeakyReLU, negative_slope: 0.1}`)",
        )
    return None


def _plain(key: str, value: Any) -> Any:
    """A YAML value as Keras takes it: lists stay lists except tuple-typed arguments."""
    return _tupled(value) if key in TUPLE_ARGS else value


def _tupled(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    return value


def keras_text(exc: BaseException) -> str:
    """Keras's own message, trimmed: colour codes and the echo of the call arguments removed."""
    text = _ANSI.sub("", str(exc)).split("Arguments received by", 1)[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("Exception encountered when calling")]
    lines = [line if len(line) <= _MAX_LINE else line[: _MAX_LINE - 1] + "…" for line in lines]
    kept = lines[:_MAX_KERAS_LINES] or [type(exc).__name__]
    return " ".join(kept)
