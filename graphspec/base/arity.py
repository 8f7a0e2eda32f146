"""How many inputs each layer type takes (merge layers two or more, most layers exactly one)."""

from __future__ import annotations

from typing import Final

from graphspec.base.custom_layers import user_layer

__all__ = ["ARITY", "arity", "describe_arity"]

_MANY: Final = 1_000_000

ARITY: Final[dict[str, tuple[int, int]]] = {
    "Add": (2, _MANY),
    "Multiply": (2, _MANY),
    "Average": (2, _MANY),
    "Maximum": (2, _MANY),
    "Minimum": (2, _MANY),
    "Concatenate": (2, _MANY),
    "Subtract": (2, 2),
    "Dot": (2, 2),
    "MultiHeadAttention": (2, 3),
    "GroupQueryAttention": (2, 3),
    "Attention": (2, 3),
    "AdditiveAttention": (2, 3),
    "HashedCrossing": (2, 2),
    "CustomScaleLayer": (2, 2),
    "CachedMultiHeadAttention": (2, 3),
    "TransformerDecoder": (1, 2),
}
"""(min, max) number of inputs by layer type; types not listed take exactly one."""


def arity(type_name: str) -> tuple[int, int]:
    """The (min, max) number of inputs of a layer type; a user's own layer takes one or more
    (several are passed as one list, as Keras's merge layers take them).

    >>> arity("Add"), arity("Dense")
    ((2, 1000000), (1, 1))
    """
    if type_name not in ARITY and user_layer(type_name) is not None:
        return (1, _MANY)
    return ARITY.get(type_name, (1, 1))


def describe_arity(type_name: str) -> str:
    """Words for :func:`arity`.

    >>> describe_arity("Add"), describe_arity("Subtract"), describe_arity("Dense")
    ('at least 2 inputs', 'exactly 2 inputs', 'exactly 1 input')
    """
    low, high = arity(type_name)
    if low == high:
        return f"exactly {low} input{'s' if low != 1 else ''}"
    if high >= _MANY:
        return f"at least {low} inputs"
    return f"{low} to {high} inputs"
