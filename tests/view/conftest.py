"""Fixtures of the viewer tests: a `graphspec view` server on temporary specs, one headless Chromium."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graphspec.tools.view import _harness as harness
from tests._nested_texts import SIAMESE as SIAMESE_SPEC
from tests._nested_texts import TOWER as TOWER_SPEC

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
    tower: Path

    def write(self, text: str, path: Path | None = None) -> float:
        """Save new text to a served file (seed_skip's copy by default) the way an editor does
        (a new file renamed over the old one); returns the time of the save (s)."""
        target = path or self.skip
        tmp = target.with_suffix(".tmp")
        tmp.write_text(text)
        stamp = time.time()
        os.replace(tmp, target)
        return stamp


@pytest.fixture(scope="session")
def viewer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Viewer]:
    """One server for the session: copies of seed_skip and resnet_mini, an XSS spec, a
    Siamese spec whose tower is another spec file, and transfer_mobilenet (an application)."""
    pytest.importorskip("uvicorn", reason="the viewer needs the `view` extra (uvicorn)")
    work = tmp_path_factory.mktemp("view")
    skip = work / "seed_skip.yaml"
    shutil.copy(ROOT / "specs" / "seed_skip.yaml", skip)
    resnet = work / "resnet_mini.yaml"
    shutil.copy(ROOT / "specs" / "resnet_mini.yaml", resnet)
    xss = work / "xss.yaml"
    xss.write_text(XSS_SPEC)
    siamese = work / "siamese.yaml"
    siamese.write_text(SIAMESE_SPEC)
    tower = work / "blocks" / "tower.yaml"
    tower.parent.mkdir()
    tower.write_text(TOWER_SPEC)
    transfer = work / "transfer_mobilenet.yaml"
    shutil.copy(ROOT / "specs" / "transfer_mobilenet.yaml", transfer)
    with harness.viewer([skip, xss, resnet, siamese, transfer], cwd=ROOT) as url:
        yield Viewer(url, skip, xss, resnet, tower)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium (Debian's chromium + chromedriver) for every browser test."""
    try:
        with harness.headless_chromium() as driver:
            yield driver
    except harness.ChromiumMissing as err:
        pytest.skip(f"headless browser tests skipped: {err}")
