"""Serialized layers to spec nodes: the spec ``type`` of a layer, and its non-default arguments."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from graphspec.backends.importer._state import LAMBDA_REASON, ImportState
from graphspec.backends.importer.objects import named_object
from graphspec.backends.importer.vocabularies import CONFIG_ONLY, LOOKUPS, lookup_args
from graphspec.base.catalog import (
    FORBIDDEN_LAYERS,
    NESTED_LAYER_ARGS,
    LayerSignature,
    auto_name,
    layer_module,
    layer_names,
    layer_signature,
    object_class,
    object_kind,
    saved_names,
)
from graphspec.base.custom_layers import (
    custom_layer_signature,
    custom_layers,
    takes_name,
    user_layer,
)

__all__ = ["MODEL_CLASSES", "dtype_name", "lambda_reason", "node_args", "type_of"]

MODEL_CLASSES: Final = frozenset({"Functional", "Model", "Sequential"})
_KERAS_LAYER_MODULES: Final = frozenset({"keras.layers", "keras"})

_SAME_WHEN_NONE: Final[dict[str, Any]] = {"activation": "linear", "data_format": "channels_last"}
"""Config values Keras writes for an argument whose constructor default is ``None``."""

_COLLAPSIBLE: Final = frozenset({"kernel_size", "strides", "pool_size", "dilation_rate", "size"})
"""Tuple arguments written as one number when every entry is equal (``kernel_size: 3``)."""

_BUILD_STATE: Final[dict[str, tuple[str, ...]]] = {
    "TransformerDecoder": ("decoder_sequence_shape", "encoder_sequence_shape"),
}
"""Config keys that record the input shapes a layer was built for (KerasHub's decoder), not
constructor arguments: the spec's edges give them again."""

_SET_BY_WRAPPER: Final = frozenset({"zero_output_for_mask"})
"""Config keys of a nested layer that its wrapper (``Bidirectional``) sets by itself."""


def type_of(state: ImportState, name: str, layer: Mapping[str, Any]) -> str | None:
    """The spec ``type`` of a serialized layer, or ``None`` (problem recorded) when it has none."""
    cls = str(layer.get("class_name"))
    module = layer.get("module")
    custom = _registered_name(cls)
    if custom is not None:
        return custom
    where = f"{cls}, module {module}" if module else cls
    home = layer_module(cls)
    if home is not None and module in (None, home):
        return cls  # a layer Keras ships with its applications (the catalog says where it lives)
    saved_module, registered = saved_names(cls)
    if saved_module is not None and (module, layer.get("registered_name")) == (
        saved_module,
        registered,
    ):
        return cls  # KerasHub's (the catalog records what a saved file says of it)
    if cls in MODEL_CLASSES:
        state.problem(name, cls, "a nested model inside a layer argument has no spec form")
    elif cls == "Lambda":
        state.problem(name, cls, lambda_reason(name, layer))
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


def lambda_reason(name: str, layer: Mapping[str, Any]) -> str:
    """Why a ``Lambda`` cannot be imported, and how to write it: an expression node over its
    input (a Lambda's Python code is never read, so the example is only a pattern).

    >>> print(lambda_reason("swap", {"inbound_nodes": [{"args": [{"config": {"keras_history":
    ...     ["frames", 0, 0]}}]}]}))
    a Lambda runs Python code, which graphspec never reads: write what it computes as an expression node (`graphspec: 1.1`), e.g. `swap: {expr: "transpose(frames, [0, 2, 3, 1])"}` or `swap: {expr: "concatenate([sin(frames * 2.0), cos(frames * 2.0)], axis=-1)"}` (the functions: docs/spec-format.md, Tensor expressions)
    """
    source = _first_input(layer) or "x"
    return (
        f"{LAMBDA_REASON}: write what it computes as an expression node (`graphspec: 1.1`), "
        f'e.g. `{name}: {{expr: "transpose({source}, [0, 2, 3, 1])"}}` or `{name}: {{expr: '
        f'"concatenate([sin({source} * 2.0), cos({source} * 2.0)], axis=-1)"}}` '
        "(the functions: docs/spec-format.md, Tensor expressions)"
    )


def _first_input(layer: Mapping[str, Any]) -> str | None:
    """The name of the layer feeding a serialized layer's first call, when it can be read."""
    calls = layer.get("inbound_nodes")
    if not isinstance(calls, list) or not calls or not isinstance(calls[0], Mapping):
        return None
    args = calls[0].get("args")
    first = args[0] if isinstance(args, list) and args else None
    config = first.get("config") if isinstance(first, Mapping) else None
    history = config.get("keras_history") if isinstance(config, Mapping) else None
    if isinstance(history, list) and history and isinstance(history[0], str):
        return history[0] if history[0].isidentifier() else f"`{history[0]}`"
    return None


def _allowed_layers() -> frozenset[str]:
    return frozenset(layer_names())


def _user_layer_problems(
    state: ImportState, name: str, type_name: str, config: Mapping[str, Any]
) -> None:
    """What a class of the user's own must change before its layers can be written in a spec."""
    entry = user_layer(type_name)
    sig = custom_layer_signature(type_name)
    if entry is None or sig is None:
        return
    if not takes_name(type_name):
        state.problem(
            name,
            type_name,
            f"{entry.qualname}.__init__ takes no `name` (graphspec names every layer): add "
            "`**kwargs` and pass them on with `super().__init__(**kwargs)`",
        )
    for arg in sig.required:
        if arg not in config:
            state.problem(
                name,
                type_name,
                f"its config has no `{arg}`, a required argument of {entry.qualname}.__init__: "
                f"return it from get_config() (`{{**super().get_config(), {arg!r}: ...}}`)",
            )


def _registered_name(cls: str) -> str | None:
    found = custom_layers()
    if cls in found:
        return cls
    return next((key for key, value in found.items() if value.__name__ == cls), None)


def _signature(type_name: str) -> LayerSignature | None:
    return custom_layer_signature(type_name) or layer_signature(type_name)


def node_args(
    state: ImportState,
    name: str,
    type_name: str,
    config: Mapping[str, Any],
    build: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``{type: ..., **arguments that differ from the layer's defaults}``.

    ``build`` is the layer's ``build_config`` (the input shapes it was built for): some values
    Keras writes are defaults resolved at build time (MultiHeadAttention's ``attention_axes``).
    """
    return {"type": type_name, **_layer_args(state, name, type_name, config, build or {})}


def _layer_args(
    state: ImportState,
    name: str,
    type_name: str,
    config: Mapping[str, Any],
    build: Mapping[str, Any],
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
            value = _nested_layer(state, name, type_name, key, raw)
        elif object_kind(key) is not None:
            value = named_object(state, name, type_name, key, raw)
        elif _is_serialized(raw):
            state.problem(name, type_name, f"argument `{key}` holds a serialized Python object")
            continue
        else:
            value = raw
        info = sig.arg(key) if sig is not None else None
        if info is None and type_name in LOOKUPS and key in CONFIG_ONLY:
            continue  # checked with the vocabulary by lookup_args
        if info is None and key in _BUILD_STATE.get(type_name, ()):
            continue
        if info is None:
            if value in (None, False):  # a config-only key at its neutral value
                continue
            state.problem(name, type_name, f"config key `{key}` is not a constructor argument")
            continue
        if not info.required and _same(key, value, info.default, config):
            continue
        out[key] = _collapsed(key, value)
    if type_name in LOOKUPS:
        lookup_args(state, name, type_name, config, out)
    if user_layer(type_name) is not None:
        _user_layer_problems(state, name, type_name, config)
    fix = _POST.get(type_name)
    return fix(out, config, build) if fix is not None else out


def _drop_name(raw: Any, out: dict[str, Any]) -> None:
    """``name`` is the node's name."""


def _keep_trainable(raw: Any, out: dict[str, Any]) -> None:
    if raw is False:
        out["trainable"] = False


def _keep_dtype(raw: Any, out: dict[str, Any]) -> None:
    dtype = dtype_name(raw)
    if dtype and dtype != "float32":
        out["dtype"] = dtype


_KEY_HANDLERS: Final[dict[str, Callable[[Any, dict[str, Any]], None]]] = {
    "name": _drop_name,
    "trainable": _keep_trainable,
    "dtype": _keep_dtype,
}


def dtype_name(raw: Any) -> str | None:
    """A dtype from a config: a name, or the name inside a serialized ``DTypePolicy``."""
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
    kind = object_kind(key)
    if kind not in (None, "activations") and isinstance(value, str) and isinstance(default, str):
        # two names of one object: ``random_uniform`` is Embedding's default ``uniform``
        found = object_class(kind, value)
        return found is not None and found == object_class(kind, default)
    if default is None:
        if key in _SAME_WHEN_NONE:
            return bool(value == _SAME_WHEN_NONE[key])
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


def _nested_layer(state: ImportState, name: str, owner: str, key: str, raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(raw, list):  # StackedRNNCells: a list of cells
        return [_nested_layer(state, name, owner, key, item) for item in raw]
    if not isinstance(raw, Mapping):
        state.problem(name, key, f"nested layer `{key}` has no spec form")
        return None
    type_name = type_of(state, f"{name}.{key}", raw)
    if type_name is None:
        return None
    config = {k: v for k, v in (raw.get("config") or {}).items() if k not in _SET_BY_WRAPPER}
    args = node_args(state, f"{name}.{key}", type_name, config)
    inner = _nested_name(owner, key, config.get("name"))
    if isinstance(inner, str) and inner != auto_name(type_name):
        return {"type": type_name, "name": inner, **args}  # kept: the compiler names it so
    return args


_WRAPPER_PREFIXES: Final = {
    ("Bidirectional", "layer"): "forward_",
    ("Bidirectional", "backward_layer"): "backward_",
}
"""Prefixes a wrapper adds to its nested layer's name (Keras's ``Bidirectional``)."""


def _nested_name(owner: str, key: str, name: Any) -> Any:
    """The name to give a nested layer so that its wrapper names it ``name`` again."""
    prefix = _WRAPPER_PREFIXES.get((owner, key))
    if prefix and isinstance(name, str) and name.startswith(prefix):
        return name[len(prefix) :]
    return name


def _multi_head_attention(
    args: dict[str, Any], config: Mapping[str, Any], build: Mapping[str, Any]
) -> dict[str, Any]:
    """Drop what Keras resolved from ``None``: ``value_dim`` (= ``key_dim``) and the
    ``attention_axes`` of its build (every axis between the batch and the features)."""
    if args.get("value_dim") is not None and args.get("value_dim") == config.get("key_dim"):
        args = {k: v for k, v in args.items() if k != "value_dim"}
    shapes = build.get("shapes_dict") if isinstance(build.get("shapes_dict"), Mapping) else {}
    query = (shapes or {}).get("query_shape")
    axes = args.get("attention_axes")
    if (
        isinstance(query, list)
        and axes is not None
        and list(axes) == list(range(1, len(query) - 1))
    ):
        args = {k: v for k, v in args.items() if k != "attention_axes"}
    return args


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


_POST: Final[
    dict[str, Callable[[dict[str, Any], Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]]
] = {
    "Bidirectional": lambda args, _config, _build: _bidirectional(args),
    "MultiHeadAttention": _multi_head_attention,
}
