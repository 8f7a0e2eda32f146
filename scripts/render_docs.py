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


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python scripts/render_docs.py [--specs DIR] [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--specs", type=Path, default=ROOT / "specs")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "diagrams")
    parser.add_argument("--blocks", choices=("expand", "collapse"), default="expand")
    args = parser.parse_args(argv)
    return 1 if render_all(args.specs, args.out, blocks=args.blocks) else 0


if __name__ == "__main__":
    sys.exit(main())
