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
import re
import sys
from collections.abc import Callable, Sequence
from functools import cache
from typing import Final, NoReturn

from graphspec.backends.keras.select import select_backend
from graphspec.base.suggest import did_you_mean
from graphspec.base.version import VERSION
from graphspec.cli.commands import MODULES
from graphspec.cli.completion import add_completion_option, completion_script
from graphspec.cli.options import load_layer_packages
from graphspec.cli.registry import COMMANDS, EXIT_INVALID, EXIT_OK, EXIT_USAGE, Command
from graphspec.cli.report import print_diagnostics
from graphspec.errors import GraphSpecError, SpecError, UsageError
from graphspec.frontend.includes import allow_outside

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

COMMAND_MODULES = MODULES
"""The modules of the sub-commands (imported eagerly: every command is registered)."""


_INVALID_CHOICE: Final = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")
_UNRECOGNIZED: Final = re.compile(r"unrecognized arguments: (.*)")


class _Parser(argparse.ArgumentParser):
    """argparse with "did you mean" for a misspelt command, choice or option."""

    options: tuple[str, ...] = ()
    """The option strings of the command being parsed (set by :func:`main`)."""

    def error(self, message: str) -> NoReturn:
        hint = _usage_hint(message, self.options or tuple(self._option_string_actions))
        if hint:
            message += f"\n  hint: {hint}"
        super().error(message)


def _usage_hint(message: str, options: Sequence[str]) -> str | None:
    """``did you mean `validate`?`` for argparse's invalid choice or unrecognized option."""
    choice = _INVALID_CHOICE.search(message)
    if choice:
        listed = re.findall(r"'([^']*)'", choice.group(2))
        return did_you_mean(choice.group(1), listed)
    unknown = _UNRECOGNIZED.search(message)
    if unknown:
        for word in unknown.group(1).split():
            if word.startswith("--"):
                found = did_you_mean(word.split("=", 1)[0], [o for o in options if o[:2] == "--"])
                if found:
                    return found
    return None


def build_parser(argv: Sequence[str] = (), only: str | None = None) -> argparse.ArgumentParser:
    """The ``graphspec`` argument parser with every registered command (``argv``, when given,
    names the command whose options a "did you mean" for an unknown option draws from); with
    ``only``, only that command adds its options (and imports what they need)."""

    parser = _Parser(
        prog="graphspec",
        description="Validate, compile and draw neural-network graph specs (YAML DAGs).",
    )
    parser.add_argument("--version", action="version", version=f"graphspec {VERSION}")
    add_completion_option(parser)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    named = next((a for a in argv if not a.startswith("-")), None)
    for cmd in _listed():
        sub = subs.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        if only is None or cmd.name == only:
            cmd.configure(sub)
        sub.set_defaults(_run=cmd.run)
        if cmd.name == named:  # "unrecognized arguments" is raised by the top parser
            parser.options = tuple(sub._option_string_actions)
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
    parser = build_parser(words, _command_named(words))
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.print_completion:
        sys.stdout.write(completion_script(parser, args.print_completion))
        return EXIT_OK
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
