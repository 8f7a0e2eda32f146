"""Import Keras without TensorFlow's C++ start-up chatter on the terminal."""

from __future__ import annotations

import os
import sys

__all__ = ["import_keras_quietly"]


def import_keras_quietly() -> None:
    """Import Keras with file descriptor 2 muted.

    TensorFlow's C++ start-up prints INFO lines (oneDNN, CUDA probing) before its log level
    applies. A missing Keras is left for the command to report when it imports Keras itself.
    """
    if "keras" in sys.modules:
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (embedded use): import as is
        saved = None
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        if saved is not None:
            os.dup2(devnull, 2)
        import keras  # noqa: F401
    except ImportError:
        pass  # the command itself reports a missing Keras
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)
        os.close(devnull)
