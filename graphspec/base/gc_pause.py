"""The cyclic garbage collector paused while a large acyclic structure is built."""

from __future__ import annotations

import gc

__all__ = ["GcPause"]


class GcPause:
    """``with GcPause(): ...`` runs the block with the cyclic garbage collector paused.

    Loading and checking a spec allocate tens of thousands of long-lived containers; every
    automatic collection would walk all of them again (2-3x slower per node at 100k nodes).
    Nothing they build is cyclic, so reference counting frees it all anyway. Leaving the pause
    allocates nothing (a ``contextlib.contextmanager`` raises ``StopIteration`` there), so the
    collection the paused allocations made due runs at the caller's next allocation: after a
    result the caller dropped is freed, instead of walking it just before.

    >>> with GcPause():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """

    __slots__ = ("_resume",)

    def __enter__(self) -> None:
        self._resume = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._resume:
            gc.enable()
