"""The viewer in a real headless Chromium: nodes, panel, live updates, faults, escaping."""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from graphspec.tools.view._harness import WATCH_UPDATE
from tests.view.conftest import ROOT, XSS_NAME, Viewer

pytestmark = pytest.mark.timeout(120)

SKIP_NODES = {
    "image", "conv1", "conv2", "pool1", "shortcut", "conv3", "conv4", "add", "pool2", "flat",
    "probs",
}  # fmt: skip
BOX_NAMES = """
return [...document.querySelectorAll('#canvas g.gsbox')].map(
  g => g.querySelector('text').textContent);
"""


def _wait(driver: Any, script: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {script}")
        time.sleep(0.02)


def _open(driver: Any, viewer: Viewer, spec: int, expand: bool = False) -> None:
    """Open a spec and wait for its first view; ``expand``: then draw every block expanded
    (the first view collapses blocks when a fit would make the text too small)."""
    driver.get(f"{viewer.url}?open={time.monotonic_ns()}#spec={spec}")
    _wait(driver, "return document.body.dataset.version !== undefined && "
          "document.querySelector('#canvas svg g.gsbox') !== null && "
          "document.body.dataset.firstView && !window.graphspecView.snapshot().busy")  # fmt: skip
    if (
        expand
        and driver.execute_script("return window.graphspecView.snapshot().blocks") != "expand"
    ):
        driver.find_element("id", "expand-all").click()
        _wait(driver, "const s = window.graphspecView.snapshot(); "
              "return s.blocks === 'expand' && !s.busy && document.querySelector('#canvas g.gs_block') === null")  # fmt: skip


def _click_box(driver: Any, name: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    boxes = driver.find_elements("css selector", "#canvas g.gsbox")
    for box in boxes:
        if box.find_element("css selector", "text").text == name:
            shape = box.find_element("css selector", "path, polygon")
            ActionChains(driver).move_to_element(shape).click().perform()
            return
    raise AssertionError(f"no box named {name!r} on the page")


def _details(driver: Any) -> str:
    return driver.find_element("id", "details").text


def _served(viewer: Viewer) -> dict[str, Any]:
    with urllib.request.urlopen(viewer.url + "api/spec/0", timeout=10) as response:
        return json.load(response)


@pytest.fixture
def seed_skip(viewer: Viewer) -> Any:
    """The original seed_skip text; the served copy is restored (and served again) afterwards."""
    original = (ROOT / "specs" / "seed_skip.yaml").read_text()
    yield original
    if viewer.skip.read_text() != original:
        viewer.write(original)
        deadline = time.monotonic() + 10
        while not (page := _served(viewer))["ok"] or "(None, 10)" not in page["svg"]:
            assert time.monotonic() < deadline, "the restored spec was not served again"
            time.sleep(0.05)


def test_page_shows_every_node_and_the_totals(browser: Any, viewer: Viewer) -> None:
    _open(browser, viewer, 0)
    assert set(browser.execute_script(BOX_NAMES)) == SKIP_NODES
    header = browser.find_element("id", "totals").text
    assert "98,474" in header and "params" in header
    assert browser.find_element("id", "name").text == "seed_skip"
    assert "compiles as functional" in browser.find_element("id", "summary").text


def test_clicking_conv4_shows_its_panel_and_inputs_are_links(browser: Any, viewer: Viewer) -> None:
    _open(browser, viewer, 0)
    _click_box(browser, "conv4")
    text = _details(browser)
    assert "conv4" in text and "Conv2D" in text
    assert "(None, 14, 14, 64)" in text
    assert "36,928" in text  # params, as Keras counts them: 3*3*32*64 + 64
    assert "seed_skip.yaml:14:" in text  # file:line
    browser.find_element("css selector", '#details button[data-node="conv3"]').click()
    assert browser.find_element("id", "detail-name").text == "conv3"
    selected = browser.execute_script(
        "return document.querySelector('.gs-selected text').textContent"
    )
    assert selected == "conv3"


def test_search_finds_a_node(browser: Any, viewer: Viewer) -> None:
    _open(browser, viewer, 0)
    search = browser.find_element("id", "search")
    search.send_keys("short")
    _wait(browser, "return !document.getElementById('results').hidden")
    search.send_keys("\n")
    assert browser.find_element("id", "detail-name").text == "shortcut"


def test_saving_updates_the_page_within_a_second(
    browser: Any, viewer: Viewer, seed_skip: str
) -> None:
    _open(browser, viewer, 0)
    _click_box(browser, "conv4")
    browser.execute_script("window.graphspecView.zoomBy(1.6)")
    before = browser.execute_script("return window.graphspecView.snapshot()")
    browser.execute_script(WATCH_UPDATE, "(None, 12)")
    saved = viewer.write(seed_skip.replace("units: 10,", "units: 12,"))
    updated = _wait(browser, "return window.__updatedAt", timeout=5) / 1000
    elapsed = updated - saved
    print(f"save -> updated page: {elapsed * 1000:.0f} ms")
    assert elapsed <= 1.0, f"the page updated {elapsed:.3f} s after the save"
    assert "(None, 12)" in browser.find_element("id", "canvas").get_attribute("innerHTML")
    after = browser.execute_script("return window.graphspecView.snapshot()")
    assert after["selected"] == "conv4" and "(None, 14, 14, 64)" in _details(browser)
    assert after["scale"] == pytest.approx(before["scale"])  # the same zoom on screen
    assert after["pan"] == pytest.approx(before["pan"])


def test_an_invalid_edit_shows_the_red_node_and_the_diagnostic(
    browser: Any, viewer: Viewer, seed_skip: str
) -> None:
    _open(browser, viewer, 0)
    browser.execute_script(WATCH_UPDATE, "E501")
    bad = seed_skip.replace(
        'conv4:    {type: Conv2D, filters: "${width * 2}"',
        'conv4:    {type: Conv2D, filters: "${width * 3}"',
    )
    assert bad != seed_skip
    viewer.write(bad)
    _wait(browser, "return window.__updatedAt", timeout=5)
    red = browser.execute_script(
        "return [...document.querySelectorAll('#canvas g.gsbox.gs_fault')]"
        ".map(g => g.querySelector('text').textContent)"
    )
    assert red == ["shortcut"]  # the layer that set the width, not the merge
    diags = browser.find_element("id", "diag-list")
    assert "E501" in diags.text and "error" in diags.text
    diags.find_element("css selector", 'button[data-node="shortcut"]').click()
    assert browser.find_element("id", "detail-name").text == "shortcut"
    # A file that is not YAML at all: the last diagram stays (greyed) with the diagnostic.
    browser.execute_script(WATCH_UPDATE, "E003")
    viewer.write("nodes: [unclosed\n")
    _wait(browser, "return window.__updatedAt", timeout=5)
    assert browser.find_elements("css selector", "#canvas.stale svg g.gsbox")
    assert not browser.find_element("id", "banner").get_attribute("hidden")
    assert "error[" in browser.find_element("id", "diag-list").text


def test_names_are_shown_as_text_never_run(browser: Any, viewer: Viewer) -> None:
    _open(browser, viewer, 1)
    assert XSS_NAME in browser.execute_script(BOX_NAMES)
    assert browser.find_element("id", "name").text == "<script>alert(2)</script>"
    _click_box(browser, XSS_NAME)
    assert browser.find_element("id", "detail-name").text == XSS_NAME
    search = browser.find_element("id", "search")
    search.send_keys("img")
    _wait(browser, "return !document.getElementById('results').hidden")
    assert XSS_NAME in browser.find_element("id", "results").text
    # Nothing was turned into markup or run: no image element, no alert, no script from a name.
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    scripts = "return [...document.scripts].filter(s => s.type !== 'application/json').length"
    assert browser.execute_script(scripts) == 2  # the page's own two; its data is inert JSON
    assert browser.execute_script("return typeof window.__xss") == "undefined"
    switch = browser.switch_to
    with pytest.raises(Exception, match="no such alert"):
        switch.alert.text  # noqa: B018


def test_blocks_collapse_and_expand_in_place(browser: Any, viewer: Viewer) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.select import Select

    _open(browser, viewer, 0)
    picker = Select(browser.find_element("id", "picker"))
    names = [o.text.split(" — ")[0] for o in picker.options]
    assert names == ["seed_skip", "xss", "resnet_mini", "siamese", "transfer_mobilenet"]
    picker.select_by_value("2")
    _wait(browser, "return document.getElementById('name').textContent === 'resnet_mini'"
          " && document.body.dataset.firstView && !window.graphspecView.snapshot().busy")  # fmt: skip
    browser.find_element("id", "expand-all").click()  # from a first view with blocks collapsed
    _wait(browser, "return document.querySelectorAll('#canvas g.gs_block').length === 0"
          " && !window.graphspecView.snapshot().busy")  # fmt: skip
    browser.find_element("id", "fit").click()
    version = browser.execute_script("return document.body.dataset.version")
    frames = browser.execute_script(
        "return document.querySelectorAll('#canvas g.gscluster').length"
    )
    label = browser.find_element("xpath", "//*[local-name()='text' and text()='down2: downsample']")
    frame_at = label.find_element("xpath", "..").rect
    ActionChains(browser).double_click(label).perform()
    _wait(browser, "return document.querySelectorAll('#canvas g.gs_block').length === 1")
    _wait(browser, "return !window.graphspecView.snapshot().busy")
    block = browser.find_element("css selector", "#canvas g.gs_block").rect
    # Collapsed in place: the boxes above stay, so the block box starts where the frame did
    # (its top, ±2 px), its middle within the frame's width.
    assert block["y"] == pytest.approx(frame_at["y"], abs=2)
    middle = block["x"] + block["width"] / 2
    assert frame_at["x"] <= middle <= frame_at["x"] + frame_at["width"]
    assert browser.find_element("id", "detail-name").text == "down2"
    fewer = browser.execute_script("return document.querySelectorAll('#canvas g.gscluster').length")
    assert fewer == frames - 1
    browser.find_element("css selector", "#details button.action").click()
    _wait(browser, "return document.querySelectorAll('#canvas g.gs_block').length === 0")
    assert browser.execute_script("return document.body.dataset.version") == version


def test_saving_a_nested_spec_file_updates_the_page(browser: Any, viewer: Viewer) -> None:
    original = viewer.tower.read_text()
    _open(browser, viewer, 3)
    _click_box(browser, "e")  # the tower's last layer, drawn inside the tower's frame
    assert "blocks/tower.yaml:8:" in _details(browser)
    browser.execute_script(WATCH_UPDATE, "(None, 24)")
    try:
        saved = viewer.write(original.replace("units: 16", "units: 24"), viewer.tower)
        elapsed = _wait(browser, "return window.__updatedAt", timeout=5) / 1000 - saved
        assert elapsed <= 1.0, f"the page updated {elapsed:.3f} s after the save"
        assert "(None, 24)" in _details(browser)  # the selected node's panel follows too
    finally:
        viewer.write(original, viewer.tower)


def test_an_application_expands_in_place_on_a_double_click(browser: Any, viewer: Viewer) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    _open(browser, viewer, 4)
    _wait(browser, "return document.getElementById('name').textContent === 'transfer_mobilenet'")
    assert "base" in browser.execute_script(BOX_NAMES)
    assert "Conv1" not in browser.execute_script(BOX_NAMES)
    assert (
        browser.execute_script("return document.querySelectorAll('#canvas g.gscluster').length")
        == 0
    )
    box = browser.find_element("css selector", "#canvas g.gs_block")
    assert "⊞ 153 layers" in box.text
    ActionChains(browser).double_click(box.find_element("css selector", "path, polygon")).perform()
    _wait(browser, "return document.querySelectorAll('#canvas g.gscluster').length === 1")
    _wait(browser, "return !window.graphspecView.snapshot().busy")
    assert {"Conv1", "out_relu", "pool"} <= set(browser.execute_script(BOX_NAMES))
    assert browser.find_element("id", "detail-name").text == "base"
    browser.find_element("css selector", "#details button.action").click()  # collapse again
    _wait(browser, "return document.querySelectorAll('#canvas g.gscluster').length === 0")
    assert "Conv1" not in browser.execute_script(BOX_NAMES)


def test_saving_an_included_block_library_updates_the_page(browser: Any, tmp_path: Path) -> None:
    from types import SimpleNamespace

    from graphspec.tools.view import _harness as harness

    (tmp_path / "blocks").mkdir()
    library = tmp_path / "blocks" / "mobilenet_v3.yaml"
    shutil.copy(ROOT / "specs" / "blocks" / "mobilenet_v3.yaml", library)
    spec = tmp_path / "mobilenet_v3_block.yaml"
    shutil.copy(ROOT / "specs" / "mobilenet_v3_block.yaml", spec)
    original = library.read_text()
    gate = "relu6(expand + 3.0) * (1.0 / 6.0)"
    assert gate in original
    with harness.viewer([spec], cwd=ROOT) as url:
        _open(browser, SimpleNamespace(url=url), 0, expand=True)
        browser.execute_script(WATCH_UPDATE, "relu6(expand + 3.0) / 6.0")
        tmp = library.with_suffix(".tmp")
        tmp.write_text(original.replace(gate, "relu6(expand + 3.0) / 6.0"))
        saved = time.time()
        os.replace(tmp, library)  # saved the way editors save
        elapsed = _wait(browser, "return window.__updatedAt", timeout=5) / 1000 - saved
        assert elapsed <= 1.0, f"the page updated {elapsed:.3f} s after the library was saved"
