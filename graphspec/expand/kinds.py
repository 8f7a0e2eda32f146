"""The registry of node kinds: which spec key makes a node a block instance, a layer, ….

A node kind is a function that expands one written node into the graph, registered under the
reserved key that selects it (``block``, …) with :func:`node_kind`; a node with none of those
keys is a layer (:data:`DEFAULT_KIND`). A new kind of node is a new module plus one decorator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from graphspec.expand._context import Expansion, Ref, Scope
from graphspec.source import Path
from graphspec.spec import NodeSpec

__all__ = ["DEFAULT_KIND", "KindHandler", "NodeSite", "expand_node", "node_kind"]

DEFAULT_KIND: Final = "type"
"""The kind of a node that names no other kind's key: a layer (``type: Dense``)."""


@dataclass(frozen=True)
class NodeSite:
    """One written node being expanded: its scope, name, spec, input references and path."""

    scope: Scope
    local: str
    spec: NodeSpec
    refs: list[Ref]
    path: Path
    stack: tuple[str, ...]
    """The blocks being expanded around this node, outermost first."""
    implicit: bool = False
    """True when ``refs`` is the chain rule's guess (no edges, no ``inputs:``), not written."""

    @property
    def expanded(self) -> str:
        """The node's name in the graph (``stage2.0.conv`` inside block instances)."""
        return self.scope.prefix + self.local


KindHandler = Callable[[Expansion, NodeSite], str | None]
"""Expands a node; returns the graph node its name refers to, ``None`` when it failed."""

_KINDS: dict[str, KindHandler] = {}


def node_kind(key: str) -> Callable[[KindHandler], KindHandler]:
    """Register the handler of the nodes that set the reserved key ``key``."""

    def register(handler: KindHandler) -> KindHandler:
        _KINDS[key] = handler
        return handler

    return register


def expand_node(ex: Expansion, site: NodeSite) -> str | None:
    """Expand one node with the handler of its kind (the first registered key it sets)."""
    for key, handler in _KINDS.items():
        if key != DEFAULT_KIND and getattr(site.spec, key, None) is not None:
            return handler(ex, site)
    return _KINDS[DEFAULT_KIND](ex, site)
