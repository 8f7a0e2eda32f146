"""Tests for ``${...}`` substitution: what is evaluated and everything refused."""

from __future__ import annotations

import pytest

from graphspec.frontend.params import ExprError, evaluate, substitute


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("w", 32),
        ("w * 2", 64),
        ("(w + 1) // 3", 11),
        ("w / 4", 8.0),
        ("-w % 5", 3),
        ("1.5 * 2", 3.0),
    ],
)
def test_arithmetic_matches_python(text: str, expected: float) -> None:
    assert evaluate(text, {"w": 32}) == expected


def test_whole_expression_keeps_type_and_partial_is_text() -> None:
    assert substitute("${w}", {"w": 32}) == 32
    assert substitute("c${w}x", {"w": 32}) == "c32x"
    assert substitute({"a": ["${w}"]}, {"w": 1}) == {"a": [1]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('x')", "function calls"),
        ("w.__class__", "attribute access"),
        ("w ** 99999", "operators other than"),
        ("[1][0]", "not allowed"),
        ("'a' * 3", "string and other non-number constants"),
        ("lambda: 1", "lambdas"),
    ],
)
def test_refused_expressions(text: str, message: str) -> None:
    with pytest.raises(ExprError, match=message) as info:
        evaluate(text, {"w": 2})
    assert info.value.code == "E406"


def test_division_by_zero() -> None:
    with pytest.raises(ExprError, match="divides by zero"):
        evaluate("w // 0", {"w": 2})


def test_huge_values_are_bounded() -> None:
    with pytest.raises(ExprError, match="beyond the limit"):
        evaluate("w * w * w * w * w * w", {"w": 10**5})


def test_undefined_name_lists_defined_ones() -> None:
    with pytest.raises(
        ExprError, match=r"uses `wdth`, which is not a param \(defined: width\)"
    ) as info:
        evaluate("wdth", {"width": 2})
    assert info.value.code == "E407"


def test_syntax_error() -> None:
    with pytest.raises(ExprError, match="not a valid expression"):
        evaluate("w +", {"w": 1})
