"""``graphspec view``: a live architecture viewer in the browser (needs the ``view`` extra).

Importing this package is light; the web server (Starlette, uvicorn, watchfiles) is imported
only by :func:`serve`. It never imports TensorFlow or Keras.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from graphspec.view._page import build_page

__all__ = ["build_page", "serve"]


def serve(
    paths: Sequence[str | Path],
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    open_browser: bool = True,
    params: Mapping[str, Any] | None = None,
    blocks: str = "expand",
) -> None:
    """Serve a live viewer of the spec files ``paths`` until interrupted (see ``_server.serve``)."""
    from graphspec.view._server import serve as _serve

    _serve(paths, host=host, port=port, open_browser=open_browser, params=params, blocks=blocks)
