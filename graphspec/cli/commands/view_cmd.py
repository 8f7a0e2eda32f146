"""``graphspec view``: serve a live, clickable diagram of one or more specs to the browser."""

from __future__ import annotations

import argparse

from graphspec.cli.options import add_set_option, spec_params
from graphspec.cli.registry import EXIT_OK, command
from graphspec.errors import UsageError

__all__ = ["run_view"]

_MISSING = (
    "`graphspec view` needs the viewer's libraries (Starlette, uvicorn, watchfiles); "
    "install them with: pip install 'graphspec[view]'"
)


def _view_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "specs",
        nargs="+",
        metavar="SPEC",
        help="spec files or folders of specs; several: the page has a picker",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only; others warn)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=None,
        help="port (default: the first free one from 8765; 0: any free port)",
    )
    p.add_argument("--no-browser", dest="browser", action="store_false", help="only print the URL")
    p.add_argument(
        "--blocks",
        choices=("expand", "collapse"),
        default="expand",
        help="how blocks are drawn at first (each one can be toggled on the page)",
    )
    p.add_argument(
        "--max-nodes",
        type=int,
        default=None,
        metavar="N",
        help="most boxes drawn at once (default 2,000): above it blocks start collapsed, and a "
        "graph still larger gets no diagram (search and panels still work); 0: no limit",
    )
    p.add_argument(
        "--diff",
        metavar="REV",
        dest="against",
        help="draw each spec's diff against its version at the git revision REV (HEAD, main, "
        "HEAD~1, …): added nodes green, changed amber, removed as ghosts; live on every save",
    )
    p.add_argument(
        "--editor-url",
        metavar="PATTERN",
        default=None,
        help="make file:line in the node panel a link that opens your editor: a URL pattern with "
        "{path}, {line}, {column}, e.g. 'vscode://file/{path}:{line}:{column}' (also "
        "$GRAPHSPEC_EDITOR_URL or `[tool.graphspec] editor-url` in pyproject.toml)",
    )
    add_set_option(p)


@command("view", "serve a live, clickable diagram of specs in the browser", _view_args)
def run_view(args: argparse.Namespace) -> int:
    overrides = spec_params(args)
    if args.port is not None and not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535; got {args.port}")
    if args.against is not None and (not args.against.strip() or args.against.startswith("-")):
        raise UsageError(
            f"--diff takes a git revision (HEAD, main, HEAD~1, …); got {args.against!r}"
        )
    if args.max_nodes is not None and args.max_nodes < 0:
        raise UsageError(f"--max-nodes must be 0 (no limit) or more; got {args.max_nodes}")
    from graphspec.tools.view import serve  # the page builder; the web server on first use

    try:
        serve(
            args.specs,
            host=args.host,
            port=args.port,
            open_browser=args.browser,
            params=overrides,
            blocks=args.blocks,
            max_boxes=args.max_nodes,
            against=args.against,
            editor=args.editor_url,
        )
    except ModuleNotFoundError as err:
        if err.name in ("starlette", "uvicorn", "watchfiles", "anyio"):
            raise UsageError(_MISSING) from err
        raise
    return EXIT_OK
