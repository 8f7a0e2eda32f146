"""Server-sent events: a hub that fans change notices out to every open page."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any, Final

__all__ = ["KEEP_ALIVE", "Hub", "sse"]

KEEP_ALIVE: Final = 15.0
"""Seconds between keep-alive comments on an idle event stream."""

_QUEUE_LIMIT: Final = 64


def sse(event: str, data: Any) -> bytes:
    """One server-sent event: a name and a JSON payload (one line, so no framing issues).

    >>> sse("change", {"spec": 0})
    b'event: change\\ndata: {"spec": 0}\\n\\n'
    """
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


class Hub:
    """Subscribers are queues; :meth:`publish` puts a copy of each event in every one."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[bytes]] = set()

    def __len__(self) -> int:
        return len(self._queues)

    def publish(self, event: str, data: Any) -> None:
        """Send an event to every subscriber (a subscriber that fell far behind is skipped)."""
        message = sse(event, data)
        for queue in list(self._queues):
            if queue.qsize() < _QUEUE_LIMIT:
                queue.put_nowait(message)

    async def stream(self, hello: bytes) -> AsyncIterator[bytes]:
        """One subscriber's event stream: ``hello`` first, then events and keep-alives."""
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield b"retry: 500\n\n" + hello
            while True:
                try:
                    yield await asyncio.wait_for(queue.get(), timeout=KEEP_ALIVE)
                except TimeoutError:
                    yield b": keep-alive\n\n"
        finally:
            self._queues.discard(queue)
