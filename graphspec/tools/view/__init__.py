"""``graphspec view``: a live architecture viewer in the browser (needs the ``view`` extra).

Importing this package is light: the web server (Starlette, uvicorn, watchfiles) is imported
only when :func:`serve` is first used. It never imports TensorFlow or Keras.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graphspec.tools.view._page import build_page

__all__ = ["build_page", "serve"]


def serve(paths: Sequence[str | Path], **options: Any) -> None:
    """Serve a live viewer of the spec files ``paths`` until interrupted (the options of
    ``graphspec view``: ``host``, ``port``, ``open_browser``, ``params``, ``blocks``,
    ``max_boxes``, ``out``, ``against``: a git revision to draw each spec's diff against,
    ``editor``: the URL pattern of ``file:line`` links). Imports the web server on first use; raises
    :class:`ModuleNotFoundError` when the ``view`` extra is not installed."""
    from graphspec.tools.view._server import serve as _serve

    _serve(paths, **options)
