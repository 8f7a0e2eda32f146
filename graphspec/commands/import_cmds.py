"""``graphspec import`` (a Keras model to a spec) and ``graphspec codegen`` (a spec to Python)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graphspec.cli import EXIT_OK, EXIT_USAGE, add_set_option, command, parse_overrides

__all__ = ["run_codegen", "run_import"]


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "source",
        metavar="SOURCE",
        help="a .keras file, a model JSON config (model.to_json()), or keras.applications.NAME "
        "(built with weights=None)",
    )
    p.add_argument("-o", "--output", required=True, metavar="SPEC", help="the spec file to write")
    p.add_argument("--force", action="store_true", help="overwrite SPEC if it exists")


@command(
    "import",
    "turn a Keras model (.keras, JSON config, keras.applications) into a spec",
    _import_args,
)
def run_import(args: argparse.Namespace) -> int:
    from graphspec._atomic import write_text_atomic
    from graphspec.importer import import_source

    out = Path(args.output)
    if out.exists() and not args.force:
        print(
            f"graphspec import: error: {out} exists; use --force to overwrite it",
            file=sys.stderr,
        )
        return EXIT_USAGE
    spec = import_source(args.source)
    text = spec.to_yaml()
    write_text_atomic(out, text)
    layers = sum(1 for node in spec.nodes.values() if node.share is None)
    shared = len(spec.nodes) - layers
    tail = f" ({shared} shared-layer calls)" if shared else ""
    print(
        f"wrote {out}: model `{spec.name}`, {len(spec.inputs)} input(s), {layers} layers{tail}, "
        f"{_params_text(spec)}"
    )
    return EXIT_OK


def _params_text(spec: object) -> str:
    from graphspec.api import check

    result = check(spec)  # type: ignore[arg-type]
    shapes = result.shapes
    if shapes is None or not shapes.complete:
        return "parameters: unknown (run `graphspec summary`)"
    return f"{shapes.total:,} parameters"


def _codegen_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    add_set_option(p)


@command(
    "codegen", "write Python code that builds the spec's model with the Keras API", _codegen_args
)
def run_codegen(args: argparse.Namespace) -> int:
    from graphspec.codegen import generate_python

    text = generate_python(args.spec, params=parse_overrides(args.overrides))
    if args.output:
        from graphspec._atomic import write_text_atomic

        write_text_atomic(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK
