"""Spec values as plain JSON data: containers kept, tuples as lists, anything else as its repr."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["jsonable"]

_PLAIN: Final = frozenset({int, str, bool, type(None)})


def jsonable(value: Any) -> Any:
    """A spec value as JSON data (what ``json.dumps`` takes with ``allow_nan=False``).

    >>> jsonable((1, None, {"a": float("inf"), 2: [0.5]}))
    [1, None, {'a': 'inf', '2': [0.5]}]
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list and all(type(v) in _PLAIN for v in value):  # a shape: no copy needed
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return repr(value)
