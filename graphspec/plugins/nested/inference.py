"""Static shapes of nested-model nodes: the nested graph inferred again from the parent's shapes."""

from __future__ import annotations

from typing import Any

from graphspec.base.shape_types import Shape, format_shape
from graphspec.base.source import SourceMap
from graphspec.errors import Severity
from graphspec.ir.graph import Graph, IRNode
from graphspec.ir.graph import node_diagnostic as _diag
from graphspec.ir.kinds import KINDS, Stage
from graphspec.passes.shapes.count import count_flops
from graphspec.passes.shapes.flops import Flops, Uncountable
from graphspec.passes.shapes.infer import (
    NodeShape,
    ShapeInfo,
    infer_shapes,
    input_shapes,
)

__all__ = ["count_model_node", "infer_model_node", "nested_result", "nested_shapes"]


@KINDS["model"].hook(Stage.INFER)
def infer_model_node(
    graph: Graph, node: IRNode, info: ShapeInfo, source: SourceMap, skipped: bool
) -> NodeShape:
    """Outputs and parameters of a nested model called on this node's inputs."""
    model = node.model
    if skipped or node.broken or node.dangling or model is None:
        return NodeShape(reason="invalid node")
    if model.checked is None:
        if model.reason and model.label not in info.unruled:
            info.unruled.add(model.label)
            info.diagnostics.append(
                _diag(
                    graph,
                    node,
                    "N842",
                    f"node `{node.name}`: no static shapes for {model.label}: {model.reason}; "
                    "its output shape and everything downstream is unknown to `validate`",
                    hint="`graphspec validate --deep` settles it with Keras",
                    severity=Severity.NOTE,
                )
            )
        return NodeShape(reason=f"no static shapes for {model.label}")
    ins = input_shapes(graph, node, info)
    if isinstance(ins, NodeShape):
        return ins
    nested = model.checked
    names = list(nested.graph.inputs)
    if len(ins) != len(names):
        info.diagnostics.append(
            _diag(
                graph,
                node,
                "E844",
                f"node `{node.name}`: the nested model {model.label} takes {len(names)} input(s) "
                f"({', '.join(names)}); it is given {len(ins)}",
                hint="connect one edge (or `inputs:` entry) per input of the nested model, in order",
            )
        )
        return NodeShape(fault="wrong number of inputs", reason="shape error")
    merged: dict[str, Shape] = {}
    for name, given in zip(names, ins, strict=True):
        declared = (None, *(nested.graph.nodes[name].shape or ()))
        fits = _merge(given, declared)
        if fits is None:
            info.diagnostics.append(
                _diag(
                    graph,
                    node,
                    "E841",
                    f"node `{node.name}`: input `{name}` of the nested model {model.label} takes "
                    f"{format_shape(declared)}; it is given {format_shape(given)}",
                    hint="feed it a tensor of that shape, or change the nested model's input",
                )
            )
            return NodeShape(fault="input shape mismatch", reason="shape error")
        merged[name] = fits
    found = nested_shapes(model.checked, merged)
    errors = [d for d in found.diagnostics if d.is_error]
    if errors:
        first = errors[0]
        info.diagnostics.append(
            _diag(
                graph,
                node,
                "E841",
                f"node `{node.name}`: the nested model {model.label} cannot take the shapes given "
                f"here ({', '.join(format_shape(s) for s in ins)}): {first.message}",
                hint=first.hint,
            )
        )
        return NodeShape(fault="nested shape error", reason="shape error")
    outputs = _outputs(nested, found)
    if outputs is None:
        return NodeShape(reason=f"some shapes inside {model.label} are unknown")
    if node.share:
        return NodeShape(outputs, known=True)
    total = found.trainable + found.non_trainable
    if model.trainable:
        return NodeShape(outputs, found.trainable, found.non_trainable, known=True)
    return NodeShape(outputs, 0, total, known=True)


def nested_shapes(checked: Any, inputs: dict[str, Shape]) -> ShapeInfo:
    """The nested graph's shapes for these input shapes (cached on the checked result)."""
    cache: dict[Any, ShapeInfo] = checked.__dict__.setdefault("_shape_cache", {})
    key = tuple(sorted(inputs.items()))
    if key not in cache:
        cache[key] = infer_shapes(checked.graph, checked.spec.source, inputs=inputs)
    return cache[key]


def _merge(given: Shape, declared: Shape) -> Shape | None:
    """``given`` where it is known, else ``declared``; ``None`` when they contradict."""
    if len(given) != len(declared):
        return None
    out: list[int | None] = []
    for g, d in zip(given, declared, strict=True):
        if g is not None and d is not None and g != d:
            return None
        out.append(g if g is not None else d)
    return tuple(out)


def _outputs(nested: Any, found: ShapeInfo) -> tuple[Shape, ...] | None:
    graph = nested.graph
    ports = graph.output_ports or [0] * len(graph.outputs)
    out: list[Shape] = []
    for (_, name), port in zip(graph.outputs, ports, strict=True):
        shape = found.nodes.get(name)
        if shape is None or not shape.outputs or port >= len(shape.outputs):
            return None
        out.append(shape.outputs[port])
    return tuple(out)


def nested_result(result: Any, node: IRNode) -> Any:
    """The nested spec of a model node checked with the shapes the parent feeds it, or ``None``."""
    import dataclasses

    model = node.model
    if model is None or model.checked is None or result.shapes is None:
        return None
    fed: dict[str, Shape] = {}
    for i, (name, src) in enumerate(zip(model.checked.graph.inputs, node.inputs, strict=False)):
        known = result.shapes.nodes.get(src)
        if known is None or not known.outputs or node.port(i) >= len(known.outputs):
            return None
        fed[name] = known.outputs[node.port(i)]
    return dataclasses.replace(model.checked, shapes=nested_shapes(model.checked, fed))


@KINDS["model"].hook(Stage.COUNT)
def count_model_node(graph: Graph, node: IRNode, info: ShapeInfo) -> Flops:
    """The sum over the nested model's nodes, with the shapes this node feeds it."""
    model = node.model
    ins = input_shapes(graph, node, info)
    if model is None or model.checked is None or isinstance(ins, NodeShape):
        raise Uncountable("the nested model has no static shapes")
    nested = model.checked.graph
    fed: dict[str, Shape] = {}
    for name, given in zip(nested.inputs, ins, strict=False):
        fed[name] = _merge(given, (None, *(nested.nodes[name].shape or ()))) or given
    found = count_flops(nested, nested_shapes(model.checked, fed))
    if not found.complete:
        name, why = next(iter(found.reasons.items()))
        raise Uncountable(f"node `{name}` inside {model.label}: {why}")
    return found.total
