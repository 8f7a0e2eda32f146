"""Shapes and the arithmetic every shape rule shares: layer calls, results, faults, broadcasting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Dim",
    "LayerCall",
    "Mismatch",
    "Shape",
    "ShapeFault",
    "ShapeResult",
    "broadcast",
    "concatenate",
    "format_shape",
]

Dim = int | None
"""One dimension: a positive int, or ``None`` when unknown (the batch dimension is always ``None``)."""

Shape = tuple[Dim, ...]
"""A tensor shape *including* the leading batch dimension, e.g. ``(None, 28, 28, 1)``."""


@dataclass(frozen=True)
class LayerCall:
    """One layer as the shape rules see it: its Keras class name and constructor arguments.

    ``args`` holds the spec's keyword arguments after ``${params}`` substitution, exactly as the
    user wrote them (e.g. ``kernel_size`` may be ``3`` or ``[3, 3]``); defaults are *not* filled in.
    Nested layers (``Bidirectional.layer``) are given as mappings with a ``type`` key.
    """

    type: str
    args: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""


@dataclass(frozen=True)
class ShapeResult:
    """What a rule infers: output shape(s) and the layer's own parameter counts."""

    outputs: tuple[Shape, ...]
    trainable: int = 0
    non_trainable: int = 0

    @property
    def output(self) -> Shape:
        """The first (usually the only) output shape."""
        return self.outputs[0]

    @property
    def params(self) -> int:
        """Total parameters, trainable and not."""
        return self.trainable + self.non_trainable


class ShapeFault(Exception):
    """A shape rule found the layer cannot be applied to its inputs.

    ``message`` says what was expected and what was found; ``hint`` how to fix it; ``input_index``
    names the offending input (position in the node's ordered inputs) when one input is to blame;
    ``arg`` names the offending constructor argument when one is; ``code`` is the diagnostic
    code: E501 for shapes that do not fit, E203 for an argument value no shape could fix.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        input_index: int | None = None,
        arg: str | None = None,
        code: str = "E501",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.input_index = input_index
        self.arg = arg
        self.code = code


def format_shape(shape: Shape | None) -> str:
    """Format a shape as Keras prints it; ``?`` when it is unknown.

    >>> format_shape((None, 14, 14, 64))
    '(None, 14, 14, 64)'
    >>> format_shape((None, 10)), format_shape((None,)), format_shape(None)
    ('(None, 10)', '(None,)', '?')
    """
    if shape is None:
        return "?"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


class Mismatch(ValueError):
    """Two shapes that do not combine: input ``index`` against input ``reference``.

    ``axis`` is where they differ (``None`` when their ranks differ), ``sizes`` the two sizes
    there (reference first). Rules turn it into their own located message.
    """

    def __init__(self, reference: int, index: int, axis: int | None, sizes: tuple[Dim, Dim]):
        super().__init__(f"input {index} does not fit input {reference} on axis {axis}")
        self.reference = reference
        self.index = index
        self.axis = axis
        self.sizes = sizes


def broadcast(shapes: Sequence[Shape], *, unknown_wins: bool = False) -> Shape:
    """The NumPy broadcast of ``shapes``: aligned on the right, a size 1 stretches.

    An unknown size meeting a known one gives the known one (``keras.ops``); with
    ``unknown_wins`` it gives unknown (Keras's merge layers). Raises :class:`Mismatch` with the
    axis counted from the right (``-1`` is the last).

    >>> broadcast([(None, 8), (8,)]), broadcast([(None, 1), (None, 8)])
    ((None, 8), (None, 8))
    >>> broadcast([(4, None), (4, 8)]), broadcast([(4, None), (4, 8)], unknown_wins=True)
    ((4, 8), (4, None))
    >>> broadcast([(None, 8), (None, 4)])
    Traceback (most recent call last):
    ...
    graphspec.base.shape_types.Mismatch: input 1 does not fit input 0 on axis -1
    """
    rank = max((len(s) for s in shapes), default=0)
    out: list[Dim] = []
    for axis in range(-rank, 0):
        size: Dim = 1
        owner = 0
        unknown = False
        for index, shape in enumerate(shapes):
            dim = shape[axis] if -axis <= len(shape) else 1
            if dim is None:
                unknown = True
            elif dim == 1:
                continue
            elif size == 1:
                size, owner = dim, index
            elif dim != size:
                raise Mismatch(owner, index, axis, (size, dim))
        out.append(None if unknown and (unknown_wins or size == 1) else size)
    return tuple(out)


def concatenate(shapes: Sequence[Shape], axis: int) -> Shape:
    """``shapes`` joined along ``axis`` (a non-negative index): sizes there add up (unknown when
    one is), every other size must agree where known. Raises :class:`Mismatch`.

    >>> concatenate([(None, 4, 8), (None, 4, 2)], 2), concatenate([(None, 3), (None, None)], 1)
    ((None, 4, 10), (None, None))
    >>> concatenate([(None, 4, 8), (None, 5, 2)], 2)
    Traceback (most recent call last):
    ...
    graphspec.base.shape_types.Mismatch: input 1 does not fit input 0 on axis 1
    """
    first = shapes[0]
    for index, shape in enumerate(shapes[1:], start=1):
        if len(shape) != len(first):
            raise Mismatch(0, index, None, (len(first), len(shape)))
    for pos in range(len(first)):
        if pos == axis:
            continue
        known = [(i, s[pos]) for i, s in enumerate(shapes) if s[pos] is not None]
        for index, size in known[1:]:
            if size != known[0][1]:
                raise Mismatch(known[0][0], index, pos, (known[0][1], size))
    sizes = [s[axis] for s in shapes]
    out = list(first)
    out[axis] = None if any(d is None for d in sizes) else sum(d for d in sizes if d is not None)
    return tuple(out)
