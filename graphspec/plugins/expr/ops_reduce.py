"""Reductions and normalizations of the expression table: sum, mean, max, softmax, …"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphspec.base.shape_types import Shape
from graphspec.plugins.expr.shape_help import axes_of, axis_of
from graphspec.plugins.expr.table import OpCost, OpDef, Param, op, per_input

__all__: list[str] = []

_X = (Param("x", "tensor"),)
_KEEP = Param("keepdims", "bool", False)


def _reduce(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape = tuple(shapes[0])
    axes = axes_of(entry.name, attrs.get("axis"), len(shape))
    if attrs.get("keepdims"):
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


_REDUCTIONS = (
    ("sum", "Sum", "numpy", "sum over axes", ()),
    ("mean", "Mean", "numpy", "mean over axes", ()),
    ("max", "Max", "numpy", "maximum over axes", (Param("initial", "number?", None),)),
    ("min", "Min", "numpy", "minimum over axes", (Param("initial", "number?", None),)),
    ("prod", "Prod", "numpy", "product over axes", ()),
    ("std", "Std", "numpy", "standard deviation over axes", ()),
    ("var", "Var", "numpy", "variance over axes", ()),
    ("any", "Any", "numpy", "logical or over axes", ()),
    ("all", "All", "numpy", "logical and over axes", ()),
    ("logsumexp", "Logsumexp", "math", "log(sum(exp(x))) over axes", ()),
)
_REDUCE_COST: dict[str, OpCost] = {
    "mean": per_input(1),
    "std": per_input(4),
    "var": per_input(4),
    "logsumexp": per_input(3),
}
"""Costs other than one operation per value less one per output (sum, max, prod, ...)."""

for _name, _cls, _module, _doc, _extra in _REDUCTIONS:
    op(
        _name,
        cls=_cls,
        module=_module,
        operands=_X,
        attrs=(Param("axis", "axes?", None), _KEEP, *_extra),
        doc=_doc,
        cost=_REDUCE_COST.get(_name, per_input(1, fewer=1)),
    )(_reduce)


def _arg_reduce(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    return _reduce(entry, shapes, attrs)


for _name, _cls in (("argmax", "Argmax"), ("argmin", "Argmin")):
    op(
        _name,
        cls=_cls,
        module="numpy",
        operands=_X,
        attrs=(Param("axis", "axis?", None), _KEEP),
        doc=f"index of the {_name[3:]}imum along an axis",
        cost=per_input(14),
    )(_arg_reduce)


@op(
    "norm",
    cls="Norm",
    module="linalg",
    operands=_X,
    attrs=(Param("ord", "number?", None), Param("axis", "axes?", None), _KEEP),
    doc="vector norm over axes",
    cost=per_input(2),
)
def _norm(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    return _reduce(entry, shapes, attrs)


def _along(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape = tuple(shapes[0])
    axis = attrs.get("axis")
    if isinstance(axis, list):
        axes_of(entry.name, axis, len(shape))
    else:
        axis_of(entry.name, axis, len(shape))
    return shape


for _name, _cls, _doc in (
    ("softmax", "Softmax", "exp(x) / sum(exp(x)) along an axis"),
    ("log_softmax", "LogSoftmax", "log(softmax(x)) along an axis"),
):
    op(
        _name,
        cls=_cls,
        module="nn",
        operands=_X,
        attrs=(Param("axis", "axes?", -1),),
        doc=_doc,
        cost=per_input(4 if _name == "softmax" else 5),
    )(_along)

op(
    "normalize",
    cls="Normalize",
    module="nn",
    operands=_X,
    attrs=(Param("axis", "axis", -1), Param("order", "int", 2), Param("epsilon", "number?", None)),
    doc="x divided by its norm along an axis",
    cost=per_input(3),
)(_along)
