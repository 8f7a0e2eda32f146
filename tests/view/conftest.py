"""Fixtures of the viewer tests: a `graphspec view` server on temporary specs, one headless Chromium."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graphspec.view import _harness as harness

ROOT = Path(__file__).resolve().parents[2]
XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_SPEC = f"""\
name: "<script>alert(2)</script>"
inputs:
  x: {{shape: [8]}}
nodes:
  "{XSS_NAME}": {{type: Dense, units: 4}}
  out: {{type: Dense, units: 2}}
"""


@dataclass
class Viewer:
    """A running `graphspec view` process: its URL and the spec files it serves."""

    url: str
    skip: Path
    xss: Path
    resnet: Path

    def write(self, text: str) -> float:
        """Save new text to the seed_skip copy the way an editor does; returns the time (s)."""
        tmp = self.skip.with_suffix(".tmp")
        tmp.write_text(text)
        stamp = time.time()
        os.replace(tmp, self.skip)
        return stamp


@pytest.fixture(scope="session")
def viewer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Viewer]:
    """One server for the whole session, on copies of seed_skip, resnet_mini and an XSS spec."""
    pytest.importorskip("uvicorn", reason="the viewer needs the `view` extra (uvicorn)")
    work = tmp_path_factory.mktemp("view")
    skip = work / "seed_skip.yaml"
    shutil.copy(ROOT / "specs" / "seed_skip.yaml", skip)
    resnet = work / "resnet_mini.yaml"
    shutil.copy(ROOT / "specs" / "resnet_mini.yaml", resnet)
    xss = work / "xss.yaml"
    xss.write_text(XSS_SPEC)
    with harness.viewer([skip, xss, resnet], cwd=ROOT) as url:
        yield Viewer(url, skip, xss, resnet)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium (Debian's chromium + chromedriver) for every browser test."""
    try:
        with harness.headless_chromium() as driver:
            yield driver
    except harness.ChromiumMissing as err:
        pytest.skip(f"headless browser tests skipped: {err}")
