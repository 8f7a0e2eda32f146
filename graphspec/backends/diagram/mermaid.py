"""Mermaid back end: a ``flowchart`` of a view, for Markdown pages and notebooks."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Final

from graphspec.backends.diagram._style import DIFF, FAMILIES, FAULT, INPUT, SHARE, SKIP, WARN
from graphspec.backends.diagram.boxes import Box, View
from graphspec.backends.diagram.labels import truncate
from graphspec.backends.diagram.renderers import renderer

__all__ = ["mermaid_source", "mermaid_text"]

_SAFE: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.,:()[]=+-*?!%'"
)
_SHAPES: Final[dict[str, tuple[str, str]]] = {
    "input": ('[/"', '"/]'),
    "layer": ('("', '")'),
    "block": ('{{"', '"}}'),
    "expr": ('(["', '"])'),
    "weight": ('[("', '")]'),
}
_OUTPUT: Final = ('[["', '"]]')
_DIRECTIONS: Final = {"TB": "TB", "LR": "LR", "BT": "BT", "RL": "RL"}


def mermaid_text(text: str, limit: int | None = 40) -> str:
    """Text safe inside a quoted Mermaid label: anything unusual becomes an entity code.

    >>> mermaid_text('a "b" <c> #1')
    'a #34;b#34; #60;c#62; #35;1'
    """
    value = truncate(text, limit) if limit is not None else text
    return "".join(ch if ch in _SAFE else f"#{ord(ch)};" for ch in value)


def mermaid_source(view: View) -> str:
    """The Mermaid flowchart text of a view."""
    lines = [
        "---",
        f"title: {json.dumps(view.name + ' · ' + view.summary)}",
        "---",
        f"flowchart {_DIRECTIONS.get(view.options.rankdir, 'TB')}",
    ]
    _fill(lines, view, None, "  ")
    links: list[str] = []
    fault_links: list[int] = []
    skip_links: list[int] = []
    ghost_links: list[int] = []
    for edge in view.edges:
        text = " · ".join(part for part in (edge.port, edge.label) if part)
        label = f'|"{mermaid_text(text)}"|' if text else ""
        arrow = "-.->" if edge.skip or edge.ghost else "-->"
        if edge.fault:
            fault_links.append(len(links))
        elif edge.ghost:
            ghost_links.append(len(links))
        elif edge.skip:
            skip_links.append(len(links))
        links.append(f"  {edge.src} {arrow}{label} {edge.dst}")
    share_links = []
    for share in view.shares:
        share_links.append(len(links))
        links.append(f'  {share.a} -.-|"shares weights"| {share.b}')
    for box in view.boxes.values():
        if box.errors or box.warnings:
            links.append(f"  {box.id} -.- note_{box.id}")
    lines += links
    lines += _styles(view)
    ghost = DIFF["removed"].border
    for ids, colour in (
        (fault_links, FAULT.border),
        (skip_links, SKIP),
        (share_links, SHARE),
        (ghost_links, ghost),
    ):
        if ids:
            lines.append(f"  linkStyle {','.join(map(str, ids))} stroke:{colour},color:{colour}")
    return "\n".join(lines) + "\n"


def _fill(lines: list[str], view: View, cluster: str | None, indent: str) -> None:
    for box in view.members(cluster):
        lines.append(indent + _node(box))
        if box.errors or box.warnings:
            lines.append(indent + _note(box))
    for cid in view.children(cluster):
        label = mermaid_text(view.clusters[cid].label, 60)
        lines.append(f'{indent}subgraph {cid}["{label}"]')
        _fill(lines, view, cid, indent + "  ")
        lines.append(f"{indent}end")


def _node(box: Box) -> str:
    rows = [f"<b>{mermaid_text(box.label)}</b>"]
    rows.append(" · ".join([mermaid_text(box.type), *(mermaid_text(a) for a in box.args)]))
    stats = [mermaid_text(s, 48) for s in (box.shape, box.params) if s]
    if stats:
        rows.append(" · ".join(stats))
    rows += [f"<b>{mermaid_text(line, 60)}</b>" for line in box.changes]
    if box.outputs:
        rows.append("output " + mermaid_text(", ".join(box.outputs)))
    start, end = _OUTPUT if box.is_output else _SHAPES[box.kind]
    return f"{box.id}{start}{'<br/>'.join(rows)}{end}"


def _note(box: Box) -> str:
    found = box.errors or box.warnings
    text = "<br/>".join(
        mermaid_text(f"{d.severity.value} {d.code}: {d.message}", 120) for d in found[:3]
    )
    return f'note_{box.id}>"{text}"]'


def _styles(view: View) -> list[str]:
    out: list[str] = []
    members: dict[str, list[str]] = {}
    for box in view.boxes.values():
        key = "fault" if box.faulty else "input" if box.kind == "input" else box.family.key
        if box.mark is not None and not box.faulty:
            key = f"diff_{box.mark}"
        members.setdefault(key, []).append(box.id)
        if box.errors or box.warnings:
            members.setdefault("faultnote" if box.errors else "warnnote", []).append(
                f"note_{box.id}"
            )
    defs: dict[str, Callable[[], str]] = {
        "fault": lambda: f"fill:{FAULT.fill},stroke:{FAULT.border},stroke-width:2px",
        "input": lambda: f"fill:{INPUT.fill},stroke:{INPUT.border},stroke-width:2px",
        "faultnote": lambda: f"fill:{FAULT.fill},stroke:{FAULT.border},color:#7f1d12",
        "warnnote": lambda: f"fill:{WARN.fill},stroke:{WARN.border}",
    }
    for mark in DIFF:
        defs[f"diff_{mark}"] = functools.partial(_mark_style, mark)
    for key, ids in members.items():
        style = defs[key]() if key in defs else _family_style(key)
        out.append(f"  classDef {key} {style}")
        out.append(f"  class {','.join(ids)} {key}")
    return out


def _mark_style(mark: str) -> str:
    """A diff diagram's mark: its colours, dashed for shape changes and ghosts."""
    look = DIFF[mark]
    dash = ",stroke-dasharray:5 3" if mark in ("shape", "removed") else ""
    return f"fill:{look.fill},stroke:{look.border},stroke-width:2px{dash}"


def _family_style(key: str) -> str:
    family = FAMILIES[key]
    return f"fill:{family.fill},stroke:{family.border}"


@renderer("mmd")
def _render_mermaid(view: View) -> bytes:
    return mermaid_source(view).encode("utf-8")
