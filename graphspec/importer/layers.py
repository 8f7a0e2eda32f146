"""The fallback import kind: a ``keras.layers`` object, called once or more (later calls share it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec.importer._state import ImportState
from graphspec.importer.arguments import node_args, type_of
from graphspec.importer.calls import call_refs, ref_name
from graphspec.importer.kinds import LAYER_KIND, ReadCall, WalkContext, layer_kind

__all__ = ["read_layer"]


@layer_kind(LAYER_KIND)
def read_layer(
    state: ImportState, ctx: WalkContext, name: str, layer: Mapping[str, Any]
) -> list[ReadCall]:
    """The layer's node (type and arguments) for its first call, ``share`` nodes for the rest."""
    cls = str(layer.get("class_name"))
    type_name = type_of(state, name, layer)
    if type_name is None:
        return []
    node = node_args(state, name, type_name, layer.get("config") or {})
    calls = layer.get("inbound_nodes") or []
    if not calls:
        state.problem(name, cls, "the layer is never called in the model")
    read: list[ReadCall] = []
    for k, call in enumerate(calls):
        refs = call_refs(state, name, cls, call)
        srcs = [ref_name(state, ctx.call_names, name, cls, ref) for ref in refs]
        read.append(ReadCall(node if k == 0 else {"share": name}, srcs))
    return read
