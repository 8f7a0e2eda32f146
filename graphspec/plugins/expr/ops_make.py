"""Functions of the expression table that make tensors: ranges, constants, ``*_like``, masks.

``arange``, ``linspace`` of numbers, ``zeros``, ``ones``, ``full`` and ``eye`` take constants
only: Keras computes them once, when the model is built, and the result enters the model as a
constant tensor of its own shape (no batch axis), broadcast like a NumPy array. ``zeros_like``,
``broadcast_to``, ``tile``, ``tril`` and the others are operations on a tensor.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from graphspec.base.shape_types import Mismatch, Shape
from graphspec.base.shape_types import broadcast as broadcast_shapes
from graphspec.plugins.expr.shape_help import broadcast, show
from graphspec.plugins.expr.table import OpDef, OpFault, Param, op

__all__: list[str] = []

_X = (Param("x", "tensor"),)
_DTYPE = Param("dtype", "dtype?", None)


def _sizes(what: str, shape: Sequence[int]) -> tuple[int, ...]:
    """A shape written as constants: every size a positive integer."""
    if any(d < 1 for d in shape):
        raise OpFault(f"{what}: the shape {list(shape)} holds a size below 1", at="shape")
    return tuple(shape)


@op(
    "arange",
    cls="Arange",
    module="numpy",
    operands=(),
    attrs=(
        Param("start", "number"),
        Param("stop", "number?", None),
        Param("step", "number?", None),
        _DTYPE,
    ),
    doc="evenly spaced values in [start, stop) (one argument: [0, start)); a constant",
)
def _arange(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    start, stop, step = attrs["start"], attrs.get("stop"), attrs.get("step")
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    if step == 0:
        raise OpFault("arange: step is 0", at="step", hint="give a nonzero step")
    return (max(0, math.ceil((stop - start) / step)),)


@op(
    "linspace",
    cls="Linspace",
    module="numpy",
    operands=(Param("start", "tensor"), Param("stop", "tensor")),
    attrs=(
        Param("num", "int", 50),
        Param("endpoint", "bool", True),
        _DTYPE,
        Param("axis", "axis", 0),
    ),
    doc="num evenly spaced values from start to stop (included unless endpoint=False)",
    fixed={"retstep": False},
)
def _linspace(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    if attrs["num"] < 0:
        raise OpFault(f"linspace: num is {attrs['num']}; give 0 or more", at="num")
    out = list(broadcast([tuple(shapes[0]), tuple(shapes[1])], entry.name))
    size = len(out) + 1
    axis = attrs.get("axis", 0)
    if not -size <= axis < size:
        raise OpFault(f"linspace: axis {axis} is out of range for {size} axes", at="axis")
    out.insert(axis % size, attrs["num"])
    return tuple(out)


def _filled(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    return _sizes(entry.name, attrs["shape"])


for _name, _doc in (("zeros", "a constant of zeros"), ("ones", "a constant of ones")):
    op(
        _name,
        cls=_name.capitalize(),
        module="numpy",
        operands=(),
        attrs=(Param("shape", "shape"), _DTYPE),
        doc=f"{_doc} of the given shape (no batch axis)",
    )(_filled)

op(
    "full",
    cls="Full",
    module="numpy",
    operands=(),
    attrs=(Param("shape", "shape"), Param("fill_value", "number"), _DTYPE),
    doc="a constant of the given shape (no batch axis) filled with fill_value",
)(_filled)


@op(
    "eye",
    cls="Eye",
    module="numpy",
    operands=(),
    attrs=(Param("N", "int"), Param("M", "int?", None), Param("k", "int", 0), _DTYPE),
    doc="a constant N x M matrix with ones on diagonal k",
)
def _eye(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    rows = attrs["N"]
    cols = rows if attrs.get("M") is None else attrs["M"]
    for name, size in (("N", rows), ("M", cols)):
        if size < 1:
            raise OpFault(f"eye: {name} is {size}; give a positive size", at=name)
    return (rows, cols)


def _same(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    return tuple(shapes[0])


for _name, _cls, _doc in (
    ("zeros_like", "ZerosLike", "zeros of x's shape (and dtype unless given)"),
    ("ones_like", "OnesLike", "ones of x's shape (and dtype unless given)"),
):
    op(_name, cls=_cls, module="numpy", operands=_X, attrs=(_DTYPE,), doc=_doc)(_same)


@op(
    "full_like",
    cls="FullLike",
    module="numpy",
    operands=(Param("x", "tensor"), Param("fill_value", "tensor")),
    attrs=(_DTYPE,),
    doc="fill_value (a scalar) in x's shape",
)
def _full_like(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    if tuple(shapes[1]):
        raise OpFault(
            f"full_like: fill_value must be a scalar; it has the shape {show(tuple(shapes[1]))}",
            at="fill_value",
        )
    return tuple(shapes[0])


@op(
    "broadcast_to",
    cls="BroadcastTo",
    module="numpy",
    operands=_X,
    attrs=(Param("shape", "shape"),),
    doc="x repeated to a constant shape (NumPy broadcasting)",
)
def _broadcast_to(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape = tuple(shapes[0])
    target = _sizes(entry.name, attrs["shape"])
    if len(target) < len(shape):
        raise OpFault(
            f"broadcast_to: {show(shape)} has more axes than the target {list(target)}",
            at="shape",
        )
    for axis, dim in enumerate(shape, start=len(target) - len(shape)):
        if dim is None:
            raise OpFault(
                f"broadcast_to: axis {axis - len(target) + len(shape)} of {show(shape)} has no "
                "fixed size (the batch axis?), so it cannot be broadcast to a constant size",
                at="shape",
                hint="broadcast a weight or a constant; a weight with `batched: true` has one "
                "copy per sample of the batch",
            )
    try:
        broadcast_shapes([shape, target])
    except Mismatch as fault:
        raise OpFault(
            f"broadcast_to: {show(shape)} does not broadcast to {list(target)}: dimension "
            f"{fault.axis} is {fault.sizes[0]} against {fault.sizes[1]}",
            at="shape",
            hint="each size of x must be 1 or the target's, aligned from the right",
        ) from None
    return target


@op(
    "tile",
    cls="Tile",
    module="numpy",
    operands=_X,
    attrs=(Param("repeats", "ints"),),
    doc="x repeated along each axis (repeats aligned from the right)",
)
def _tile(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape = list(shapes[0])
    repeats = attrs["repeats"]
    repeats = [repeats] if isinstance(repeats, int) else list(repeats)
    if any(r < 1 for r in repeats):
        raise OpFault(f"tile: repeats {repeats} holds a count below 1", at="repeats")
    if len(shape) > len(repeats):
        repeats = [1] * (len(shape) - len(repeats)) + repeats
    else:
        shape = [1] * (len(repeats) - len(shape)) + shape
    return tuple(None if d is None else d * r for d, r in zip(shape, repeats, strict=True))


def _triangle(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape = tuple(shapes[0])
    if len(shape) < 2:
        raise OpFault(
            f"{entry.name}: x has the shape {show(shape)}; it needs at least two axes",
            hint="the triangle is taken over the last two axes",
        )
    return shape


for _name, _cls, _doc in (
    ("tril", "Tril", "the lower triangle of the last two axes (k: diagonal offset), zeros above"),
    ("triu", "Triu", "the upper triangle of the last two axes (k: diagonal offset), zeros below"),
):
    op(_name, cls=_cls, module="numpy", operands=_X, attrs=(Param("k", "int", 0),), doc=_doc)(
        _triangle
    )
