"""Serialized initializers, regularizers, constraints and activations back to spec names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from graphspec.backends.importer._state import ImportState, short
from graphspec.base.catalog import named_objects, object_kind

__all__ = ["OBJECT_DEFAULTS", "named_object"]

OBJECT_DEFAULTS: Final[dict[str, dict[str, Any]]] = {
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

_MISSING: Final = object()
_MAPPING_ONLY: Final = frozenset({"Constant"})
"""Classes Keras cannot make from their bare name (``"constant"`` fails in Keras 3)."""
_MAX_ARRAY: Final = 4096
"""The most numbers an initializer's array argument may hold to be written into a spec."""
_CAPITAL: Final = re.compile(r"(?<!^)(?=[A-Z])")


def named_object(
    state: ImportState, name: str, type_name: str, key: str, raw: Any, kind: str | None = None
) -> Any:
    """A serialized initializer/regularizer/constraint/activation as a name or a mapping;
    ``kind`` (``initializers``, …) when the argument's name does not say it."""
    kind = kind or object_kind(key) or ""
    if raw is None or isinstance(raw, str):
        return raw
    if not isinstance(raw, Mapping):
        state.problem(name, type_name, f"argument `{key}` has no spec form: {short(raw)}")
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
    defaults = OBJECT_DEFAULTS.get(cls, {})
    args = {
        k: v
        for k, v in (inner if isinstance(inner, Mapping) else {}).items()
        if v is not None and defaults.get(k, _MISSING) != v
    }
    for arg, value in list(args.items()):
        if isinstance(value, Mapping) and value.get("class_name") == "__numpy__":
            array = _array(value.get("config"))  # Constant(np.eye(3).flatten()): the numbers
            if array is None:
                state.problem(
                    name,
                    type_name,
                    f"`{key}` is `{cls}` with an array of more than {_MAX_ARRAY} numbers or "
                    "not numbers; a spec holds architecture, not data",
                )
                return None
            args[arg] = array
    snake = _snake(cls)
    if not args and snake in named_objects(kind) and cls not in _MAPPING_ONLY:
        return snake
    if kind == "activations" and not args:
        return cls
    return {"type": cls, **args}


def _array(config: Any) -> Any:
    """The plain (nested) list of numbers of a serialized NumPy array, or ``None``."""
    value = config.get("value") if isinstance(config, Mapping) else None
    flat: list[Any] = []
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            todo.extend(item)
        else:
            flat.append(item)
        if len(flat) > _MAX_ARRAY:
            return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in flat):
        return None
    return value


def _snake(name: str) -> str:
    """``GlorotUniform`` to ``glorot_uniform``, ``L1L2`` to ``l1_l2``.

    >>> _snake("GlorotUniform"), _snake("L1L2")
    ('glorot_uniform', 'l1_l2')
    """
    return _CAPITAL.sub("_", name).lower()
