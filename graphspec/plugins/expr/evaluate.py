"""Static shapes of an expression: each call's rule applied to its operands' shapes, bottom up."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graphspec.base import limits as _limits
from graphspec.base.shape_types import Shape
from graphspec.passes.shapes.flops import Flops, Uncountable
from graphspec.plugins.expr.bind import array_shape, bind
from graphspec.plugins.expr.shape_help import show
from graphspec.plugins.expr.syntax import (
    Call,
    Const,
    Expr,
    ListExpr,
    Ref,
    Slice,
    Subscript,
    to_text,
    walk,
)
from graphspec.plugins.expr.table import OpFault

if TYPE_CHECKING:
    from typing_extensions import TypeIs

__all__ = ["ExprShapeError", "ExprShapes", "infer_expr"]

_REDUCING = frozenset({"axis"})


class ExprShapeError(Exception):
    """A part of an expression cannot be applied to its operands' shapes.

    ``offset``/``end`` delimit the failing part in the expression text; ``operands`` pairs each
    operand's text with its shape; ``code`` is E501 (shape) or E504 (too large).
    """

    def __init__(
        self,
        message: str,
        offset: int,
        end: int,
        *,
        operands: tuple[tuple[str, Shape], ...] = (),
        hint: str | None = None,
        code: str = "E501",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.end = end
        self.operands = operands
        self.hint = hint
        self.code = code


@dataclass
class ExprShapes:
    """What inference found: the output shape(s) and warnings ``(code, offset, message, hint)``."""

    outputs: tuple[Shape, ...]
    warnings: list[tuple[str, int, str, str]] = field(default_factory=list)
    flops: Flops | None = None
    """The cost of every call (with ``count``), ``None`` when a size it needs is unknown."""
    uncounted: str | None = None
    """Why ``flops`` is ``None``."""


def infer_expr(tree: Expr, shape_of: Callable[[Ref], Shape], *, count: bool = False) -> ExprShapes:
    """Shapes of an expression given each reference's shape (batch axis included); with
    ``count``, also its FLOPs (each call's cost in the table, per sample).

    >>> from graphspec.plugins.expr.syntax import parse
    >>> found = infer_expr(parse("sum(a * b, axis=-1, keepdims=True)"), lambda r: (None, 4, 8),
    ...                    count=True)
    >>> found.outputs, found.flops
    (((None, 4, 1),), Flops(macs=0, flops=60))
    """
    walker = _Walker(shape_of, count)
    value = walker.call(tree) if isinstance(tree, Call) else walker.shape(tree)
    flops = walker.flops if count and walker.uncounted is None else None
    return ExprShapes(
        value if _several(value) else (value,), walker.warnings, flops, walker.uncounted
    )


def _several(value: Shape | tuple[Shape, ...]) -> TypeIs[tuple[Shape, ...]]:
    """True for the shapes of a multi-output call (a tuple of shapes), not one shape."""
    return bool(value) and isinstance(value[0], tuple)


class _Walker:
    def __init__(self, shape_of: Callable[[Ref], Shape], count: bool = False) -> None:
        self.shape_of = shape_of
        self.warnings: list[tuple[str, int, str, str]] = []
        self.count = count
        self.flops = Flops()
        self.uncounted: str | None = None

    def shape(self, expr: Expr) -> Shape:
        """The shape of an operand: one tensor (multi-output calls stand at the top only)."""
        if isinstance(expr, Const):
            return ()
        if isinstance(expr, Ref):
            return self.shape_of(expr)
        if isinstance(expr, Subscript):
            base = self.shape(expr.value)
            return self.checked(expr, _subscript(expr, base), ((to_text(expr.value), base),))
        if isinstance(expr, ListExpr):
            shape = array_shape(expr)  # a constant array operand: its own shape, no batch axis
            if shape is not None:
                return shape
            raise ExprShapeError("a list is not a tensor", expr.offset, expr.offset + 1)
        value = self.call(expr)
        if _several(value):  # reported by check_tree (E805); never an operand
            raise ExprShapeError(
                f"`{expr.func}` returns several tensors: it must be the whole expression",
                expr.offset,
                expr.end,
            )
        return value

    def call(self, expr: Call) -> Shape | tuple[Shape, ...]:
        bound = bind(expr)
        shapes: list[object] = []
        shown: list[tuple[str, Shape]] = []
        for param, operand in zip(bound.entry.operands, bound.operands, strict=True):
            if isinstance(operand, ListExpr) and param.kind in ("tensors", "tensor*"):
                items = [self.shape(i) for i in operand.items]
                shapes.append(items)
                shown += [(to_text(i), s) for i, s in zip(operand.items, items, strict=True)]
            else:
                value = self.shape(operand)
                shapes.append(value)
                shown.append((to_text(operand), value))
        try:
            out = bound.entry.rule(bound.entry, shapes, dict(bound.attrs))
        except OpFault as fault:
            text = fault.message.removeprefix(f"{bound.entry.name}: ")
            start = bound.at.get(fault.at or "", expr.offset)
            raise ExprShapeError(
                f"`{to_text(expr)}`: {text}",
                start,
                _arg_end(expr, start) if fault.at in bound.at else expr.end,
                operands=tuple(shown),
                hint=fault.hint,
                code=fault.code,
            ) from None
        except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError) as exc:
            raise ExprShapeError(
                f"{bound.entry.name} cannot be applied to {', '.join(show(s) for _, s in shown)}: "
                f"{exc}",
                expr.offset,
                expr.end,
                operands=tuple(shown),
            ) from None
        if self.count and self.uncounted is None:
            try:
                self.flops += bound.entry.cost(shapes, dict(bound.attrs), out)
            except Uncountable as why:
                self.uncounted = str(why)
        if not bound.entry.multi and not any(isinstance(i, Ref) for i in walk(expr)):
            self.constant_size(expr, out)  # type: ignore[arg-type]  # one output: not a tuple of shapes
        self.batch_warning(expr, bound.attrs, shapes)
        if bound.entry.rule.__name__ in ("_broadcast", "_where"):
            self.alignment_warning(expr, shown)
        if _several(out):  # a multi-output call (``bound.entry.multi``): each of its shapes
            for piece in out:
                self.checked(expr, piece, tuple(shown))
            return out
        return self.checked(expr, out, tuple(shown))

    def checked(
        self, expr: Call | Subscript, shape: Shape, shown: tuple[tuple[str, Shape], ...]
    ) -> Shape:
        if any(d is not None and d < 0 for d in shape):
            raise ExprShapeError(
                f"`{to_text(expr)}` gives the negative size {show(shape)}",
                expr.offset,
                expr.end,
                operands=shown,
            )
        size = math.prod(d for d in shape[1:] if d is not None)
        if size > _limits.MAX_TENSOR_ELEMENTS:
            raise ExprShapeError(
                f"`{to_text(expr)}` gives {show(shape)}: {size:,} elements per sample, beyond "
                f"the limit of {_limits.MAX_TENSOR_ELEMENTS:,}",
                expr.offset,
                expr.end,
                operands=shown,
                hint="check the sizes in the expression",
                code="E504",
            )
        return shape

    def constant_size(self, expr: Call, shape: Shape) -> None:
        """A tensor computed from constants (when the model is built) is written into the model."""
        size = math.prod(d for d in shape if d is not None)
        if size > _limits.MAX_CONSTANT_ELEMENTS:
            raise ExprShapeError(
                f"`{to_text(expr)}` makes a constant of {show(shape)}: {size:,} elements, beyond "
                f"the limit of {_limits.MAX_CONSTANT_ELEMENTS:,} for a tensor computed from "
                "constants (it is stored in the saved model)",
                expr.offset,
                expr.end,
                hint="make it smaller, or a learned tensor with `weight:`",
                code="E504",
            )

    def alignment_warning(self, expr: Call, shown: list[tuple[str, Shape]]) -> None:
        """A lower-rank operand's batch axis lined up with a sized axis of another operand."""
        rank = max((len(s) for _, s in shown), default=0)
        for text, shape in shown:
            if not shape or shape[0] is not None or len(shape) == rank:
                continue
            at = rank - len(shape)
            for other_text, other in shown:
                dim = other[at] if len(other) == rank else None
                if dim is not None and dim != 1:
                    self.warnings.append(
                        (
                            "W802",
                            expr.offset,
                            f"`{to_text(expr)}`: the batch axis of `{text}` {show(shape)} lines up "
                            f"with axis {at} of `{other_text}` {show(other)} (size {dim}); it "
                            "only works for batches of that size",
                            f"insert axes with expand_dims({text}, 1) so that the batch axes "
                            "line up",
                        )
                    )
                    return

    def batch_warning(self, expr: Call, attrs: dict[str, object], shapes: list[object]) -> None:
        """Reductions that include axis 0 while it is the batch axis mix samples together."""
        if "axis" not in attrs or "keepdims" not in attrs or not shapes:
            return
        first = shapes[0]
        if not isinstance(first, tuple) or not first or first[0] is not None:
            return
        axis = attrs["axis"]
        axes = axis if isinstance(axis, list) else [axis]
        if axis is None or any(a in (0, -len(first)) for a in axes):
            self.warnings.append(
                (
                    "W801",
                    expr.offset,
                    f"`{to_text(expr)}` reduces over axis 0, the batch axis: it mixes the "
                    "samples of a batch",
                    "give `axis=` the feature axes, e.g. axis=-1",
                )
            )


def _arg_end(expr: Call, start: int) -> int:
    """Where the argument of ``expr`` starting at ``start`` ends (for carets under it)."""
    for item in (*expr.args, *(v for _, v in expr.kwargs)):
        if item.offset == start:
            if isinstance(item, Const) and isinstance(item.value, str):
                return start + len(item.value) + 2
            return start + len(to_text(item))
    return expr.end


def _subscript(expr: Subscript, shape: Shape) -> Shape:
    index = list(expr.index)
    if index.count(Ellipsis) > 1:
        raise ExprShapeError("a subscript may hold one `...`", expr.offset, expr.end)
    explicit = len(index) - index.count(Ellipsis)
    if explicit > len(shape):
        raise ExprShapeError(
            f"`{to_text(expr)}`: {explicit} indices for the rank-{len(shape)} shape {show(shape)}",
            expr.offset,
            expr.end,
            operands=((to_text(expr.value), shape),),
        )
    if Ellipsis in index:
        at = index.index(Ellipsis)
        index[at : at + 1] = [Slice()] * (len(shape) - explicit)
    index += [Slice()] * (len(shape) - len(index))
    out: list[int | None] = []
    for axis, (item, dim) in enumerate(zip(index, shape, strict=True)):
        if isinstance(item, int):
            if dim is not None and not -dim <= item < dim:
                raise ExprShapeError(
                    f"`{to_text(expr)}`: index {item} is out of range for axis {axis} of "
                    f"{show(shape)}",
                    expr.offset,
                    expr.end,
                    operands=((to_text(expr.value), shape),),
                )
            continue
        assert isinstance(item, Slice)
        if item.step == 0:
            raise ExprShapeError("a slice step cannot be 0", expr.offset, expr.end)
        if dim is None:
            out.append(None)
        else:
            out.append(len(range(*slice(item.start, item.stop, item.step).indices(dim))))
    return tuple(out)
