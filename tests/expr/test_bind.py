"""Calls bound to the table: every argument checked, every problem found at once."""

from __future__ import annotations

import pytest

from graphspec.plugins.expr import bind, check_tree, function_names, lookup, parse
from graphspec.plugins.expr.syntax import Call, ExprSyntaxError
from graphspec.plugins.expr.table import DTYPES


def _bind(text: str):  # type: ignore[no-untyped-def]
    tree = parse(text)
    assert isinstance(tree, Call)
    return bind(tree)


def test_positional_and_keyword_arguments_bind_like_python() -> None:
    b = _bind("sum(x, -1, True)")
    assert b.given == {"axis": -1, "keepdims": True}
    b = _bind("split(x, 3, axis=1)")
    assert b.given == {"indices_or_sections": 3, "axis": 1}
    assert b.attrs == {"indices_or_sections": 3, "axis": 1}
    assert _bind("clip(x, 0.0, 6.0)").given == {"x_min": 0.0, "x_max": 6.0}


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("eval(x)", "E802", "not a function of the expression table"),
        ("relu7(x)", "E802", "not a function"),
        ("sum(x, axs=1)", "E803", "has no argument `axs`"),
        ("sum(x, axis=y)", "E803", "must be an integer axis"),
        ("sum(x, axis=1.5)", "E803", "must be an integer axis"),
        ("cast(x, 'complex128')", "E803", "dtype name"),
        ("reshape(x)", "E803", "needs the argument `newshape`"),
        ("reshape(x, [2.0, 3])", "E803", "list of integers"),
        ("relu(x, y)", "E803", "at most 1 argument"),
        ("sum(x, axis=1, axis=2)", "E801", "given twice"),
        ("concatenate(a, b)", "E803", "must be a list"),
        ("add(x, 'float16')", "E803", "node reference"),
        ("add(x, True)", "E803", "node reference"),
    ],
)
def test_bad_calls(text: str, code: str, words: str) -> None:
    with pytest.raises(ExprSyntaxError, match=words) as info:
        for problem in check_tree(parse(text)):
            raise problem
    assert info.value.code == code


def test_did_you_mean_for_functions_and_keywords() -> None:
    with pytest.raises(ExprSyntaxError) as info:
        _bind("sofmax(x)")
    assert info.value.hint == "did you mean `softmax`?"
    with pytest.raises(ExprSyntaxError) as info:
        _bind("sum(x, keepdim=True)")
    assert info.value.hint == "did you mean `keepdims`?"


def test_several_problems_are_all_reported() -> None:
    problems = check_tree(parse("foo(x) + sum(y, axs=1) + split(z, 2)"))
    assert [p.code for p in problems] == ["E802", "E803", "E805"]


def test_an_expression_of_constants_only_is_refused() -> None:
    [problem] = check_tree(parse("sqrt(2.0) * arange(4)"))
    assert problem.code == "E806" and problem.offset == 0
    assert "names no node" in problem.message and "weight:" in (problem.hint or "")


def test_calls_of_constants_inside_an_expression_are_computed_when_building() -> None:
    assert check_tree(parse("x * sqrt(2.0) + exp(arange(4) * -0.5)")) == []


@pytest.mark.parametrize(
    ("text", "offset", "match"),
    [
        ("einsum('ij,jk->ik', a)", 7, "names 2 operand"),
        ("einsum('iJ,jk->ik', a, b)", 7, "`J` in `iJ` is not a lowercase letter"),
        ("einsum('ii->i', a)", 7, "appears twice in `ii`"),
        ("einsum('ij,jk->iz', a, b)", 7, "output axis `z` appears in no operand"),
        ("einsum('ij->i->j', a)", 7, "`->` twice"),
        ("einsum(a, 'ij')", 10, "must be a node reference"),
        ("einsum('ij', operands=a)", 22, "positional arguments"),
        ("einsum('ij')", 0, "needs the argument `operands`"),
    ],
)
def test_einsum_subscripts_are_checked_where_written(text: str, offset: int, match: str) -> None:
    with pytest.raises(ExprSyntaxError, match=match) as info:
        _bind(text)
    assert info.value.code == "E803" and info.value.offset == offset


def test_the_table_holds_only_keras_ops_functions() -> None:
    names = function_names()
    assert {"add", "relu6", "sum", "reshape", "concatenate", "matmul", "where", "cast"} <= set(
        names
    )
    for forbidden in ("eval", "exec", "open", "getattr", "__import__", "Lambda", "py_func"):
        assert lookup(forbidden) is None
    assert lookup("cast") is not None and DTYPES[0] == "float16"
