"""Screenshot `graphspec view` in headless Chromium to docs/diagrams/viewer.png (``make screenshot``)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = (
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

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Serve a spec, open it in headless Chromium, click a node, save a PNG."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "resnet_mini.yaml")
    parser.add_argument("--node", default="down2.conv_a", help="the node to select")
    parser.add_argument("--size", default="1500,900")
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "docs" / "diagrams" / "viewer.png")
    args = parser.parse_args(argv)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    spec = args.spec.resolve()
    shown = spec.relative_to(ROOT) if spec.is_relative_to(ROOT) else spec
    main_code = "import sys; from graphspec.cli import main; sys.exit(main(sys.argv[1:]))"
    server = subprocess.Popen(
        [sys.executable, "-c", main_code, "view", str(shown), "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    profile = tempfile.mkdtemp(prefix="gs-shot-")
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = line[line.index("http://") :].strip()
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "chromium"
        for flag in (*FLAGS, f"--window-size={args.size}", f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
        try:
            driver.get(url)
            deadline = time.monotonic() + 15
            while not driver.execute_script("return document.body.dataset.version"):
                if time.monotonic() > deadline:
                    raise SystemExit("the page did not load")
                time.sleep(0.05)
            search = driver.find_element("id", "search")
            search.send_keys(args.node + "\n")
            time.sleep(0.4)
            driver.execute_script("document.activeElement.blur()")
            time.sleep(0.3)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(args.out))
        finally:
            driver.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
