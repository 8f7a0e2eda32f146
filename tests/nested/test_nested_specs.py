"""Nested models and spec files: static shapes and parameters, located errors, the path policy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graphspec import check
from graphspec.frontend.includes import allow_outside
from graphspec.ir.graph import NodeKind
from tests._nested_texts import SIAMESE, TOWER
from tests._util import by_code, only


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / next(iter(files))


def test_a_shared_spec_file_model_has_static_shapes_and_params_once(tmp_path: Path) -> None:
    top = _write(tmp_path, {"siamese.yaml": SIAMESE, "blocks/tower.yaml": TOWER})
    result = check(top)
    assert result.ok, [d.format() for d in result.diagnostics]
    tower = result.graph.nodes["tower"]
    assert tower.kind is NodeKind.MODEL and tower.model.source == "file"
    assert result.graph.nodes["tower_r"].share == "tower"
    # Conv2D(16, 3x3, 1 channel) + Dense(13*13*16 -> 16): the tower's params, counted once
    expected = (3 * 3 * 1 * 16 + 16) + (13 * 13 * 16 * 16 + 16)
    assert result.shapes.nodes["tower"].params == expected
    assert result.shapes.nodes["tower_r"].params == 0
    assert result.shapes.nodes["tower_r"].outputs == ((None, 16),)
    assert result.shapes.total == expected + 2


def test_frozen_nested_model_params_are_non_trainable(tmp_path: Path) -> None:
    text = SIAMESE.replace("width: 16,", "width: 16, trainable: false,")
    result = check(_write(tmp_path, {"s.yaml": text, "blocks/tower.yaml": TOWER}))
    assert result.ok
    assert result.shapes.nodes["tower"].trainable == 0
    assert result.shapes.trainable == 2


def test_nested_input_shapes_are_checked_against_the_parent(tmp_path: Path) -> None:
    text = SIAMESE.replace("left: {shape: [28, 28, 1]}", "left: {shape: [32, 32, 3]}")
    result = check(_write(tmp_path, {"s.yaml": text, "blocks/tower.yaml": TOWER}))
    diag = only(result, "E841")
    assert "takes (None, 28, 28, 1); it is given (None, 32, 32, 3)" in diag.message
    assert diag.line == 4


def test_nested_spec_errors_are_located_in_their_own_file(tmp_path: Path) -> None:
    bad = TOWER.replace("activation: relu", "activation: rleu")
    top = _write(tmp_path, {"s.yaml": SIAMESE, "blocks/tower.yaml": bad})
    result = check(top)
    e208 = only(result, "E208")
    assert e208.file == str((tmp_path / "blocks/tower.yaml").resolve())
    assert e208.line == 5
    assert only(result, "E850").file == str(top)


def test_unknown_param_of_a_nested_spec(tmp_path: Path) -> None:
    text = SIAMESE.replace("width: 16", "widht: 16")
    result = check(_write(tmp_path, {"s.yaml": text, "blocks/tower.yaml": TOWER}))
    diag = only(result, "E843")
    assert "has no param `widht`" in diag.message and diag.hint == "did you mean `width`?"


@pytest.mark.parametrize(
    ("written", "code", "words"),
    [
        ("blocks/towr.yaml", "E846", "no such spec file"),
        ("blocks/tower.txt", "E846", "not a spec file"),
        ("blocks", "E846", "not a spec file"),
        ("../outside.yaml", "E845", "outside the folder tree"),
        ("/etc/passwd", "E845", "absolute path"),
        ("blocks/../../outside.yaml", "E845", "outside the folder tree"),
    ],
)
def test_path_policy(tmp_path: Path, written: str, code: str, words: str) -> None:
    root = tmp_path / "project"
    (tmp_path / "outside.yaml").write_text(TOWER)
    text = SIAMESE.replace("blocks/tower.yaml", written)
    result = check(_write(root, {"s.yaml": text, "blocks/tower.yaml": TOWER}))
    diag = only(result, code)
    assert words in diag.message
    assert (diag.line, diag.column) == (4, 20)


def test_did_you_mean_for_a_misspelt_file(tmp_path: Path) -> None:
    text = SIAMESE.replace("blocks/tower.yaml", "blocks/towr.yaml")
    result = check(_write(tmp_path, {"s.yaml": text, "blocks/tower.yaml": TOWER}))
    assert only(result, "E846").hint == "did you mean `tower.yaml`?"


def test_symlinks_out_of_the_tree_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "tower.yaml").write_text(TOWER)
    root = tmp_path / "project"
    top = _write(root, {"s.yaml": SIAMESE})
    os.symlink(outside, root / "blocks")
    diag = only(check(top), "E845")
    assert "through a symlink" in diag.message


def test_allow_outside_lets_paths_leave_the_tree(tmp_path: Path) -> None:
    (tmp_path / "tower.yaml").write_text(TOWER)
    text = SIAMESE.replace("blocks/tower.yaml", "../tower.yaml")
    top = _write(tmp_path / "project", {"s.yaml": text})
    assert by_code(check(top), "E845")
    with allow_outside():
        assert check(top).ok


def test_cycles_and_depth_are_refused(tmp_path: Path) -> None:
    head = "graphspec: 1.1\ninputs: {x: {shape: [4]}}\nnodes:\n"
    files = {
        "a.yaml": head + "  m: {model: b.yaml}\n",
        "b.yaml": head + "  m: {model: a.yaml}\n",
    }
    result = check(_write(tmp_path, files))
    diag = only(result, "E847")
    assert "a.yaml -> b.yaml -> a.yaml" in diag.message
    chain = {f"d{i}.yaml": head + f"  m: {{model: d{i + 1}.yaml}}\n" for i in range(12)}
    chain["d12.yaml"] = head + "  m: {type: Dense, units: 2}\n"
    result = check(_write(tmp_path, chain))
    assert by_code(result, "E848")


def test_inline_model_errors_are_located_in_the_parent_file() -> None:
    result = check(
        "graphspec: 1.1\n"
        "inputs: {x: {shape: [8]}}\n"
        "nodes:\n"
        "  sub:\n"
        "    model:\n"
        "      inputs: {a: {shape: [8]}}\n"
        "      nodes:\n"
        "        d1: {type: Dense, units: 4}\n"
        "        d2: {type: Dense, units: 2, activation: softmx}\n"
        "  out: {type: Dense, units: 1}\n"
    )
    diag = only(result, "E208")
    assert (diag.file, diag.line, diag.column) == ("<spec>", 9, 49)
    assert only(result, "E850").line == 5


def test_inline_model_shapes_and_params() -> None:
    result = check(
        "graphspec: 1.1\n"
        "inputs: {x: {shape: [8]}}\n"
        "nodes:\n"
        "  sub:\n"
        "    model:\n"
        "      inputs: {a: {shape: [8]}}\n"
        "      nodes: {d1: {type: Dense, units: 4}}\n"
        "  out: {type: Dense, units: 1}\n"
    )
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.shapes.nodes["sub"].outputs == ((None, 4),)
    assert result.shapes.nodes["sub"].params == 8 * 4 + 4


def test_wrong_input_count_for_a_nested_model() -> None:
    result = check(
        "graphspec: 1.1\n"
        "inputs: {x: {shape: [8]}, y: {shape: [8]}}\n"
        "nodes:\n"
        "  sub: {model: {inputs: {a: {shape: [8]}}, nodes: {d: {type: Dense, units: 2}}}, inputs: [x, y]}\n"
    )
    assert "takes 1 input(s) (a); it is given 2" in only(result, "E844").message


def test_misuse_of_model_nodes() -> None:
    result = check(
        "graphspec: 1.1\n"
        "inputs: {x: {shape: [8]}}\n"
        "nodes:\n"
        "  b: {model: keras.applications.MobileNetV9}\n"
        "  c: {model: keras.applications.MobileNetV2, include_tp: false, name: z, weights: /tmp/w.h5}\n"
        "  d: {model: keras.applications.MobileNetV2, type: Dense}\n"
    )
    assert "cannot also have `type`" in only(result, "E840").message
    assert only(result, "E842").hint == "did you mean `MobileNetV2`?"
    messages = " | ".join(d.message for d in by_code(result, "E843"))
    assert "has no argument `include_tp`" in messages
    assert "`name` cannot be set" in messages
    assert "`weights` must be null" in messages


def test_format_1_0_needs_the_declaration() -> None:
    result = check(
        "inputs: {x: {shape: [8]}}\nnodes:\n  m: {model: {inputs: {a: {shape: [8]}}, nodes: {d: {type: Dense, units: 2}}}}\n"
    )
    assert "a nested model (`model:`) is format 1.1" in only(result, "E800").message


def test_summary_lists_a_nested_model_as_one_row_expandable_in_json(tmp_path: Path) -> None:
    from graphspec.backends.summary import summary_data, summary_text

    result = check(_write(tmp_path, {"s.yaml": SIAMESE, "blocks/tower.yaml": TOWER}))
    rows = {row["node"]: row for row in summary_data(result)["nodes"]}
    assert rows["tower"]["type"] == "Model(blocks/tower.yaml)"
    inner = rows["tower"]["model"]["nodes"]
    assert [r["node"] for r in inner] == ["x", "c1", "p1", "f", "e"]
    assert sum(r["params"] for r in inner) == rows["tower"]["params"]
    assert "model" not in rows["tower_r"]  # a second call: no second copy
    text = summary_text(result)
    assert "tower (Model(blocks/tower.yaml))" in text and "c1 (Conv2D)" not in text
