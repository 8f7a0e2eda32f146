"""Fixtures of the viewer tests: a `graphspec view` server on temporary specs, one headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,900",
)


@dataclass
class Viewer:
    """A running `graphspec view` process: its URL and the spec files it serves."""

    url: str
    skip: Path
    xss: Path
    resnet: Path
    process: subprocess.Popen[str]

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
    main = "import sys; from graphspec.cli import main; sys.exit(main(sys.argv[1:]))"
    cmd = [sys.executable, "-c", main, "view", str(skip), str(xss), str(resnet)]
    process = subprocess.Popen(
        [*cmd, "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "http://" not in line:
        process.kill()
        pytest.fail(f"`graphspec view` did not start: {line}{process.stdout.read()}")
    url = line[line.index("http://") :].strip()
    try:
        yield Viewer(url, skip, xss, resnet, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium (Debian's chromium + chromedriver) for every browser test."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip(
            "headless browser tests need Debian's chromium and chromium-driver "
            "(`make sysdeps-test` installs them)"
        )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="gs-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
