"""Keras models to specs: a model object, a ``.keras`` file, a JSON config or a keras.applications name."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import networkx as nx

from graphspec.catalog import (
    FORBIDDEN_LAYERS,
    NESTED_LAYER_ARGS,
    LayerSignature,
    layer_names,
    layer_signature,
    named_objects,
    object_kind,
)
from graphspec.errors import ImportModelError, UsageError
from graphspec.registry import custom_layer_signature, custom_layers
from graphspec.spec import Spec

__all__ = [
    "APPLICATIONS_PREFIX",
    "UnsupportedLayersError",
    "from_config",
    "from_keras",
    "import_source",
]

APPLICATIONS_PREFIX: Final = "keras.applications."
"""Sources starting with this name a ``keras.applications`` model built with ``weights=None``."""

_MODEL_CLASSES: Final = frozenset({"Functional", "Model", "Sequential"})
_KERAS_LAYER_MODULES: Final = frozenset({"keras.layers", "keras"})
_TENSOR: Final = "__keras_tensor__"
_MAX_CONFIG_BYTES: Final = 64 * 1024 * 1024
_CALL_TENSOR_KWARGS: Final = ("value", "key")
"""Call keywords holding extra input tensors (``MultiHeadAttention(query, value, key=...)``)."""
_IGNORED_CALL_KWARGS: Final = frozenset({"mask"})

_SAME_WHEN_NONE: Final[dict[str, Any]] = {"activation": "linear", "data_format": "channels_last"}
"""Config values Keras writes for an argument whose constructor default is ``None``."""

_COLLAPSIBLE: Final = frozenset({"kernel_size", "strides", "pool_size", "dilation_rate", "size"})
"""Tuple arguments written as one number when every entry is equal (``kernel_size: 3``)."""

_OBJECT_DEFAULTS: Final[dict[str, dict[str, Any]]] = {
    "Constant": {"value": 0.0},
    "Orthogonal": {"gain": 1.0},
    "OrthogonalInitializer": {"gain": 1.0},
    "RandomNormal": {"mean": 0.0, "stddev": 0.05},
    "RandomUniform": {"minval": -0.05, "maxval": 0.05},
    "TruncatedNormal": {"mean": 0.0, "stddev": 0.05},
    "VarianceScaling": {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal"},
    "L1": {"l1": 0.009999999776482582},  # Keras keeps it as a float32
    "L2": {"l2": 0.01},
    "L1L2": {"l1": 0.0, "l2": 0.0},
    "OrthogonalRegularizer": {"factor": 0.009999999776482582, "mode": "rows"},
    "MaxNorm": {"max_value": 2.0, "axis": 0},
    "MinMaxNorm": {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0},
    "UnitNorm": {"axis": 0},
}
"""Constructor defaults of Keras initializers, regularizers and constraints (checked by a test)."""


class UnsupportedLayersError(ImportModelError):
    """The model holds layers a spec cannot name; ``layers`` lists ``(name, class, reason)``."""

    def __init__(self, model: str, layers: list[tuple[str, str, str]]) -> None:
        self.layers = layers
        count = len(layers)
        lines = [
            f"cannot import model `{model}`: {count} layer{'s' * (count != 1)} cannot be "
            "written in a spec:"
        ]
        lines += [f"  - `{name}` ({cls}): {reason}" for name, cls, reason in layers]
        lines.append(
            "hint: a spec names only keras.layers classes; register your own layer classes "
            "with graphspec.register_layer(cls) before importing"
        )
        super().__init__("\n".join(lines))


# -- sources ------------------------------------------------------------------------------------


def from_keras(model: Any) -> Spec:
    """A spec for a built Keras model (Functional or Sequential); weights are not part of it.

    Raises :class:`ImportModelError` naming every layer a spec cannot express.
    """
    try:
        text = model.to_json()
    except Exception as exc:  # e.g. a subclassed model without get_config
        raise ImportModelError(f"cannot read the model's configuration: {exc}") from exc
    return from_config(json.loads(text))


def import_source(source: str) -> Spec:
    """A spec from ``keras.applications.NAME``, a ``.keras`` file or a model JSON config file.

    Files are parsed, never deserialized: no Keras object is built from them and no module they
    name is imported.
    """
    if source.startswith(APPLICATIONS_PREFIX):
        return _from_application(source[len(APPLICATIONS_PREFIX) :])
    path = Path(source)
    if not path.is_file():
        raise UsageError(
            f"no such file: {source} (expected a .keras file, a model JSON config, or "
            "keras.applications.NAME)"
        )
    size = path.stat().st_size
    if size > _MAX_CONFIG_BYTES and not zipfile.is_zipfile(path):
        raise ImportModelError(f"{source}: {size:,} bytes is too large for a model config")
    reader = _read_keras_archive if zipfile.is_zipfile(path) else _read_json_config
    return from_config(reader(path))


def _from_application(name: str) -> Spec:
    from graphspec._keras import import_keras_quietly

    import_keras_quietly()
    import keras

    apps = keras.applications
    public = [n for n in dir(apps) if not n.startswith("_") and callable(getattr(apps, n))]
    if name not in public:
        raise UsageError(
            f"keras.applications has no model `{name}`; choose from: {', '.join(sorted(public))}"
        )
    try:
        model = getattr(apps, name)(weights=None)
    except Exception as exc:
        raise ImportModelError(f"keras.applications.{name}(weights=None) failed: {exc}") from exc
    try:
        text = model.to_json()
    except Exception as exc:  # pragma: no cover - applications are functional models
        raise ImportModelError(f"cannot read keras.applications.{name}: {exc}") from exc
    return from_config(json.loads(text), origin=f"keras.applications.{name}(weights=None)")


def _read_keras_archive(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("config.json")
            if info.file_size > _MAX_CONFIG_BYTES:
                raise ImportModelError(f"{path}: config.json is too large")
            return _parse_json(archive.read(info), str(path))
    except KeyError:
        raise ImportModelError(f"{path}: not a .keras file (no config.json inside)") from None
    except zipfile.BadZipFile as exc:
        raise ImportModelError(f"{path}: not a readable .keras file: {exc}") from None


def _read_json_config(path: Path) -> dict[str, Any]:
    return _parse_json(path.read_bytes(), str(path))


def _parse_json(raw: bytes, where: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportModelError(f"{where}: not a Keras model config (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or "class_name" not in data:
        raise ImportModelError(f"{where}: not a Keras model config (no `class_name`)")
    return data


# -- configs ------------------------------------------------------------------------------------


def from_config(config: Mapping[str, Any], *, origin: str | None = None) -> Spec:
    """A spec from a serialized Keras model (the JSON form of ``model.to_json()``).

    ``origin`` (e.g. ``keras.applications.ResNet50(weights=None)``) goes in the description.
    """
    kind = config.get("class_name")
    reader = _MODEL_READERS.get(str(kind))
    if reader is None:
        raise ImportModelError(
            f"{origin or 'the model'}: cannot import a `{kind}` model; only Functional and Sequential models "
            "can be imported (a subclassed model has no graph to read)"
        )
    body = config.get("config")
    if not isinstance(body, Mapping):
        raise ImportModelError(f"{origin or 'the model'}: its config has no `config` mapping")
    state = _Import(str(body.get("name") or "model"), origin)
    reader(state, body)
    return state.finish()


@dataclass
class _Import:
    """What one import collects: nodes, inputs, wiring and every problem found."""

    name: str
    origin: str | None = None
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)
    outputs: list[str] | dict[str, str] = field(default_factory=list)
    chain: bool = False
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    dropped_calls: dict[str, list[str]] = field(default_factory=dict)

    def problem(self, name: str, cls: str, reason: str) -> None:
        self.problems.append((name, cls, reason))

    def finish(self) -> Spec:
        if self.problems:
            raise UnsupportedLayersError(self.name, self.problems)
        data: dict[str, Any] = {"graphspec": 1, "name": self.name}
        notes = [f"{arg} on {_listed(names)}" for arg, names in self.dropped_calls.items()]
        head = f"Imported from {self.origin} by graphspec." if self.origin else ""
        if notes:
            head += (" " if head else "") + "Call arguments dropped: " + "; ".join(notes) + "."
        if head:
            data["description"] = head
        data["inputs"] = self.inputs
        nodes = {name: dict(node) for name, node in self.nodes.items()}
        written_chain = _is_written_chain(self.inputs, nodes, self.sources, self.outputs)
        if not self.chain and written_chain:
            data["api"] = "functional"  # a functional model shaped like a chain stays functional
        if not self.chain and not written_chain:
            edges, explicit = _wire(list(self.inputs) + list(nodes), self.sources)
            for name in explicit:
                nodes[name]["inputs"] = self.sources[name]
            data["edges"] = edges
        data["nodes"] = nodes
        data["outputs"] = self.outputs
        try:
            spec = Spec.model_validate(data)
        except Exception as exc:  # pydantic: a name or value the format cannot hold
            raise ImportModelError(f"cannot import model `{self.name}`: {exc}") from exc
        _validate(spec)
        return spec


def _is_written_chain(
    inputs: Mapping[str, Any],
    nodes: Mapping[str, Mapping[str, Any]],
    sources: Mapping[str, list[str]],
    outputs: list[str] | dict[str, str],
) -> bool:
    """Whether each node takes just the one written before it (then no edges are needed)."""
    previous = next(iter(inputs)) if len(inputs) == 1 else None
    for name, node in nodes.items():
        if previous is None or "share" in node or sources.get(name) != [previous]:
            return False
        previous = name
    return isinstance(outputs, list) and outputs == [previous]


def _listed(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:5])
    more = len(names) - 5
    return shown + (f" and {more} more" if more > 0 else "")


def _validate(spec: Spec) -> None:
    from graphspec.api import check

    result = check(spec, shapes=False)
    if not result.ok:
        shown = "\n".join("  " + d.format() for d in result.errors[:20])
        raise ImportModelError(f"the imported spec of `{spec.name}` is not valid:\n{shown}")


# -- Functional ---------------------------------------------------------------------------------


def _read_functional(state: _Import, body: Mapping[str, Any]) -> None:
    layers = [layer for layer in body.get("layers") or [] if isinstance(layer, Mapping)]
    names = [_layer_name(layer) for layer in layers]
    call_names = _call_names(layers, names)
    graph = nx.DiGraph()
    rank: dict[str, tuple[int, int]] = {}
    made: dict[str, dict[str, Any]] = {}
    for index, (layer, name) in enumerate(zip(layers, names, strict=True)):
        cls = str(layer.get("class_name"))
        if cls == "InputLayer":
            state.inputs[name] = _input_spec(state, name, layer.get("config") or {})
            rank[name] = (index, 0)
            graph.add_node(name)
            continue
        type_name = _type_of(state, name, layer)
        if type_name is None:
            continue
        node = _node_args(state, name, type_name, layer.get("config") or {})
        calls = layer.get("inbound_nodes") or []
        if not calls:
            state.problem(name, cls, "the layer is never called in the model")
        for k, call in enumerate(calls):
            node_name = call_names[name][k]
            refs = _call_refs(state, name, cls, call)
            srcs = [_ref_name(state, call_names, name, cls, ref) for ref in refs]
            made[node_name] = node if k == 0 else {"share": name}
            state.sources[node_name] = [s for s in srcs if s is not None]
            rank[node_name] = (index, k)
            graph.add_node(node_name)
            graph.add_edges_from((_base(s), node_name) for s in srcs if s is not None)
    state.inputs = _in_model_order(state.inputs, body.get("input_layers"))
    state.outputs = _outputs(state, call_names, body.get("output_layers"))
    if state.problems:
        return
    order = list(nx.lexicographical_topological_sort(graph, key=rank.__getitem__))
    state.nodes = {name: made[name] for name in order if name in made}


def _base(ref: str) -> str:
    """The node of a reference: ``encoder:1`` (output 1 of ``encoder``) is ``encoder``."""
    base, sep, port = ref.rpartition(":")
    return base if sep and port.isdigit() else ref


def _ported(sources: list[str]) -> bool:
    return any(_base(s) != s for s in sources)


def _layer_name(layer: Mapping[str, Any]) -> str:
    config = layer.get("config")
    name = layer.get("name") or (config.get("name") if isinstance(config, Mapping) else None)
    return str(name or "layer")


def _call_names(layers: list[Mapping[str, Any]], names: list[str]) -> dict[str, list[str]]:
    """Node names of every call: the layer's name, then ``<layer>_<k>`` for call ``k >= 1``."""
    taken = set(names)
    out: dict[str, list[str]] = {}
    for layer, name in zip(layers, names, strict=True):
        calls = layer.get("inbound_nodes") or []
        out[name] = [name]
        for k in range(1, len(calls)):
            candidate, extra = f"{name}_{k}", 2
            while candidate in taken:
                candidate, extra = f"{name}_{k}_{extra}", extra + 1
            taken.add(candidate)
            out[name].append(candidate)
    return out


def _call_refs(state: _Import, name: str, cls: str, call: Any) -> list[list[Any]]:
    """The ``[layer, node_index, tensor_index]`` of each input tensor of one call, in order."""
    if isinstance(call, list):  # Keras 2: [[layer, node, tensor, kwargs], ...]
        return [list(item[:3]) for item in call if isinstance(item, list) and len(item) >= 3]
    if not isinstance(call, Mapping):
        state.problem(name, cls, "unreadable call in the model config")
        return []
    refs: list[list[Any]] = []
    _collect_tensors(state, name, cls, call.get("args") or [], refs)
    kwargs = dict(call.get("kwargs") or {})
    for key in _CALL_TENSOR_KWARGS:
        if key in kwargs and _is_tensor(kwargs[key]):
            _collect_tensors(state, name, cls, kwargs.pop(key), refs)
    for key, value in kwargs.items():
        if key in _IGNORED_CALL_KWARGS and value is None:
            continue
        if isinstance(value, bool) and key == "training":
            state.dropped_calls.setdefault(f"training={value}", []).append(name)
            continue
        if value is None:
            continue
        state.problem(name, cls, f"call argument `{key}={_short(value)}` has no spec form")
    return refs


def _collect_tensors(
    state: _Import, name: str, cls: str, value: Any, refs: list[list[Any]]
) -> None:
    if _is_tensor(value):
        history = value.get("config", {}).get("keras_history")
        if isinstance(history, list) and len(history) == 3:
            refs.append(history)
            return
        state.problem(name, cls, "an input tensor without history")
    elif isinstance(value, list | tuple):
        for item in value:
            _collect_tensors(state, name, cls, item, refs)
    elif isinstance(value, Mapping):
        state.problem(name, cls, "it is called with a dict of tensors")
    else:
        state.problem(name, cls, f"it is called with the constant {_short(value)}")


def _is_tensor(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("class_name") == _TENSOR


def _ref_name(
    state: _Import, call_names: dict[str, list[str]], name: str, cls: str, ref: list[Any]
) -> str | None:
    src, node_index, tensor_index = ref
    if src in state.inputs:
        return str(src)
    calls = call_names.get(str(src))
    if calls is None or not isinstance(node_index, int) or node_index >= len(calls):
        if not any(p[0] == str(src) for p in state.problems):
            state.problem(name, cls, f"its input `{src}` is not a layer of the model")
        return None
    if not isinstance(tensor_index, int) or tensor_index < 0:
        state.problem(name, cls, f"it takes output {tensor_index!r} of `{src}`")
        return None
    # `lstm:1`: output 1 of a layer that returns several tensors (return_state, ...)
    return f"{calls[node_index]}:{tensor_index}" if tensor_index else calls[node_index]


def _outputs(
    state: _Import, call_names: dict[str, list[str]], value: Any
) -> list[str] | dict[str, str]:
    def one(ref: Any) -> str:
        name = _ref_name(state, call_names, state.name, "model", list(ref))
        if name in state.inputs:
            state.problem(str(name), "InputLayer", "a model input is also a model output")
        return name or "?"

    if _is_ref(value):
        return [one(value)]
    if isinstance(value, Mapping):
        return {str(key): one(ref) for key, ref in value.items()}
    if isinstance(value, list):
        return [one(ref) for ref in value]
    state.problem(state.name, "model", "the model config has no readable `output_layers`")
    return []


def _in_model_order(inputs: dict[str, Any], value: Any) -> dict[str, Any]:
    """The inputs in the order of the model's ``input_layers`` (the order it is called with)."""
    refs = (
        [value]
        if _is_ref(value)
        else list(value.values() if isinstance(value, Mapping) else value or [])
    )
    order = [str(ref[0]) for ref in refs if _is_ref(ref) and ref[0] in inputs]
    return {name: inputs[name] for name in order + [n for n in inputs if n not in order]}


def _is_ref(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and all(isinstance(v, int) for v in value[1:])
    )


def _input_spec(state: _Import, name: str, config: Mapping[str, Any]) -> dict[str, Any]:
    shape = config.get("batch_shape") or config.get("batch_input_shape")
    if not isinstance(shape, list) or not shape:
        state.problem(name, "InputLayer", "the input has no shape")
        return {"shape": []}
    if config.get("sparse") or config.get("ragged"):
        state.problem(name, "InputLayer", "sparse and ragged inputs have no spec form")
    out: dict[str, Any] = {"shape": list(shape[1:])}
    dtype = _dtype_name(config.get("dtype"))
    if dtype and dtype != "float32":
        out["dtype"] = dtype
    return out


# -- Sequential ---------------------------------------------------------------------------------


def _read_sequential(state: _Import, body: Mapping[str, Any]) -> None:
    state.chain = True
    layers = [layer for layer in body.get("layers") or [] if isinstance(layer, Mapping)]
    if layers and layers[0].get("class_name") == "InputLayer":
        first = layers.pop(0)
        name = _layer_name(first)
        state.inputs[name] = _input_spec(state, name, first.get("config") or {})
    else:
        shape = body.get("build_input_shape")
        if not isinstance(shape, list):
            state.problem(
                state.name,
                "Sequential",
                "the model has no input shape: start it with keras.Input(shape=...) or build it",
            )
            return
        state.inputs["input"] = _input_spec(state, "input", {"batch_shape": shape})
    for layer in layers:
        name = _layer_name(layer)
        type_name = _type_of(state, name, layer)
        if type_name is not None:
            state.nodes[name] = _node_args(state, name, type_name, layer.get("config") or {})
    if state.nodes:
        state.outputs = [list(state.nodes)[-1]]
    else:
        state.problem(state.name, "Sequential", "the model has no layers")


_MODEL_READERS: Final[dict[str, Callable[[_Import, Mapping[str, Any]], None]]] = {
    "Functional": _read_functional,
    "Model": _read_functional,
    "Sequential": _read_sequential,
}


# -- layers and arguments -----------------------------------------------------------------------


def _type_of(state: _Import, name: str, layer: Mapping[str, Any]) -> str | None:
    """The spec ``type`` of a serialized layer, or ``None`` (problem recorded) when it has none."""
    cls = str(layer.get("class_name"))
    module = layer.get("module")
    custom = _registered_name(cls)
    if custom is not None:
        return custom
    where = f"{cls}, module {module}" if module else cls
    if cls in _MODEL_CLASSES:
        state.problem(name, cls, "a nested model used as a layer; rebuild it flat to import it")
    elif cls in FORBIDDEN_LAYERS:
        state.problem(name, cls, f"not allowed in a spec: {FORBIDDEN_LAYERS[cls]}")
    elif str(module).startswith("keras.src.ops"):
        state.problem(name, where, "a keras.ops operation applied to a tensor, not a layer")
    elif module not in (None, *_KERAS_LAYER_MODULES) or layer.get("registered_name"):
        state.problem(name, where, "not a class of keras.layers")
    elif cls in _allowed_layers():
        return cls
    else:
        state.problem(name, where, "not a class of keras.layers")
    return None


def _allowed_layers() -> frozenset[str]:
    return frozenset(layer_names())


def _registered_name(cls: str) -> str | None:
    found = custom_layers()
    if cls in found:
        return cls
    return next((key for key, value in found.items() if value.__name__ == cls), None)


def _signature(type_name: str) -> LayerSignature | None:
    return custom_layer_signature(type_name) or layer_signature(type_name)


def _node_args(
    state: _Import, name: str, type_name: str, config: Mapping[str, Any]
) -> dict[str, Any]:
    """``{type: ..., **arguments that differ from the layer's defaults}``."""
    return {"type": type_name, **_layer_args(state, name, type_name, config)}


def _layer_args(
    state: _Import, name: str, type_name: str, config: Mapping[str, Any]
) -> dict[str, Any]:
    sig = _signature(type_name)
    nested = NESTED_LAYER_ARGS.get(type_name, ())
    out: dict[str, Any] = {}
    for key, raw in config.items():
        handler = _KEY_HANDLERS.get(key)
        if handler is not None:
            handler(raw, out)
            continue
        if key in nested:
            value = _nested_layer(state, name, key, raw)
        elif object_kind(key) is not None:
            value = _named_object(state, name, type_name, key, raw)
        elif _is_serialized(raw):
            state.problem(name, type_name, f"argument `{key}` holds a serialized Python object")
            continue
        else:
            value = raw
        info = sig.arg(key) if sig is not None else None
        if info is None:
            if value in (None, False):  # a config-only key at its neutral value
                continue
            state.problem(name, type_name, f"config key `{key}` is not a constructor argument")
            continue
        if not info.required and _same(key, value, info.default, config):
            continue
        out[key] = _collapsed(key, value)
    fix = _POST.get(type_name)
    return fix(out) if fix is not None else out


def _drop_name(raw: Any, out: dict[str, Any]) -> None:
    """``name`` is the node's name."""


def _keep_trainable(raw: Any, out: dict[str, Any]) -> None:
    if raw is False:
        out["trainable"] = False


def _keep_dtype(raw: Any, out: dict[str, Any]) -> None:
    dtype = _dtype_name(raw)
    if dtype and dtype != "float32":
        out["dtype"] = dtype


_KEY_HANDLERS: Final[dict[str, Callable[[Any, dict[str, Any]], None]]] = {
    "name": _drop_name,
    "trainable": _keep_trainable,
    "dtype": _keep_dtype,
}


def _dtype_name(raw: Any) -> str | None:
    if isinstance(raw, Mapping):  # a serialized DTypePolicy
        inner = raw.get("config")
        return str(inner.get("name")) if isinstance(inner, Mapping) else None
    return None if raw is None else str(raw)


def _is_serialized(value: Any) -> bool:
    return isinstance(value, Mapping) and ("class_name" in value or "module" in value)


def _same(key: str, value: Any, default: Any, config: Mapping[str, Any]) -> bool:
    """Whether ``value`` (from a config) means the constructor default ``default``."""
    if value == default:
        return True
    if default is None:
        if key in _SAME_WHEN_NONE:
            return value == _SAME_WHEN_NONE[key]
        return key == "strides" and "pool_size" in config and value == config["pool_size"]
    if isinstance(value, list) and isinstance(default, int | float) and value:
        return all(v == default for v in value)
    if isinstance(value, list) and isinstance(default, list) and len(value) == len(default):
        return all(v == [d, d] for v, d in zip(value, default, strict=True))
    return False


def _collapsed(key: str, value: Any) -> Any:
    if (
        key in _COLLAPSIBLE
        and isinstance(value, list)
        and value
        and all(isinstance(v, int) and v == value[0] for v in value)
    ):
        return value[0]
    return value


def _named_object(state: _Import, name: str, type_name: str, key: str, raw: Any) -> Any:
    """A serialized initializer/regularizer/constraint/activation as a name or a mapping."""
    kind = object_kind(key) or ""
    if raw is None or isinstance(raw, str):
        return raw
    if not isinstance(raw, Mapping):
        state.problem(name, type_name, f"argument `{key}` has no spec form: {_short(raw)}")
        return None
    cls = str(raw.get("class_name"))
    inner = raw.get("config")
    module = str(raw.get("module") or f"keras.{kind}")
    if kind == "activations" and cls == "function" and isinstance(inner, str):
        cls, inner = inner, {}
    known = module.startswith("keras") and not raw.get("registered_name")
    if not known or cls not in named_objects(kind):
        state.problem(name, type_name, f"`{key}` is `{cls}` from {module}, not one of keras.{kind}")
        return None
    defaults = _OBJECT_DEFAULTS.get(cls, {})
    args = {
        k: v
        for k, v in (inner if isinstance(inner, Mapping) else {}).items()
        if v is not None and defaults.get(k, _MISSING) != v
    }
    snake = _snake(cls)
    if not args and snake in named_objects(kind) and cls not in _MAPPING_ONLY:
        return snake
    if kind == "activations" and not args:
        return cls
    return {"type": cls, **args}


_MISSING: Final = object()
_SET_BY_WRAPPER: Final = frozenset({"zero_output_for_mask"})
"""Config keys of a nested layer that its wrapper (``Bidirectional``) sets by itself."""
_MAPPING_ONLY: Final = frozenset({"Constant"})
"""Classes Keras cannot make from their bare name (``"constant"`` fails in Keras 3)."""
_CAPITAL: Final = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(name: str) -> str:
    """``GlorotUniform`` to ``glorot_uniform``, ``L1L2`` to ``l1_l2``."""
    return _CAPITAL.sub("_", name).lower()


def _nested_layer(state: _Import, name: str, key: str, raw: Any) -> Any:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        state.problem(name, key, f"nested layer `{key}` has no spec form")
        return None
    type_name = _type_of(state, f"{name}.{key}", raw)
    if type_name is None:
        return None
    config = {k: v for k, v in (raw.get("config") or {}).items() if k not in _SET_BY_WRAPPER}
    return _node_args(state, f"{name}.{key}", type_name, config)


def _bidirectional(args: dict[str, Any]) -> dict[str, Any]:
    """Drop ``backward_layer`` when it is the copy Keras makes of ``layer`` by itself."""
    forward, backward = args.get("layer"), args.get("backward_layer")
    if isinstance(forward, dict) and isinstance(backward, dict):
        flipped = dict(forward)
        if flipped.pop("go_backwards", False) is False:
            flipped["go_backwards"] = True
        if flipped == backward:
            args = {k: v for k, v in args.items() if k != "backward_layer"}
    return args


_POST: Final[dict[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "Bidirectional": _bidirectional,
}


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


# -- edges --------------------------------------------------------------------------------------


def _wire(order: list[str], sources: Mapping[str, list[str]]) -> tuple[list[str], list[str]]:
    """Edges as maximal chains that reproduce every node's input order, and the nodes that need
    ``inputs:`` instead (those taking the same tensor twice).

    A chain follows an edge into a node only when it is that node's next input in order, so the
    order in which a node's incoming edges appear in the list is its input order.
    """
    explicit = [
        n
        for n in order
        if len(set(sources.get(n, []))) != len(sources.get(n, [])) or _ported(sources.get(n, []))
    ]
    wired = {n: srcs for n, srcs in sources.items() if n not in set(explicit)}
    position = {n: i for i, n in enumerate(order)}
    successors: dict[str, list[str]] = {n: [] for n in order}
    for node in sorted(wired, key=position.__getitem__):
        for src in wired[node]:
            successors[src].append(node)
    done = {n: 0 for n in wired}
    left = sum(len(s) for s in wired.values())

    def next_from(node: str) -> str | None:
        for succ in successors[node]:
            if done[succ] < len(wired[succ]) and wired[succ][done[succ]] == node:
                return succ
        return None

    chains: list[str] = []
    while left:
        before = left
        for start in order:
            while (nxt := next_from(start)) is not None:
                chain, current = [start], start
                while nxt is not None:
                    done[nxt] += 1
                    left -= 1
                    chain.append(nxt)
                    current = nxt
                    nxt = next_from(current)
                chains.append(" -> ".join(chain))
        if left == before:  # pragma: no cover - every edge becomes ready in turn
            raise ImportModelError("internal error: could not order the edges")
    return chains, explicit
