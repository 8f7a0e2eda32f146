"""Keras at run time: imported quietly on the chosen backend, seeded without extra imports."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["import_keras_quietly", "quiet_native_stderr", "save_model", "set_random_seed"]


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Mute file descriptor 2 (native libraries' logs) for the block; Python errors still raise.

    TensorFlow's C++ start-up prints INFO lines (oneDNN, CUDA probing) before its log level
    applies, and Keras imports TensorFlow on other backends too when it saves a model.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (embedded use): leave it as is
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_keras_quietly() -> None:
    """Import Keras on the chosen backend, with native start-up logs muted.

    The backend is checked first (``KERAS_BACKEND``, or what ``--backend`` set):
    :class:`graphspec.backends.keras.select.BackendError` names the package to install when it is missing.
    A missing Keras is left for the command to report when it imports Keras itself.
    """
    if "keras" in sys.modules:
        return
    from graphspec.backends.keras.select import select_backend

    select_backend()
    try:
        with quiet_native_stderr():
            import keras  # noqa: F401
    except ImportError:
        pass  # the command itself reports a missing Keras


def save_model(model: Any, path: str | os.PathLike[str]) -> None:
    """``model.save(path)`` with native logs muted (Keras imports TensorFlow to save, if present)."""
    with quiet_native_stderr():
        model.save(path)


def set_random_seed(seed: int) -> None:
    """``keras.utils.set_random_seed(seed)``, without importing TensorFlow only to seed it.

    Keras seeds TensorFlow whenever it is installed, for ``tf.data`` pipelines; graphspec feeds
    NumPy arrays, so on JAX or PyTorch that import (seconds, and its start-up logs) buys nothing.
    When TensorFlow is already loaded, or Keras's lazy module is not what this expects, Keras's
    own function runs unchanged.
    """
    import keras

    lazy = _lazy_tensorflow()
    skip = (
        keras.backend.backend() != "tensorflow"
        and "tensorflow" not in sys.modules
        and lazy is not None
        and getattr(lazy, "_available", False) is None
    )
    if skip:
        lazy._available = False
    try:
        keras.utils.set_random_seed(seed)
    finally:
        if skip:
            lazy._available = None


def _lazy_tensorflow() -> Any:
    """Keras's lazily imported ``tensorflow`` in its seeding module, if it is one."""
    try:
        from keras.src.utils import module_utils, rng_utils
    except ImportError:
        return None
    lazy = getattr(rng_utils, "tf", None)
    return lazy if isinstance(lazy, module_utils.LazyModule) else None
