"""Drive the viewer from outside: a `graphspec view` process and a headless Chromium.

Used by the browser tests, ``make screenshot`` and ``make bench``; needs Selenium and Debian's
``chromium`` and ``chromium-driver`` (``make sysdeps-test``), imported only when called.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

__all__ = ["CHROMIUM_FLAGS", "WATCH_UPDATE", "ChromiumMissing", "headless_chromium", "viewer"]

CHROMIUM_FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)
"""Headless, and no background connections (they hang on a machine without a network)."""

WATCH_UPDATE: Final = """
const want = arguments[0];
window.__updatedAt = null;
new MutationObserver((_, obs) => {
  if (document.getElementById('canvas').innerHTML.includes(want)
      || document.getElementById('diag-list').textContent.includes(want)) {
    window.__updatedAt = Date.now();
    obs.disconnect();
  }
}).observe(document.body, {attributes: true, childList: true, subtree: true});
"""
"""Page script: set ``window.__updatedAt`` (ms) once the diagram or diagnostics show the text."""

_MAIN: Final = "import sys; from graphspec.cli.main import main; sys.exit(main(sys.argv[1:]))"


class ChromiumMissing(ImportError):
    """Selenium, Chromium or ChromeDriver is not installed (the message says which)."""


@contextlib.contextmanager
def viewer(
    specs: Sequence[str | Path], *, cwd: Path | None = None, options: Sequence[str] = ()
) -> Iterator[str]:
    """Run ``graphspec view SPECS --no-browser --port 0 [OPTIONS]``; yields its URL, stops it
    after."""
    argv = ["view", *map(str, specs), "--no-browser", "--port", "0", *options]
    process = subprocess.Popen(
        [sys.executable, "-c", _MAIN, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cwd,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "http://" not in line:
            process.kill()
            raise RuntimeError(f"`graphspec view` did not start: {line}{process.stdout.read()}")
        yield line[line.index("http://") :].strip()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def headless_chromium(*, size: str = "1400,900") -> Iterator[Any]:
    """A Selenium driver of Debian's Chromium with a fresh profile, quit and removed after."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as err:
        raise ChromiumMissing(f"selenium is not installed ({err})") from err
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        raise ChromiumMissing(
            "Debian's chromium and chromium-driver are needed (`make sysdeps-test` installs them)"
        )
    profile = tempfile.mkdtemp(prefix="gs-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--window-size={size}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    try:
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            driver.set_page_load_timeout(20)
            yield driver
        finally:
            driver.quit()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
