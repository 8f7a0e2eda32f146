"""Helpers for the backend tests: run Python under a chosen Keras backend in a fresh process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from graphspec.backends.keras.select import is_installed

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
SEED_CNN = SPECS / "seed_sequential.yaml"
TWO_JAX_DEVICES = {
    # two CPU devices; a deadlocked collective aborts after a minute (see test_data_parallel.py)
    "XLA_FLAGS": "--xla_force_host_platform_device_count=2 "
    "--xla_cpu_collective_call_terminate_timeout_seconds=60",
}
RUN = "import sys; from graphspec.cli.main import main; sys.exit(main(sys.argv[1:]))"
"""``python -c RUN ARGS...`` runs ``graphspec ARGS...`` in the current interpreter."""

TORCH_MISSING = (
    "PyTorch is not installed (its wheel is large): `make test-torch` installs torch==2.13.0 "
    "and runs these"
)


def needs(backend: str) -> pytest.MarkDecorator:
    """Skip unless ``backend``'s package is installed, saying how to get it."""
    reason = TORCH_MISSING if backend == "torch" else f"the {backend} backend is not installed"
    return pytest.mark.skipif(not is_installed(backend), reason=reason)


def backend_env(backend: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a child process running Keras on ``backend``."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("XLA_FLAGS", None)
    return {**env, **(extra or {})}


def run_python(
    args: Sequence[str],
    backend: str,
    *,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 240,
) -> subprocess.CompletedProcess[str]:
    """``python ARGS...`` under ``backend`` in a fresh process (a backend is fixed per process)."""
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
        env=backend_env(backend, extra_env),
    )


def free_ports(count: int) -> list[int]:
    """``count`` distinct free TCP ports on 127.0.0.1 (held open together while choosing)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
