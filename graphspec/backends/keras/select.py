"""The Keras backend (TensorFlow, JAX, PyTorch): chosen before Keras is imported, checked, named."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Final

from graphspec.errors import UsageError

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "ENV_VAR",
    "BackendError",
    "BackendInfo",
    "active_backend",
    "installed_backends",
    "is_installed",
    "jax_cpu_pool",
    "requested_backend",
    "select_backend",
    "verify_backend",
]

ENV_VAR: Final = "KERAS_BACKEND"
"""The environment variable Keras reads its backend from, once, when it is first imported."""

DEFAULT_BACKEND: Final = "tensorflow"
"""The backend used when neither ``--backend`` nor ``KERAS_BACKEND`` names one (Keras's own)."""


@dataclass(frozen=True)
class BackendInfo:
    """One Keras backend: the module it needs and how to install it."""

    name: str
    module: str
    install: str


BACKENDS: Final[dict[str, BackendInfo]] = {
    "tensorflow": BackendInfo("tensorflow", "tensorflow", "pip install 'tensorflow>=2.21,<2.22'"),
    "jax": BackendInfo("jax", "jax", "pip install jax"),
    "torch": BackendInfo("torch", "torch", "pip install torch"),
}
"""The Keras 3 backends graphspec runs on, by the name ``--backend`` and ``KERAS_BACKEND`` take."""


class BackendError(UsageError):
    """A backend that is unknown, not installed, or not the one Keras was already imported with.

    A usage error (exit status 2); the message starts with its code (E710–E712).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code


def verify_backend(name: str, *, source: str = "--backend") -> str:
    """Return ``name`` if it is a known backend; raise :class:`BackendError` (E711) otherwise.

    >>> verify_backend("jax")
    'jax'
    >>> verify_backend("theano")
    Traceback (most recent call last):
    ...
    graphspec.backends.keras.select.BackendError: [E711] unknown Keras backend 'theano' (from --backend); must be one of tensorflow, jax, torch
    """
    if name not in BACKENDS:
        raise BackendError(
            "E711",
            f"unknown Keras backend {name!r} (from {source}); must be one of {', '.join(BACKENDS)}",
        )
    return name


def is_installed(name: str) -> bool:
    """Whether the backend's package can be imported (looked up without importing it)."""
    module = BACKENDS[name].module
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules, a broken parent
        return False


def installed_backends() -> list[str]:
    """The backends whose packages are installed, in :data:`BACKENDS` order."""
    return [name for name in BACKENDS if is_installed(name)]


def requested_backend(environ: Mapping[str, str] | None = None) -> str:
    """The backend Keras would pick: ``KERAS_BACKEND``, else ``backend`` in Keras's own
    ``keras.json`` (in ``$KERAS_HOME``, else ``~/.keras``), else :data:`DEFAULT_BACKEND`.

    >>> requested_backend({"KERAS_BACKEND": "jax"})
    'jax'
    >>> requested_backend({"KERAS_HOME": "/nonexistent"})
    'tensorflow'
    """
    environ = os.environ if environ is None else environ
    raw = environ.get(ENV_VAR, "").strip()
    if raw:
        return verify_backend(raw, source=ENV_VAR)
    home = environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    config = os.path.join(home, "keras.json")
    try:
        with open(config, encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, ValueError):
        return DEFAULT_BACKEND
    value = data.get("backend") if isinstance(data, dict) else None
    return verify_backend(value, source=config) if isinstance(value, str) else DEFAULT_BACKEND


def active_backend() -> str:
    """The backend Keras runs on: Keras's own answer once it is imported, else the requested one."""
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "backend"):
        return str(keras.backend.backend())
    return requested_backend()


def select_backend(
    name: str | None = None, *, environ: MutableMapping[str, str] | None = None
) -> str:
    """Choose the Keras backend for this process and check that it can run; returns its name.

    ``name`` (from ``--backend``) wins over ``KERAS_BACKEND``; with neither, TensorFlow. The choice
    is written to ``KERAS_BACKEND`` so Keras reads it when it is first imported. Raises
    :class:`BackendError`: E711 for an unknown name, E710 when its package is not installed (the
    message says what to install), E712 when Keras is already imported with another backend (a
    backend is fixed for the life of a process: run another process). Checked in that order.
    """
    environ = os.environ if environ is None else environ
    if name is not None:
        chosen, source = verify_backend(name), "--backend"
    else:
        chosen, source = requested_backend(environ), ENV_VAR
    if not is_installed(chosen):
        info = BACKENDS[chosen]
        raise BackendError(
            "E710",
            f"the Keras backend {chosen} (from {source}) needs the Python package "
            f"`{info.module}`, which is not installed; install it with: {info.install}",
        )
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "backend"):
        current = str(keras.backend.backend())
        if current != chosen:
            raise BackendError(
                "E712",
                f"Keras is already running on {current} in this process, so it cannot switch to "
                f"{chosen} (from {source}); a backend is fixed per process: start a new process "
                f"with --backend {chosen} or {ENV_VAR}={chosen}",
            )
    environ[ENV_VAR] = chosen
    if chosen == "jax" and "jax" not in sys.modules:
        jax_cpu_pool(environ)
    return chosen


_POOL_VARS: Final = ("PJRT_NPROC", "NPROC")
"""What XLA's CPU client sizes its thread pool from (else the number of cores)."""


def jax_cpu_pool(environ: MutableMapping[str, str]) -> int | None:
    """With several JAX CPU devices, give XLA's CPU client enough threads; the pool size, if set.

    XLA runs each CPU device's program on one shared pool sized to the cores; in a collective
    (the all-reduce of ``--strategy data-parallel``) a device's thread waits for the others, so
    on a machine with as few cores as devices the last device can find no thread and the step
    aborts ("Expected 2 threads to join the rendezvous, but only 1 of them arrived"). Four
    threads per device keep it from starving. A value the user set (``PJRT_NPROC``/``NPROC``) is
    kept; nothing changes with one CPU device. Must run before JAX is imported.

    >>> env = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    >>> jax_cpu_pool(env) >= 8, env["PJRT_NPROC"] == str(jax_cpu_pool(env))
    (True, True)
    >>> jax_cpu_pool({"JAX_NUM_CPU_DEVICES": "1"}) is None
    True
    """
    for var in _POOL_VARS:
        if environ.get(var, "").strip():
            return int(environ[var]) if environ[var].strip().isdigit() else None
    devices = _cpu_devices(environ)
    if devices <= 1:
        return None
    size = max(os.cpu_count() or 1, 4 * devices)
    environ["PJRT_NPROC"] = str(size)
    return size


def _cpu_devices(environ: Mapping[str, str]) -> int:
    """The number of JAX CPU devices asked for by ``JAX_NUM_CPU_DEVICES`` or ``XLA_FLAGS``."""
    found = re.search(r"--xla_force_host_platform_device_count=(\d+)", environ.get("XLA_FLAGS", ""))
    counts = [int(found.group(1))] if found else []
    if environ.get("JAX_NUM_CPU_DEVICES", "").strip().isdigit():
        counts.append(int(environ["JAX_NUM_CPU_DEVICES"]))
    return max(counts, default=1)
