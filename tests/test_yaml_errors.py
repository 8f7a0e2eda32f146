"""YAML syntax errors explained where the mistake is (compared with what PyYAML says)."""

from __future__ import annotations

from typing import NamedTuple

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from graphspec.errors import LoadError
from graphspec.frontend.loader import load_document
from graphspec.frontend.yaml_errors import SYNTAX_RULES, explain

H = "inputs:\n  x: {shape: [4]}\nnodes:\n"


class Case(NamedTuple):
    id: str
    text: str
    line: int
    column: int
    message: str
    hint: str
    pyyaml_line: int  # where PyYAML's own message points (its problem mark)


CASES = [
    Case(
        "tab-in-indentation",
        H + "\ta: {type: Dense, units: 4}\n",
        4,
        1,
        "tab character: YAML indents with spaces",
        "replace it with spaces, as many as the lines it should line up with",
        4,
    ),
    Case(
        "unclosed-brace",
        H + "  a: {type: Dense, units: 4\n  b: {type: Dense, units: 2}\n",
        4,
        6,
        "`{` is never closed",
        "close the mapping with `}` (at the end of line 4, if it was meant to fit on one line)",
        5,
    ),
    Case(
        "bracket-closed-by-brace",
        "inputs:\n  x: {shape: [4, 4}\nnodes:\n  a: {type: Dense, units: 4}\n",
        2,
        14,
        "`[` is closed by `}` at line 2, column 19",
        "close the list with `]` before that `}`",
        2,
    ),
    Case(
        "unclosed-bracket-at-end",
        "inputs:\n  x: {shape: [4]}\nnodes:\n  a: {type: Dense, units: 4}\nedges: [x -> a\n",
        5,
        8,
        "`[` is never closed",
        "close the list with `]` (at the end of line 5, if it was meant to fit on one line)",
        6,
    ),
    Case(
        "extra-closing-brace",
        H + "  a: {type: Dense, units: 4}}\n",
        4,
        29,
        "`}` closes nothing",
        "remove it, or open the mapping with `{` before it",
        4,
    ),
    Case(
        "missing-space-after-colon",
        H + "  a:\n    type: Dense\n    units:4\n",
        6,
        10,
        "missing space after `:` in `units:4`",
        "write `units: 4`: YAML needs a space after the colon of a key",
        7,
    ),
    Case(
        "missing-space-after-dash",
        H + "  a: {type: Dense, units: 4}\nedges:\n  - x -> a\n  -a -> b\n",
        7,
        3,
        "missing space after `-` in `-a -> b`",
        "write `- a -> b`: a list item starts with a dash and a space",
        8,
    ),
    Case(
        "sibling-indented-too-far",
        H + "  a: {type: Dense, units: 4}\n   b: {type: Dense, units: 2}\n",
        5,
        4,
        "key `b` is indented more than `a` above it, which already has a value",
        "indent `b` like `a` (2 spaces) to make it a sibling, or end `a:` with nothing after "
        "the colon to nest under it",
        5,
    ),
    Case(
        "argument-indented-too-far",
        H + "  a:\n    type: Dense\n     units: 4\n",
        6,
        6,
        "key `units` is indented more than `type` above it, which already has a value",
        "indent `units` like `type` (4 spaces) to make it a sibling, or end `type:` with "
        "nothing after the colon to nest under it",
        6,
    ),
    Case(
        "top-level-key-off-by-one",
        "inputs:\n  x: {shape: [4]}\n nodes:\n  a: {type: Dense, units: 4}\n",
        3,
        2,
        "key `nodes` is indented 1 space, which lines up with no key before it (`inputs` at "
        "0 spaces, `x` at 2 spaces)",
        "write `nodes` at the start of the line, like `inputs`",
        3,
    ),
    Case(
        "argument-between-two-levels",
        H + "  d1:\n    type: Dense\n    units: 8\n   activation: relu\n",
        7,
        4,
        "key `activation` is indented 3 spaces, which lines up with no key before it (`nodes` "
        "at 0 spaces, `d1` at 2 spaces, `units` at 4 spaces)",
        "indent `activation` with 4 spaces like `units` (a key of `d1`); with 2 spaces it "
        "would be a sibling of `d1`",
        7,
    ),
    Case(
        "node-between-two-levels",
        H + "  d1:\n    type: Dense\n    units: 8\n d2: {type: ReLU}\n",
        7,
        2,
        "key `d2` is indented 1 space, which lines up with no key before it (`nodes` at 0 "
        "spaces, `d1` at 2 spaces, `units` at 4 spaces)",
        "indent `d2` with 2 spaces like `d1`; with 0 spaces it would be a sibling of `nodes`",
        7,
    ),
    Case(
        "unquoted-expression-in-a-flow-mapping",
        "params: {width: 8}\n" + H + "  d1: {type: Dense, units: ${width}}\n",
        5,
        28,
        "`${width}` inside a `{...}` mapping must be quoted: unquoted, YAML reads its `{` as "
        "the start of a mapping",
        'write "${width}" (in quotes), as every `${...}` in a flow collection',
        5,
    ),
    Case(
        "unquoted-expression-in-a-flow-list",
        "params: {k: 3}\n" + H + "  c: {type: Conv1D, filters: 2, kernel_size: [${k}]}\n",
        5,
        47,
        "`${k}` inside a `[...]` list must be quoted: unquoted, YAML reads its `{` as the start "
        "of a mapping",
        'write "${k}" (in quotes), as every `${...}` in a flow collection',
        5,
    ),
    Case(
        "quoted-value-glued-to-its-key",
        "params: {classes: 3}\n" + H + '  d1: {type: Dense, units:"${classes}"}\n',
        5,
        26,
        'missing space after `:` in `units:"${classes}"`',
        'write `units: "${classes}"`: YAML needs a space after the colon of a key',
        6,
    ),
    Case(
        "unclosed-quote",
        H + '  a: {type: Dense, units: 4}\n  b: "unclosed\n',
        5,
        6,
        'the string opened with `"` here is never closed',
        'close it with a matching `"` (a quoted string cannot run to the end of the file)',
        6,
    ),
    Case(
        "colon-inside-flow-value",
        H + "  a: {type: Dense, activation: relu: x}\n",
        4,
        36,
        "a second `:` inside `{...}`: a value cannot hold `: ` unquoted",
        "quote the value (`key: 'a: b'`), or add the missing `,` between two entries",
        4,
    ),
]


def _pyyaml_line(text: str) -> int:
    with pytest.raises(yaml.MarkedYAMLError) as info:
        yaml.safe_load(text)
    mark = info.value.problem_mark
    assert mark is not None
    return mark.line + 1


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_explained_where_the_mistake_is(case: Case) -> None:
    with pytest.raises(LoadError) as info:
        load_document(case.text, "m.yaml")
    [diag] = info.value.diagnostics
    assert (diag.code, diag.line, diag.column) == ("E003", case.line, case.column)
    assert (diag.message, diag.hint) == (case.message, case.hint)
    assert _pyyaml_line(case.text) == case.pyyaml_line  # what PyYAML alone would point at


def test_every_rule_has_a_case() -> None:
    assert set(SYNTAX_RULES) == {
        "tab",
        "unquoted-expression",
        "glued-quote",
        "unclosed-quote",
        "brackets",
        "missing-space",
        "indentation",
        "colon-in-value",
    }


def test_flow_key_without_space_is_e202_with_the_fix() -> None:
    from graphspec import check

    result = check(H + "  a: {type: Dense, units:4}\n")
    assert [(d.code, d.message, d.hint) for d in result.diagnostics] == [
        (
            "E202",
            "node `a`: missing space after `:` in `units:4`",
            "write `units: 4`: YAML reads `units:4` as one word",
        )
    ]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=" \t\n:-{}[]'\"#ab1,", max_size=60))
def test_explain_never_fails(text: str) -> None:
    try:
        list(yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except yaml.MarkedYAMLError as err:
        found = explain(text, err)
        assert found.message
        lines = max(1, len(text.splitlines()) + 1)
        assert found.line is None or 1 <= found.line <= lines
    except yaml.YAMLError:
        pass
