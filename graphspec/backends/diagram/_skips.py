"""Skip paths: which edges of a view bypass a longer path (drawn dashed, laid out loosely)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Final

import networkx as nx

if TYPE_CHECKING:
    from graphspec.backends.diagram.boxes import View

__all__ = ["mark_skips"]

_MAX_SKIP_EDGES: Final = 4000


def mark_skips(view: View) -> None:
    """Mark skip paths: an edge, or a chain of one-in/one-out boxes, bypassing a longer path."""
    if len(view.edges) > _MAX_SKIP_EDGES:
        return
    dag = nx.DiGraph((e.src, e.dst) for e in view.edges)
    if not nx.is_directed_acyclic_graph(dag):
        return
    chain = {n for n in dag if dag.in_degree(n) == 1 and dag.out_degree(n) == 1}
    order = {n: i for i, n in enumerate(nx.topological_sort(dag))}
    skip: set[tuple[str, str]] = set()
    done: set[tuple[str, str]] = set()
    for u, v in dag.edges:
        if (u, v) in done:
            continue
        path = [u, v]
        while path[0] in chain:
            path.insert(0, next(iter(dag.pred[path[0]])))
        while path[-1] in chain:
            path.append(next(iter(dag.succ[path[-1]])))
        segment = list(itertools.pairwise(path))
        done.update(segment)
        if _longest_other_path(dag, order, path) > len(segment):
            skip.update(segment)
    for edge in view.edges:
        edge.skip = (edge.src, edge.dst) in skip


def _longest_other_path(dag: nx.DiGraph[str], order: dict[str, int], path: list[str]) -> int:
    """The longest path from ``path[0]`` to ``path[-1]`` avoiding ``path`` itself (0: none)."""
    start, end = path[0], path[-1]
    inner = set(path[1:-1])
    best: dict[str, int] = {start: 0}
    lo, hi = order[start], order[end]
    for node in sorted(
        (n for n in dag if lo < order[n] <= hi and n not in inner), key=order.__getitem__
    ):
        lengths = [
            best[p] + 1
            for p in dag.pred[node]
            if p in best and not (p == start and node == end and len(path) == 2)
        ]
        if lengths:
            best[node] = max(lengths)
    return best.get(end, 0)
