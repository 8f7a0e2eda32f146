"""Blocks suggested for a flat spec, drawn by the viewer: the page data, then in Chromium."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from graphspec.api import check
from graphspec.backends.importer.suggest import suggest_blocks
from graphspec.tools.view import build_page
from tests.view.conftest import ROOT

pytestmark = pytest.mark.timeout(120)

FLAT = Path(__file__).parent / "data" / "resnet50_flat.yaml"


def test_the_imported_resnet50_gets_its_blocks_suggested() -> None:
    written = check(FLAT)
    found = suggest_blocks(written)
    assert found is not None
    assert found.result.shapes is not None and written.shapes is not None
    assert found.result.shapes.total == written.shapes.total  # the same model
    layers = {n.name for n in written.graph.nodes.values()}
    assert {n.layer_name for n in found.result.graph.nodes.values()} == layers  # the same names
    assert found.flat_lines >= 4 * found.lines // 2 and found.lines < found.flat_lines
    print(f"suggested: {found.instances}, {found.flat_lines} -> {found.lines} lines")
    page = build_page(FLAT, suggest=True, blocks="collapse")
    suggestion = page["suggestion"]
    assert suggestion["found"] and suggestion["yaml"] == found.text
    assert any(box["kind"] == "block" for box in page["boxes"].values())
    (node,) = [n for n in page["nodes"].values() if n["layer"] == "conv3_block2_2_conv"]
    line = FLAT.read_text().splitlines()[node["line"] - 1]
    assert line.startswith("  conv3_block2_2_conv:") and node["file"] == str(FLAT)
    assert page["files"] == [str(FLAT)] and not page["written_blocks"]


def test_specs_with_blocks_or_without_repeats_get_no_suggestion() -> None:
    blocked = build_page(ROOT / "specs" / "unet.yaml", suggest=True)
    assert blocked["suggestion"] == {"found": False, "why": "this spec has blocks already"}
    assert blocked["written_blocks"]
    flat = build_page(ROOT / "specs" / "seed_skip.yaml", suggest=True, params={"width": 8})
    assert flat["suggestion"]["found"] is False and flat["suggestion"]["why"]
    assert flat["svg"] and flat["nodes"]["conv4"]["line"]  # the spec as written, drawn


def test_the_suggest_button_draws_the_blocks(browser: Any, tmp_path: Path) -> None:
    from graphspec.tools.view import _harness as harness

    with harness.viewer([FLAT], cwd=ROOT) as url:
        browser.get(url)
        settled = "return document.body.dataset.firstView && !window.graphspecView.snapshot().busy"
        deadline = time.monotonic() + 30
        while not browser.execute_script(settled):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        blocks = "return document.querySelectorAll('#canvas g.gs_block').length"
        assert browser.execute_script(blocks) == 0
        browser.find_element("id", "suggest").click()
        while not browser.execute_script(
            f"{blocks.removesuffix(';')} > 0 && !window.graphspecView.snapshot().busy"
        ):
            assert time.monotonic() < deadline + 30, "the suggested blocks were not drawn"
            time.sleep(0.05)
        assert browser.find_element("id", "suggested").is_displayed()
        assert "blocks:" in browser.find_element("id", "suggest-yaml").text
        assert browser.find_element("id", "suggest").text == "Hide suggestion"
        browser.find_element("id", "suggest").click()
        while browser.execute_script(blocks) > 0:
            assert time.monotonic() < deadline + 60, "the suggestion was not hidden"
            time.sleep(0.05)


def test_a_hand_written_flat_spec_with_params_gets_blocks(tmp_path: Path) -> None:
    """Its ``${...}`` values are read as checked; the suggestion finds the params it needs."""
    layers = "".join(
        f'  b{i}_dense: {{type: Dense, units: "{units}"}}\n'
        f"  b{i}_bn: {{type: BatchNormalization}}\n  b{i}_relu: {{type: ReLU}}\n"
        for i, units in enumerate(["${w}", "${w * 2}", "${w * 2}", "${w * 4}"], 1)
    )
    spec = tmp_path / "flat.yaml"
    spec.write_text(
        "params: {w: 8}\ninputs: {x: {shape: [16]}}\nnodes:\n"
        + layers
        + "  out: {type: Dense, units: 1}\n"
    )
    written = check(spec)
    found = suggest_blocks(written)
    assert found is not None and found.instances == {"b": ["b1", "b2", "b4"]}
    assert found.result.shapes is not None and written.shapes is not None
    assert found.result.shapes.total == written.shapes.total
    assert "repeat: 2" in found.text and 'units: "${units}"' in found.text
