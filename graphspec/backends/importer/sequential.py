"""Import of ``keras.Sequential`` models: one input, then the layers in order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec.backends.importer._state import ImportState
from graphspec.backends.importer.arguments import node_args, type_of
from graphspec.backends.importer.calls import layer_name
from graphspec.backends.importer.inputs import input_spec
from graphspec.backends.importer.models import model_reader

__all__ = ["read_sequential"]


@model_reader("Sequential")
def read_sequential(state: ImportState, body: Mapping[str, Any]) -> None:
    """Read a Sequential model's input and layers (a chain) into ``state``."""
    state.chain = True
    layers = [layer for layer in body.get("layers") or [] if isinstance(layer, Mapping)]
    if layers and layers[0].get("class_name") == "InputLayer":
        first = layers.pop(0)
        name = layer_name(first)
        state.inputs[name] = input_spec(state, name, first.get("config") or {})
    else:
        shape = body.get("build_input_shape")
        if not isinstance(shape, list):
            state.problem(
                state.name,
                "Sequential",
                "the model has no input shape: start it with keras.Input(shape=...) or build it",
            )
            return
        state.inputs["input"] = input_spec(state, "input", {"batch_shape": shape})
    for layer in layers:
        name = layer_name(layer)
        type_name = type_of(state, name, layer)
        if type_name is not None:
            state.nodes[name] = node_args(
                state, name, type_name, layer.get("config") or {}, layer.get("build_config")
            )
    if state.nodes:
        state.outputs = [list(state.nodes)[-1]]
    else:
        state.problem(state.name, "Sequential", "the model has no layers")
