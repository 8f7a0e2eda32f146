"""The graphspec language server: specs checked, explained and completed while they are typed.

Built on pygls and lsprotocol; import it only to serve (``graphspec lsp``), never from
``validate``'s path. Each capability is its own module registered in
:data:`graphspec.lsp._registry.FEATURES`.
"""

from __future__ import annotations

import gc

from graphspec.lsp.server import GraphspecServer, create_server

__all__ = ["GraphspecServer", "create_server", "serve"]


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
