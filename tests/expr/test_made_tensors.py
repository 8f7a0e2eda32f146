"""Static rules of the functions that make, gather and contract tensors, faults located."""

from __future__ import annotations

import pytest

from graphspec import check
from graphspec.plugins.expr import ExprShapeError, infer_expr, parse
from tests._util import only

SHAPES = {"a": (None, 4, 6), "b": (None, 6, 5), "i": (None, 4), "w": (4, 6)}


def _shape(text: str) -> tuple[object, ...]:
    return infer_expr(parse(text), lambda r: SHAPES[r.name]).outputs[0]


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("a + arange(6)", (None, 4, 6)),
        ("arange(1, 10, 4) + i[:, :3]", (None, 3)),
        ("i + arange(0.0, 2.0, 0.5)", (None, 4)),
        ("a * ones([1, 6])", (None, 4, 6)),
        ("a + eye(4, 6, k=1)", (None, 4, 6)),
        ("broadcast_to(w, [3, 4, 6])", (3, 4, 6)),
        ("tile(w, [2, 1, 1])", (2, 4, 6)),
        ("take(w, i, axis=0)", (None, 4, 6)),
        ("take(w, i)", (None, 4)),
        ("one_hot(i, 10, axis=1)", (None, 10, 4)),
        ("einsum('bij,bjk->bik', a, b)", (None, 4, 5)),
        ("einsum('bij,kj->bik', a, w)", (None, 4, 4)),
        ("einsum('...j,jk', a, b[0])", (None, 4, 5)),
        ("tril(w) + triu(a, k=2)", (None, 4, 6)),
    ],
)
def test_static_shapes(text: str, shape: tuple[object, ...]) -> None:
    assert _shape(text) == shape


@pytest.mark.parametrize(
    ("text", "offset", "match"),
    [
        ("einsum('bij,bjk->bik', a, a)", 7, "axis `j` has the size 6 in one operand and 4"),
        ("einsum('ij,jk->ik', a, b)", 7, "the term `ij` names 2 axes; its operand has the shape"),
        ("broadcast_to(a, [3, 4, 6])", 16, "has no fixed size \\(the batch axis\\?\\)"),
        ("broadcast_to(w, [4, 5])", 16, "does not broadcast to \\[4, 5\\]"),
        ("tile(w, [0, 1])", 8, "below 1"),
        ("one_hot(i, 3, axis=5)", 19, "axis 5 for x of the shape \\(None, 4\\)"),
        ("full_like(a, w)", 13, "fill_value must be a scalar"),
        ("tril(i[:, 0])", 0, "needs at least two axes"),
        ("a + arange(0, 4, 0)", 17, "step is 0"),
        ("w + zeros([4, 0])", 10, "holds a size below 1"),
    ],
)
def test_faults_point_at_the_argument_to_blame(text: str, offset: int, match: str) -> None:
    with pytest.raises(ExprShapeError, match=match) as info:
        _shape(text)
    assert info.value.offset == offset


def test_a_constant_too_large_to_store_is_refused() -> None:
    with pytest.raises(ExprShapeError, match="makes a constant of \\(2048, 2048\\)") as info:
        _shape("a[:, 0, 0] + sum(zeros([2048, 2048]))")
    assert info.value.code == "E504" and info.value.offset == 17


def test_an_expression_node_of_constants_only_is_refused() -> None:
    text = "graphspec: 1.1\ninputs: {x: {shape: [4]}}\nnodes:\n  c: {expr: 'arange(4) * 2'}\n"
    diag = only(check(text), "E806")
    assert (diag.line, diag.column) == (4, 14) and "names no node" in diag.message


def test_einsum_errors_are_located_in_the_spec() -> None:
    text = (
        "graphspec: 1.1\ninputs: {x: {shape: [4, 6]}}\nnodes:\n"
        "  e: {expr: \"einsum('bij,bjk->bik', x, x)\"}\n"
    )
    diag = only(check(text), "E501")
    assert (diag.line, diag.column) == (4, 21)  # the quote opening the subscripts
    assert diag.related[1].strip() == "^" * len("'bij,bjk->bik'")
