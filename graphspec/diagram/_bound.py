"""Bounded drawing: how many boxes a diagram may have before Graphviz time and memory explode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from graphspec import _limits
from graphspec.errors import UsageError
from graphspec.graph import Graph

__all__ = [
    "MAX_DRAWN_NODES",
    "Bound",
    "TooLarge",
    "describe_too_large",
    "expanded_boxes",
    "fewest_collapsed_boxes",
]

MAX_DRAWN_NODES: Final = _limits.MAX_DRAWN_NODES
"""Most boxes a diagram is drawn with unless asked otherwise (see :mod:`graphspec._limits`)."""


@dataclass(frozen=True)
class Bound:
    """How a diagram is drawn under the bound.

    ``blocks`` is the mode used; ``collapsed`` says the bound switched an expanded drawing to
    collapsed blocks; ``expanded`` counts the boxes of the expanded drawing; ``boxes`` those
    drawn.
    """

    blocks: Literal["expand", "collapse"]
    boxes: int
    expanded: int
    collapsed: bool = False


class TooLarge(UsageError):
    """Even with every block collapsed the diagram has more boxes than allowed (exit status 2)."""

    def __init__(self, expanded: int, collapsed: int | None, limit: int) -> None:
        self.expanded, self.collapsed, self.limit = expanded, collapsed, limit
        super().__init__(describe_too_large(expanded, collapsed, limit))


def expanded_boxes(graph: Graph) -> int:
    """Boxes of the expanded drawing (one per node), known without laying anything out."""
    return len(graph.nodes)


def fewest_collapsed_boxes(graph: Graph) -> int:
    """A lower bound on the boxes of the collapsed drawing: the nodes outside every block."""
    return sum(1 for node in graph.nodes.values() if node.instance is None)


def describe_too_large(expanded: int, collapsed: int | None, limit: int) -> str:
    """One line saying why a diagram is not drawn, and what to do instead."""
    if collapsed is None or collapsed >= expanded:  # no blocks, or none that would help
        return (
            f"the diagram would have {expanded:,} boxes, more than the {limit:,} drawn at once "
            "(Graphviz needs minutes and gigabytes for that many); write repeated parts as "
            "blocks with `repeat` (then --blocks collapse draws each as one box), or raise "
            f"--max-nodes (0: no limit)"
        )
    return (
        f"the diagram would have {expanded:,} boxes, and still {collapsed:,} with --blocks "
        f"collapse: more than the {limit:,} drawn at once (Graphviz needs minutes and gigabytes "
        "for that many); raise --max-nodes (0: no limit)"
    )
