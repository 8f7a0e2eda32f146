"""One written node expanded by the ``expand`` hook of its kind (see :mod:`graphspec.ir.kinds`).

A node kind's expansion is registered with ``KINDS[name].hook(Stage.EXPAND)`` by the module that
implements it (:mod:`~graphspec.passes.expand.layers`, :mod:`~graphspec.passes.expand.blocks`,
and the plug-ins' ``expansion`` modules); a node with no other kind's key is a layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graphspec.base.source import Path
from graphspec.frontend.spec import NodeSpec
from graphspec.ir.kinds import Stage, selected_kind
from graphspec.passes.expand.context import Expansion, Ref, Scope

__all__ = ["KindHandler", "NodeSite", "expand_node"]


@dataclass(slots=True)
class NodeSite:
    """One written node being expanded: its scope, name, spec, input references and path.

    Made once per node and never changed (not ``frozen``: a frozen dataclass takes four times
    as long to make, which showed in the time to check a large spec).
    """

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
"""Expands a node (the ``expand`` hook of a kind); returns the graph node its name refers to,
``None`` when it failed."""


def expand_node(ex: Expansion, site: NodeSite) -> str | None:
    """Expand one node with the ``expand`` hook of the kind it selects (the first kind key it
    sets, else a layer)."""
    handler: KindHandler = selected_kind(site.spec)[Stage.EXPAND]
    return handler(ex, site)
