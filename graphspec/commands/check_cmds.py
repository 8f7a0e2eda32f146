"""``graphspec validate``, ``summary`` and ``schema``: the commands that never import TensorFlow."""

from __future__ import annotations

import argparse
import json
import sys

from graphspec.cli import (
    EXIT_INVALID,
    EXIT_OK,
    add_format_option,
    add_output_option,
    add_set_option,
    command,
    output_policy,
    parse_overrides,
    print_diagnostics,
)
from graphspec.errors import Diagnostic, Severity, SpecError

__all__ = ["run_schema", "run_summary", "run_validate"]


def _validate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC", help="spec files to check")
    add_set_option(p)
    add_format_option(p)
    p.add_argument(
        "--deep",
        action="store_true",
        help="also build the model with Keras to settle shapes no static rule covers "
        "(imports TensorFlow)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing for valid specs")


@command("validate", "check specs: schema, layers, arguments, graph and shapes", _validate_args)
def run_validate(args: argparse.Namespace) -> int:
    from graphspec.api import check

    overrides = parse_overrides(args.overrides)
    everything: list[Diagnostic] = []
    status = EXIT_OK
    for path in args.specs:
        try:
            result = check(path, params=overrides)
            found = result.diagnostics
            if args.deep and result.ok:
                from graphspec.deep import deep_check

                found = found + deep_check(result)
        except SpecError as err:
            found = list(err.diagnostics)
        everything += found
        if any(d.is_error for d in found):
            status = EXIT_INVALID
        elif not args.quiet and args.format == "text":
            warn = sum(d.severity is Severity.WARNING for d in found)
            tail = f" ({warn} warning{'s' * (warn != 1)})" if warn else ""
            print(f"{path}: ok{tail}")
    if args.format == "json":
        print_diagnostics(everything, "json", sys.stdout)
    else:
        print_diagnostics(everything, "text", sys.stderr)
    return status


def _summary_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC")
    add_set_option(p)
    add_format_option(p)


@command(
    "summary",
    "a table of nodes, output shapes and parameter counts, from the spec alone",
    _summary_args,
)
def run_summary(args: argparse.Namespace) -> int:
    from graphspec.api import check
    from graphspec.summary import summary_data, summary_text

    result = check(args.spec, params=parse_overrides(args.overrides))
    if args.format == "json":
        print(json.dumps(summary_data(result), indent=2))
    else:
        print(summary_text(result))
    print_diagnostics(result.diagnostics, "text" if args.format == "text" else "json", sys.stderr)
    return EXIT_OK if result.ok else EXIT_INVALID


def _schema_args(p: argparse.ArgumentParser) -> None:
    add_output_option(p, required=False, help="write to FILE instead of stdout")


@command("schema", "print the JSON Schema of the spec format (for editors)", _schema_args)
def run_schema(args: argparse.Namespace) -> int:
    from graphspec.schema import schema_text

    policy = output_policy(args)
    policy.check(args.output)
    text = schema_text() + "\n"
    if args.output:
        policy.write_text(args.output, text)
    else:
        sys.stdout.write(text)
    return EXIT_OK
