"""``graphspec import`` (a Keras model to a spec) and ``graphspec codegen`` (a spec to Python)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graphspec.cli.options import (
    add_backend_option,
    add_layers_option,
    add_output_option,
    add_set_option,
    output_policy,
    spec_params,
)
from graphspec.cli.registry import EXIT_OK, command
from graphspec.errors import UsageError
from graphspec.frontend.paths import spec_file
from graphspec.frontend.spec import Spec

__all__ = ["import_list", "run_codegen", "run_import"]


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "source",
        metavar="SOURCE",
        nargs="?",
        help="a .keras file, a model JSON config (model.to_json()), or keras.applications.NAME "
        "(built with weights=None)",
    )
    add_output_option(p, required=False, metavar="SPEC", help="the spec file to write")
    p.add_argument(
        "--flat",
        action="store_true",
        help="one node per layer: do not look for repeated blocks (by default the repeated "
        "sub-graphs are written as blocks: whose names: template keeps every layer name)",
    )
    p.add_argument(
        "--list",
        action="store_true",
        help="print what can be imported (every keras.applications model) and exit",
    )
    add_layers_option(p)
    add_backend_option(p)


@command(
    "import",
    "turn a Keras model (.keras, JSON config, keras.applications) into a spec",
    _import_args,
)
def run_import(args: argparse.Namespace) -> int:
    from graphspec.backends.emit import to_yaml
    from graphspec.backends.importer import import_source

    if args.list:
        print(import_list())
        return EXIT_OK
    if args.source is None or args.output is None:
        missing = "SOURCE" if args.source is None else "-o SPEC"
        raise UsageError(
            f"import needs {missing}: graphspec import SOURCE -o SPEC (or --list to see what "
            "can be imported)"
        )
    out = Path(args.output)
    policy = output_policy(args, args.source)
    policy.check(out)
    spec = import_source(args.source, blocks=not args.flat)
    text = to_yaml(spec)
    policy.write_text(out, text)
    print(f"wrote {out}: {_summary(spec, len(text.splitlines()))}")
    return EXIT_OK


def _summary(spec: Spec, lines: int) -> str:
    """``model `resnet50`, 1 input(s), 176 layers in 2 blocks (8 instances), 53 lines, …``."""
    from graphspec.api import check

    result = check(spec)
    layers = [n for n in result.graph.layers if n.share is None]
    shared = len(result.graph.layers) - len(layers)
    tail = f" ({shared} shared-layer calls)" if shared else ""
    if spec.blocks:
        sites = sum(1 for node in spec.nodes.values() if node.block)
        blocks = f"{len(spec.blocks)} block{'s' * (len(spec.blocks) != 1)}"
        tail += f" in {blocks} ({sites} instance{'s' * (sites != 1)})"
    shapes = result.shapes
    params = (
        f"{shapes.total:,} parameters"
        if shapes is not None and shapes.complete
        else "parameters: unknown (run `graphspec summary`)"
    )
    return (
        f"model `{spec.name}`, {len(spec.inputs)} input(s), {len(layers)} layers{tail}, "
        f"{lines} lines, {params}"
    )


def import_list() -> str:
    """What ``graphspec import`` accepts: the sources, then every keras.applications model."""
    from graphspec.plugins.nested.applications import application_names

    names = application_names()
    lines = [
        "graphspec import SOURCE -o SPEC, where SOURCE is:",
        "  FILE.keras             a model saved with model.save()",
        "  FILE.json              a model config written by model.to_json()",
        f"  keras.applications.NAME (built with weights=None), NAME one of these {len(names)}:",
    ]
    lines += [f"    keras.applications.{name}" for name in names]
    return "\n".join(lines)


def _codegen_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC")
    add_output_option(p, required=False, help="write to FILE instead of stdout")
    add_set_option(p)
    add_backend_option(p, select=False)


@command(
    "codegen", "write Python code that builds the spec's model with the Keras API", _codegen_args
)
def run_codegen(args: argparse.Namespace) -> int:
    from graphspec.api import check
    from graphspec.backends.codegen import generate_python

    spec = spec_file(args.spec)
    policy = output_policy(args, str(spec))
    policy.check(args.output)
    result = check(spec, params=spec_params(args))
    text = generate_python(result, backend=args.backend)
    if args.output:
        policy.with_inputs(*result.files_read()).write_text(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK
