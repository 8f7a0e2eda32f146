"""Shape-changing functions of the expression table: reshape, transpose, concatenate, matmul, …"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from graphspec.base.shape_types import Mismatch, Shape, concatenate
from graphspec.passes.shapes.flops import Flops, macs
from graphspec.plugins.expr.shape_help import axes_of, axis_of, broadcast, show
from graphspec.plugins.expr.table import FREE, OpDef, OpFault, Param, op, values_of

__all__: list[str] = []

_X = (Param("x", "tensor"),)


@op(
    "reshape",
    cls="Reshape",
    module="numpy",
    operands=_X,
    attrs=(Param("newshape", "shape"),),
    doc="the same values in a new shape (batch axis included: start with -1)",
    cost=FREE,
)
def _reshape(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape = tuple(shapes[0])
    new = list(attrs["newshape"])
    if new.count(-1) > 1:
        raise OpFault(f"reshape: {new} has more than one -1", hint="at most one size is inferred")
    if any(d < -1 for d in new):
        raise OpFault(f"reshape: {new} holds a negative size other than -1")
    if None in shape:
        return tuple(None if d == -1 else d for d in new)
    size = math.prod(shape)
    known = math.prod(d for d in new if d != -1)
    if -1 not in new:
        if size != known:
            raise OpFault(
                f"reshape: cannot reshape {show(shape)} ({size:,} values) into {new} "
                f"({known:,} values)"
            )
        return tuple(new)
    if known == 0 or size % known:
        raise OpFault(f"reshape: cannot reshape {show(shape)} ({size:,} values) into {new}")
    return tuple(size // known if d == -1 else d for d in new)


@op(
    "expand_dims",
    cls="ExpandDims",
    module="numpy",
    operands=_X,
    attrs=(Param("axis", "axes?"),),
    doc="insert axes of size 1",
    cost=FREE,
)
def _expand_dims(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape = tuple(shapes[0])
    axis = attrs["axis"]
    values = axis if isinstance(axis, list) else [len(shape) if axis is None else axis]
    out_rank = len(shape) + len(values)
    where = {axis_of(entry.name, a, out_rank) for a in values}
    rest = iter(shape)
    return tuple(1 if i in where else next(rest) for i in range(out_rank))


@op(
    "squeeze",
    cls="Squeeze",
    module="numpy",
    operands=_X,
    attrs=(Param("axis", "axes?", None),),
    doc="remove axes of size 1",
    cost=FREE,
)
def _squeeze(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape = tuple(shapes[0])
    if attrs.get("axis") is None:
        return tuple(d for d in shape if d != 1)
    axes = axes_of(entry.name, attrs["axis"], len(shape))
    for a in axes:
        if shape[a] != 1:
            raise OpFault(
                f"squeeze: axis {a} of {show(shape)} has size {shape[a]}, not 1",
                hint="squeeze only removes axes of size 1",
            )
    return tuple(d for i, d in enumerate(shape) if i not in axes)


@op(
    "transpose",
    cls="Transpose",
    module="numpy",
    operands=_X,
    attrs=(Param("axes", "perm?", None),),
    doc="permute axes (batch included; default: reverse all)",
    cost=FREE,
)
def _transpose(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape = tuple(shapes[0])
    axes = attrs.get("axes")
    if axes is None:
        return shape[::-1]
    if sorted(a % len(shape) if -len(shape) <= a < len(shape) else a for a in axes) != list(
        range(len(shape))
    ):
        raise OpFault(
            f"transpose: axes {axes} are not a permutation of the {len(shape)} axes of "
            f"{show(shape)}",
            hint=f"list each axis 0 to {len(shape) - 1} once, e.g. {[0, *range(len(shape) - 1, 0, -1)]}",
        )
    return tuple(shape[a] for a in axes)


@op(
    "swapaxes",
    cls="Swapaxes",
    module="numpy",
    operands=_X,
    attrs=(Param("axis1", "axis"), Param("axis2", "axis")),
    doc="exchange two axes",
    cost=FREE,
)
def _swapaxes(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape = list(shapes[0])
    a = axis_of(entry.name, attrs["axis1"], len(shape))
    b = axis_of(entry.name, attrs["axis2"], len(shape))
    shape[a], shape[b] = shape[b], shape[a]
    return tuple(shape)


@op(
    "flip",
    cls="Flip",
    module="numpy",
    operands=_X,
    attrs=(Param("axis", "axes?", None),),
    doc="reverse the order along axes",
    cost=FREE,
)
def _flip(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    axes_of(entry.name, attrs.get("axis"), len(shapes[0]))
    return tuple(shapes[0])


@op(
    "repeat",
    cls="Repeat",
    module="numpy",
    operands=_X,
    attrs=(Param("repeats", "int"), Param("axis", "axis")),
    doc="repeat each element along an axis",
    cost=FREE,
)
def _repeat(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape = list(shapes[0])
    a = axis_of(entry.name, attrs["axis"], len(shape))
    if attrs["repeats"] < 0:
        raise OpFault("repeat: repeats must be >= 0")
    shape[a] = None if shape[a] is None else shape[a] * attrs["repeats"]
    return tuple(shape)


@op(
    "concatenate",
    cls="Concatenate",
    module="numpy",
    operands=(Param("xs", "tensors"),),
    attrs=(Param("axis", "axis", 0),),
    doc="join tensors along an existing axis (default axis 0: write axis=-1 for features)",
    cost=FREE,
)
def _concatenate(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    items = [tuple(s) for s in shapes[0]]
    if not items:
        raise OpFault("concatenate: the list of tensors is empty")
    axis = axis_of(entry.name, attrs.get("axis", 0), len(items[0]))
    try:
        return concatenate(items, axis)
    except Mismatch:
        raise OpFault(
            f"concatenate along axis {attrs.get('axis', 0)}: shapes "
            f"{', '.join(show(s) for s in items)} differ on another axis",
            hint="every tensor must have the same shape except on the concatenation axis",
        ) from None


@op(
    "stack",
    cls="Stack",
    module="numpy",
    operands=(Param("x", "tensors"),),
    attrs=(Param("axis", "axis", 0),),
    doc="join tensors along a new axis",
    cost=FREE,
)
def _stack(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    items = [tuple(s) for s in shapes[0]]
    if not items:
        raise OpFault("stack: the list of tensors is empty")
    first = items[0]
    for shape in items:
        if len(shape) != len(first) or any(
            a is not None and b is not None and a != b for a, b in zip(shape, first, strict=False)
        ):
            raise OpFault(
                f"stack: shapes {', '.join(show(s) for s in items)} differ",
                hint="every tensor must have the same shape",
            )
    axis = axis_of(entry.name, attrs.get("axis", 0), len(first), extra=1)
    out = list(first)
    out.insert(axis, len(items))
    return tuple(out)


@op(
    "split",
    cls="Split",
    module="numpy",
    operands=_X,
    attrs=(Param("indices_or_sections", "ints"), Param("axis", "axis", 0)),
    doc="cut into several tensors (the node's outputs node:0, node:1, …)",
    multi=True,
    cost=FREE,
)
def _split(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> tuple[Shape, ...]:
    shape = list(shapes[0])
    axis = axis_of(entry.name, attrs.get("axis", 0), len(shape))
    size = shape[axis]
    cut = attrs["indices_or_sections"]
    if isinstance(cut, int):
        if cut < 1:
            raise OpFault(f"split: {cut} sections; give at least 1")
        if size is not None and size % cut:
            raise OpFault(
                f"split: axis {attrs.get('axis', 0)} of {show(tuple(shape))} has size {size}, "
                f"not divisible into {cut} sections",
                hint="give indices instead, e.g. split(x, [2, 5], axis=-1)",
            )
        piece = None if size is None else size // cut
        return tuple(
            tuple(piece if i == axis else d for i, d in enumerate(shape)) for _ in range(cut)
        )
    bounds = [0, *cut, size]
    out = []
    for start, stop in itertools.pairwise(bounds):
        width = None if start is None or stop is None else max(stop - start, 0)
        out.append(tuple(width if i == axis else d for i, d in enumerate(shape)))
    return tuple(out)


def _matmul_cost(shapes: Sequence[Any], attrs: dict[str, Any], out: Any) -> Flops:
    """Every output value sums over the shared inner axis."""
    inner = tuple(shapes[0])[-1] or 0
    return macs(values_of(out) * inner)


@op(
    "matmul",
    cls="Matmul",
    module="numpy",
    operands=(Param("x1", "tensor"), Param("x2", "tensor")),
    symbol="@",
    doc="matrix product (a @ b), leading axes broadcast",
    cost=_matmul_cost,
)
def _matmul(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    a, b = tuple(shapes[0]), tuple(shapes[1])
    if not a or not b:
        raise OpFault("matmul: an operand is a scalar; use * to scale")
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    if a2[-1] is not None and b2[-2] is not None and a2[-1] != b2[-2]:
        raise OpFault(
            f"matmul: inner sizes differ: {show(a)} @ {show(b)} pairs {a2[-1]} with {b2[-2]}",
            hint="the last axis of the left operand must match the second-to-last of the right; "
            "transpose one of them",
        )
    out = [*broadcast([a2[:-2], b2[:-2]], entry.name), a2[-2], b2[-1]]
    if len(a) == 1:
        del out[-2]
    if len(b) == 1:
        del out[-1]
    return tuple(out)
