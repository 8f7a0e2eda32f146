"""The diff diagram, tested like ``render``: well-formed SVG, the marks' colours, names escaped,
the output policy; and the text forms' colours and escaping."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graphspec import diff
from graphspec.backends.diagram._style import DIFF
from graphspec.backends.diff import format_diff
from graphspec.backends.diff.diagram import diff_view, render_diff
from graphspec.cli.main import main

CASES = Path(__file__).parent / "cases"
NODE = re.compile(r'<g id="(node_\w+)" class="node (gsbox [^"]*)">')


def _pair(name: str) -> tuple[Path, Path]:
    return CASES / name / "old.yaml", CASES / name / "new.yaml"


def _classes(svg: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in NODE.finditer(svg)}


def test_svg_marks_added_changed_removed_and_shape() -> None:
    svg = render_diff(diff(*_pair("add_remove")), format="svg").text
    ET.fromstring(svg)
    classes = _classes(svg)
    assert sum("gs_added" in c for c in classes.values()) == 1
    assert sum("gs_removed" in c for c in classes.values()) == 1  # the ghost of h2
    assert sum("gs_changed" in c for c in classes.values()) == 1  # probs, rewired
    for mark in ("added", "removed", "changed"):
        assert DIFF[mark].border in svg and DIFF[mark].label in svg  # box and legend
    assert ">inputs: [h2] → [drop]<" in svg
    assert ">removed · 1,056 params<" in svg
    assert svg.count('stroke-dasharray="5,2"') >= 3  # the ghost and its two edges


def test_changed_values_and_shape_marks_in_the_boxes() -> None:
    svg = render_diff(diff(*_pair("argument_change_propagates")), format="svg").text
    assert ">filters: 16 → 24<" in svg
    assert ">was (None, 32, 32, 16)<" in svg
    assert sum("gs_shape" in c for c in _classes(svg).values()) == 3
    assert "1 changed, 3 nodes with new shapes or parameters" in svg  # the title


def test_unchanged_blocks_are_collapsed() -> None:
    view = diff_view(diff(*_pair("block_site_edit")))
    units = {b.label: b for b in view.boxes.values() if b.kind == "block"}
    assert list(units) == ["stage1"]  # stage1's 8 copies: one box; stage2 changed: open
    assert units["stage1"].mark is None
    assert {c.label for c in view.clusters.values()} >= {"stage2: unit ×8", "copy 8/8"}
    changed = [b for b in view.boxes.values() if b.mark == "changed"]
    assert len(changed) == 8 and all(
        b.changes == ["filters: 16 → 32", "was (None, 16, 16, 16)"] for b in changed
    )


def test_renamed_nodes_say_their_old_name() -> None:
    view = diff_view(diff(*_pair("rename")))
    assert [(b.label, b.changes) for b in view.boxes.values() if b.mark] == [
        ("encoder", ["renamed from hidden"]),
        ("bottleneck", ["renamed from act2"]),
    ]


HOSTILE = '<img src=x onerror=alert(1)>"&|`'


def _hostile(tmp_path: Path) -> tuple[Path, Path]:
    old = {
        "name": "<script>alert(2)</script>",
        "inputs": {"x": {"shape": [4]}},
        "nodes": {HOSTILE: {"type": "Dense", "units": 3}, "gone|<b>": {"type": "ReLU"}},
    }
    new = {
        "name": "<script>alert(2)</script>",
        "inputs": {"x": {"shape": [4]}},
        "nodes": {HOSTILE: {"type": "Dense", "units": 5}, "new<i>`x`": {"type": "ELU"}},
    }
    paths = tmp_path / "old.json", tmp_path / "new.json"
    for path, data in zip(paths, (old, new), strict=True):
        path.write_text(json.dumps(data))
    return paths


def test_hostile_names_are_escaped_everywhere(tmp_path: Path) -> None:
    result = diff(*_hostile(tmp_path))
    assert [c.name for c in result.changed] == [HOSTILE]
    svg = render_diff(result, format="svg").text
    ET.fromstring(svg)
    assert "<img" not in svg and "<script>" not in svg and "<b>" not in svg
    assert "&lt;img src=x onerror=alert(1)&gt;&quot;&amp;|`" in svg
    mermaid = render_diff(result, format="mmd").text.split("\n---\n", 1)[1]  # after the title
    assert "<img" not in mermaid and "<script" not in mermaid and "#60;img" in mermaid
    markdown = format_diff(result, "markdown")
    assert "<img" not in markdown and "<b>" not in markdown and "<i>" not in markdown
    assert '&lt;img src=x onerror=alert(1)&gt;"&amp;&#124;&#96;' in markdown
    for line in markdown.splitlines():
        if line.startswith("| "):  # every table row keeps its columns
            assert line.count(" | ") + 1 in (2, 4, 6), line


def test_cli_writes_the_diagram_under_the_output_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = _pair("add_remove")
    out = tmp_path / "change.png"
    assert main(["diff", str(old), str(new), "-o", str(out)]) == 1
    assert out.read_bytes().startswith(b"\x89PNG")
    assert capsys.readouterr().err == f"graphspec diff: wrote {out}\n"
    assert main(["diff", str(old), str(new), "-o", str(out)]) == 1  # its own file: refreshed
    capsys.readouterr()
    spec = tmp_path / "new.dot"  # a spec whose name says DOT: -o may not name it
    spec.write_text(new.read_text())
    assert main(["diff", str(old), str(spec), "-o", str(spec)]) == 2
    assert capsys.readouterr().err.startswith(f"graphspec diff: error: cannot write {spec}: it is")
    assert main(["diff", str(old), str(new), "-o", str(tmp_path / "x.txt")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err


def test_text_is_coloured_only_when_asked_or_on_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    old, new = _pair("add_remove")
    assert main(["diff", str(old), str(new)]) == 1
    assert "\033[" not in capsys.readouterr().out  # captured: not a terminal
    assert main(["diff", str(old), str(new), "--color", "always"]) == 1
    out = capsys.readouterr().out
    assert "\033[32m+ drop (Dropout)" in out and "\033[31m- h2 (Dense)" in out


def test_markdown_has_summary_table_and_details() -> None:
    text = format_diff(diff(*_pair("argument_change_propagates")), "markdown")
    lines = text.splitlines()
    old, new = _pair("argument_change_propagates")
    assert lines[0] == f"### graphspec diff: <code>{old}</code> → <code>{new}</code>"
    assert lines[2].startswith("**architecture changed** — 1 changed, 3 nodes")
    assert "| ~ | <code>stem</code> | Conv2D | filters: 16 → 24 |" in text
    assert text.count("<details>") == 2 and text.count("</details>") == 2
    assert "<summary>shape changes propagate to 3 nodes from <code>stem</code></summary>" in text
