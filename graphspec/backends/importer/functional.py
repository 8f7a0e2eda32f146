"""Import of functional models: walk the layers and their calls into nodes in dependency order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx

from graphspec.backends.importer._state import ImportState
from graphspec.backends.importer.calls import call_names, is_ref, layer_name, ref_name
from graphspec.backends.importer.inputs import input_spec
from graphspec.backends.importer.models import model_reader
from graphspec.backends.importer.readers import WalkContext, finish_kinds, kind_reader
from graphspec.backends.importer.wiring import base

__all__ = ["read_functional"]


@model_reader("Functional", "Model")
def read_functional(state: ImportState, body: Mapping[str, Any]) -> None:
    """Read a functional model's inputs, nodes (one per layer call) and outputs into ``state``."""
    layers = [layer for layer in body.get("layers") or [] if isinstance(layer, Mapping)]
    names = [layer_name(layer) for layer in layers]
    ctx = WalkContext(call_names(layers, names))
    graph: nx.DiGraph[str] = nx.DiGraph()
    rank: dict[str, tuple[int, int]] = {}
    made: dict[str, dict[str, Any]] = {}
    for index, (layer, name) in enumerate(zip(layers, names, strict=True)):
        if layer.get("class_name") == "InputLayer":
            state.inputs[name] = input_spec(state, name, layer.get("config") or {})
            rank[name] = (index, 0)
            graph.add_node(name)
            continue
        for k, call in enumerate(kind_reader(layer)(state, ctx, name, layer)):
            node_name = ctx.call_names[name][k]
            srcs = [s for s in call.sources if s is not None]
            made[node_name] = call.node
            state.sources[node_name] = srcs
            rank[node_name] = (index, k)
            graph.add_node(node_name)
            graph.add_edges_from((base(s), node_name) for s in [*srcs, *call.after])
    state.inputs = _in_model_order(state.inputs, body.get("input_layers"))
    functional = {n for layer, n in zip(layers, names, strict=True) if _is_functional(layer)}
    state.outputs = _outputs(state, ctx.call_names, body.get("output_layers"), functional)
    if state.problems:
        return
    order = list(nx.lexicographical_topological_sort(graph, key=rank.__getitem__))
    state.nodes = {name: made[name] for name in order if name in made}
    finish_kinds(state)


def _is_functional(layer: Mapping[str, Any]) -> bool:
    return layer.get("class_name") in ("Functional", "Model")


def _outputs(
    state: ImportState, names: dict[str, list[str]], value: Any, functional: set[str]
) -> list[str] | dict[str, str]:
    def one(ref: Any) -> str:
        ref = list(ref)
        if is_ref(ref) and ref[0] in functional and ref[1] > 0:
            ref[1] -= 1  # Keras counts a nested functional model's own first node here
        name = ref_name(state, names, state.name, "model", ref)
        return name or "?"  # a model input may be an output too

    if is_ref(value):
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
        if is_ref(value)
        else list(value.values() if isinstance(value, Mapping) else value or [])
    )
    order = [str(ref[0]) for ref in refs if is_ref(ref) and ref[0] in inputs]
    return {name: inputs[name] for name in order + [n for n in inputs if n not in order]}
