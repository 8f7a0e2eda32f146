"""The ``graphspec`` command line: parse the arguments, run the sub-command, one exit status.

Every sub-command is registered (:mod:`graphspec.cli.registry`) by its module in
:mod:`graphspec.cli.commands`, imported here eagerly; only the command that runs adds its
options (and imports what they need), so ``graphspec validate`` starts quickly.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import sys
from collections.abc import Callable, Sequence
from functools import cache

from graphspec.backends.keras.select import select_backend
from graphspec.base.version import VERSION
from graphspec.cli.commands import MODULES
from graphspec.cli.options import load_layer_packages
from graphspec.cli.registry import COMMANDS, EXIT_INVALID, EXIT_OK, EXIT_USAGE, Command
from graphspec.cli.report import print_diagnostics
from graphspec.errors import GraphSpecError, SpecError, UsageError
from graphspec.frontend.includes import allow_outside

__all__ = ["COMMAND_MODULES", "main"]

COMMAND_MODULES = MODULES
"""The modules of the sub-commands (imported eagerly: every command is registered)."""


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command; only ``only``'s options are added when it is given."""
    parser = argparse.ArgumentParser(
        prog="graphspec",
        description="Validate, compile and draw neural-network graph specs (YAML DAGs).",
    )
    parser.add_argument("--version", action="version", version=f"graphspec {VERSION}")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in _listed():
        sub = subs.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        if only is None or cmd.name == only:
            cmd.configure(sub)
        sub.set_defaults(_run=cmd.run)
    return parser


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs: its first word when that names one (the top-level options
    take no values), else ``None``.

    >>> _command_named(["validate", "x.yaml"]), _command_named(["--version"])
    ('validate', None)
    """
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def _listed() -> list[Command]:
    """The commands in the order ``--help`` lists them: by module as in :data:`MODULES`, then as
    each module registers them."""
    rank = {module.__name__: index for index, module in enumerate(MODULES)}
    return sorted(COMMANDS.values(), key=lambda cmd: rank.get(cmd.run.__module__, len(rank)))


@cache
def _freeze_at_exit() -> None:
    """At exit, keep the interpreter's last garbage collections from walking every object.

    A command ends with its process; those collections would walk everything imported and built
    (about 25 ms of a 0.2 s ``graphspec validate``) only to free what exiting frees anyway.
    """
    atexit.register(gc.freeze)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 invalid spec, 2 usage error)."""
    _freeze_at_exit()
    # TensorFlow's C++ start-up chatter (oneDNN, CUDA probing) drowns graphspec's own output;
    # Python-level errors still surface as diagnostics. Users can still set their own level.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    words = sys.argv[1:] if argv is None else list(argv)
    parser = _parser(_command_named(words))
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        if getattr(args, "backend", None) and getattr(args, "_select_backend", False):
            select_backend(args.backend)  # before any command imports Keras
        load_layer_packages(args)  # the user's own layer packages, before any spec is read
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
