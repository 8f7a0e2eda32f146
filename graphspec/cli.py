"""The ``graphspec`` command line: one sub-command per job, registered by decorator."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from graphspec.errors import Diagnostic, GraphSpecError, Severity, SpecError, UsageError

if TYPE_CHECKING:
    from graphspec.output import OutputPolicy

__all__ = [
    "COMMANDS",
    "add_backend_option",
    "add_output_option",
    "add_write_options",
    "command",
    "main",
    "output_policy",
]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class _Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, _Command] = {}
"""Sub-commands by name, in the order ``--help`` lists them."""


def command(
    name: str, help: str, configure: Callable[[argparse.ArgumentParser], None]
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    """Register a sub-command: ``configure`` adds its arguments, the decorated function runs it."""

    def register(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = _Command(name, help, configure, fn)
        return fn

    return register


# -- shared option helpers ----------------------------------------------------------------------


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """``--set k=v`` (repeatable): override spec-level params; and ``--allow-outside``."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a spec param (repeatable); VALUE is read as a YAML scalar",
    )
    parser.add_argument(
        "--allow-outside",
        action="store_true",
        help="let `include:` and `model: FILE` name spec files outside the spec's folder tree",
    )


def add_backend_option(parser: argparse.ArgumentParser, *, select: bool = True) -> None:
    """``--backend tensorflow|jax|torch``: the Keras backend, set before Keras is imported.

    With ``select`` (commands that run Keras), :func:`main` checks that the backend is installed
    and sets ``KERAS_BACKEND`` before the command runs; otherwise only the name is checked.
    """
    from graphspec.backend import BACKENDS, ENV_VAR

    parser.add_argument(
        "--backend",
        choices=tuple(BACKENDS),
        help=f"the Keras backend (default: ${ENV_VAR}, else tensorflow)",
    )
    parser.set_defaults(_select_backend=select)


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """``--format text|json`` for diagnostics and reports."""
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output form")


FORCE_HELP = (
    "replace an existing output file that graphspec did not write, or that was changed since "
    "(graphspec's own unchanged outputs are refreshed without it; an input is never replaced)"
)
MKDIR_HELP = "create missing folders of output files"


def add_write_options(parser: argparse.ArgumentParser) -> None:
    """``--force`` and ``--mkdir``: the same two flags, with the same meaning, on every writer."""
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)
    parser.add_argument("--mkdir", action="store_true", help=MKDIR_HELP)


def add_output_option(
    parser: argparse.ArgumentParser,
    *,
    required: bool,
    metavar: str = "FILE",
    help: str = "the file to write",
) -> None:
    """``-o/--output`` plus ``--force`` and ``--mkdir`` (see :mod:`graphspec.output`)."""
    parser.add_argument("-o", "--output", required=required, metavar=metavar, help=help)
    add_write_options(parser)


def output_policy(args: argparse.Namespace, *inputs: str | None) -> OutputPolicy:
    """The output policy of one run: ``--force``/``--mkdir`` and the files it reads."""
    from graphspec.output import OutputPolicy

    command_name = getattr(args, "command", None) or "graphspec"

    def note(message: str) -> None:
        print(f"graphspec {command_name}: note: {message}", file=sys.stderr)

    return OutputPolicy(
        inputs=tuple(i for i in inputs if i),
        force=bool(getattr(args, "force", False)),
        mkdir=bool(getattr(args, "mkdir", False)),
        notify=note,
    )


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``["width=64", "act=relu"]`` to ``{"width": Given(64, ...), ...}`` (values read safely).

    Each value remembers the ``--set`` argument it came from (diagnostics about it point
    there) and what YAML 1.1 made of surprising text such as ``1e-3``.

    >>> {k: v.value for k, v in parse_overrides(["width=64", "rate=0.5", "act=relu"]).items()}
    {'width': 64, 'rate': 0.5, 'act': 'relu'}
    >>> parse_overrides(["p=1e-3"])["p"].surprise.kind
    'float-string'
    """
    from graphspec.loader import load_document
    from graphspec.source import Given

    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set expects NAME=VALUE; got {item!r}")
        surprise = None
        try:
            doc = load_document(raw or "''", "--set")
            value, surprise = doc.data, doc.source.surprises.get(())
        except SpecError:
            value = raw
        if isinstance(value, dict | list):
            raise UsageError(f"--set {name}: VALUE must be a single number or word; got {raw!r}")
        out[name.strip()] = Given(value, f"--set {item}", surprise)
    return out


def print_diagnostics(
    diagnostics: Sequence[Diagnostic], fmt: str, stream: TextIO | None = None
) -> None:
    """Print diagnostics as text lines (with a one-line tally) or as a JSON list."""
    stream = stream or sys.stderr
    if fmt == "json":
        print(json.dumps([d.to_dict() for d in diagnostics], indent=2), file=stream)
        return
    for diag in diagnostics:
        print(diag.format(), file=stream)
    errors = sum(d.is_error for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    if errors or warnings:
        print(
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}",
            file=stream,
        )


# -- entry point --------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    from graphspec import __version__

    parser = argparse.ArgumentParser(
        prog="graphspec",
        description="Validate, compile and draw neural-network graph specs (YAML DAGs).",
    )
    parser.add_argument("--version", action="version", version=f"graphspec {__version__}")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in COMMANDS.values():
        sub = subs.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        cmd.configure(sub)
        sub.set_defaults(_run=cmd.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 invalid spec, 2 usage error)."""
    from graphspec import commands  # noqa: F401 - registers the sub-commands

    # TensorFlow's C++ start-up chatter (oneDNN, CUDA probing) drowns graphspec's own output;
    # Python-level errors still surface as diagnostics. Users can still set their own level.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from graphspec.includes import allow_outside

    try:
        if getattr(args, "backend", None) and getattr(args, "_select_backend", False):
            from graphspec.backend import select_backend

            select_backend(args.backend)  # before any command imports Keras
        with allow_outside(bool(getattr(args, "allow_outside", False))):
            return args._run(args)
    except UsageError as err:
        print(f"graphspec {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except SpecError as err:
        print_diagnostics(err.diagnostics, getattr(args, "format", "text"))
        return EXIT_INVALID
    except GraphSpecError as err:
        print(f"graphspec {args.command}: error: {err}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as err:  # a file problem no check above anticipated: one line, never a traceback
        where = f": {err.filename}" if err.filename else ""
        print(f"graphspec {args.command}: error: {err.strerror or err}{where}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
