"""Run the viewer: bind a socket (loopback by default), print the URL, open the browser, serve."""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
import threading
import webbrowser
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TextIO

import uvicorn

from graphspec.errors import UsageError
from graphspec.frontend.paths import spec_file, spec_files_in
from graphspec.tools.view._app import LOOPBACK_HOSTS, create_app
from graphspec.tools.view._specs import BLOCK_MODES, SpecSet
from graphspec.tools.view.editor import editor_url

__all__ = ["DEFAULT_PORT", "is_loopback", "serve", "spec_paths"]

DEFAULT_PORT: Final = 8765
_PORT_TRIES: Final = 20


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def spec_paths(paths: Sequence[str | Path]) -> list[Path]:
    """The spec files to serve: files as given, folders walked (duplicates once).

    Raises :class:`UsageError` for a missing file (with "did you mean") or an empty folder.
    """
    files: dict[Path, None] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = spec_files_in(path)
            if not found:
                raise UsageError(f"{path} holds no spec files (*.yaml, *.yml, *.json)")
            files.update(dict.fromkeys(found))
        else:
            files[spec_file(path)] = None
    if not files:
        raise UsageError("give at least one spec file or folder")
    return list(files)


def _bind(host: str, port: int | None) -> socket.socket:
    """A listening socket on ``host``; without an explicit port, the first free one from 8765."""
    bare = host.strip("[]")
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    ports = [port] if port is not None else list(range(DEFAULT_PORT, DEFAULT_PORT + _PORT_TRIES))
    last: OSError | None = None
    for candidate in ports:
        try:
            return socket.create_server((bare, candidate), family=family)
        except OSError as err:
            last = err
            if err.errno != errno.EADDRINUSE:
                break
    if last is not None and last.errno == errno.EADDRINUSE:
        tried = f"port {port}" if port is not None else f"ports {ports[0]}-{ports[-1]}"
        raise UsageError(f"{tried} already in use; choose another with --port (0: any free port)")
    raise UsageError(f"cannot listen on {host}:{ports[0]}: {last}")


def _url(host: str, port: int) -> str:
    bare = host.strip("[]")
    if bare in ("0.0.0.0", "::"):
        bare = "127.0.0.1" if bare == "0.0.0.0" else "::1"
    shown = f"[{bare}]" if ":" in bare else bare
    return f"http://{shown}:{port}/"


def serve(
    paths: Sequence[str | Path],
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    open_browser: bool = True,
    params: Mapping[str, Any] | None = None,
    blocks: str = "expand",
    max_boxes: int | None = None,
    out: TextIO | None = None,
    against: str | None = None,
    editor: str | None = None,
) -> None:
    """Serve a live viewer of the spec files ``paths`` until interrupted.

    Binds to loopback unless ``host`` says otherwise (then warns: the viewer has no login).
    Only the named specs and the page's own assets are served. ``port=None`` takes the first
    free port from 8765; ``port=0`` any free port. The URL is printed to ``out`` (stdout).
    ``max_boxes`` bounds each diagram as in ``render`` (default 2,000; 0: no bound).
    ``against``: a git revision; each page draws the diff of the spec at it (``REV:path``)
    against the file as saved (``graphspec view --diff REV``).
    ``editor``: the URL pattern of ``file:line`` links (``--editor-url``; checked here, and
    taken from ``$GRAPHSPEC_EDITOR_URL`` or ``[tool.graphspec] editor-url`` when None).
    """
    out = out or sys.stdout
    files = spec_paths(paths)
    editor = editor_url(editor)
    if blocks not in BLOCK_MODES:
        raise UsageError(f"blocks must be one of {', '.join(BLOCK_MODES)}; got {blocks!r}")
    loopback = is_loopback(host)
    sock = _bind(host, port)
    url = _url(host, sock.getsockname()[1])
    if not loopback:
        print(
            f"warning: serving on {host}: anyone who can reach this machine can read "
            f"{'these specs' if len(files) > 1 else 'this spec'} (the viewer has no login)",
            file=sys.stderr,
        )

    def ready() -> None:
        what = f" (diff against {against})" if against else ""
        print(f"graphspec view: serving {len(files)} spec(s){what} at {url}", file=out, flush=True)
        print("press Ctrl-C to stop", file=out, flush=True)
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    app = create_app(
        SpecSet(files, params, max_boxes=max_boxes, against=against),
        allowed_hosts=LOOPBACK_HOSTS if loopback else None,
        blocks=blocks,
        editor=editor,
        on_ready=ready,
    )
    config = uvicorn.Config(
        app,
        log_level="warning",
        log_config=None,  # leave the process's logging alone (warnings still reach stderr)
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=1,
        server_header=False,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
