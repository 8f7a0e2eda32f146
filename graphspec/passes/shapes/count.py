"""Static FLOPs of a whole graph: each node's cost from the shapes inference found, summed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from graphspec.base.registry import RegistryError
from graphspec.base.shape_types import LayerCall
from graphspec.ir.graph import Graph, IRNode
from graphspec.ir.kinds import KINDS, Stage, hook
from graphspec.passes.shapes.calls import split_shapes
from graphspec.passes.shapes.flops import Flops, Uncountable, layer_flops
from graphspec.passes.shapes.infer import NodeShape, ShapeInfo, input_shapes

__all__ = ["FlopInfo", "KindCount", "count_flops"]

KindCount = Callable[[Graph, IRNode, ShapeInfo], Flops]
"""The ``count`` hook of a node kind: one node's cost; raises :class:`Uncountable` (why not)."""


@dataclass
class FlopInfo:
    """The cost of every node (``None`` when unknown, with the reason) and the totals."""

    nodes: dict[str, Flops | None] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> Flops:
        """The sum over the nodes whose cost is known."""
        total = Flops()
        for cost in self.nodes.values():
            if cost is not None:
                total += cost
        return total

    @property
    def flops(self) -> int:
        """Total FLOPs of the known nodes."""
        return self.total.flops

    @property
    def macs(self) -> int:
        """Total multiply-accumulates of the known nodes."""
        return self.total.macs

    @property
    def complete(self) -> bool:
        """True when every node's cost is known."""
        return all(cost is not None for cost in self.nodes.values())


def count_flops(graph: Graph, shapes: ShapeInfo) -> FlopInfo:
    """The cost of every node of ``graph`` from its inferred ``shapes`` (per sample).

    >>> from graphspec import check
    >>> result = check("inputs: {x: {shape: [4]}}\\nnodes: {d: {type: Dense, units: 2}}\\n")
    >>> info = count_flops(result.graph, result.shapes)
    >>> info.nodes["d"], info.flops
    (Flops(macs=8, flops=18), 18)
    """
    info = FlopInfo()
    for node in graph.nodes.values():
        if node.is_input:
            continue
        known = shapes.nodes.get(node.name)
        if known is None or not known.known or not known.outputs:
            info.nodes[node.name] = None
            info.reasons[node.name] = "its shape is unknown"
            continue
        count: KindCount = hook(node.kind, Stage.COUNT)
        try:
            info.nodes[node.name] = count(graph, node, shapes)
        except Uncountable as why:
            info.nodes[node.name] = None
            info.reasons[node.name] = str(why)
    return info


@KINDS["layer"].hook(Stage.COUNT)
def _count_layer(graph: Graph, node: IRNode, shapes: ShapeInfo) -> Flops:
    """A layer call: its class's FLOP rule on the shapes it is called with."""
    found = input_shapes(graph, node, shapes)
    if isinstance(found, NodeShape) or node.type is None:
        raise Uncountable("its input shapes are unknown")
    main, _ = split_shapes(node, found) if node.call else (found, {})
    outputs = shapes.nodes[node.name].outputs or ()
    try:
        return layer_flops(LayerCall(node.type, node.args, node.name), main, outputs)
    except RegistryError:
        raise Uncountable(f"no FLOP rule for {node.type}") from None


@KINDS["weight"].hook(Stage.COUNT)
def _count_weight(graph: Graph, node: IRNode, shapes: ShapeInfo) -> Flops:
    """A learned tensor (``weight:``) is read, not computed: no arithmetic."""
    return Flops()
