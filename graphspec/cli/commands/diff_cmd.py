"""``graphspec diff OLD NEW``: what changed between two specs (paths or ``REV:path``), as diff(1) exits.

Also git's external diff driver (``graphspec diff --git-driver``, configured as
``diff.graphspec.command``): git calls it with seven arguments, ``path old-file old-hex old-mode
new-file new-hex new-mode``, and stops the whole ``git diff`` when it exits non-zero, so in
that mode it always exits 0 and shows a plain text diff for a YAML file that is not a spec.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path
from typing import Final

from graphspec.cli.options import add_output_option, add_set_option, output_policy, spec_params
from graphspec.cli.registry import EXIT_OK, command
from graphspec.cli.report import print_diagnostics
from graphspec.errors import UsageError

__all__ = ["run_diff"]

_FORMATS: Final = ("text", "json", "markdown")
_DIAGRAMS: Final = ("svg", "png", "pdf", "dot", "mmd")
_DRIVER_ARGS: Final = 7
_NULL: Final = "/dev/null"


def _diff_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "specs",
        nargs="+",
        metavar="SPEC",
        help="OLD and NEW: spec files, or REV:path read from git (e.g. HEAD~1:specs/x.yaml); "
        "with --git-driver, the seven arguments git passes",
    )
    p.add_argument(
        "--format", choices=_FORMATS, default="text", help="text (default), json or markdown"
    )
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text form (auto: when standard output is a terminal)",
    )
    add_output_option(
        p,
        required=False,
        help="also draw the diff: the new spec with added (green), changed (amber, old → new) "
        "and removed (ghost) nodes, unchanged blocks collapsed; svg, png, pdf, dot or mmd",
    )
    p.add_argument(
        "--git-driver",
        action="store_true",
        help="run as git's external diff driver (diff.<driver>.command): seven arguments, "
        "always exit 0 so that `git diff` goes on",
    )
    add_set_option(p)


@command(
    "diff", "what changed between two specs: nodes, shapes, parameters (exit as diff)", _diff_args
)
def run_diff(args: argparse.Namespace) -> int:
    from graphspec.backends.diff import diff

    overrides = spec_params(args)
    if args.git_driver:
        return _git_driver(args, overrides)
    if len(args.specs) != 2:
        raise UsageError(f"give two specs, OLD and NEW; got {len(args.specs)}")
    old, new = args.specs
    policy = output_policy(args, *(s for s in (old, new) if Path(s).exists()))
    if args.output:
        _diagram_format(args.output)
        policy.check(args.output)  # before any work: a bad -o costs nothing
    result = diff(old, new, params=overrides)
    _print(args, result)
    if args.output and result.new.loaded:
        from graphspec.backends.diff.diagram import render_diff

        render_diff(result, args.output, policy=policy)
        print(f"graphspec diff: wrote {args.output}", file=sys.stderr)
    return result.exit_status


def _diagram_format(path: str) -> str:
    from graphspec.backends.diagram import format_for

    fmt = format_for(path)
    if fmt not in _DIAGRAMS:
        raise UsageError(f"-o {path}: a diff is drawn as {', '.join(_DIAGRAMS)}")
    return fmt


def _colour(args: argparse.Namespace) -> bool:
    if args.color == "auto":
        return sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return bool(args.color == "always")


def _print(args: argparse.Namespace, result: object) -> None:
    from graphspec.backends.diff import DiffResult, format_diff

    assert isinstance(result, DiffResult)
    for side in (result.old, result.new):
        print_diagnostics(side.diagnostics, "text", sys.stderr)
    sys.stdout.write(format_diff(result, args.format, color=_colour(args)).rstrip("\n") + "\n")


def _git_driver(args: argparse.Namespace, overrides: dict[str, object]) -> int:
    """git's external diff: ``path old-file old-hex old-mode new-file new-hex new-mode``."""
    from graphspec.backends.diff import diff
    from graphspec.backends.diff.sources import open_copy

    if len(args.specs) == 1:  # an unmerged path: git passes only its name
        print(f"graphspec diff: {args.specs[0]}: unmerged")
        return EXIT_OK
    if len(args.specs) != _DRIVER_ARGS:
        raise UsageError(
            f"--git-driver takes the {_DRIVER_ARGS} arguments git passes (path old-file old-hex "
            f"old-mode new-file new-hex new-mode); got {len(args.specs)}"
        )
    path, old_file, _, _, new_file, _, _ = args.specs
    print(f"graphspec diff a/{path} b/{path}")
    if _NULL in (old_file, new_file):
        print(f"{'new' if old_file == _NULL else 'deleted'} spec file")
        return EXIT_OK
    sides = [open_copy(f, path, label) for f, label in ((old_file, "a"), (new_file, "b"))]
    try:
        given = [
            s.path if s is not None else Path(f)
            for s, f in zip(sides, (old_file, new_file), strict=True)
        ]
        result = diff(*given, params=overrides)
        for side, opened in zip((result.old, result.new), sides, strict=True):
            if opened is not None:
                side.label = opened.label
                side.diagnostics = opened.relabel(side.diagnostics)
    finally:
        for copy in sides:
            if copy is not None:
                copy.close()
    if not result.compared:
        _text_fallback(old_file, new_file, path)
        return EXIT_OK
    _print(args, result)
    return EXIT_OK


def _text_fallback(old_file: str, new_file: str, path: str) -> None:
    """A YAML file that is not a spec (or cannot be read as one): the plain text diff."""
    print("(not comparable as a spec: the text diff follows)")
    old, new = (_lines(name) for name in (old_file, new_file))
    sys.stdout.writelines(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))


def _lines(name: str) -> list[str]:
    try:
        return Path(name).read_text(encoding="utf-8", errors="replace").splitlines(True)
    except OSError:
        return []
