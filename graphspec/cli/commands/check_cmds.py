"""``graphspec validate``, ``summary`` and ``schema``: the commands that never import TensorFlow."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from graphspec.cli.options import (
    add_backend_option,
    add_format_option,
    add_output_option,
    add_set_option,
    output_policy,
    spec_params,
)
from graphspec.cli.registry import EXIT_INVALID, EXIT_OK, EXIT_USAGE, command
from graphspec.cli.report import print_diagnostics
from graphspec.errors import Diagnostic, Severity, SpecError, UsageError
from graphspec.frontend.paths import (
    is_marked_spec,
    missing_spec,
    not_a_spec,
    spec_file,
    spec_files_in,
)

__all__ = ["run_schema", "run_summary", "run_validate"]


def _validate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "specs",
        nargs="+",
        metavar="SPEC",
        help="spec files to check; a folder means every *.yaml, *.yml and *.json file in it",
    )
    p.add_argument(
        "--only-specs",
        action="store_true",
        help="skip YAML files that do not mark themselves as specs (a top-level `graphspec:` "
        "key or a graphspec `$schema` modeline), with a note; for hooks in repositories full "
        "of other YAML",
    )
    add_set_option(p)
    add_format_option(p)
    p.add_argument(
        "--deep",
        action="store_true",
        help="also build the model with Keras to settle shapes no static rule covers "
        "(imports TensorFlow)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing for valid specs")
    add_backend_option(p)


@command("validate", "check specs: schema, layers, arguments, graph and shapes", _validate_args)
def run_validate(args: argparse.Namespace) -> int:
    from graphspec.api import check

    overrides = spec_params(args)
    files, walked, everything, status = _spec_files(args.specs)
    for path in files:
        if args.only_specs and not is_marked_spec(path):
            everything.append(_skipped(path))
            continue
        reason = not_a_spec(path) if path in walked else None
        if reason is not None:  # found in a folder, not named: a note, never 26 errors
            everything.append(
                Diagnostic(
                    "N016",
                    f"skipped, not a spec: {reason}",
                    file=str(path),
                    severity=Severity.NOTE,
                )
            )
            continue
        try:
            result = check(path, params=overrides)
            found = result.diagnostics
            if args.deep and result.ok:
                from graphspec.backends.keras.deep import deep_check

                found = found + deep_check(result)
        except SpecError as err:
            found = list(err.diagnostics)
        everything += found
        if any(d.is_error for d in found):
            status = max(status, EXIT_INVALID)
        elif not args.quiet and args.format == "text":
            warn = sum(d.severity is Severity.WARNING for d in found)
            tail = f" ({warn} warning{'s' * (warn != 1)})" if warn else ""
            print(f"{path}: ok{tail}")
    if args.quiet:
        everything = [d for d in everything if d.code not in ("N015", "N016")]
    if args.format == "json":
        print_diagnostics(everything, "json", sys.stdout)
    else:
        print_diagnostics(everything, "text", sys.stderr)
    return status


def _spec_files(arguments: list[str]) -> tuple[list[Path], set[Path], list[Diagnostic], int]:
    """The files to check (folders walked, duplicates once), those found by walking a folder,
    and a diagnostic per bad path."""
    files: dict[Path, None] = {}
    walked: set[Path] = set()
    problems: list[Diagnostic] = []
    status = EXIT_OK
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found = spec_files_in(path)
            if not found:
                problems.append(
                    Diagnostic(
                        "E001",
                        "the folder holds no spec files (*.yaml, *.yml, *.json)",
                        file=argument,
                    )
                )
                status = EXIT_USAGE
            walked.update(p for p in found if p not in files)
            files.update(dict.fromkeys(found))
            continue
        problem = missing_spec(path)
        if problem is None:
            files[path] = None
            walked.discard(path)  # named on the command line: always checked
            continue
        problems.append(Diagnostic("E001", problem[0], file=argument, hint=problem[1]))
        status = EXIT_USAGE
    return list(files), walked, problems, status


def _skipped(path: Path) -> Diagnostic:
    return Diagnostic(
        "N015",
        "skipped: not marked as a graphspec spec (--only-specs)",
        file=str(path),
        severity=Severity.NOTE,
        hint="a spec marks itself with a top-level `graphspec: 1` key or a "
        "`# yaml-language-server: $schema=...graphspec.schema.json` first line",
    )


def _summary_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC")
    add_set_option(p)
    add_format_option(p)
    p.add_argument(
        "--deep",
        action="store_true",
        help="also build the model with Keras and show, per node, whether its shapes and "
        "parameter counts agree (imports TensorFlow), like validate --deep",
    )
    p.add_argument(
        "--scales",
        action="store_true",
        help="one line per scale of the spec's `scales:`: its params, parameters and FLOPs",
    )
    add_backend_option(p)


@command(
    "summary",
    "a table of nodes, output shapes and parameter counts, from the spec alone",
    _summary_args,
)
def run_summary(args: argparse.Namespace) -> int:
    from graphspec.api import check
    from graphspec.backends.summary import summary_data, summary_text

    if args.scales:
        return _summary_scales(args)
    result = check(spec_file(args.spec), params=spec_params(args))
    result.raise_for_library("summarise")
    found = list(result.diagnostics)
    deep = None
    if args.deep and result.ok:
        from graphspec.backends.keras.deep import deep_report

        deep = deep_report(result)
        found += deep.diagnostics
    if args.format == "json":
        print(json.dumps(summary_data(result, deep), indent=2))
    else:
        print(summary_text(result, deep))
    print_diagnostics(found, "text" if args.format == "text" else "json", sys.stderr)
    return EXIT_INVALID if any(d.is_error for d in found) else EXIT_OK


def _summary_scales(args: argparse.Namespace) -> int:
    """``summary --scales``: every scale's params, parameter count and FLOPs side by side."""
    from graphspec.api import load
    from graphspec.backends.summary import scales_data, scales_text

    if args.scale is not None or args.deep:
        raise UsageError("--scales shows every scale; it takes neither --scale nor --deep")
    spec = load(spec_file(args.spec))
    if not spec.scales:
        raise UsageError(
            f"{args.spec} defines no `scales:` (e.g. scales: {{s: {{width: 32}}, m: "
            "{width: 64}}})"
        )
    data = scales_data(spec, spec_params(args))
    if args.format == "json":
        print(json.dumps(data, indent=2))
    else:
        print(scales_text(data))
    found = [d for row in data["scales"] for d in row.pop("_diagnostics", [])]
    print_diagnostics(found, "text" if args.format == "text" else "json", sys.stderr)
    return EXIT_INVALID if any(not row["ok"] for row in data["scales"]) else EXIT_OK


def _schema_args(p: argparse.ArgumentParser) -> None:
    add_output_option(p, required=False, help="write to FILE instead of stdout")


@command("schema", "print the JSON Schema of the spec format (for editors)", _schema_args)
def run_schema(args: argparse.Namespace) -> int:
    from graphspec.frontend.schema import schema_text

    policy = output_policy(args)
    policy.check(args.output)
    text = schema_text() + "\n"
    if args.output:
        policy.write_text(args.output, text)
    else:
        sys.stdout.write(text)
    return EXIT_OK
