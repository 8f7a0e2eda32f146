"""Functions of the expression table that gather or contract: ``take``, ``one_hot``, ``einsum``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

from graphspec.base.shape_types import Shape
from graphspec.plugins.expr.shape_help import axis_of, broadcast, show
from graphspec.plugins.expr.table import OpDef, OpFault, Param, op

__all__: list[str] = []


@op(
    "take",
    cls="Take",
    module="numpy",
    operands=(Param("x", "tensor"), Param("indices", "tensor")),
    attrs=(Param("axis", "axis?", None),),
    doc="the entries of x at integer indices along an axis (a table lookup)",
)
def _take(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape, indices = tuple(shapes[0]), tuple(shapes[1])
    if attrs.get("axis") is None:
        return indices
    axis = axis_of(entry.name, attrs["axis"], len(shape))
    return (*shape[:axis], *indices, *shape[axis + 1 :])


@op(
    "one_hot",
    cls="OneHot",
    module="nn",
    operands=(Param("x", "tensor"),),
    attrs=(Param("num_classes", "int"), Param("axis", "int", -1), Param("dtype", "dtype?", None)),
    doc="integer class ids as one-hot vectors along a new axis",
    fixed={"sparse": False},
)
def _one_hot(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    shape = list(shapes[0])
    classes, axis = attrs["num_classes"], attrs.get("axis", -1)
    if classes < 1:
        raise OpFault(f"one_hot: num_classes is {classes}; give at least 1", at="num_classes")
    if axis == -1:
        return (*shape, classes)
    if not 0 <= axis < len(shape):  # Keras takes -1 or an existing axis, nothing else
        raise OpFault(
            f"one_hot: axis {axis} for x of the shape {show(tuple(shape))}",
            at="axis",
            hint=f"use -1 (a new last axis) or an axis from 0 to {len(shape) - 1}",
        )
    shape.insert(axis, classes)
    return tuple(shape)


_TERM: Final = re.compile(r"^[a-z]*(\.\.\.[a-z]*)?$")


def _terms(subscripts: str) -> tuple[list[str], str | None]:
    """The input terms and the output term (``None`` when implicit) of einsum subscripts."""
    text = subscripts.replace(" ", "")
    left, arrow, right = text.partition("->")
    if "->" in right:
        raise OpFault(f"`{subscripts}` holds `->` twice", at="subscripts")
    terms = left.split(",")
    for term in [*terms, *([right] if arrow else [])]:
        if not _TERM.match(term):
            bad = next((c for c in term.replace("...", "") if not "a" <= c <= "z"), term)
            raise OpFault(
                f"`{subscripts}`: `{bad}` in `{term}` is not a lowercase letter",
                at="subscripts",
                hint="write each operand's axes as lowercase letters (a–z), `...` for the "
                "others, e.g. 'bij,bjk->bik'",
            )
    return terms, (right if arrow else None)


def _verify_einsum(attrs: dict[str, Any], count: int) -> None:
    """The subscripts are well formed and name one term per operand."""
    terms, output = _terms(attrs["subscripts"])
    if len(terms) != count:
        raise OpFault(
            f"`{attrs['subscripts']}` names {len(terms)} operand(s) but {count} are given",
            at="subscripts",
            hint="one comma-separated term per operand",
        )
    for term in terms:
        letters = term.replace("...", "")
        repeated = sorted({c for c in letters if letters.count(c) > 1})
        if repeated:
            raise OpFault(
                f"`{attrs['subscripts']}`: `{repeated[0]}` appears twice in `{term}` (a diagonal)",
                at="subscripts",
                hint="Keras's einsum takes each letter once per operand",
            )
    if output is not None:
        written = set("".join(terms))
        letters = output.replace("...", "")
        for c in letters:
            if c not in written or letters.count(c) > 1:
                why = "twice" if letters.count(c) > 1 else "in no operand"
                raise OpFault(
                    f"`{attrs['subscripts']}`: output axis `{c}` appears {why}",
                    at="subscripts",
                )


@op(
    "einsum",
    cls="Einsum",
    module="numpy",
    operands=(Param("operands", "tensor*"),),
    attrs=(Param("subscripts", "subscripts"),),
    order=("subscripts", "operands"),
    verify=_verify_einsum,
    doc="Einstein summation, e.g. einsum('bij,bjk->bik', a, b)",
)
def _einsum(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    operands = [tuple(s) for s in shapes[0]]
    terms, output = _terms(attrs["subscripts"])
    sizes: dict[str, int | None] = {}
    wild: list[Shape] = []
    for term, shape in zip(terms, operands, strict=True):
        head, dots, tail = term.partition("...")
        named_axes = len(head) + len(tail)
        if len(shape) < named_axes or (not dots and len(shape) != named_axes):
            raise OpFault(
                f"einsum: the term `{term}` names {named_axes} axes"
                f"{' and more' if dots else ''}; its operand has the shape {show(shape)}",
                at="subscripts",
                hint="one letter per axis of the operand (the batch axis included)",
            )
        ends = len(shape) - len(tail)
        named = list(zip(head, shape[: len(head)], strict=True))
        named += list(zip(tail, shape[ends:], strict=True))
        for letter, dim in named:
            known = sizes.get(letter)
            if known is not None and dim is not None and known != dim:
                raise OpFault(
                    f"einsum: axis `{letter}` has the size {known} in one operand and {dim} in "
                    f"`{term}`",
                    at="subscripts",
                    hint="an axis named by one letter must have one size",
                )
            sizes[letter] = dim if known is None else known
        wild.append(shape[len(head) : ends] if dots else ())
    if output is None:
        once = sorted(c for c in sizes if "".join(terms).count(c) == 1)
        output = "..." + "".join(once)
    head, dots, tail = output.partition("...")
    middle = broadcast(wild, entry.name) if dots else ()
    return (*(sizes[c] for c in head), *middle, *(sizes[c] for c in tail))
