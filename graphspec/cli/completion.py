"""Shell completion scripts for ``graphspec``, generated from its argument parser by shtab."""

from __future__ import annotations

import argparse
from typing import Final

__all__ = ["SHELLS", "add_completion_option", "completion_script"]

SHELLS: Final = ("bash", "zsh", "tcsh", "fish", "powershell")
"""The shells shtab writes completion scripts for."""

_FILE_METAVARS: Final = ("SPEC", "SOURCE", "FILE", "DATA", "MODEL", "OUT", "CURVES")
"""Arguments whose metavar starts with one of these complete file names."""


def add_completion_option(parser: argparse.ArgumentParser) -> None:
    """``--print-completion SHELL``: print the completion script and exit."""
    parser.add_argument(
        "--print-completion",
        choices=SHELLS,
        metavar="SHELL",
        help=f"print a tab-completion script for SHELL ({', '.join(SHELLS)}) and exit; "
        "see the README for where to put it",
    )


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of ``parser`` for ``shell``: every command and option, choices
    listed, and file names where an argument takes a file (imports shtab only here).

    >>> parser = argparse.ArgumentParser(prog="tool")
    >>> _ = parser.add_argument("spec", metavar="SPEC")
    >>> "_shtab_compgen_files" in completion_script(parser, "bash")
    True
    """
    import shtab

    _mark_files(parser, shtab.FILE)
    return str(shtab.complete(parser, shell=shell))


def _mark_files(parser: argparse.ArgumentParser, files: object) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                _mark_files(sub, files)
            continue
        metavar = action.metavar if isinstance(action.metavar, str) else ""
        if action.choices is None and metavar.upper().startswith(_FILE_METAVARS):
            action.complete = files  # type: ignore[attr-defined]  # shtab reads this attribute
