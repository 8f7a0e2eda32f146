"""Exact ranges and machine-applicable fixes: applying a fix makes its diagnostic go away."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphspec import check
from graphspec.base.source import yaml11_float
from graphspec.errors import Diagnostic, Fix, SpecError
from graphspec.frontend.loader import load_document

ROOT = Path(__file__).resolve().parent.parent
H = "inputs: {x: {shape: [4]}}\nnodes:\n"


def apply(text: str, fix: Fix) -> str:
    """Apply a fix's edits (1-based, end exclusive), last first."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    for edit in sorted(fix.edits, key=lambda e: (e.line, e.column), reverse=True):
        a = starts[edit.line - 1] + edit.column - 1
        b = starts[edit.end_line - 1] + edit.end_column - 1
        text = text[:a] + edit.text + text[b:]
    return text


def diagnostics(text: str) -> list[Diagnostic]:
    try:
        return check(text).diagnostics
    except SpecError as err:
        return list(err.diagnostics)


def ranged(text: str, code: str) -> tuple[Diagnostic, str]:
    found = [d for d in diagnostics(text) if d.code == code]
    assert found, [d.format() for d in diagnostics(text)]
    d = found[0]
    assert d.end_line is not None and d.end_column is not None
    lines = text.split("\n")
    assert d.end_line == d.line, "these cases sit on one line"
    return d, lines[d.line - 1][d.column - 1 : d.end_column - 1]


@pytest.mark.parametrize(
    ("text", "code", "covered", "fixed_text"),
    [
        (H + "  d: {type: Dens, units: 2}\n", "E201", "Dens", "type: Dense,"),
        (H + "  d: {type: Dense, unit: 2}\n", "E202", "unit", "units: 2"),
        (H + "  d: {type: Dense, units: 2, activation: rellu}\n", "E208", "rellu", ": relu}"),
        (H + "  d: {type: Dropout, rate: 1e-3}\n", "E106", "1e-3", "rate: 1.0e-3"),
        (H + "  d: {type: Dense, units: 012}\n", "E106", "012", "units: 12"),
        (H + "  d: {type: Dense, units: 2, activation: no}\n", "E106", "no", "'no'"),
        (H + "  d: {type: Dense, units:2}\n", "E202", "units:2", "units: 2"),
        (H + "  d: {type:Dense, units: 2}\n", "E200", "d", "type: Dense"),
        (H + "  d: {type: Dense, units: 2}\nedges: [x -> dd]\n", "E301", "dd", "x -> d]"),
        (
            "inputs: {x: {shape: [4]}}\nnodes:\n  d: {type: Dense, units: 2}\n"
            "train: {optimizer: {type: Adam, learning_rate: 1e-3}}\n",
            "E106",
            "1e-3",
            "learning_rate: 1.0e-3",
        ),
    ],
)
def test_range_and_fix(text: str, code: str, covered: str, fixed_text: str) -> None:
    diag, span = ranged(text, code)
    assert span == covered
    assert diag.fixes, diag.format()
    after = apply(text, diag.fixes[0])
    assert fixed_text in after
    assert code not in {d.code for d in diagnostics(after)}, after


def test_seed_add_fault_fix() -> None:
    text = (ROOT / "specs/bad/seed_skip_original.yaml").read_text()
    diag, span = ranged(text, "E501")
    assert span == "32" and diag.node == "shortcut"  # at the width that is wrong
    (fix,) = diag.fixes
    assert fix.title == "set `shortcut` filters to 64"
    after = apply(text, fix)
    assert "shortcut: {type: Conv2D, filters: 64," in after
    assert check(after).ok


def test_a_param_width_used_only_there_is_fixed_where_it_is_set() -> None:
    """Shortcut width written as `${w}`, used nowhere else: the fix sets `w`."""
    text = (ROOT / "specs/bad/seed_skip_original.yaml").read_text()
    text = text.replace(
        "shortcut: {type: Conv2D, filters: 32", "shortcut: {type: Conv2D, filters: '${w}'"
    )
    text = text.replace("name: seed_skip_original", "name: s\nparams: {w: 32}")
    diag, _ = ranged(text, "E501")
    (fix,) = diag.fixes
    assert fix.title == "set `w` to 64 in `params`"
    assert "params: {w: 64}" in apply(text, fix) and check(apply(text, fix)).ok


def test_no_fix_for_a_param_width_used_elsewhere() -> None:
    """`${w}` also sets conv1: the user decides whether to change the param (the hint says so)."""
    text = (ROOT / "specs/bad/seed_skip_original.yaml").read_text()
    for node in ("conv1:    ", "shortcut: "):
        text = text.replace(
            f"{node}{{type: Conv2D, filters: 32", f"{node}{{type: Conv2D, filters: '${{w}}'"
        )
    text = text.replace("name: seed_skip_original", "name: s\nparams: {w: 32}")
    diag, _ = ranged(text, "E501")
    assert diag.fixes == ()
    assert diag.hint is not None and "1 other place uses `w` too" in diag.hint


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        (H + "  d:\n    type:Dense\n    units: 4\n", "    type: Dense\n"),
        ("inputs:\n  x:{shape: [4]}\nnodes:\n  d: {type: Dense, units: 4}\n", "  x: {shape"),
    ],
)
def test_syntax_error_missing_space_fix(text: str, fixed: str) -> None:
    diag = diagnostics(text)[0]
    assert diag.code == "E003"
    after = apply(text, diag.fixes[0])
    assert fixed in after and check(after).ok


def test_json_form_has_ranges_and_fixes() -> None:
    diag, _ = ranged(H + "  d: {type: Dens, units: 2}\n", "E201")
    data = diag.to_dict()
    assert (data["end_line"], data["end_column"]) == (3, 17)
    assert data["fixes"] == [
        {
            "title": "write `Dense`",
            "edits": [{"line": 3, "column": 13, "end_line": 3, "end_column": 17, "text": "Dense"}],
        }
    ]


@pytest.mark.parametrize("raw", ["1e-3", "5E4", "2.5e+2", "1e10", "-3e-7"])
def test_yaml11_float_reads_as_a_number(raw: str) -> None:
    fixed = yaml11_float(raw)
    assert fixed is not None
    assert load_document(f"a: {fixed}\n").data["a"] == pytest.approx(float(raw))


@pytest.mark.parametrize(
    ("text", "path", "key", "covered"),
    [
        ('a: {b: "x, y", c: 1}\n', ("a", "b"), False, '"x, y"'),
        ("a: {b: 'it''s', c: 1}\n", ("a", "b"), False, "'it''s'"),
        ("a: [1, [2, 3], {x: ']'}]  # c\n", ("a",), False, "[1, [2, 3], {x: ']'}]"),
        ("a:\n  b: some words  # comment\n", ("a", "b"), False, "some words"),
        ("a:\n  long key: 1\n", ("a", "long key"), True, "long key"),
        ("a: {b: c}\n", ("a", "b"), True, "b"),
    ],
)
def test_span(text: str, path: tuple[str, ...], key: bool, covered: str) -> None:
    source = load_document(text).source
    span = source.span(path, key=key)
    assert span is not None
    a, b = source.offset(span[0]), source.offset(span[1])
    assert text[a:b] == covered


# -- fixes of issue 24: at the cause, and for the YAML mistakes ----------------------------------

CASCADE = ROOT / "tests/cascade"


def _only_fix(text: str, code: str) -> Fix:
    (diag,) = [d for d in diagnostics(text) if d.code == code]
    (fix,) = diag.fixes
    return fix


def test_resnet_conv_batchnorm_add_is_fixed_at_the_conv() -> None:
    text = (CASCADE / "resnet_width_through_batchnorm.yaml").read_text()
    text = text.replace("sofmax", "softmax")  # the corpus case's other fault
    (diag,) = check(text).errors
    assert diag.node == "conv_b" and diag.code == "E501"
    fix = diag.fixes[0]
    assert fix.title == "set `conv_b` filters to 16"
    after = apply(text, fix)
    assert "conv_b: {type: Conv2D, filters: 16," in after
    assert check(after).ok


def test_a_block_param_used_only_by_the_culprit_is_fixed_on_the_instance() -> None:
    text = (
        "inputs: {image: {shape: [8, 8, 4]}}\n"
        "blocks:\n"
        "  res:\n"
        "    params: {filters: null, out: null}\n"
        "    inputs: [x]\n"
        "    nodes:\n"
        '      conv_a: {type: Conv2D, filters: "${filters}", kernel_size: 3, padding: same}\n'
        '      conv_b: {type: Conv2D, filters: "${out}", kernel_size: 3, padding: same}\n'
        "      bn: {type: BatchNormalization}\n"
        "      add: {type: Add}\n"
        "    edges: [x -> conv_a -> conv_b -> bn -> add, x -> add]\n"
        "    outputs: [add]\n"
        "nodes:\n"
        "  stage: {block: res, filters: 8, out: 32, repeat: 2}\n"
    )
    (diag,) = check(text).errors
    assert diag.node == "stage.0.conv_b"
    assert (
        diag.hint
        == "set `out: 4` on instance `stage` (it has 32; only `stage.0.conv_b`'s filters uses it)"
    )
    after = apply(text, diag.fixes[0])
    assert "stage: {block: res, filters: 8, out: 4, repeat: 2}" in after
    assert check(after).ok


def test_an_unquoted_expression_is_quoted() -> None:
    text = (CASCADE / "yaml_unquoted_expression.yaml").read_text()
    after = apply(text, _only_fix(text, "E003"))
    assert 'units: "${width}"}' in after and check(after).ok


def test_a_key_between_two_levels_is_reindented() -> None:
    text = (CASCADE / "yaml_key_between_two_levels.yaml").read_text()
    after = apply(text, _only_fix(text, "E003"))
    assert "\n    activation: relu\n" in after and check(after).ok


def test_nodes_not_indented_are_indented() -> None:
    text = (CASCADE / "nodes_not_indented.yaml").read_text().replace("activaton", "activation")
    after = apply(text, _only_fix(text, "E107"))
    assert "\n  d1: {type: Dense" in after and "\n    type: Dense\n" in after
    assert check(after).ok


@pytest.mark.parametrize(
    ("code", "before", "after"),
    [
        ("E407", '"${bsae * 4}"', '"${base * 4}"'),
        ("E203", '"${width / 3}"', '"${width // 3}"'),
        ("E208", "gleu", "gelu"),
        ("E403", "unit: 8", "units: 8"),
    ],
)
def test_param_typos_are_fixed(code: str, before: str, after: str) -> None:
    text = (CASCADE / "params_typos.yaml").read_text()
    fixed = apply(text, _only_fix(text, code))
    body = fixed.split("\nparams:", 1)[1]  # past the header, which quotes the faults
    assert after in body and before not in body
    assert code not in {d.code for d in diagnostics(fixed)}
