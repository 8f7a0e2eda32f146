"""``compare``: the table, the same-computation verdicts, the JSON and the PNG plot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphspec import check
from graphspec.cli.main import main
from graphspec.tools.train.compare import graph_signature

from .conftest import SPECS

pytestmark = pytest.mark.keras

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_graph_signature_ignores_names(tiny_a: Path, tiny_b: Path, tiny_wide: Path) -> None:
    a, b, wide = (graph_signature(check(p).graph) for p in (tiny_a, tiny_b, tiny_wide))
    assert a == b
    assert a != wide
    seq, fun = (
        graph_signature(check(SPECS / f"seed_{n}.yaml").graph) for n in ("sequential", "functional")
    )
    assert seq == fun
    assert seq != graph_signature(check(SPECS / "seed_skip.yaml").graph)


def test_compare_table_json_and_plot(
    tiny_a: Path, tiny_b: Path, tiny_wide: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot, raw = tmp_path / "curves.png", tmp_path / "out.json"
    argv = ["compare", str(tiny_a), str(tiny_b), str(tiny_wide), "--data", "digits"]
    argv += [
        "--seeds",
        "2",
        "--epochs",
        "2",
        "--both-apis",
        "--plot",
        str(plot),
        "--json",
        str(raw),
    ]
    assert main(argv) == 0
    captured = capsys.readouterr()
    table = captured.out
    for label in ("tiny_a [sequential]", "tiny_a [functional]", "tiny_wide [functional]"):
        assert f"| {label} |" in table
    assert "| tiny_a [sequential] | 1,210 | 2 | 0." in table
    assert "| tiny_wide [sequential] | 2,410 |" in table
    assert " ± " in table and "mean ± sample std over 2 seeds" in table
    assert (
        "| tiny_a [sequential] | tiny_b [functional] | yes | yes (2/2 seeds) | yes | **yes** |"
        in table
    )
    assert (
        "| tiny_a [sequential] | tiny_wide [sequential] | no | no (0/2 seeds) | no | **no** |"
        in table
    )
    assert "tiny_b [sequential] seed 1: test accuracy" in captured.err

    data = json.loads(raw.read_text())
    assert data["seeds"] == [0, 1] and data["args"]["both_apis"] is True
    models = {m["label"]: m for m in data["models"]}
    assert len(models) == 6
    a = models["tiny_a [sequential]"]
    assert [r["seed"] for r in a["runs"]] == [0, 1]
    assert a["test_accuracy"]["values"] == [r["test"]["accuracy"] for r in a["runs"]]
    assert len(a["runs"][0]["history"]["val_accuracy"]) == 2
    pairs = [p for p in data["pairs"] if p["same_computation"]]
    assert len(pairs) == 6 + 1  # the four tiny_a/tiny_b models pairwise, and tiny_wide's two APIs
    assert all(p["identical_results"] for p in pairs)

    assert plot.read_bytes()[:8] == PNG_MAGIC


def test_compare_checks_every_spec_before_training(
    tiny_a: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(tiny_a.read_text().replace("optimizer: adam,", "optimizer: adam, loss: msee,"))
    assert main(["compare", str(tiny_a), str(bad), "--data", "digits"]) == 1
    captured = capsys.readouterr()
    assert "unknown loss `msee`" in captured.err and "seed 0" not in captured.err
    assert main(["compare", str(tiny_a), "--data", "digits", "--plot", "c.svg"]) == 2
    assert main(["compare", str(tmp_path / "none.yaml"), "--data", "digits"]) == 2
