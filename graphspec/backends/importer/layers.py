"""The fallback import kind: a ``keras.layers`` object, called once or more (later calls share it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec.backends.importer._state import ImportState
from graphspec.backends.importer.arguments import node_args, type_of
from graphspec.backends.importer.calls import CallRead, read_call, ref_name
from graphspec.backends.importer.readers import LAYER_KIND, ReadCall, WalkContext, layer_kind
from graphspec.backends.importer.wiring import base
from graphspec.base.catalog import call_signature

__all__ = ["read_calls", "read_layer"]


@layer_kind(LAYER_KIND)
def read_layer(
    state: ImportState, ctx: WalkContext, name: str, layer: Mapping[str, Any]
) -> list[ReadCall]:
    """The layer's node (type and arguments) for its first call, ``share`` nodes for the rest."""
    type_name = type_of(state, name, layer)
    if type_name is None:
        return []
    node = node_args(state, name, type_name, layer.get("config") or {}, layer.get("build_config"))
    return read_calls(state, ctx, name, layer, node)


def read_calls(
    state: ImportState,
    ctx: WalkContext,
    name: str,
    layer: Mapping[str, Any],
    node: dict[str, Any],
) -> list[ReadCall]:
    """One node per call: ``node`` for the first, ``share`` for the others; call arguments kept."""
    cls = str(layer.get("class_name"))
    calls = layer.get("inbound_nodes") or []
    if not calls:
        state.problem(name, cls, "the layer is never called in the model")
    read: list[ReadCall] = []
    for k, call in enumerate(calls):
        found = read_call(state, name, cls, call)
        srcs = [ref_name(state, ctx.call_names, name, cls, ref) for ref in found.refs]
        body: dict[str, Any] = dict(node) if k == 0 else {"share": name}
        arguments, after = _call_arguments(state, ctx, name, cls, found)
        arguments = _without_defaults(body.get("type") or node.get("type"), arguments)
        if arguments:
            body["call"] = arguments
        read.append(ReadCall(body, srcs, after))
    return read


def _without_defaults(type_name: Any, arguments: dict[str, Any]) -> dict[str, Any]:
    """Call constants Keras records at their defaults (``training=False`` of an RNN) left out."""
    sig = call_signature(type_name) if isinstance(type_name, str) else None
    if sig is None:
        return arguments
    out = {}
    for key, value in arguments.items():
        info = sig.args.get(key)
        default = info.default if info is not None else object()
        if not isinstance(value, list | str) and type(value) is type(default) and value == default:
            continue
        out[key] = value
    return out


def _call_arguments(
    state: ImportState, ctx: WalkContext, name: str, cls: str, found: CallRead
) -> tuple[dict[str, Any], list[str]]:
    out: dict[str, Any] = {}
    after: list[str] = []
    for key, value in found.call.items():
        if not isinstance(value, list):
            out[key] = value
            continue
        refs = [ref_name(state, ctx.call_names, name, cls, ref) for ref in value]
        names = [r for r in refs if r is not None]
        after += [base(r) for r in names]
        out[key] = names if found.listed.get(key) else (names[0] if names else None)
    return out, after
