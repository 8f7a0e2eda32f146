"""Layout hints for Graphviz: a straight main path, and encoder–decoder nets folded into a U.

A U-Net drawn top to bottom is one long strip whose skip edges run down its side, lost. When
the skip paths of a diagram nest (the first encoder level feeds the last decoder level, the
second feeds the one before, …), :func:`plan` folds the main path at its deepest point: the
decoder side is drawn bottom-up beside the encoder, each skip edge joins two boxes on the same
rank, and the picture is the familiar U. Residual nets (skips one after another, not nested)
keep the top-down chain, with the main path as one straight column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import networkx as nx

if TYPE_CHECKING:
    from graphspec.backends.diagram.boxes import View

__all__ = ["LAYOUTS", "Layout", "plan"]

LAYOUTS: Final = ("auto", "chain")
"""``auto``: fold encoder–decoder nets into a U; ``chain``: always one top-down chain."""

_MIN_NESTED: Final = 2
_MAX_EDGES: Final = 4000


@dataclass
class Layout:
    """What :mod:`dot` adds to the plain drawing: a spine, reversed edges, side-by-side pairs."""

    spine: list[str] = field(default_factory=list)
    reversed: set[tuple[str, str]] = field(default_factory=set)
    same_rank: list[tuple[str, str]] = field(default_factory=list)

    @property
    def across(self) -> set[tuple[str, str]]:
        """The skip edges joining the two sides of a U."""
        return set(self.same_rank)

    @property
    def folded(self) -> bool:
        """True when the diagram is drawn as a U."""
        return bool(self.reversed)


def plan(view: View, mode: str = "auto") -> Layout:
    """The layout hints of a view (empty for graphs too large or not acyclic)."""
    if len(view.edges) > _MAX_EDGES:
        return Layout()
    dag = nx.DiGraph((e.src, e.dst) for e in view.edges)
    if not dag or not nx.is_directed_acyclic_graph(dag):
        return Layout()
    spine = nx.dag_longest_path(dag)
    layout = Layout(spine=spine)
    if mode == "auto":
        _fold(view, dag, layout)
    return layout


def _fold(view: View, dag: nx.DiGraph[str], layout: Layout) -> None:
    pos = {name: i for i, name in enumerate(layout.spine)}
    bypasses = sorted(
        (pos[e.src], pos[e.dst])
        for e in view.edges
        if e.skip and e.src in pos and e.dst in pos and pos[e.dst] - pos[e.src] > 1
    )
    nest = _deepest_nest(bypasses)
    if len(nest) < _MIN_NESTED:
        return
    inner_a, inner_b = nest[-1]
    bottom = layout.spine[(inner_a + inner_b) // 2]
    decoder = nx.descendants(dag, bottom)
    layout.reversed = {(e.src, e.dst) for e in view.edges if e.src in decoder and e.dst in decoder}
    layout.same_rank = [(layout.spine[a], layout.spine[b]) for a, b in nest]


def _deepest_nest(bypasses: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of strictly nested bypasses, outermost first (a1 < a2 < b2 < b1)."""
    best: list[tuple[int, int]] = []
    for start in range(len(bypasses)):
        run = [bypasses[start]]
        for a, b in bypasses[start + 1 :]:
            last_a, last_b = run[-1]
            if last_a < a and b < last_b:
                run.append((a, b))
        if len(run) > len(best):
            best = run
    return best
