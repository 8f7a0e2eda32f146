"""The corpus of spec pairs (``cases/NAME/old.yaml``, ``new.yaml``) and their exact expected diffs.

``expected.json`` is the whole JSON form (``graphspec diff --format json``); regenerate it with
``GRAPHSPEC_DIFF_REGEN=1 pytest tests/diff/test_cases.py`` and review the change like code.
Every case is also run through the command line (exit status as diff(1)), and Keras, the oracle,
builds both sides of every valid case: the parameter totals of the diff must be its counts.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from graphspec import diff
from graphspec.cli.main import main

CASES_DIR = Path(__file__).parent / "cases"

CASES: dict[str, tuple[int, str]] = {
    "argument_change_propagates": (1, "a widened stem: its shape change reaches 3 nodes"),
    "add_remove": (1, "a Dense removed, a Dropout added, the consumer rewired"),
    "rename": (1, "two nodes renamed along a chain: renames, nothing else"),
    "non_rename": (1, "same type and arguments, other neighbours: removed + added"),
    "block_definition_edit": (1, "kernel_size edited in a block: one change in all 16 instances"),
    "block_site_edit": (1, "a param at one block site: one change in its 8 copies"),
    "repeat_grows": (1, "repeat 8 -> 9: one block instance added as a unit"),
    "equal_chain_vs_edges": (0, "chains vs inputs, key order, defaults and tuples written out"),
    "equal_block_vs_expansion": (0, "a repeated block vs its expansion with literal values"),
    "sequential_to_functional": (1, "a merge added: Sequential -> functional"),
    "functional_to_sequential": (1, "`api: functional` dropped: functional -> Sequential"),
    "spec_level": (1, "input shape, outputs and training settings"),
    "invalid_side": (2, "the new side has a shape error: compared anyway, exit 2"),
    "unreadable_side": (2, "the new side is not YAML: not compared, exit 2"),
    "format11_expression": (1, "an expression edited (and one only re-spaced: equal)"),
    "format11_nested_model": (1, "a layer inside an inline nested model, shared twice"),
    "format11_call_arguments": (1, "initial_state tensors swapped, a training constant flipped"),
}


def _result(name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    monkeypatch.chdir(CASES_DIR / name)
    return diff("old.yaml", "new.yaml").to_dict()


def test_every_case_folder_is_listed() -> None:
    assert sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_gives_the_expected_json(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    found = _result(name, monkeypatch)
    expected_file = CASES_DIR / name / "expected.json"
    if os.environ.get("GRAPHSPEC_DIFF_REGEN"):
        expected_file.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
    assert found == json.loads(expected_file.read_text(encoding="utf-8"))
    status, _ = CASES[name]
    assert found["equal"] is (status == 0)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_on_the_command_line(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(CASES_DIR / name)
    status, _ = CASES[name]
    assert main(["diff", "old.yaml", "new.yaml", "--format", "json"]) == status
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((CASES_DIR / name / "expected.json").read_text())
    assert main(["diff", "new.yaml", "new.yaml"]) == (2 if status == 2 else 0)


def test_swapping_the_sides_swaps_the_diff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES_DIR / "add_remove")
    forward, backward = diff("old.yaml", "new.yaml"), diff("new.yaml", "old.yaml")
    assert [r.name for r in forward.added] == [r.name for r in backward.removed] == ["drop"]
    assert forward.params.total.delta == -(backward.params.total.delta or 0)


_ORACLE_FAST = ("block_definition_edit", "format11_nested_model", "argument_change_propagates")


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=[] if n in _ORACLE_FAST else [pytest.mark.slow])
        for n, (status, _) in sorted(CASES.items())
        if status != 2
    ],
)
def test_keras_counts_the_parameter_totals(name: str) -> None:
    """Keras builds both sides: the totals of the expected diff are its parameter counts."""
    import graphspec

    expected = json.loads((CASES_DIR / name / "expected.json").read_text())["params"]
    for side in ("old", "new"):
        model = graphspec.compile(CASES_DIR / name / f"{side}.yaml")
        trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
        assert expected["total"][side] == model.count_params(), side
        assert expected["trainable"][side] == trainable, side
