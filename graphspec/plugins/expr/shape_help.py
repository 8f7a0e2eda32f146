"""Shape helpers of the expression rules: NumPy broadcasting and axes, as Keras computes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphspec.base.shape_types import Mismatch, Shape, format_shape
from graphspec.base.shape_types import broadcast as broadcast_shapes
from graphspec.plugins.expr.table import OpFault

__all__ = ["axes_of", "axis_of", "broadcast", "show"]


def show(shape: Shape) -> str:
    """A shape as Keras prints it; ``()`` for a scalar.

    >>> show((None, 8)), show(())
    ('(None, 8)', '()')
    """
    return format_shape(shape) if shape else "()"


def broadcast(shapes: Sequence[Shape], what: str) -> Shape:
    """The NumPy broadcast of ``shapes`` (Keras's rule: ``None`` meets ``n`` gives ``n``).

    >>> broadcast([(None, 8), (8,)], "add")
    (None, 8)
    >>> broadcast([(None, 8), (None, 4)], "add")
    Traceback (most recent call last):
    ...
    graphspec.plugins.expr.table.OpFault: operands of shapes (None, 8) and (None, 4) do not broadcast: dimension -1 is 8 against 4
    """
    try:
        return broadcast_shapes(shapes)
    except Mismatch as fault:
        shown = " and ".join(show(s) for s in shapes)
        raise OpFault(
            f"operands of shapes {shown} do not broadcast: dimension "
            f"{fault.axis} is {fault.sizes[0]} against {fault.sizes[1]}",
            hint="NumPy broadcasting: sizes must be equal or 1, aligned from the right",
        ) from None


def axis_of(what: str, axis: Any, rank: int, *, extra: int = 0) -> int:
    """``axis`` as an index into ``rank + extra`` dimensions (negative counts from the end)."""
    size = rank + extra
    if not -size <= axis < size:
        raise OpFault(
            f"{what}: axis {axis} is out of range for a rank-{rank} tensor"
            + (" (the batch axis 0 included)" if rank else ""),
            hint=f"use an axis from {-size} to {size - 1}; expressions see whole tensors, "
            "axis 0 is the batch",
        )
    return int(axis) % size


def axes_of(what: str, axis: Any, rank: int) -> list[int]:
    """An axis, a list of axes or ``None`` (every axis) as sorted distinct indices."""
    if axis is None:
        return list(range(rank))
    values = axis if isinstance(axis, list) else [axis]
    found = [axis_of(what, a, rank) for a in values]
    if len(set(found)) != len(found):
        raise OpFault(f"{what}: axis {axis} repeats an axis")
    return sorted(found)
