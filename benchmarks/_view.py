"""`graphspec view` timing: from saving a spec to the page redrawn in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from graphspec.tools.view._harness import WATCH_UPDATE, headless_chromium, viewer

__all__ = ["save_to_page"]


def _wait(driver: Any, script: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := driver.execute_script(script)):
        if time.monotonic() > deadline:
            raise TimeoutError(script)
        time.sleep(0.005)
    return value


def save_to_page(spec: Path, *, repeats: int = 7) -> tuple[float, int]:
    """Median seconds from an editor-style save of ``spec`` to the page showing the change.

    The spec is copied; each save flips the first ``units: N`` between N and N-1 (a real change
    the diagram shows as the output shape). Returns the median and the number of boxes.
    """
    work = Path(tempfile.mkdtemp(prefix="gs-view-bench-"))
    try:
        copy = work / spec.name
        shutil.copy(spec, copy)
        text = copy.read_text()
        match = re.search(r"units: (\d+)", text)
        if match is None:
            raise ValueError(f"{spec} has no `units:` to change")
        units = [int(match.group(1)), int(match.group(1)) - 1]
        variants = [text.replace(match.group(0), f"units: {n}", 1) for n in units]
        with viewer([copy]) as url, headless_chromium() as driver:
            driver.get(url)
            _wait(driver, "return document.body.dataset.version")
            boxes = driver.execute_script("return document.querySelectorAll('g.gsbox').length")
            times = []
            for i in range(repeats + 1):
                now = (i + 1) % 2
                driver.execute_script(WATCH_UPDATE, f"(None, {units[now]})")
                tmp = copy.with_suffix(".tmp")
                tmp.write_text(variants[now])
                saved = time.time()
                os.replace(tmp, copy)
                updated = _wait(driver, "return window.__updatedAt") / 1000
                if i:  # the first save warms the caches up
                    times.append(updated - saved)
                time.sleep(0.2)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return statistics.median(times), boxes
