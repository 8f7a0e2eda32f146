"""``graphspec compile``: check a spec, build its Keras model and save it as a ``.keras`` file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graphspec.cli.options import (
    add_backend_option,
    add_output_option,
    add_set_option,
    output_policy,
    spec_params,
)
from graphspec.cli.registry import EXIT_INVALID, EXIT_OK, command
from graphspec.errors import UsageError
from graphspec.frontend.paths import spec_file

__all__ = ["run_compile"]


def _compile_args(p: argparse.ArgumentParser) -> None:
    from graphspec.backends.keras.compiler import APIS

    p.add_argument("spec", metavar="SPEC", help="the spec file to compile")
    add_output_option(p, required=True, metavar="FILE.keras", help="where to save the model")
    p.add_argument(
        "--api",
        choices=APIS,
        default="auto",
        help="auto: Sequential for a plain chain, functional otherwise (default); "
        "sequential: fail unless the graph is a chain; functional: always functional",
    )
    add_set_option(p)
    add_backend_option(p)
    p.add_argument("--summary", action="store_true", help="print the Keras model summary")


@command("compile", "build a spec's Keras model and save it as a .keras file", _compile_args)
def run_compile(args: argparse.Namespace) -> int:
    """Validate (diagnostics as ``validate`` prints them), build, then save atomically."""
    from graphspec.api import check
    from graphspec.cli.report import print_diagnostics

    output = Path(args.output)
    if output.suffix != ".keras":
        raise UsageError(
            f"-o must name a file ending in .keras (Keras saves models only there); "
            f"got {args.output!r}; e.g. -o {output.with_suffix('.keras')}"
        )
    spec = spec_file(args.spec)
    policy = output_policy(args, str(spec))
    policy.check(output)  # before TensorFlow is imported: a bad -o fails at once
    result = check(spec, params=spec_params(args))
    if result.diagnostics:
        print_diagnostics(result.diagnostics, "text", sys.stderr)
    if not result.ok:
        return EXIT_INVALID

    from graphspec.backends.keras.compiler import build_model
    from graphspec.backends.keras.loading import save_model
    from graphspec.backends.keras.select import active_backend

    built = build_model(result, api=args.api)
    model = built.model
    if args.summary:
        model.summary(print_fn=_print_line)

    with policy.with_inputs(*result.files_read()).writing(output, suffix=".keras") as tmp:
        save_model(model, tmp)
    print(
        f"wrote {args.output} ({built.kind}, {model.count_params():,} params, "
        f"backend {active_backend()})"
    )
    return EXIT_OK


def _print_line(line: str, *_: object, **__: object) -> None:
    print(line)
