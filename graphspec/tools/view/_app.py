"""The viewer's web application: the page, its own assets, each spec's data and change events."""

from __future__ import annotations

import contextlib
import importlib.resources
import json
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, Final

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from graphspec.tools.view._events import Hub, sse
from graphspec.tools.view._first import first_html
from graphspec.tools.view._specs import BLOCK_MODES, SpecSet
from graphspec.tools.view._watch import watch_specs

__all__ = ["ASSETS", "LOOPBACK_HOSTS", "SECURITY_HEADERS", "create_app"]

ASSETS: Final[dict[str, tuple[str, str]]] = {
    "view.js": ("view.js", "text/javascript; charset=utf-8"),
    "view.css": ("view.css", "text/css; charset=utf-8"),
    "svg-pan-zoom.min.js": ("vendor/svg-pan-zoom.min.js", "text/javascript; charset=utf-8"),
}
"""The only files served besides the page: URL name -> (file under ``static/``, media type)."""

SECURITY_HEADERS: Final[dict[str, str]] = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
"""Sent with every response: no inline script runs, nothing loads from elsewhere."""

LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})
_MAX_TOGGLED: Final = 2000


def _static(name: str) -> bytes:
    return importlib.resources.files("graphspec.tools.view").joinpath("static", name).read_bytes()


class _HostCheck:
    """Refuse requests whose ``Host`` is not one of ``hosts`` (DNS-rebinding protection)."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            if _host_name(raw) not in self.hosts:
                response = PlainTextResponse("invalid Host header", 400, SECURITY_HEADERS)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _host_name(header: str) -> str:
    """The host part of a ``Host`` header, without port or IPv6 brackets.

    >>> _host_name("127.0.0.1:8765"), _host_name("[::1]:80"), _host_name("localhost")
    ('127.0.0.1', '::1', 'localhost')
    """
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


def create_app(
    specs: SpecSet,
    *,
    allowed_hosts: Iterable[str] | None = LOOPBACK_HOSTS,
    blocks: str = "expand",
    editor: str | None = None,
    on_ready: Callable[[], None] | None = None,
) -> ASGIApp:
    """The ASGI app serving ``specs`` (and nothing else); ``None`` hosts: any Host header.

    ``editor``: the URL pattern of ``file:line`` links (:mod:`graphspec.tools.view.editor`).
    """
    hub = Hub()
    template = _static("index.html").decode("utf-8")

    def listing_data() -> dict[str, Any]:
        return {"specs": specs.listing(), "blocks": blocks, "editor": editor}

    async def index(request: Request) -> Response:
        # The first page load carries its spec's diagram (``?spec=N``, else the first spec).
        asked = request.query_params.get("spec", "0")
        entry = specs.get(int(asked)) if asked.isdigit() and len(asked) < 6 else None
        entry = entry or specs.get(0)
        page = None
        if entry is not None:
            body = await anyio.to_thread.run_sync(entry.page, (blocks, frozenset(), False))
            page = json.loads(body)
        boot = {**listing_data(), "page": page}
        html = first_html(template, page, boot)
        return Response(html, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)

    async def asset(request: Request) -> Response:
        found = ASSETS.get(request.path_params["name"])
        if found is None:
            raise HTTPException(404)
        return Response(_static(found[0]), media_type=found[1], headers=SECURITY_HEADERS)

    async def listing(request: Request) -> Response:
        del request
        return JSONResponse(listing_data(), headers=SECURITY_HEADERS)

    async def spec_page(request: Request) -> Response:
        entry = specs.get(request.path_params["index"])
        if entry is None:
            raise HTTPException(404)
        mode = request.query_params.get("blocks", blocks)
        toggled = frozenset(request.query_params.getlist("toggle"))
        suggest = request.query_params.get("suggest", "0") == "1"
        if mode not in BLOCK_MODES or len(toggled) > _MAX_TOGGLED:
            raise HTTPException(400, f"blocks must be one of {', '.join(BLOCK_MODES)}")
        body = await anyio.to_thread.run_sync(entry.page, (mode, toggled, suggest))
        return Response(body, media_type="application/json", headers=SECURITY_HEADERS)

    async def events(request: Request) -> Response:
        del request
        hello = sse("hello", {"versions": [e.version for e in specs.entries]})
        return StreamingResponse(
            hub.stream(hello),
            media_type="text/event-stream",
            headers={**SECURITY_HEADERS, "X-Accel-Buffering": "no"},
        )

    async def not_found(request: Request, exc: Exception) -> Response:
        del request
        code = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "server error"
        return PlainTextResponse(detail, code, SECURITY_HEADERS)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        del app
        stop = anyio.Event()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(watch_specs, specs, hub, stop)
            if on_ready is not None:
                on_ready()
            try:
                yield
            finally:
                stop.set()
                tasks.cancel_scope.cancel()

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/assets/{name}", asset),
            Route("/api/specs", listing),
            Route("/api/spec/{index:int}", spec_page),
            Route("/api/events", events),
        ],
        exception_handlers={HTTPException: not_found},
        lifespan=lifespan,
    )
    if allowed_hosts is None:
        return app
    return _HostCheck(app, allowed_hosts)
