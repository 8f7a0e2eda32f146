"""One diagnostic per fault in a block definition (passes/instances.py), in text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphspec import check
from graphspec.cli.main import main

CASCADE = Path(__file__).resolve().parent / "cascade"


def test_json_lists_the_instances(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "json", str(CASCADE / "block_typo_repeat_four.yaml")]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in found] == ["E202", "E208"]
    assert all(d["instances"] == [f"encoder.{i}" for i in range(4)] for d in found)
    assert found[0]["node"] == "encoder.0.attn"
    assert len(found[0]["fixes"]) == 1  # one quick fix, not four


def test_some_instances_and_one_instance() -> None:
    result = check(CASCADE / "block_faults_in_some_instances.yaml")
    by_instances = {d.instances: d for d in result.errors}
    assert set(by_instances) == {("a", "b"), ("c",), ("stack.0", "stack.1", "a", "b", "c")}
    assert "(in 2 of 5 instances: a, b)" in by_instances["a", "b"].message
    single = by_instances["c",]
    assert single.message.startswith("node `c.d`:")  # kept on its instance
    assert single.related[-1].endswith(
        "only in instance `c` of block `mlp` (1 of 5): its params make the difference"
    )
    assert by_instances["stack.0", "stack.1", "a", "b", "c"].instance_nodes[0] == "stack.0.d"


def test_a_block_used_once_is_left_alone() -> None:
    text = (
        "inputs: {x: {shape: [4]}}\n"
        "blocks: {mlp: {nodes: {d: {type: Dense, units: 4, activaton: relu}}}}\n"
        "nodes: {body: {block: mlp}}\n"
    )
    (diag,) = check(text).errors
    assert diag.instances == () and diag.message.startswith("node `body.d`:")


def test_nested_blocks_merge_per_inner_block() -> None:
    text = (
        "inputs: {x: {shape: [4]}}\n"
        "blocks:\n"
        "  inner: {nodes: {d: {type: Dense, units: 4, activation: rleu}}}\n"
        "  outer: {nodes: {i: {block: inner, repeat: 2}}}\n"
        "nodes: {o: {block: outer, repeat: 2}}\n"
    )
    (diag,) = check(text).errors
    assert diag.instances == ("o.0.i.0", "o.0.i.1", "o.1.i.0", "o.1.i.1")
    assert "node `d` of block `inner`" in diag.message
