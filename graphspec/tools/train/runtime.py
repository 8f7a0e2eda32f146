"""Per-backend training hooks: deterministic kernels, and the errors a backend raises in fit."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol, cast

__all__ = ["RUNTIMES", "Runtime", "runtime"]


class _JaxConfig(Protocol):
    """The part of ``jax.config`` used here (JAX declares its options at run time, untyped)."""

    jax_compilation_cache_dir: str | None

    def update(self, name: str, val: object) -> None: ...


@dataclass(frozen=True)
class Runtime:
    """What training needs from one backend, beyond the backend-neutral Keras API."""

    deterministic: Callable[[], None]
    """Make the backend choose deterministic kernels (after ``keras.utils.set_random_seed``)."""
    failures: Callable[[], tuple[type[BaseException], ...]]
    """Errors a backend raises for a computation that cannot run (bad data, shapes)."""
    lost_peer: Callable[[], tuple[type[BaseException], ...]]
    """Errors a backend raises when another process of a distributed run is gone."""
    peer_gone: Callable[[BaseException], bool] = lambda err: False
    """Whether an error (of a class shared with other failures) says another process is gone."""
    replica_weights: Callable[[Any], list[list[Any]]] = lambda model: []
    """Each local replica's own copy of the weights, where the backend keeps one per device."""
    reuse_compiled: Callable[[], None] = lambda: None
    """Let later runs in this process reuse compiled programs (each seed builds a fresh model)."""


def _none() -> tuple[type[BaseException], ...]:
    return ()


def _tf_deterministic() -> None:
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()


def _tf_failures() -> tuple[type[BaseException], ...]:
    import tensorflow as tf

    return (tf.errors.InvalidArgumentError,)


def _tf_lost_peer() -> tuple[type[BaseException], ...]:
    import tensorflow as tf

    errors = tf.errors
    return (
        errors.UnavailableError,
        errors.DeadlineExceededError,
        errors.CancelledError,
        errors.AbortedError,
        errors.InternalError,
    )


def _jax_deterministic() -> None:
    """Nothing to switch: XLA on the CPU is deterministic for a fixed program and device count."""


def _jax_failures() -> tuple[type[BaseException], ...]:
    import jax

    return (jax.errors.JaxRuntimeError,)


def _jax_peer_gone(err: BaseException) -> bool:
    """A collective that failed because another process closed its connection (Gloo on CPUs).

    JAX raises it as a plain ``ValueError``, e.g. ``UNKNOWN: Gloo all-reduce failed: [...]
    Connection closed by peer [127.0.0.1]:33413``.

    >>> _jax_peer_gone(ValueError("UNKNOWN: Gloo all-reduce failed: Connection closed by peer"))
    True
    """
    text = str(err).lower()
    return any(w in text for w in ("gloo", "connection closed", "connection reset", "unavailable"))


def _jax_replica_weights(model: Any) -> list[list[Any]]:
    """Per local device, the weights as that device holds them (a replicated array's shards)."""
    import numpy as np

    shards = [variable.value.addressable_shards for variable in model.weights]
    devices = min((len(s) for s in shards), default=0)
    return [[np.asarray(s[i].data) for s in shards] for i in range(devices)]


def _jax_reuse_compiled() -> None:
    """A compilation cache in a temporary folder (removed at exit), unless one is configured.

    Each seed of ``compare`` builds a new model, so JAX traces new functions and would compile
    the same XLA program again (seconds on a CPU); the cache keys on the program itself.
    """
    import jax

    config = cast(_JaxConfig, jax.config)
    if config.jax_compilation_cache_dir:
        return  # the user's own cache
    folder = tempfile.mkdtemp(prefix="graphspec-jax-cache-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    config.update("jax_compilation_cache_dir", folder)
    config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


def _torch_deterministic() -> None:
    import torch

    torch.use_deterministic_algorithms(True)


def _torch_failures() -> tuple[type[BaseException], ...]:
    return (RuntimeError,)  # torch reports shape and dtype failures as RuntimeError


RUNTIMES: Final[dict[str, Runtime]] = {
    "tensorflow": Runtime(_tf_deterministic, _tf_failures, _tf_lost_peer),
    "jax": Runtime(
        _jax_deterministic,
        _jax_failures,
        _none,
        _jax_peer_gone,
        _jax_replica_weights,
        _jax_reuse_compiled,
    ),
    "torch": Runtime(_torch_deterministic, _torch_failures, _none),
}
"""Training hooks by backend name."""


def runtime(backend: str) -> Runtime:
    """The hooks of ``backend`` (one of :data:`graphspec.backends.keras.select.BACKENDS`)."""
    return RUNTIMES[backend]
