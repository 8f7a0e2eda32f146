"""Import of nested models (format 1.1): a keras.applications model by name, else an inline graph.

A model used as a layer (a backbone, a Siamese tower, ConvNeXt's ``Sequential`` stems) becomes a
``model:`` node. The nested model is imported recursively; when that is exactly a ``keras.applications``
architecture (compared with the shipped spec of the application, see
:mod:`~graphspec.backends.importer.known_models`), the node names the application and its
arguments instead of holding the graph inline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec.backends.importer._state import ImportState
from graphspec.backends.importer.arguments import MODEL_CLASSES
from graphspec.backends.importer.known_models import match_application
from graphspec.backends.importer.layers import read_calls
from graphspec.backends.importer.readers import ReadCall, WalkContext, layer_kind

__all__ = ["read_nested"]

_MAX_NESTING = 16


def _is_model(layer: Mapping[str, Any]) -> bool:
    return layer.get("class_name") in MODEL_CLASSES and isinstance(layer.get("config"), Mapping)


@layer_kind("model", _is_model)
def read_nested(
    state: ImportState, ctx: WalkContext, name: str, layer: Mapping[str, Any]
) -> list[ReadCall]:
    """The nested model's node for its first call, ``share`` nodes for the others."""
    node = nested_node(state, name, layer)
    if node is None:
        return []
    return read_calls(state, ctx, name, layer, node)


def nested_node(state: ImportState, name: str, layer: Mapping[str, Any]) -> dict[str, Any] | None:
    """``{model: ..., trainable: false?}`` for a serialized nested model, or ``None`` (problem)."""
    from graphspec.backends.importer.assemble import spec_data
    from graphspec.backends.importer.models import reader_of

    cls = str(layer.get("class_name"))
    body = layer.get("config") or {}
    frozen = body.get("trainable") is False
    if state.depth >= _MAX_NESTING:
        state.problem(name, cls, f"models nest deeper than {_MAX_NESTING} levels")
        return None
    inner = ImportState(str(body.get("name") or name), depth=state.depth + 1, blocks=state.blocks)
    reader = reader_of("Functional" if cls == "Model" else cls)
    assert reader is not None
    reader(inner, body)
    if inner.problems:
        state.problems += [(f"{name}/{n}", c, r) for n, c, r in inner.problems]
        return None
    data = spec_data(inner)
    data.pop("graphspec", None)
    data.pop("name", None)
    found = match_application(layer, data)
    if found is not None:
        app, args = found
        node: dict[str, Any] = {"model": f"keras.applications.{app}", **args}
    else:
        if inner.blocks:  # matched flat above; written with its repeated sub-graphs as blocks
            data = spec_data(inner, blocks=True)
            data.pop("graphspec", None)
            data.pop("name", None)
        for arg, names in inner.dropped_calls.items():
            state.dropped_calls.setdefault(arg, []).extend(f"{name}/{n}" for n in names)
        node = {"model": data}
    if frozen:
        node["trainable"] = False
    return node
