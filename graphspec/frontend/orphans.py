"""Entries written at the top level that belong under a section above them (not indented).

``nodes:`` followed by ``d1: {type: Dense, ...}`` at the start of the line makes ``nodes`` empty
and ``d1`` an unknown top-level key. :func:`adopt_orphans` reports that as one mistake of
indentation (E107, with a fix that indents the lines) and moves the entries where they were
meant to be, source locations included, so the rest of the spec is checked as intended.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

from graphspec.base.source import Path, SourceMap
from graphspec.errors import Diagnostic, Fix, TextEdit
from graphspec.frontend.spec import NodeKey, Spec

__all__ = ["SECTION_ENTRIES", "adopt_orphans"]

_INDENT: Final = 2
_T = TypeVar("_T")


def _node(value: Any) -> bool:
    return isinstance(value, dict) and any(key.value in value for key in NodeKey)


def _input(value: Any) -> bool:
    return isinstance(value, dict) and "shape" in value


def _block(value: Any) -> bool:
    return isinstance(value, dict) and "nodes" in value


def _param(value: Any) -> bool:
    return not isinstance(value, dict)


SECTION_ENTRIES: Final[dict[str, Callable[[Any], bool]]] = {
    "nodes": _node,
    "inputs": _input,
    "blocks": _block,
    "params": _param,
}
"""Sections of name -> entry mappings, and what one of their entries looks like."""


def adopt_orphans(
    data: dict[str, Any], source: SourceMap
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """``data`` with top-level keys that are entries of the section above them moved into it,
    and one diagnostic (E107) per section that lost them.

    An orphan is an unknown top-level key written after a section (before the next known key)
    whose value looks like an entry of that section (a node has ``type``, ``block``, …; an
    input ``shape``; a block ``nodes``; a param is a plain value). ``source`` gets the moved
    entries' locations under their new paths.

    >>> from graphspec.frontend.loader import load_document
    >>> doc = load_document("nodes:\\nd1: {type: Dense, units: 2}\\n")
    >>> data, found = adopt_orphans(doc.data, doc.source)
    >>> list(data["nodes"]), found[0].code, doc.source.at(("nodes", "d1", "units"))
    (['d1'], 'E107', Loc(line=2, column=26))
    """
    known = set(Spec.model_fields)
    written = sorted(
        (loc.line, key) for key in data if (loc := source.keys.get((key,))) is not None
    )

    out = dict(data)
    found: list[Diagnostic] = []
    section: str | None = None
    orphans: dict[str, list[str]] = {}
    for _, key in written:
        if key in known:
            section = key if key in SECTION_ENTRIES else None
            continue
        if section is not None and SECTION_ENTRIES[section](data[key]):
            orphans.setdefault(section, []).append(key)
    for name, keys in orphans.items():
        entries = out.get(name)
        if entries is not None and not isinstance(entries, dict):
            continue  # a section of the wrong type: the schema says so
        out[name] = {**(entries or {}), **{k: out.pop(k) for k in keys}}
        found.append(_diagnostic(source, name, keys, empty=not entries))
        _move(source, keys, name)
    return out, found


def _diagnostic(source: SourceMap, section: str, keys: list[str], *, empty: bool) -> Diagnostic:
    first = source.keys[(keys[0],)]
    named = ", ".join(f"`{k}`" for k in keys[:4]) + (
        f" and {len(keys) - 4} more" if len(keys) > 4 else ""
    )
    where = source.keys.get((section,))
    said = f"`{section}`" + (f" (line {where.line})" if where else "")
    state = "is empty" if empty else "ends before them"
    many = len(keys) > 1
    return Diagnostic(
        "E107",
        f"{named} {'are' if many else 'is'} written at the start of the line, outside "
        f"{said}, which {state}: {'they look' if many else 'it looks'} like "
        f"{'entries' if many else 'an entry'} of `{section}`",
        file=source.file,
        loc=first,
        hint=f"indent {'them' if many else 'it'} under `{section}:` by {_INDENT} spaces "
        "(every line of each entry); a key at the start of the line is a new top-level key",
        fixes=_indent_fix(source, section, keys),
    )


def _indent_fix(source: SourceMap, section: str, keys: list[str]) -> tuple[Fix, ...]:
    """Insert spaces at the start of every line of the orphans' entries."""
    tops = sorted(loc.line for path, loc in source.keys.items() if len(path) == 1)  # on a fault
    lines = source.text.splitlines()
    edits = []
    for key in keys:
        start = source.keys[(key,)].line
        end = next((line for line in tops if line > start), len(lines) + 1)
        for number in range(start, end):
            text = lines[number - 1] if number <= len(lines) else ""
            if text.strip() and not text.lstrip().startswith("#"):
                edits.append(TextEdit(number, 1, number, 1, " " * _INDENT))
    if not edits:
        return ()
    return (Fix(f"indent {'them' if len(keys) > 1 else 'it'} under `{section}:`", tuple(edits)),)


def _move(source: SourceMap, keys: list[str], section: str) -> None:
    """Record the moved entries' locations under ``(section, key, ...)`` too."""
    moved = set(keys)
    _copy(source.values, moved, section)
    _copy(source.keys, moved, section)
    _copy(source.surprises, moved, section)
    _copy(source.styles, moved, section)


def _copy(table: dict[Path, _T], moved: set[str], section: str) -> None:
    for path in [p for p in table if p and p[0] in moved]:
        table[(section, *path)] = table[path]
