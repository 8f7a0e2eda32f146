"""Cascade suppression: a diagnostic that only follows from one reported before it is dropped.

Most consequences are never produced: expansion marks what an error cut off (``dangling``
nodes, ``failed_args``, :attr:`Graph.incomplete`) and the later checks skip it. The rules here
handle the rest, where a check cannot know on its own that its finding has a reported cause.
Each rule is registered with :func:`consequence` and names the diagnostics to drop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from graphspec.base.registry import Registry
from graphspec.errors import Diagnostic
from graphspec.ir.graph import Graph

__all__ = ["CONSEQUENCES", "consequence", "drop_consequences"]

Rule = Callable[[Graph, Sequence[Diagnostic]], set[int]]
CONSEQUENCES: Registry[str, Rule] = Registry("cascade rule")
"""Rule name -> a function giving the indexes of the diagnostics that are consequences."""


def consequence(name: str) -> Callable[[Rule], Rule]:
    """Register a cascade rule."""

    return CONSEQUENCES.register(name)


def drop_consequences(graph: Graph, diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """``diagnostics`` without the ones every registered rule calls consequences."""
    dropped: set[int] = set()
    for rule in CONSEQUENCES.values():
        dropped |= rule(graph, diagnostics)
    return [d for i, d in enumerate(diagnostics) if i not in dropped]


@consequence("reachability-of-an-incomplete-graph")
def _reachability_after_loss(graph: Graph, diagnostics: Sequence[Diagnostic]) -> set[int]:
    """An error removed a node, an instance or a reference: "unused" says nothing then."""
    if not graph.incomplete:
        return set()
    return {i for i, d in enumerate(diagnostics) if d.code in ("W303", "W304")}


@consequence("unreachable-node-with-an-error")
def _unreachable_and_wrong(graph: Graph, diagnostics: Sequence[Diagnostic]) -> set[int]:
    """A node already in error (no inputs, bad wiring) is not also "leading nowhere"."""
    wrong = {d.node for d in diagnostics if d.is_error and d.node}
    return {i for i, d in enumerate(diagnostics) if d.code == "W303" and d.node in wrong}


@consequence("arity-on-a-cycle")
def _arity_on_cycle(graph: Graph, diagnostics: Sequence[Diagnostic]) -> set[int]:
    """The extra input of a node on a reported cycle is the cycle's edge: one problem."""
    if not any(d.code == "E302" for d in diagnostics):
        return set()
    import networkx as nx  # only when a cycle was reported: a valid graph never needs it

    on_cycle = {
        name
        for component in nx.strongly_connected_components(graph.dag)
        for name in component
        if len(component) > 1 or graph.dag.has_edge(name, name)
    }
    return {
        i for i, d in enumerate(diagnostics) if d.code in ("E306", "E309") and d.node in on_cycle
    }
