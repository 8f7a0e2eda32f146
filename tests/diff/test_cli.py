"""`graphspec diff` on the command line: --set on both sides, bad input, one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphspec import diff
from graphspec.cli.main import main

CASES = Path(__file__).parent / "cases"
WIDEN = CASES / "argument_change_propagates"


def test_set_applies_to_both_sides(capsys: pytest.CaptureFixture[str]) -> None:
    old, new = str(WIDEN / "old.yaml"), str(WIDEN / "new.yaml")
    assert main(["diff", old, new]) == 1  # width 16 -> 24
    capsys.readouterr()
    assert main(["diff", old, new, "--set", "width=24"]) == 0  # both at 24: the same model
    out = capsys.readouterr().out
    assert out.endswith("same architecture\n") and "param width: 16 → 24" in out
    assert diff(old, new, params={"width": 32}).equal


def test_a_missing_file_is_exit_2_with_its_diagnostic(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["diff", str(WIDEN / "old.yaml"), str(tmp_path / "nope.yaml")]) == 2
    captured = capsys.readouterr()
    assert f"{tmp_path / 'nope.yaml'}: error[E001]: no such spec file" in captured.err
    assert "not compared: a side could not be read" in captured.out


def test_a_block_library_is_not_a_model(tmp_path: Path) -> None:
    library = tmp_path / "lib.yaml"
    library.write_text("graphspec: 1.1\nblocks:\n  b: {nodes: {d: {type: ReLU}}}\n")
    result = diff(library, WIDEN / "old.yaml")
    assert result.exit_status == 2 and not result.old.loaded
    assert [d.code for d in result.old.diagnostics] == ["E313"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["diff", "a.yaml"], "give two specs, OLD and NEW; got 1"),
        (["diff", "a.yaml", "b.yaml", "c.yaml"], "give two specs, OLD and NEW; got 3"),
    ],
)
def test_usage_errors_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err == f"graphspec diff: error: {message}\n"


def test_view_diff_needs_a_revision(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["view", "specs/seed_skip.yaml", "--diff=-x", "--no-browser"]) == 2
    assert (
        "--diff takes a git revision (HEAD, main, HEAD~1, …); got '-x'" in capsys.readouterr().err
    )
