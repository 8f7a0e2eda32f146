"""The ``graphspec`` command line: parse the arguments, run the sub-command, one exit status.

Every sub-command is registered (:mod:`graphspec.cli.registry`) by its module in
:mod:`graphspec.cli.commands`, imported here eagerly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from graphspec.backends.keras.select import select_backend
from graphspec.base.version import VERSION
from graphspec.cli.commands import MODULES
from graphspec.cli.registry import COMMANDS, EXIT_INVALID, EXIT_OK, EXIT_USAGE, Command
from graphspec.cli.report import print_diagnostics
from graphspec.errors import GraphSpecError, SpecError, UsageError
from graphspec.frontend.includes import allow_outside

__all__ = ["COMMAND_MODULES", "main"]

COMMAND_MODULES = MODULES
"""The modules of the sub-commands (imported eagerly: every command is registered)."""


def _parser() -> argparse.ArgumentParser:

    parser = argparse.ArgumentParser(
        prog="graphspec",
        description="Validate, compile and draw neural-network graph specs (YAML DAGs).",
    )
    parser.add_argument("--version", action="version", version=f"graphspec {VERSION}")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in _listed():
        sub = subs.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        cmd.configure(sub)
        sub.set_defaults(_run=cmd.run)
    return parser


def _listed() -> list[Command]:
    """The commands in the order ``--help`` lists them: by module as in :data:`MODULES`, then as
    each module registers them."""
    rank = {module.__name__: index for index, module in enumerate(MODULES)}
    return sorted(COMMANDS.values(), key=lambda cmd: rank.get(cmd.run.__module__, len(rank)))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 invalid spec, 2 usage error)."""
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
    try:
        if getattr(args, "backend", None) and getattr(args, "_select_backend", False):
            select_backend(args.backend)  # before any command imports Keras
        with allow_outside(bool(getattr(args, "allow_outside", False))):
            run: Callable[[argparse.Namespace], int] = args._run  # a Command.run (set_defaults)
            return run(args)
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
