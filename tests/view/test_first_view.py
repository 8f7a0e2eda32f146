"""The viewer's first view, measured in headless Chromium: readable text, nothing hidden, the
header whole, a stable layout when a block is toggled, editor links, search, and the diagram in
the first page load (a plain ``chromium --headless --screenshot``, no Selenium, sees it)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphspec.tools.view import _harness as harness
from tests.view.conftest import ROOT

pytestmark = pytest.mark.timeout(180)

DATA = Path(__file__).parent / "data"
SPECS = [
    ROOT / "specs" / "resnet_mini.yaml",
    ROOT / "specs" / "unet.yaml",
    DATA / "resnet50_flat.yaml",  # `graphspec import keras.applications.ResNet50`, no blocks
    DATA / "resnet50_blocks.yaml",  # the same layers written by hand with blocks
]
EDITOR = "vscode://file/{path}:{line}:{column}"
FULL_HD = "1920,1080"
"""A full-HD screen; the first view must also be readable on the default, smaller window."""

TEXT_PX = """
const canvas = document.getElementById('canvas').getBoundingClientRect();
const px = [...document.querySelectorAll('#canvas svg g.gsbox text')]
  .map(t => t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize));
return Math.min(...px);
"""
PLACES = """
const out = {};
for (const g of document.querySelectorAll('#canvas svg g.gsbox')) {
  const r = g.getBoundingClientRect();
  out[g.querySelector('text').textContent] = {x: r.left, y: r.top, r: r.right, b: r.bottom};
}
return out;
"""
INSIDE = """
const name = arguments[0];
const canvas = document.getElementById('canvas').getBoundingClientRect();
const hint = document.querySelector('.canvas-hint').getBoundingClientRect();
const box = [...document.querySelectorAll('#canvas svg g.gsbox')]
  .find(g => g.querySelector('text').textContent === name).getBoundingClientRect();
return {inside: box.top >= canvas.top && box.bottom <= canvas.bottom && box.left >= canvas.left
        && box.right <= canvas.right, underHint: box.bottom > hint.top, canvasBottom: canvas.bottom,
        hintTop: hint.top};
"""


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    pytest.importorskip("uvicorn", reason="the viewer needs the `view` extra (uvicorn)")
    with harness.viewer(SPECS, cwd=ROOT, options=["--editor-url", EDITOR]) as url:
        yield url


@pytest.fixture(scope="module")
def hd() -> Iterator[Any]:
    try:
        with harness.headless_chromium(size=FULL_HD) as driver:
            yield driver
    except harness.ChromiumMissing as err:
        pytest.skip(f"headless browser tests skipped: {err}")


def _first_view(driver: Any, url: str, spec: int) -> dict[str, Any]:
    driver.get(f"{url}?open={time.monotonic_ns()}#spec={spec}")
    deadline = time.monotonic() + 30
    script = "return document.body.dataset.firstView && !window.graphspecView.snapshot().busy"
    while not driver.execute_script(script):
        assert time.monotonic() < deadline, "the first view was never settled"
        time.sleep(0.05)
    return dict(driver.execute_script("return window.graphspecView.snapshot()"))


@pytest.mark.parametrize(("spec", "last"), [(0, "probs"), (1, "up3")])
def test_first_view_is_readable_whole_and_nothing_is_under_the_hint(
    hd: Any, served: str, spec: int, last: str
) -> None:
    snap = _first_view(hd, served, spec)
    smallest = hd.execute_script(TEXT_PX)
    print(
        f"spec {spec}: first view {snap['firstView']}, fits {snap['fitted']} px, {smallest:.2f} px"
    )
    assert smallest >= 8.0
    assert snap["firstView"] == "fit"  # the whole model is on screen ...
    place = hd.execute_script(INSIDE, last)
    assert place["inside"], place  # ... its last node too,
    assert not place["underHint"] and place["canvasBottom"] <= place["hintTop"] + 0.5  # uncovered
    summary = hd.find_element("id", "summary")
    assert hd.execute_script(
        "const s = arguments[0]; return s.scrollWidth <= s.clientWidth", summary
    )
    assert "parameters (" in summary.text and "trainable)" in summary.text  # whole, never cut
    name = hd.find_element("id", "name")
    assert hd.execute_script("const s = arguments[0]; return s.scrollWidth <= s.clientWidth", name)


def test_first_view_on_a_small_window_starts_readable_at_the_inputs(
    browser: Any, served: str
) -> None:
    snap = _first_view(browser, served, 1)  # 1400x900: unet does not fit at 8 px
    assert hd_text(browser) >= 8.0
    if snap["firstView"] == "readable":
        assert browser.execute_script(INSIDE, "image")["inside"]
        assert browser.find_element("id", "minimap").is_displayed()


def hd_text(driver: Any) -> float:
    return float(driver.execute_script(TEXT_PX))


@pytest.mark.parametrize("spec", [2, 3])
def test_imported_resnet50_first_view_is_readable(hd: Any, served: str, spec: int) -> None:
    snap = _first_view(hd, served, spec)
    smallest = hd_text(hd)
    print(f"resnet50 spec {spec}: {snap['firstView']}, fits {snap['fitted']}, {smallest:.2f} px")
    assert smallest >= 8.0
    first = "input_layer" if spec == 2 else "image"
    assert hd.execute_script(INSIDE, first)["inside"]  # it starts at the input
    assert hd.find_element("id", "minimap").is_displayed()  # and shows where the rest is
    assert hd.execute_script("return document.querySelectorAll('#canvas g.gsbox').length") > 10


def test_toggling_a_block_keeps_the_layout(hd: Any, served: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    _first_view(hd, served, 1)
    before = hd.execute_script(PLACES)
    block = next(
        g
        for g in hd.find_elements("css selector", "#canvas g.gsbox")
        if g.find_element("css selector", "text").text == "enc2"
    )
    top = block.rect["y"]
    ActionChains(hd).double_click(block.find_element("css selector", "path, polygon")).perform()
    deadline = time.monotonic() + 10
    while "enc2.conv_a" not in hd.execute_script("return document.body.innerHTML") or (
        hd.execute_script("return window.graphspecView.snapshot().busy")
    ):
        assert time.monotonic() < deadline, "enc2 did not expand"
        time.sleep(0.05)
    after = hd.execute_script(PLACES)
    above = [n for n, at in before.items() if at["b"] <= top]
    moved = {
        n: max(abs(after[n]["x"] - at["x"]), abs(after[n]["y"] - at["y"]))
        for n, at in before.items()
        if n in after
    }
    print("moves (px):", {n: round(m) for n, m in sorted(moved.items())})
    # Graphviz lays the new drawing out again: the boxes above the block stay where they were
    # (most of them exactly; in a U, a box whose rank the new frame takes may shift a little).
    kept = [n for n in above if moved[n] <= 3]
    assert len(kept) >= 5 and len(kept) >= 0.7 * len(above), moved
    assert {"image", "enc1", "mask", "dec1"} <= set(kept)
    # No mirroring: the encoder stays left of the decoder, level by level.
    for encoder, decoder in (
        ("image", "mask"),
        ("enc1", "cat1"),
        ("pool2", "dec3"),
        ("enc3", "cat3"),
    ):
        for places in (before, after):
            assert places[encoder]["r"] < places[decoder]["x"], (encoder, decoder, places)


def test_file_line_links_to_the_editor(hd: Any, served: str) -> None:
    _first_view(hd, served, 0)
    search = hd.find_element("id", "search")
    search.send_keys("probs\n")
    link = hd.find_element("css selector", "#details a.where")
    line = next(
        i
        for i, text in enumerate((ROOT / "specs/resnet_mini.yaml").read_text().splitlines(), 1)
        if text.lstrip().startswith("probs:")
    )
    path = str((ROOT / "specs" / "resnet_mini.yaml").resolve()).lstrip("/")
    assert link.get_attribute("href") == f"vscode://file/{path}:{line}:3"
    assert link.text.endswith(f"resnet_mini.yaml:{line}:3")


@pytest.mark.parametrize(
    ("query", "found", "why"),
    [
        ("Conv2DTranspose", "up3", ""),  # by type
        ("sigmoid", "mask", "activation: sigmoid"),  # by argument value
        ("filters=1", "mask", "filters: 1"),  # by argument name and value
        ("pool_size: 2", "pool1", "pool_size: 2"),
    ],
)
def test_search_by_name_type_and_argument(
    hd: Any, served: str, query: str, found: str, why: str
) -> None:
    _first_view(hd, served, 1)
    search = hd.find_element("id", "search")
    search.clear()
    search.send_keys(query)
    results = hd.find_element("id", "results")
    deadline = time.monotonic() + 5
    while not results.is_displayed():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    rows = [li.text for li in results.find_elements("css selector", "li")]
    assert any(row.startswith(found) and why in row for row in rows), rows
    search.clear()


def test_a_plain_headless_screenshot_shows_the_diagram(served: str, tmp_path: Path) -> None:
    """No Selenium, no waiting for scripts: the first response already holds the diagram."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is needed (`make sysdeps-test` installs it)")
    from PIL import Image

    shot = tmp_path / "shot.png"
    flags = [*harness.CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    run = subprocess.run(
        [chromium, *flags, "--window-size=1400,900", f"--screenshot={shot}", f"{served}?spec=1"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert shot.is_file(), run.stderr.decode(errors="replace")[-2000:]
    image = Image.open(shot).convert("RGB")
    width, height = image.size
    canvas = image.crop((0, 90, width * 2 // 3, height - 30))  # the diagram's part of the page
    colours = canvas.getcolors(maxcolors=1 << 16) or []
    white = sum(n for n, rgb in colours if min(rgb) > 245)
    inked = 1 - white / (canvas.size[0] * canvas.size[1])
    print(f"plain screenshot: {len(colours)} colours, {inked:.1%} of the canvas inked")
    assert len(colours) > 50 and inked > 0.04  # boxes of several colours, not a blank page
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", f"{served}?spec=1"],
        capture_output=True,
        timeout=60,
        check=False,
    ).stdout.decode()
    assert 'class="node gsbox' in dom and ">up3</text>" in dom and "Loading…" not in dom
