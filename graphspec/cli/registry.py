"""The sub-command registry and the exit statuses every command shares."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from graphspec.base.registry import Registry

__all__ = ["COMMANDS", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "Command", "command"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class Command:
    """One sub-command: its name, help line, how it adds its arguments, and how it runs."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: Registry[str, Command] = Registry("command")
"""Sub-commands by name, in the order ``--help`` lists them."""


def command(
    name: str, help: str, configure: Callable[[argparse.ArgumentParser], None]
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    """Register a sub-command: ``configure`` adds its arguments, the decorated function runs it."""

    return COMMANDS.register(name, make=lambda fn: Command(name, help, configure, fn))
