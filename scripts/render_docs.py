"""Regenerate docs/diagrams/*.svg from every spec under specs/ (``make diagrams``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphspec.api import load  # noqa: E402
from graphspec.backends.diagram import render_spec  # noqa: E402
from graphspec.errors import GraphSpecError  # noqa: E402

__all__ = ["main", "render_all"]


def render_all(specs: Path, out: Path, *, blocks: str = "expand") -> list[str]:
    """Draw each ``specs/**/*.yaml`` to ``out`` (same sub-folders); returns the failures."""
    failures: list[str] = []
    for spec in sorted(specs.rglob("*.y*ml")):
        target = out / spec.relative_to(specs).with_suffix(".svg")
        if load(spec).is_library:  # a block library (format 1.1) has no model to draw
            continue
        try:
            # the committed diagrams are regenerated on purpose: --force, --mkdir
            result = render_spec(spec, target, blocks=blocks, force=True, mkdir=True)
        except GraphSpecError as err:
            failures.append(f"{spec}: {err}")
            print(f"FAILED {spec}: {err}", file=sys.stderr)
            continue
        state = "ok" if result.ok else "drawn with errors"
        print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: {state}")
    return failures


DIFF_EXAMPLE = (ROOT / "specs" / "resnet_mini.yaml", ROOT / "docs" / "diff" / "resnet_mini_v2.yaml")
"""The pair docs/diff.md draws: ``graphspec diff OLD NEW -o docs/diagrams/diff.png``."""


def render_diff_example(out: Path) -> None:
    """Draw docs/diff.md's diff diagram (PNG and SVG), paths relative to the repository."""
    import os

    from graphspec.backends.diff import diff
    from graphspec.backends.diff.diagram import render_diff

    here = Path.cwd()
    os.chdir(ROOT)  # the diagram's title names both files as the docs write them
    try:
        result = diff(*(str(p.relative_to(ROOT)) for p in DIFF_EXAMPLE))
        for suffix in (".png", ".svg"):
            render_diff(result, out / f"diff{suffix}", force=True)
    finally:
        os.chdir(here)
    print(f"{out / 'diff.png'}, {out / 'diff.svg'}: ok")


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python scripts/render_docs.py [--specs DIR] [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--specs", type=Path, default=ROOT / "specs")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "diagrams")
    parser.add_argument("--blocks", choices=("expand", "collapse"), default="expand")
    args = parser.parse_args(argv)
    failed = render_all(args.specs, args.out, blocks=args.blocks)
    render_diff_example(args.out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
