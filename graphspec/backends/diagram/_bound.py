"""Bounded drawing: how many boxes a diagram may have before Graphviz time and memory explode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from graphspec.base import limits as _limits
from graphspec.errors import UsageError

__all__ = [
    "MAX_DRAWN_NODES",
    "Bound",
    "TooLarge",
    "describe_too_large",
]

MAX_DRAWN_NODES: Final = _limits.MAX_DRAWN_NODES
"""Most boxes a diagram is drawn with unless asked otherwise (see :mod:`graphspec.base.limits`)."""


@dataclass(frozen=True)
class Bound:
    """How a diagram is drawn under the bound.

    ``blocks`` is the mode used; ``collapsed`` says the bound switched the drawing asked for to
    collapsed blocks and nested models; ``expanded`` counts the boxes of the expanded drawing
    (applications and toggled units as asked, see :func:`graphspec.backends.diagram.bounded_view`);
    ``boxes`` those drawn.
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
