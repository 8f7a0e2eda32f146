"""Marks on a laid-out view: boxes drawn as added, changed or shape-changed, and removed ones as ghosts.

The diagram knows nothing of how two specs are compared; a diff hands it :class:`Marks` (which
node is marked how, with which lines of text, and the ghosts to add) and the renderers draw them.

>>> from graphspec.backends.diagram import view_of
>>> _, view = view_of("inputs: {x: {shape: [3]}}\\nnodes: {d: {type: Dense, units: 2}}")
>>> marks = Marks({"d": ("changed", ["units: 1 → 2"])}, [Ghost("old", "ReLU", ["x"], ["d"])])
>>> view = mark_view(view, marks)
>>> [(b.label, b.mark, b.changes) for b in view.boxes.values()]
[('x', None, []), ('d', 'changed', ['units: 1 → 2']), ('old', 'removed', [])]
>>> [(e.src, e.dst, e.ghost) for e in view.edges]
[('n0', 'n1', False), ('n0', 'g0', True), ('g0', 'n1', True)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graphspec.backends.diagram._style import FAMILIES, family_of
from graphspec.backends.diagram._units import ancestry, repeat_copies, unit_key
from graphspec.backends.diagram.boxes import MARKS, Box, Edge, Mark, View
from graphspec.backends.diagram.labels import clean, truncate
from graphspec.ir.graph import Graph

__all__ = ["Ghost", "Marks", "mark_view", "touched_units"]

_MAX_LINES = 6
"""Lines of changes written in one box (the tooltip has them all)."""


@dataclass
class Ghost:
    """A node of the other version that is gone: drawn greyed and dashed, linked to the boxes
    of its former ``inputs`` and ``consumers`` (node names of the drawn graph, or other ghosts)."""

    name: str
    type: str
    inputs: list[str] = field(default_factory=list)
    consumers: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    block: bool = False


@dataclass
class Marks:
    """Node name -> (mark, lines of text for its box), and the ghosts to add."""

    nodes: dict[str, tuple[Mark, list[str]]] = field(default_factory=dict)
    ghosts: list[Ghost] = field(default_factory=list)


def touched_units(graph: Graph, names: Iterable[str]) -> frozenset[str]:
    """The block units (instances, repeat groups) holding any of ``names``, outer ones included:
    what a diagram drawn with every block collapsed must open to show those nodes."""
    copies = repeat_copies(graph.instances)
    chains = ancestry(graph.instances)
    out: set[str] = set()
    for name in names:
        node = graph.nodes.get(name)
        if node is None or node.instance is None:
            continue
        out.update(unit_key(link, copies) for link in chains.get(node.instance, []))
    return frozenset(out)


def mark_view(view: View, marks: Marks) -> View:
    """Mark the boxes of ``view`` and add the ghosts (in place; returns the view)."""
    box_of = {name: bid for bid, box in view.boxes.items() for name in box.nodes}
    for name, (mark, lines) in marks.nodes.items():
        bid = box_of.get(name)
        if bid is not None:
            _mark(view.boxes[bid], name, mark, lines)
    ghost_ids = {ghost.name: f"g{i}" for i, ghost in enumerate(marks.ghosts)}
    for ghost in marks.ghosts:
        gid = ghost_ids[ghost.name]
        family = FAMILIES["block"] if ghost.block else family_of(ghost.type)
        view.boxes[gid] = Box(
            gid,
            clean(ghost.name),
            "block" if ghost.block else "layer",
            clean(ghost.type),
            family,
            tooltip=truncate(clean(f"removed: {ghost.name} ({ghost.type})"), 500),
            mark="removed",
            changes=[truncate(clean(line), 60) for line in ghost.lines[:_MAX_LINES]],
        )
    for ghost in marks.ghosts:
        gid = ghost_ids[ghost.name]
        for src in dict.fromkeys(_ends(ghost.inputs, box_of, ghost_ids)):
            view.edges.append(Edge(src, gid, ghost=True))
        for dst in dict.fromkeys(_ends(ghost.consumers, box_of, ghost_ids)):
            if not any(g == dst for g in ghost_ids.values()):  # ghost to ghost: drawn once
                view.edges.append(Edge(gid, dst, ghost=True))
    return view


def _ends(names: Iterable[str], box_of: Mapping[str, str], ghosts: Mapping[str, str]) -> list[str]:
    return [box_of.get(n) or ghosts[n] for n in names if n in box_of or n in ghosts]


def _mark(box: Box, name: str, mark: Mark, lines: list[str]) -> None:
    """Mark one box; a box standing for several nodes takes the strongest mark."""
    if box.mark is None or MARKS.index(mark) < MARKS.index(box.mark):
        box.mark = mark
    room = _MAX_LINES - len(box.changes)
    if room <= 0 or not lines:  # a box standing for many nodes: its first lines are enough
        return
    prefix = f"{name}: " if len(box.nodes) > 1 else ""
    shown = [truncate(clean(prefix + line), 60) for line in lines[:room]]
    if len(lines) > room:
        shown[-1] = f"(and {len(lines) - room + 1} more)"
    box.changes += shown
    box.tooltip = truncate(box.tooltip + "\n" + "\n".join(clean(s) for s in lines), 1500)
