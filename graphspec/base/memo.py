"""Hashable keys for plain spec values, so that checks which are pure functions of them run once.

A spec repeats itself: ResNet-50 has 176 layers but 19 distinct arguments and 47 distinct
(layer, arguments, input shapes) triples. The checks and shape rules memoised with these keys
run once per distinct value within one check, never across checks.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Final

__all__ = ["freeze"]


def freeze(value: Any) -> Hashable:
    """A key equal for two values exactly when they are the same value of the same types.

    ``True``, ``1`` and ``1.0`` are equal in Python but not to a spec check, so every scalar
    carries its type; floats compare by their text (``-0.0`` is not ``0.0``); lists and
    mappings keep their order; any other object, and a list or mapping of more than 64 items,
    is equal only to nothing (it is never shared).

    >>> freeze(1) == freeze(True), freeze(1.0) == freeze(1), freeze(-0.0) == freeze(0.0)
    (False, False, False)
    >>> freeze({"kernel_size": [3, 3], "padding": "same"}) == freeze(
    ...     {"kernel_size": [3, 3], "padding": "same"})
    True
    """
    kind = type(value)
    if kind is dict and len(value) <= _MAX_ITEMS:
        return (
            dict,
            tuple([(k, type(v), v if type(v) in _EXACT else freeze(v)) for k, v in value.items()]),
        )
    if (kind is list or kind is tuple) and len(value) <= _MAX_ITEMS:
        return (kind, tuple([(type(v), v if type(v) in _EXACT else freeze(v)) for v in value]))
    if kind is float:
        return repr(value)
    if kind in _EXACT:
        return (kind, value)
    return object()  # anything else is equal to nothing: never shared


_EXACT: Final = frozenset({str, int, bool, type(None)})
"""Types whose values are equal exactly when they are the same value."""
_MAX_ITEMS: Final = 64
"""Longer lists and mappings (a vocabulary, say) are never shared: making their key would cost
about as much as checking them."""
