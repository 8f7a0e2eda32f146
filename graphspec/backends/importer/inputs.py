"""Serialized ``InputLayer`` configs to spec inputs (shape without the batch dimension, dtype)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec.backends.importer._state import ImportState
from graphspec.backends.importer.arguments import dtype_name

__all__ = ["input_spec"]


def input_spec(state: ImportState, name: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """``{shape: [...], dtype: ...}`` of an input layer's config (dtype only when not float32)."""
    shape = config.get("batch_shape") or config.get("batch_input_shape")
    if not isinstance(shape, list) or not shape:
        state.problem(name, "InputLayer", "the input has no shape")
        return {"shape": []}
    if config.get("sparse") or config.get("ragged"):
        state.problem(name, "InputLayer", "sparse and ragged inputs have no spec form")
    out: dict[str, Any] = {"shape": list(shape[1:])}
    dtype = dtype_name(config.get("dtype"))
    if dtype and dtype != "float32":
        out["dtype"] = dtype
    return out
