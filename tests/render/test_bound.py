"""The drawing bound: blocks collapse above it, a graph still too large is refused, in seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

import graphspec
from graphspec.backends.diagram import MAX_DRAWN_NODES, Bound, TooLarge, bounded_view
from graphspec.cli.main import main
from graphspec.errors import UsageError

BLOCKS = (
    "inputs:\n  x: {shape: [8]}\nblocks:\n  mlp:\n    nodes:\n"
    "      d: {type: Dense, units: 8}\n      r: {type: ReLU}\n"
    "nodes:\n  body: {block: mlp, repeat: 5}\n  head: {type: Dense, units: 2}\n"
)
FLAT = "inputs:\n  x: {shape: [8]}\nnodes:\n" + "".join(
    f"  d{i}: {{type: Dense, units: 8}}\n" for i in range(6)
)


def test_under_the_bound_nothing_changes() -> None:
    _, view, bound = bounded_view(BLOCKS, max_boxes=12)
    assert bound == Bound("expand", len(view.boxes), 12)


def test_over_the_bound_blocks_collapse() -> None:
    _, view, bound = bounded_view(BLOCKS, max_boxes=11)
    assert (bound.blocks, bound.collapsed, bound.expanded) == ("collapse", True, 12)
    assert bound.boxes == len(view.boxes) < 12


def test_no_bound_and_explicit_collapse() -> None:
    assert bounded_view(BLOCKS, max_boxes=0)[2].blocks == "expand"
    bound = bounded_view(BLOCKS, max_boxes=11, blocks="collapse")[2]
    assert (bound.blocks, bound.collapsed) == ("collapse", False)


def test_flat_graph_over_the_bound_is_refused() -> None:
    with pytest.raises(TooLarge) as info:
        bounded_view(FLAT, max_boxes=3)
    assert isinstance(info.value, UsageError)
    assert (info.value.expanded, info.value.collapsed, info.value.limit) == (7, 7, 3)
    assert str(info.value).startswith("the diagram would have 7 boxes, more than the 3 drawn")


def test_python_render_applies_the_bound(tmp_path: Path) -> None:
    result = graphspec.render(BLOCKS, tmp_path / "m.dot", max_boxes=4)
    assert result.bound is not None and result.bound.collapsed
    with pytest.raises(TooLarge):
        graphspec.render(FLAT, tmp_path / "f.dot", max_boxes=3)
    assert not (tmp_path / "f.dot").exists()
    assert MAX_DRAWN_NODES == 2000


def test_cli_says_what_it_did(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "m.yaml"
    spec.write_text(BLOCKS)
    assert main(["render", str(spec), "-o", str(tmp_path / "m.dot"), "--max-nodes", "4"]) == 0
    assert capsys.readouterr().err == (
        "graphspec render: note: 12 boxes expanded is more than the 4 drawn at once: blocks "
        "are drawn collapsed (3 boxes); --max-nodes 12 draws every node\n"
    )
    assert main(["render", str(spec), "-o", str(tmp_path / "m.dot"), "--max-nodes", "0"]) == 0
    assert capsys.readouterr().err == ""
