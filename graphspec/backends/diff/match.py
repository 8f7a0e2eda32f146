"""Which node of the old graph is which node of the new one: by name, then renames by structure.

A node of the old graph that has no namesake in the new one is the same node renamed when exactly
one unmatched new node has the same kind, type and arguments (:func:`canon.node_signature`), the
same inputs (through the matching found so far, ports included) and consumers that agree (see
:func:`_drop_other_neighbours`). Same type and arguments with other neighbours is not a rename:
the old node was removed and a new one added.
Renames are found in topological order, so a renamed chain is found link by link.

>>> from graphspec import check
>>> old = check("inputs: {x: {shape: [4]}}\\nnodes: {a: {type: Dense, units: 2}}")
>>> new = check("inputs: {x: {shape: [4]}}\\nnodes: {b: {type: Dense, units: 2}}")
>>> match(old.graph, new.graph).renamed
{'a': 'b'}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from graphspec.backends.diff.canon import node_signature, reference
from graphspec.errors import CycleError
from graphspec.ir.graph import Graph

__all__ = ["Matching", "consumers", "match", "order"]

_MAX_ROUNDS: Final = 64
"""Passes of rename detection at most (each pass finds whole chains in topological order)."""


@dataclass
class Matching:
    """Old name -> new name for every matched node; ``renamed`` holds the pairs found by
    structure (a subset)."""

    old_to_new: dict[str, str] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    new_to_old: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.new_to_old = {b: a for a, b in self.old_to_new.items()}

    def pair(self, old: str, new: str) -> None:
        """Record that ``old`` is ``new``."""
        self.old_to_new[old] = new
        self.new_to_old[new] = old

    def unpair(self, old: str) -> None:
        """Forget the pair of ``old``."""
        new = self.old_to_new.pop(old)
        self.new_to_old.pop(new, None)
        self.renamed.pop(old, None)

    def rename(self, name: str) -> str:
        """An old node's name in the new graph (its own name when it has no match)."""
        return self.old_to_new.get(name, name)


def order(graph: Graph) -> list[str]:
    """The graph's nodes in topological order, or as written when the graph has a cycle."""
    try:
        return graph.topological_order()
    except CycleError:
        return list(graph.nodes)


def consumers(graph: Graph) -> dict[str, list[str]]:
    """Node -> the nodes that take it as an input (once each, in graph order)."""
    out: dict[str, list[str]] = {name: [] for name in graph.nodes}
    for node in graph.nodes.values():
        for src in dict.fromkeys(node.inputs):
            if src in out:
                out[src].append(node.name)
    return out


def match(old: Graph, new: Graph) -> Matching:
    """Match the nodes of two graphs: by name first, then renames by structure."""
    matching = Matching({name: name for name in old.nodes if name in new.nodes})
    lost = [name for name in old.nodes if name not in new.nodes]
    if not lost or all(name in old.nodes for name in new.nodes):
        return matching
    found = [name for name in order(new) if name not in old.nodes]
    buckets: dict[str, list[str]] = {}
    for name in lost:
        buckets.setdefault(node_signature(old.nodes[name]), []).append(name)
    wanted = {name: node_signature(new.nodes[name]) for name in found}
    for _ in range(_MAX_ROUNDS):
        if not _round(old, new, matching, buckets, wanted, found):
            break
    _drop_other_neighbours(old, new, matching)
    return matching


def _inputs(graph: Graph, name: str, rename: dict[str, str] | None = None) -> list[str]:
    node = graph.nodes[name]
    names = [rename.get(src, "") if rename is not None else src for src in node.inputs]
    return [reference(src, node.port(i)) for i, src in enumerate(names)]


def _round(
    old: Graph,
    new: Graph,
    matching: Matching,
    buckets: dict[str, list[str]],
    wanted: dict[str, str],
    found: list[str],
) -> bool:
    """One pass over the unmatched new nodes in topological order; True when a pair was found."""
    progress = False
    for name in found:
        if name in matching.new_to_old:
            continue
        candidates = [a for a in buckets.get(wanted[name], ()) if a not in matching.old_to_new]
        if not candidates:
            continue
        inputs = _inputs(new, name)
        same = [a for a in candidates if _inputs(old, a, matching.old_to_new) == inputs]
        if len(same) == 1:
            matching.pair(same[0], name)
            matching.renamed[same[0]] = name
            progress = True
    return progress


def _drop_other_neighbours(old: Graph, new: Graph, matching: Matching) -> None:
    """Renamed pairs whose neighbours differ are not renames (repeated until nothing changes).

    The inputs must be the same nodes. The consumers may differ only where the new spec
    inserted something after the node (a consumer that is new): consumers on both sides that
    are all matched and share none mean the node was moved, not renamed.
    """
    old_consumers, new_consumers = consumers(old), consumers(new)
    changed = True
    while changed and matching.renamed:
        changed = False
        for a, b in list(matching.renamed.items()):
            mapped = {matching.old_to_new[c] for c in old_consumers[a] if c in matching.old_to_new}
            theirs = set(new_consumers[b])
            inserted = any(c not in matching.new_to_old for c in theirs)
            moved = bool(mapped) and bool(theirs) and not (mapped & theirs) and not inserted
            if moved or _inputs(old, a, matching.old_to_new) != _inputs(new, b):
                matching.unpair(a)
                changed = True
