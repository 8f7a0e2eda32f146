"""Import of learned tensors: graphspec's ``LearnedTensor`` layer read back as a ``weight:`` node.

The layer's input only joined it to the model's graph, so the node has no input; a model saved
from ``codegen`` output holds the same class under the same registered name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from graphspec.backends.importer._state import ImportState
from graphspec.backends.importer.arguments import dtype_name
from graphspec.backends.importer.objects import named_object
from graphspec.backends.importer.readers import ReadCall, WalkContext, layer_kind
from graphspec.plugins.weight import KERAS_CLASS, OBJECT_KINDS
from graphspec.plugins.weight.settings import REGISTERED

__all__ = ["read_weight"]

_DEFAULTS: Final = {"initializer": "glorot_uniform", "regularizer": None, "constraint": None}


def _is_weight(layer: Mapping[str, Any]) -> bool:
    return layer.get("registered_name") == REGISTERED


@layer_kind("weight", _is_weight)
def read_weight(
    state: ImportState, ctx: WalkContext, name: str, layer: Mapping[str, Any]
) -> list[ReadCall]:
    """A ``weight:`` node from the layer's config (its one call's input is not an input)."""
    config = layer.get("config") or {}
    calls = layer.get("inbound_nodes") or []
    if len(calls) != 1:
        state.problem(
            name,
            KERAS_CLASS,
            f"a learned tensor called {len(calls)} times; a spec uses its node by name instead",
        )
        return []
    shape = config.get("shape")
    if not isinstance(shape, list) or not all(isinstance(d, int) for d in shape):
        state.problem(name, KERAS_CLASS, f"`shape` is not a list of sizes: {shape!r}")
        return []
    settings: dict[str, Any] = {"shape": shape}
    for key, kind in OBJECT_KINDS.items():
        value = named_object(state, name, KERAS_CLASS, key, config.get(key), kind)
        if value != _DEFAULTS[key]:
            settings[key] = value
    if config.get("batched") is True:
        settings["batched"] = True
    if config.get("trainable") is False:
        settings["trainable"] = False
    dtype = dtype_name(config.get("dtype"))
    if dtype not in (None, "float32"):
        settings["dtype"] = dtype
    return [ReadCall({"weight": settings}, [])]
