"""The calls recorded in a functional config: which tensors each call of a layer takes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.backends.importer._state import TENSOR, ImportState, short
from graphspec.base.catalog import is_call_tensor_arg

__all__ = ["CallRead", "call_names", "call_refs", "is_ref", "layer_name", "read_call", "ref_name"]

_CALL_TENSOR_KWARGS: Final = ("value", "key")
"""Call keywords holding extra input tensors (``MultiHeadAttention(query, value, key=...)``)."""


def layer_name(layer: Mapping[str, Any]) -> str:
    """The name of a serialized layer (its top-level ``name``, else its config's)."""
    config = layer.get("config")
    name = layer.get("name") or (config.get("name") if isinstance(config, Mapping) else None)
    return str(name or "layer")


def call_names(layers: list[Mapping[str, Any]], names: list[str]) -> dict[str, list[str]]:
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


@dataclass
class CallRead:
    """One call: its input tensors' refs, and its call arguments (tensor ones as refs too)."""

    refs: list[list[Any]] = field(default_factory=list)
    call: dict[str, Any] = field(default_factory=dict)
    """Call argument -> a constant, or a list of refs (``listed``: written as a list)."""
    listed: dict[str, bool] = field(default_factory=dict)


def call_refs(state: ImportState, name: str, cls: str, call: Any) -> list[list[Any]]:
    """The ``[layer, node_index, tensor_index]`` of each input tensor of one call, in order."""
    return read_call(state, name, cls, call).refs


def read_call(state: ImportState, name: str, cls: str, call: Any) -> CallRead:
    """A call's input tensors and its call arguments (format 1.1 ``call:``)."""
    if isinstance(call, list):  # Keras 2: [[layer, node, tensor, kwargs], ...]
        refs = [list(item[:3]) for item in call if isinstance(item, list) and len(item) >= 3]
        return CallRead(refs)
    if not isinstance(call, Mapping):
        state.problem(name, cls, "unreadable call in the model config")
        return CallRead()
    read = CallRead()
    _collect_tensors(state, name, cls, call.get("args") or [], read.refs)
    kwargs = dict(call.get("kwargs") or {})
    for key in _CALL_TENSOR_KWARGS:
        if key in kwargs and _is_tensor(kwargs[key]):
            _collect_tensors(state, name, cls, kwargs.pop(key), read.refs)
    for key, value in kwargs.items():
        if value is None:
            continue
        if is_call_tensor_arg(key):
            tensors: list[list[Any]] = []
            _collect_tensors(state, name, cls, value, tensors)
            read.call[key] = tensors
            read.listed[key] = isinstance(value, list | tuple)
        elif isinstance(value, bool | int | float | str):
            read.call[key] = value
        else:
            state.problem(name, cls, f"call argument `{key}={short(value)}` has no spec form")
    return read


def _collect_tensors(
    state: ImportState, name: str, cls: str, value: Any, refs: list[list[Any]]
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
        state.problem(name, cls, f"it is called with the constant {short(value)}")


def _is_tensor(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("class_name") == TENSOR


def ref_name(
    state: ImportState, names: dict[str, list[str]], name: str, cls: str, ref: list[Any]
) -> str | None:
    """The spec reference (``node`` or ``node:N``) of a ``[layer, node_index, tensor_index]``."""
    src, node_index, tensor_index = ref
    if src in state.inputs:
        return str(src)
    calls = names.get(str(src))
    if calls is None or not isinstance(node_index, int) or node_index >= len(calls):
        if not any(p[0] == str(src) for p in state.problems):
            state.problem(name, cls, f"its input `{src}` is not a layer of the model")
        return None
    if not isinstance(tensor_index, int) or tensor_index < 0:
        state.problem(name, cls, f"it takes output {tensor_index!r} of `{src}`")
        return None
    # `lstm:1`: output 1 of a layer that returns several tensors (return_state, ...)
    return f"{calls[node_index]}:{tensor_index}" if tensor_index else calls[node_index]


def is_ref(value: Any) -> bool:
    """Whether ``value`` is a ``[layer_name, node_index, tensor_index]`` triple."""
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and all(isinstance(v, int) for v in value[1:])
    )
