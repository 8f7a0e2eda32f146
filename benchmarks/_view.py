"""`graphspec view` timing: from saving a spec to the page redrawn in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["save_to_page"]

_FLAGS = (
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
_MARK = """
const before = document.body.dataset.version;
window.__updatedAt = null;
new MutationObserver((_, obs) => {
  if (document.body.dataset.version !== before) { window.__updatedAt = Date.now(); obs.disconnect(); }
}).observe(document.body, {attributes: true, attributeFilter: ['data-version']});
"""
_MAIN = "import sys; from graphspec.cli import main; sys.exit(main(sys.argv[1:]))"


def _driver(profile: str) -> Any:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as err:
        raise ImportError(f"selenium is not installed ({err})") from err
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        raise ImportError("chromium and chromedriver are needed (make sysdeps-test)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=options)


def _wait(driver: Any, script: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := driver.execute_script(script)):
        if time.monotonic() > deadline:
            raise TimeoutError(script)
        time.sleep(0.005)
    return value


def save_to_page(spec: Path, *, repeats: int = 7) -> tuple[float, int]:
    """Median seconds from an editor-style save of ``spec`` to the page showing the new version.

    The spec is copied; each save flips the first ``units: N`` between N and N-1 (a real change
    that the diagram shows). Returns the median and the number of boxes on the page.
    """
    work = Path(tempfile.mkdtemp(prefix="gs-view-bench-"))
    copy = work / spec.name
    shutil.copy(spec, copy)
    text = copy.read_text()
    match = re.search(r"units: (\d+)", text)
    if match is None:
        raise ValueError(f"{spec} has no `units:` to change")
    variants = [text, text.replace(match.group(0), f"units: {int(match.group(1)) - 1}", 1)]
    server = subprocess.Popen(
        [sys.executable, "-c", _MAIN, "view", str(copy), "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    profile = tempfile.mkdtemp(prefix="gs-view-bench-chromium-")
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = line[line.index("http://") :].strip()
        driver = _driver(profile)
        try:
            driver.get(url)
            _wait(driver, "return document.body.dataset.version")
            boxes = driver.execute_script("return document.querySelectorAll('g.gsbox').length")
            times = []
            for i in range(repeats + 1):
                driver.execute_script(_MARK)
                tmp = copy.with_suffix(".tmp")
                tmp.write_text(variants[(i + 1) % 2])
                saved = time.time()
                os.replace(tmp, copy)
                updated = _wait(driver, "return window.__updatedAt") / 1000
                if i:  # the first save warms the caches up
                    times.append(updated - saved)
                time.sleep(0.2)
        finally:
            driver.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return statistics.median(times), boxes
