"""Tests for the command line: validate, summary, schema; exit codes and output formats."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from graphspec.cli.main import main

SPECS = sorted(Path("specs").glob("*.yaml"))


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_every_shipped_spec_validates(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(spec)]) == 0
    assert f"{spec}: ok" in capsys.readouterr().out


def test_invalid_spec_exits_1_with_located_diagnostics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("inputs: {x: {shape: [4]}}\nnodes:\n  d: {type: Dnse, units: 2}\n")
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3:13: error[E201]: node `d`: unknown layer type `Dnse`" in err
    assert "  hint: did you mean `Dense`?" in err
    assert "1 error, 0 warnings" in err


def test_json_format_is_the_same_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("inputs: {x: {shape: [4]}}\nnodes:\n  d: {type: Dense, unitz: 2}\n")
    assert main(["validate", "--format", "json", str(bad)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in data] == ["E202"]  # not also "needs `units`": the typo says it
    first = data[0]
    assert {k: first[k] for k in ("file", "line", "column", "severity", "code", "node")} == {
        "file": str(bad),
        "line": 3,
        "column": 20,
        "severity": "error",
        "code": "E202",
        "node": "d",
    }
    assert first["message"] == "node `d`: Dense has no argument `unitz`"
    assert first["hint"] == "did you mean `units`?"


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 2
    assert main(["validate", "no/such/file.yaml"]) == 2
    assert "no/such/file.yaml: error[E001]: no such spec file" in capsys.readouterr().err
    assert main(["validate", "--set", "oops", "specs/seed_skip.yaml"]) == 2
    assert main([]) == 2
    assert main(["nonsense"]) == 2


def test_set_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "--set", "width=8", "specs/seed_skip.yaml"]) == 0
    out = capsys.readouterr().out
    assert "conv1 (Conv2D)" in out
    assert main(["validate", "--set", "nope=1", "specs/seed_skip.yaml"]) == 1
    assert capsys.readouterr().err.startswith(
        "--set nope=1: error[E408]: `nope` is not a param of specs/seed_skip.yaml\n"
    )


def test_help_for_each_command(capsys: pytest.CaptureFixture[str]) -> None:
    from graphspec.cli.registry import COMMANDS

    for name in COMMANDS:
        assert main([name, "--help"]) == 0
        assert f"usage: graphspec {name}" in capsys.readouterr().out


def test_summary_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "--format", "json", "specs/seed_skip.yaml"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "seed_skip"
    assert data["kind"] == "functional"
    assert data["kind_reason"] == "node `add` has 2 inputs: conv4, shortcut"
    assert [row["node"] for row in data["nodes"]][:3] == ["image", "conv1", "conv2"]


def test_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "graphspec spec, format 1"
    assert set(schema["required"]) == {"inputs", "nodes"}
    assert "Conv2D" in schema["$defs"]["NodeSpec"]["properties"]["type"]["anyOf"][0]["enum"]


def test_committed_schema_is_current() -> None:
    from graphspec.frontend.schema import schema_text

    assert Path("docs/graphspec.schema.json").read_text() == schema_text() + "\n", (
        "docs/graphspec.schema.json is stale: run `make schema`"
    )


def test_the_parser_of_one_command_is_that_of_the_whole_command_line() -> None:
    from graphspec.cli.main import build_parser
    from graphspec.cli.registry import COMMANDS

    def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        return next(a for a in parser._actions if a.dest == "command").choices  # type: ignore[return-value]

    every = build_parser()
    assert every.format_help() == build_parser(only="validate").format_help()
    for name in COMMANDS:
        alone = subparsers(build_parser(only=name))[name]
        assert alone.format_help() == subparsers(every)[name].format_help(), name


# -- did-you-mean on the command line, validate DIR and non-specs ------------------------------


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["valdate", "x.yaml"], "did you mean `validate`?"),
        (["rendr", "x.yaml"], "did you mean `render`?"),
        (["validate", "--formt", "json", "x.yaml"], "did you mean `--format`?"),
        (["validate", "--format", "jsn", "x.yaml"], "did you mean `json`?"),
    ],
)
def test_a_misspelt_command_or_option_gets_did_you_mean(
    argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert f"  hint: {hint}" in capsys.readouterr().err


def test_validate_dir_skips_files_that_are_not_specs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import shutil

    from graphspec.frontend.schema import schema_text
    from graphspec.tools.train.fit import FitRun
    from graphspec.tools.train.settings import TrainSettings

    root = Path(__file__).resolve().parent.parent
    shutil.copy(root / "specs/seed_skip.yaml", tmp_path / "model.yaml")
    (tmp_path / "plain.yaml").write_text(
        "inputs: {x: {shape: [4]}}\nnodes: {d: {type: Dense, units: 2}}\n"
    )
    (tmp_path / "graphspec.schema.json").write_text(schema_text())
    run = FitRun(
        "m", "Functional", 0, TrainSettings(), "digits", {"loss": [1.0]}, {"loss": 1.0}, [0.1], 10
    )
    (tmp_path / "history.json").write_text(json.dumps(run.to_dict(), indent=2))
    (tmp_path / "ci.yml").write_text("name: CI\non: [push]\njobs: {a: {runs-on: x}}\n")
    assert main(["validate", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"{tmp_path}/model.yaml: ok", f"{tmp_path}/plain.yaml: ok"]
    notes = captured.err.splitlines()
    assert len(notes) == 3 and all("note[N016]: skipped, not a spec:" in n for n in notes)
    assert main(["validate", "-q", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""
    assert main(["validate", str(tmp_path / "history.json")]) == 1  # named: always checked
