"""``graphspec view --diff REV SPEC`` in headless Chromium: the working copy against a git
revision, marked, listed, and redrawn on every save."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphspec.tools.view import _harness as harness
from tests.view.conftest import ROOT, XSS_NAME
from tests.view.test_browser import _wait

pytestmark = pytest.mark.timeout(120)

MARKED = """
return [...document.querySelectorAll('#canvas g.gsbox')]
  .filter(g => /gs_(added|changed|removed|shape)/.test(g.getAttribute('class')))
  .map(g => [g.querySelector('text').textContent, g.getAttribute('class').match(/gs_(added|changed|removed|shape)/)[1]]);
"""
CHANGES = "return [...document.querySelectorAll('#change-list li')].map(li => li.textContent);"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    )


def _save(path: Path, text: str) -> None:
    """Save the way an editor does: a new file renamed over the old one."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


@pytest.fixture(scope="module")
def diff_viewer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """seed_skip committed in a fresh repository, edited in the working tree, served with --diff."""
    pytest.importorskip("uvicorn", reason="the viewer needs the `view` extra (uvicorn)")
    repo = tmp_path_factory.mktemp("diffview")
    spec = repo / "seed_skip.yaml"
    shutil.copy(ROOT / "specs" / "seed_skip.yaml", spec)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "seed")
    text = spec.read_text()
    text = text.replace("  pool2:    {type: MaxPooling2D, pool_size: 2}\n", "")
    _save(spec, text.replace("-> add -> pool2 -> flat", "-> add -> flat"))
    env_cwd = repo
    with harness.viewer(["seed_skip.yaml"], cwd=env_cwd, options=["--diff", "HEAD"]) as url:
        yield url, spec


def _served(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "api/spec/0", timeout=10) as response:
        return json.load(response)


def test_page_data_has_the_diff(diff_viewer: tuple[str, Path]) -> None:
    url, _ = diff_viewer
    page = _served(url)
    assert page["diff"]["against"] == "HEAD" and page["diff"]["compared"]
    assert page["diff"]["json"]["removed"][0]["name"] == "pool2"
    assert "- pool2 (MaxPooling2D): (None, 7, 7, 64) · 0 params" in page["diff"]["lines"]
    assert "gs_removed" in page["svg"] and "gs_shape" in page["svg"]


def test_diff_is_drawn_listed_and_follows_saves(
    diff_viewer: tuple[str, Path], browser: Any
) -> None:
    url, spec = diff_viewer
    browser.get(f"{url}?open={time.monotonic_ns()}#spec=0")
    _wait(browser, "return document.querySelector('#canvas svg g.gsbox') !== null")
    marked = dict(_wait(browser, MARKED))
    assert marked == {"pool2": "removed", "flat": "changed", "probs": "shape"}
    assert "was (None, 3136)" in browser.find_element("id", "canvas").text
    assert not browser.find_element("id", "changes").get_attribute("hidden")
    summary = browser.find_element("id", "change-summary").text
    assert summary == (
        "1 changed, 1 removed, 1 node with new shapes or parameters, "
        "params 98,474 → 192,554 (+94,080)"
    )
    lines = browser.execute_script(CHANGES)
    assert "- pool2 (MaxPooling2D): (None, 7, 7, 64) · 0 params" in lines
    # save again: an added node with a hostile name; the page follows, and shows it as text
    text = spec.read_text().replace(
        "  flat:     {type: Flatten}",
        f'  "{XSS_NAME}": {{type: ReLU}}\n  flat:     {{type: Flatten}}',
    )
    text = text.replace(
        "-> add -> flat -> probs",
        f"-> add\n  - [add, '{XSS_NAME}']\n  - ['{XSS_NAME}', flat]\n  - flat -> probs",
    )
    browser.execute_script(harness.WATCH_UPDATE, "gs_added")
    _save(spec, text)
    _wait(browser, "return window.__updatedAt !== null", timeout=15)
    marked = dict(_wait(browser, MARKED))
    assert marked[XSS_NAME] == "added"
    assert (
        browser.execute_script(
            "return document.querySelectorAll('#changes img, #canvas img').length"
        )
        == 0
    )
    assert any(line.startswith(f"+ {XSS_NAME} (ReLU)") for line in browser.execute_script(CHANGES))
