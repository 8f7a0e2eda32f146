"""Watch the files of the served specs; on a save, rebuild the page and tell the browsers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

import anyio
from watchfiles import Change, awatch

from graphspec.tools.view._events import Hub
from graphspec.tools.view._specs import SpecEntry, SpecSet

__all__ = ["DEBOUNCE_MS", "RECHECK_MS", "watch_specs"]

DEBOUNCE_MS: Final = 40
"""How long a burst of file events is gathered before acting (editors write in several steps)."""

RECHECK_MS: Final = 200
"""How often the set of watched files is compared with what the specs were last read from."""

_RETRY: Final = 0.5


async def watch_specs(specs: SpecSet, hub: Hub, stop: anyio.Event) -> None:
    """Until ``stop`` is set: on each change to a spec's file, bump its version, rebuild, notify.

    The set of watched files is taken again after each rebuild, so a file newly included by a
    spec is watched from then on. Directories are watched (not files), so editors that save by
    writing a new file and renaming it over the old one are seen too.
    """
    while not stop.is_set():
        try:
            await _watch_once(specs, hub, stop)
        except (OSError, RuntimeError) as err:  # a watched folder vanished, inotify limits, …
            print(f"graphspec view: watching again after: {err}", file=sys.stderr)
            await anyio.sleep(_RETRY)


async def _watch_once(specs: SpecSet, hub: Hub, stop: anyio.Event) -> None:
    """Watch until the set of watched files changes (then return) or ``stop`` is set."""
    watched = specs.watched()
    dirs = sorted({path.parent for path in watched if path.parent.is_dir()})
    if not dirs:
        await anyio.sleep(_RETRY)
        return

    def wanted(change: Change, name: str, watched: dict[Path, list[SpecEntry]] = watched) -> bool:
        del change
        return Path(name).resolve() in watched

    async for changes in awatch(
        *dirs,
        watch_filter=wanted,
        debounce=DEBOUNCE_MS,
        step=10,
        stop_event=stop,
        recursive=False,
        rust_timeout=RECHECK_MS,
        yield_on_timeout=True,  # wake up now and then: a page drawn may name a new file
    ):
        touched = {Path(name).resolve() for _, name in changes}
        hit = {entry.index: entry for path in touched for entry in watched.get(path, [])}
        for entry in specs.entries:  # saved before its folder was watched (a new include)
            if entry.index not in hit and entry.stale():
                hit[entry.index] = entry
        for entry in hit.values():
            entry.changed()
            await anyio.to_thread.run_sync(entry.page)
            hub.publish("change", {"spec": entry.index, "version": entry.version})
        if specs.watched().keys() != watched.keys():
            return
