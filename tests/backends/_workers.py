"""Worker processes of the multi-worker training tests (TensorFlow and JAX): each started with its
output in files, waited for together, its output read back."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from .conftest import ROOT

__all__ = ["checksum", "finish", "read", "start"]


def start(
    command: Sequence[str], index: int, folder: Path, env: Mapping[str, str]
) -> subprocess.Popen[bytes]:
    """Run worker ``index``: ``command`` in the repository, its output in ``folder``."""
    out = (folder / f"worker{index}.out").open("wb")
    err = (folder / f"worker{index}.err").open("wb")
    return subprocess.Popen(list(command), stdout=out, stderr=err, cwd=ROOT, env=dict(env))


def read(folder: Path, index: int, stream: str) -> str:
    """What worker ``index`` wrote to ``stream`` (``out`` or ``err``) so far."""
    return (folder / f"worker{index}.{stream}").read_text(errors="replace")


def finish(procs: Sequence[subprocess.Popen[bytes]], timeout: float) -> None:
    """Wait for every process, all within ``timeout`` seconds; kill them all and fail after."""
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            for other in procs:
                other.kill()
            pytest.fail(f"the worker processes did not finish within {timeout} s")


def checksum(text: str) -> str:
    """The ``weights: sha256 …`` line a worker printed."""
    found = re.search(r"^weights: sha256 ([0-9a-f]{64})$", text, re.M)
    assert found, text
    return found.group(1)
