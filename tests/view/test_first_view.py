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
    if snap["firstView"] == "readable":  # a fit would make the text too small:
        assert hd.execute_script(INSIDE, "image")["inside"]  # it starts at the input
        assert hd.find_element("id", "minimap").is_displayed()  # with the whole in the minimap
        hd.find_element("id", "fit").click()  # the whole model on screen: nothing hidden
    else:
        assert snap["firstView"] == "fit"
    deadline = time.monotonic() + 3
    while not (place := hd.execute_script(INSIDE, last))["inside"] and time.monotonic() < deadline:
        time.sleep(0.05)  # svg-pan-zoom fits on its next frame
    assert place["inside"], place  # its last node is inside the canvas,
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


VISIBLE = """
const names = window.graphspecView.boxNames();
const out = {};
for (const g of document.querySelectorAll('#canvas svg g.gsbox')) {
  const r = g.getBoundingClientRect();
  const name = g.dataset.unit || names[g.id.slice('node_'.length)];
  if (r.width > 0) out[name] = [r.left, r.top, r.right, r.bottom];
}
return out;
"""
FOLDED = "return document.querySelector('#canvas g.gs_overlay[data-unit=\"' + arguments[0] + '\"]')"


def _toggled(driver: Any, target: Any, unit: str, folded: bool) -> dict[str, list[float]]:
    """Double-click ``target`` until ``unit`` is (``folded``) or is not collapsed; the boxes."""
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).double_click(target).perform()
    deadline = time.monotonic() + 10
    while bool(driver.execute_script(FOLDED, unit)) != folded or driver.execute_script(
        "return window.graphspecView.snapshot().busy"
    ):
        assert time.monotonic() < deadline, (
            f"{unit} was not {'collapsed' if folded else 'expanded'}"
        )
        time.sleep(0.05)
    return dict(driver.execute_script(VISIBLE))


def _moves(before: dict[str, list[float]], after: dict[str, list[float]]) -> dict[str, float]:
    return {
        name: max(abs(a - b) for a, b in zip(at, after[name], strict=True))
        for name, at in before.items()
        if name in after
    }


@pytest.mark.parametrize(
    ("spec", "unit", "member"),
    [(1, "enc2", "enc2.conv_a"), (0, "down2", "down2.conv_a"), (0, "stage2", "stage2.0.conv_a")],
)
def test_toggling_a_block_moves_no_other_box(
    hd: Any, served: str, spec: int, unit: str, member: str
) -> None:
    """Collapse a block in place and expand it again: every box outside it stays put (1 px)."""
    _first_view(hd, served, spec)
    hd.find_element("id", "expand-all").click()
    search = hd.find_element("id", "search")
    search.clear()
    search.send_keys(f"{member}\n")  # the block's first layer centred, at a readable zoom
    search.clear()
    expanded = dict(hd.execute_script(VISIBLE))
    assert member in expanded and unit not in expanded
    frame = hd.find_element(
        "xpath", f"//*[local-name()='text' and starts-with(text(), '{unit}: ')]"
    )
    collapsed = _toggled(hd, frame, unit, folded=True)
    inside = {n for n in expanded if n.startswith(f"{unit}.")}
    assert unit in collapsed and not inside & set(collapsed)
    moved = _moves(expanded, collapsed)
    outside = {n: m for n, m in moved.items() if n not in inside}
    print(
        f"{unit} collapsed: {len(outside)} other boxes, largest move {max(outside.values()):.2f} px"
    )
    assert len(outside) == len(expanded) - len(inside) and max(outside.values()) <= 1.0, outside
    # The block box covers the frame's members, and edges that crossed the frame end at it.
    block = collapsed[unit]
    for name in inside:
        x0, y0, x1, y1 = expanded[name]
        assert block[0] <= x0 and x1 <= block[2] and block[1] <= y0 and y1 <= block[3]
    cuts = hd.execute_script("return document.querySelectorAll('#canvas polygon.gs-cut').length")
    assert cuts >= 1
    reopened = _toggled(hd, hd.execute_script(FOLDED, unit), unit, folded=False)
    back = _moves(expanded, reopened)
    print(f"{unit} expanded again: largest move {max(back.values()):.2f} px")
    assert set(reopened) == set(expanded) and max(back.values()) <= 1.0, back
    assert not hd.execute_script("return document.querySelectorAll('#canvas .gs-cut').length")


def test_collapsing_keeps_the_encoder_left_of_the_decoder(hd: Any, served: str) -> None:
    """No mirroring: whatever is collapsed, the U keeps its encoder on the left."""
    _first_view(hd, served, 1)
    hd.find_element("id", "collapse-all").click()
    folded = dict(hd.execute_script(VISIBLE))
    hd.find_element("id", "expand-all").click()
    opened = dict(hd.execute_script(VISIBLE))
    for encoder, decoder in (("image", "mask"), ("pool1", "up1"), ("pool2", "up2")):
        for places in (folded, opened):
            assert places[encoder][2] < places[decoder][0], (encoder, decoder, places)


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


def test_blocks_collapse_start_is_folded_over_the_same_layout(hd: Any) -> None:
    """``--blocks collapse``: every block starts folded in place; finding a layer inside one
    opens it; Expand blocks opens them all and the boxes outside the blocks stay where they
    were."""
    with harness.viewer(
        [ROOT / "specs" / "unet.yaml"], cwd=ROOT, options=["--blocks", "collapse"]
    ) as url:
        snap = _first_view(hd, url, 0)
        units = ["bottleneck", "dec1", "dec2", "dec3", "enc1", "enc2", "enc3"]
        assert snap["blocks"] == "collapse" and snap["collapsed"] == units
        folded = dict(hd.execute_script(VISIBLE))
        assert set(units) <= set(folded)
        hd.find_element("id", "search").send_keys("enc2.conv_a\n")  # a layer in a folded block:
        assert hd.execute_script("return window.graphspecView.snapshot().collapsed") == [
            u for u in units if u != "enc2"
        ]  # its block opens, the others stay folded
        assert hd.find_element("id", "detail-name").text == "enc2.conv_a"
        assert hd.execute_script("return document.querySelector('.gs-selected').id").startswith(
            "node_"
        )
        time.sleep(0.3)  # the search centres the layer (a new zoom and pan)
        rest = [u for u in units if u != "enc2"]
        partly = dict(hd.execute_script(VISIBLE))
        hd.find_element("id", "expand-all").click()
        opened = dict(hd.execute_script(VISIBLE))
        assert not set(units) & set(opened)
        moved = _moves({n: at for n, at in partly.items() if n not in rest}, opened)
        print(f"expand all: {len(moved)} other boxes, largest move {max(moved.values()):.2f} px")
        assert len(moved) == len(partly) - len(rest) and max(moved.values()) <= 1.0, moved
        assert len(folded) == 18 and len(moved) == 11 + 2  # enc2's two layers kept their places
