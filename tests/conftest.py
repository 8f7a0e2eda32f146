"""Shared fixtures: the shipped specs folder and a helper that runs the command line."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from graphspec.cli.main import main

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The records of files graphspec wrote (graphspec.base.output) go to a throw-away folder, never to
# the user's ~/.local/state; subprocesses inherit it.
os.environ["GRAPHSPEC_STATE_DIR"] = tempfile.mkdtemp(prefix="graphspec-test-state-")

# CI replays the same examples every run (a red CI is always reproducible); local runs explore.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

__all__ = ["CliRun", "run_cli", "specs_dir"]

_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CliRun:
    """What one command-line run gave: exit status and captured output."""

    status: int
    out: str
    err: str


@pytest.fixture
def specs_dir() -> Path:
    """The shipped example specs (``specs/``)."""
    return _ROOT / "specs"


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    """Run ``graphspec ARGS...`` in-process: ``run_cli("validate", "a.yaml").status``."""

    def run(*argv: str | os.PathLike[str]) -> CliRun:
        capsys.readouterr()  # drop anything printed before
        status = main([os.fspath(a) for a in argv])
        captured = capsys.readouterr()
        return CliRun(status, captured.out, captured.err)

    return run
