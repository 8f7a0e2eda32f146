"""``graphspec view``: a live architecture viewer in the browser (needs the ``view`` extra).

Importing this package is light: the web server (Starlette, uvicorn, watchfiles) is imported
only when :func:`serve` is first used. It never imports TensorFlow or Keras.
"""

from __future__ import annotations

from typing import Any

from graphspec.view._page import build_page

__all__ = ["build_page", "serve"]


def __getattr__(name: str) -> Any:
    if name == "serve":  # graphspec.view.serve(paths, host=..., port=..., ...) - see _server
        from graphspec.view._server import serve

        return serve
    raise AttributeError(f"module 'graphspec.view' has no attribute {name!r}")
