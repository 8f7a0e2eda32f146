"""Ruff on generated code: ``ruff check`` and ``ruff format --check`` as the project runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["ruff_problems"]

_RUFF = str(Path(sys.executable).parent / "ruff")  # the environment's own ruff
_ROOT = Path(__file__).resolve().parent.parent


def ruff_problems(source: str) -> list[str]:
    """What ``ruff check`` and ``ruff format --check`` say of ``source``: under the project's
    configuration, and formatted at ruff's default line length too (a project without one)."""
    name = str(_ROOT / "generated_model.py")  # inside the project: its pyproject.toml applies
    runs = [
        ["check", "--no-cache"],
        ["format", "--check", "--diff", "--no-cache"],
        ["format", "--check", "--diff", "--no-cache", "--config", "line-length = 88"],
    ]
    problems = []
    for args in runs:
        run = subprocess.run(
            [_RUFF, *args, "--stdin-filename", name, "-"],
            input=source,
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            problems.append(" ".join(args) + ":\n" + run.stdout + run.stderr)
    return problems
