"""The graphspec language server: specs checked, explained and completed while they are typed.

Built on pygls and lsprotocol; import it only to serve (``graphspec lsp``), never from
``validate``'s path. Each capability is its own module registered in
:data:`graphspec.tools.lsp.features.FEATURES`.
"""

from __future__ import annotations

import gc

from graphspec.tools.lsp import (
    actions,
    completion,
    diagnostics,
    hover,
    inlay,
    navigation,
    symbols,
)
from graphspec.tools.lsp.features import FEATURES
from graphspec.tools.lsp.server import GraphspecServer

__all__ = ["CAPABILITIES", "GraphspecServer", "create_server", "serve"]

CAPABILITIES = (diagnostics, hover, inlay, completion, navigation, symbols, actions)
"""The modules that register the server's features (imported above, eagerly)."""


def create_server() -> GraphspecServer:
    """A server with every registered capability installed.

    >>> server = create_server()
    >>> "textDocument/hover" in server.protocol.fm.features
    True
    """
    server = GraphspecServer()
    for feat in FEATURES.values():
        server.feature(feat.method, feat.options)(feat.handler)
    return server


def serve(*, tcp: tuple[str, int] | None = None) -> None:
    """Run the server on stdio (default) or on a TCP address (for debugging)."""
    server = create_server()
    # Everything imported so far (pygls, lsprotocol's thousands of classes, the catalog) lives as
    # long as the server: keep it out of the cyclic collector's full scans, which otherwise walk
    # it again after every analysis.
    gc.collect()
    gc.freeze()
    if tcp is None:
        server.start_io()
    else:
        server.start_tcp(*tcp)
