"""Screenshot `graphspec view` in headless Chromium to docs/diagrams/viewer.png (``make screenshot``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphspec.tools.view._harness import headless_chromium, viewer  # noqa: E402

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Serve a spec, open it in headless Chromium, find a node, save a PNG."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "resnet_mini.yaml")
    parser.add_argument(
        "--node",
        default="stage2.0.conv_a",
        help="the node to find and select ('': none, the first view as it opens)",
    )
    parser.add_argument("--size", default="1600,1000")
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "docs" / "diagrams" / "viewer.png")
    args = parser.parse_args(argv)
    spec = args.spec.resolve()
    shown = spec.relative_to(ROOT) if spec.is_relative_to(ROOT) else spec
    options = ["--editor-url", "vscode://file/{path}:{line}:{column}"]
    with (
        viewer([shown], cwd=ROOT, options=options) as url,
        headless_chromium(size=args.size) as driver,
    ):
        driver.get(url)
        deadline = time.monotonic() + 15
        settled = "return document.body.dataset.firstView && !window.graphspecView.snapshot().busy"
        while not driver.execute_script(settled):
            if time.monotonic() > deadline:
                raise SystemExit("the page did not load")
            time.sleep(0.05)
        if args.node:
            driver.find_element("id", "search").send_keys(args.node + "\n")
            time.sleep(0.4)
            driver.execute_script("document.activeElement.blur()")
            driver.find_element("id", "fit").click()  # the whole model, the node still selected
        time.sleep(0.5)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(args.out))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
