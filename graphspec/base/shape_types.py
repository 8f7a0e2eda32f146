"""Value types shared by the shape rules: shapes, layer calls, results and faults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Dim", "LayerCall", "Shape", "ShapeFault", "ShapeResult", "format_shape"]

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
