"""``graphspec lsp``: the language server for editors (stdio, or TCP for debugging)."""

from __future__ import annotations

import argparse

from graphspec.cli.options import add_layers_option
from graphspec.cli.registry import EXIT_OK, command
from graphspec.errors import UsageError

__all__ = ["parse_tcp", "run_lsp"]


def _lsp_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    p.add_argument(
        "--tcp",
        metavar="[HOST:]PORT",
        help="listen on TCP instead, for debugging (HOST defaults to 127.0.0.1)",
    )
    add_layers_option(p)
    p.set_defaults(_layers_later=True)  # per document, as diagnostics: never fails to start


def parse_tcp(text: str) -> tuple[str, int]:
    """``"2087"`` or ``"127.0.0.1:2087"`` to a host and port.

    >>> parse_tcp("2087"), parse_tcp("localhost:9000")
    (('127.0.0.1', 2087), ('localhost', 9000))
    """
    host, sep, port = text.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise UsageError(f"--tcp expects [HOST:]PORT; got {text!r}") from None
    if not 0 < number < 65536:
        raise UsageError(f"--tcp port must be 1-65535; got {number}")
    return (host if sep and host else "127.0.0.1"), number


@command(
    "lsp",
    "a language server for editors: diagnostics, hover, shapes, completion, rename, quick fixes",
    _lsp_args,
)
def run_lsp(args: argparse.Namespace) -> int:
    if args.stdio and args.tcp:
        raise UsageError("give --stdio or --tcp, not both")
    tcp = parse_tcp(args.tcp) if args.tcp else None
    try:
        from graphspec.tools.lsp import serve
        from graphspec.tools.lsp.analysis import LAYER_FLAGS
    except ModuleNotFoundError as err:
        if err.name in ("pygls", "lsprotocol"):
            raise UsageError(
                f"graphspec lsp needs {err.name}: pip install 'graphspec[lsp]'"
            ) from None
        raise
    LAYER_FLAGS[:] = args.layers
    serve(tcp=tcp)
    return EXIT_OK
