"""Nested spec models opened up for drawing: their nodes as a block-like cluster in the parent.

A nested model (spec file, inline graph or keras.applications architecture, built from the
spec data graphspec ships) is replaced by its own nodes, named ``<node>.<inner>`` and grouped in
an instance, so the diagram draws it as a cluster that collapses to one box like a block
(``render --blocks collapse``, or a click in the viewer). Its inputs are wired to what feeds the
node and its outputs to what the node feeds. An application's instance is ``folded``: drawn as
one box unless expanded on request (``render --applications expand``, or a click in the viewer).
``share`` nodes stay one box. Only diagrams use this view; every other back end sees the node
as one model.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from graphspec.ir.graph import BlockInstance, Graph, IRNode, NodeKind
from graphspec.passes.shapes.infer import NodeShape, ShapeInfo

__all__ = ["flatten_models"]

_MAX_DEPTH = 8
_FOLDED_SOURCES = frozenset({"application"})
"""Nested models drawn as one box unless expanded on request: hundreds of layers each."""


def flatten_models(result: Any, depth: int = 0) -> Any:
    """A copy of a checked result with every nested model opened up (``result`` if none).

    The top-level answer is kept on ``result``: the size bound and the drawing share it.
    """
    if depth == 0:
        cached = result.__dict__.get("_flattened")
        if cached is None:
            cached = result.__dict__["_flattened"] = _flatten(result, 0)
        return cached
    return _flatten(result, depth)


def _flatten(result: Any, depth: int) -> Any:
    graph = result.graph
    opened = {n.name for n in graph.nodes.values() if _opens(n, result)}
    if not opened or depth > _MAX_DEPTH:
        return result
    out = Graph(name=graph.name, file=graph.file, api=graph.api)
    out.outputs_named = graph.outputs_named
    out.instances = dict(graph.instances)
    shapes = ShapeInfo(diagnostics=result.shapes.diagnostics, unruled=result.shapes.unruled)
    exits: dict[str, list[tuple[str, int]]] = {}  # model node -> (inner output node, port) per port
    for node in graph.nodes.values():
        if node.name in opened:
            exits[node.name] = _open(out, shapes, node, result, depth)
            continue
        copy = dataclasses.replace(
            node, inputs=list(node.inputs), input_ports=list(node.input_ports)
        )
        out.nodes[node.name] = copy
        if node.is_input:
            out.inputs.append(node.name)
        if node.name in result.shapes.nodes:
            shapes.nodes[node.name] = result.shapes.nodes[node.name]
    for node in out.nodes.values():
        _rewire(node, exits)
    ports = graph.output_ports or [0] * len(graph.outputs)
    for (name, target), port in zip(graph.outputs, ports, strict=True):
        target, port = exits[target][port] if target in exits else (target, port)
        out.outputs.append((name, target))
        out.output_ports.append(port)
    out.build_dag()
    return dataclasses.replace(result, graph=out, shapes=shapes)


def _opens(node: IRNode, result: Any) -> bool:
    model = node.model
    return (
        node.kind is NodeKind.MODEL
        and model is not None
        and model.checked is not None
        and not node.share
        and result.shapes is not None
        and node.name in result.shapes.nodes
        and result.shapes.nodes[node.name].known
    )


def _open(
    out: Graph, shapes: ShapeInfo, node: IRNode, result: Any, depth: int
) -> list[tuple[str, int]]:
    from graphspec.plugins.nested.inference import nested_shapes

    model = node.model
    assert model is not None
    checked = model.checked
    inner_graph = checked.graph
    fed = {
        name: result.shapes.nodes[src].outputs[node.port(i)]
        for i, (name, src) in enumerate(zip(inner_graph.inputs, node.inputs, strict=False))
    }
    inner = flatten_models(
        dataclasses.replace(checked, shapes=nested_shapes(checked, fed)), depth + 1
    )
    prefix = f"{node.name}."
    entry = {
        name: (src, node.port(i))
        for i, (name, src) in enumerate(zip(inner.graph.inputs, node.inputs, strict=False))
    }
    members: list[str] = []
    for inner_node in inner.graph.nodes.values():
        if inner_node.is_input:
            continue
        name = prefix + inner_node.name
        inputs, ports = [], []
        for i, src in enumerate(inner_node.inputs):
            if src in entry:
                inputs.append(entry[src][0])
                ports.append(entry[src][1])
            else:
                inputs.append(prefix + src)
                ports.append(inner_node.port(i))
        copy = dataclasses.replace(
            inner_node,
            name=name,
            inputs=inputs,
            input_ports=ports,
            share=prefix + inner_node.share if inner_node.share else None,
            instance=prefix + inner_node.instance if inner_node.instance else node.name,
            loc=inner_node.loc if inner_node.loc else node.loc,
        )
        out.nodes[name] = copy
        members.append(name)
        if inner.shapes is not None and inner_node.name in inner.shapes.nodes:
            shapes.nodes[name] = _frozen(inner.shapes.nodes[inner_node.name], model.trainable)
    for inst in inner.graph.instances.values():
        out.instances[prefix + inst.name] = BlockInstance(
            name=prefix + inst.name,
            block=inst.block,
            nodes=[prefix + n for n in inst.nodes],
            output=prefix + inst.output if inst.output else None,
            parent=prefix + inst.parent if inst.parent else node.name,
            loc=inst.loc,
            folded=inst.folded,
            model=inst.model,
        )
    ports = inner.graph.output_ports or [0] * len(inner.graph.outputs)
    exits = [
        (prefix + target, port)
        for (_, target), port in zip(inner.graph.outputs, ports, strict=True)
    ]
    out.instances[node.name] = BlockInstance(
        name=node.name,
        block=f"model {model.label}" + ("" if model.trainable else " (frozen)"),
        nodes=members,
        output=exits[0][0] if exits else None,
        parent=node.instance,
        loc=node.loc,
        folded=model.source in _FOLDED_SOURCES,
        model=model,
    )
    return exits


def _frozen(shape: NodeShape, trainable: bool) -> NodeShape:
    """A layer's shape as counted in its parent: every weight non-trainable in a frozen model."""
    if trainable:
        return shape
    return dataclasses.replace(shape, trainable=0, non_trainable=shape.params)


def _rewire(node: IRNode, exits: dict[str, list[tuple[str, int]]]) -> None:
    for i, src in enumerate(node.inputs):
        if src in exits:
            target, port = exits[src][node.port(i)]
            node.inputs[i] = target
            while len(node.input_ports) <= i:
                node.input_ports.append(0)
            node.input_ports[i] = port
