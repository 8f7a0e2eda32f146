"""The expression grammar: what parses, how it prints, and what is refused (located, coded)."""

from __future__ import annotations

import re

import pytest

from graphspec.plugins.expr.python import to_python
from graphspec.plugins.expr.syntax import (
    MAX_EXPR_DEPTH,
    MAX_EXPR_TERMS,
    Call,
    Const,
    ExprSyntaxError,
    Ref,
    parse,
    references,
    to_text,
)


@pytest.mark.parametrize(
    "text",
    [
        "relu6(x + 3.0) / 6.0",
        "sqrt(maximum(sum(square(left - right), axis=-1, keepdims=True), 1e-07))",
        "x[:, 0]",
        "x[..., 1:3]",
        "x[:, ::2, -1]",
        "-x ** 2",
        "(-x) ** 2",
        "a - (b - c)",
        "a - b - c",
        "a / (b * c)",
        "2 * x ** -1",
        "enc:1 + `stage.0.out`:2",
        "concatenate([a, b], axis=-1)",
        "x @ y",
        "(a < b) == c",
        "cast(x, 'float16')",
        "where(x > 0, x, 0.0)",
        "reshape(x, [-1, 4, 2])",
        "leaky_relu(x, negative_slope=0.1)",
        "True",
    ],
)
def test_canonical_text_parses_back_to_the_same_tree(text: str) -> None:
    tree = parse(text)
    assert to_text(tree) == text
    assert parse(to_text(tree)) == tree


def test_operators_are_the_functions_keras_tensors_call() -> None:
    tree = parse("a + b * c")
    assert isinstance(tree, Call) and (tree.func, tree.symbol) == ("add", "+")
    assert [a.func for a in tree.args if isinstance(a, Call)] == ["multiply"]
    assert parse("a / b").func == "true_divide"  # as `x / y` on a Keras tensor
    assert parse("-a").func == "negative"
    assert parse("a ** 2").func == "power"


def test_constant_arithmetic_is_folded_like_python() -> None:
    tree = parse("x * (1.0 / 6.0)")
    assert isinstance(tree, Call) and tree.args[1] == Const(1.0 / 6.0, tree.args[1].offset)
    assert parse("-3 ** 2") == Const(-9, 0)
    assert to_text(parse("x + 2 ** 10")) == "x + 1024"


def test_references_keep_written_order_ports_and_repeats() -> None:
    refs = references(parse("b * relu6(a + b) + enc:2"))
    assert [(r.name, r.port) for r in refs] == [("b", 0), ("a", 0), ("b", 0), ("enc", 2)]
    assert references(parse("`a b`:1")) == [Ref("a b", 1, 0, "`a b`:1")]


def test_python_form_prefixes_table_functions() -> None:
    text = to_python(parse("relu6(enc:1 + 3.0)[:, 0]"), lambda r: f"v{r.port}")
    assert text == "keras.ops.relu6(v1 + 3.0)[:, 0]"
    assert to_python(parse("cast(x, 'int32')"), lambda r: r.name) == 'keras.ops.cast(x, "int32")'


@pytest.mark.parametrize(
    ("text", "code", "offset", "words"),
    [
        ("x.shape", "E801", 1, "attribute access"),
        ("x.__class__", "E801", 1, "attribute access"),
        ("__import__('os')", "E802", 0, "dunder"),
        ("x + __builtins__", "E802", 4, "dunder"),
        ("lambda: 0", "E801", 0, "Python keywords"),
        ("x if y else z", "E801", 2, "Python keywords"),
        ("x and y", "E801", 2, "Python keywords"),
        ("import os", "E801", 0, "Python keywords"),
        ("[i for i in x]", "E801", 3, "Python keywords"),
        ("x[y]", "E801", 2, "integers, slices"),
        ("x[0.5]", "E801", 2, "integers"),
        ("open('/etc/passwd')", "E801", 5, "strings are only dtype names"),
        ("f'{x}'", "E801", 1, "strings are only dtype names"),
        ("{'a': x}", "E801", 0, "dicts"),
        ("x; y", "E801", 1, "one expression"),
        ("a < b < c", "E801", 6, "chained comparisons"),
        ("(x + 1", "E801", 6, "to close `(`"),
        ("x +", "E801", 3, "found the end"),
        ("", "E801", 0, "empty"),
        ("9 ** 9 ** 9", "E804", 2, "out of range"),
        ("x * 1e999", "E804", 4, "out of range"),
        ("x * 10 ** 400", "E804", 7, "out of range"),
        ("x / (1 - 1)", "E804", 5, "by the constant 0"),
        ("1 / 0 + x", "E804", 4, "by the constant 0"),
        ("x" + " + x" * MAX_EXPR_TERMS, "E804", None, "terms"),
        ("(" * (MAX_EXPR_DEPTH + 2) + "x" + ")" * (MAX_EXPR_DEPTH + 2), "E804", None, "nests"),
        ("x" * 5000, "E804", 0, "characters long"),
    ],
)
def test_refused_text_is_a_located_error(
    text: str, code: str, offset: int | None, words: str
) -> None:
    with pytest.raises(ExprSyntaxError, match=re.escape(words)) as info:
        parse(text)
    assert info.value.code == code
    if offset is not None:
        assert info.value.offset == offset


def test_deep_nesting_never_overflows_the_stack() -> None:
    for depth in (100, 10_000):
        with pytest.raises(ExprSyntaxError) as info:
            parse("relu(" * depth + "x" + ")" * depth)
        assert info.value.code == "E804"


def test_any_text_parses_or_is_refused_with_a_located_error() -> None:
    """Random text (hypothesis) never escapes as anything but ExprSyntaxError, inside the text."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    characters = list("xyab_01239.e+-*/%@<>=!()[],:`'\" \\\t")
    alphabet = st.sampled_from([*characters, "sum", "relu6"])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(alphabet, max_size=40).map("".join))
    def check(text: str) -> None:
        try:
            tree = parse(text)
        except ExprSyntaxError as err:
            assert 0 <= err.offset <= len(text)
            assert err.code in {"E801", "E802", "E803", "E804"}
        else:
            assert parse(to_text(tree)) == tree or to_text(parse(to_text(tree))) == to_text(tree)

    check()
