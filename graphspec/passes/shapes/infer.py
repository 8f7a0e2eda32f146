"""Shape and parameter inference over the whole graph, in topological order, without TensorFlow."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Mapping
from typing import Final

from graphspec.base import limits as _limits
from graphspec.base.custom_layers import user_layer
from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.base.source import SourceMap
from graphspec.errors import CycleError, Diagnostic, Severity
from graphspec.ir.graph import Graph, IRNode, NodeKind
from graphspec.ir.graph import node_diagnostic as _diag
from graphspec.ir.kinds import KINDS, Stage, hook
from graphspec.passes.shapes.blame import blame_width, located
from graphspec.passes.shapes.calls import CallFault, apply_call_rules, call_fault, split_shapes
from graphspec.passes.shapes.registry import UnknownShape, has_rule, infer_layer
from graphspec.passes.shapes.results import NodeShape, ShapeInfo
from graphspec.passes.shapes.rules import MODULES as RULE_MODULES
from graphspec.passes.shapes.sized import compute_sized

__all__ = [
    "RULE_MODULES",
    "KindInference",
    "NodeShape",
    "ShapeInfo",
    "infer_shapes",
    "input_shapes",
]

_ELEMENTWISE: Final = frozenset({"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"})


def infer_shapes(
    graph: Graph,
    source: SourceMap,
    *,
    skip: Collection[str | None] = (),
    inputs: Mapping[str, Shape] | None = None,
) -> ShapeInfo:
    """Infer every node's output shape and parameter count; faults become diagnostics.

    A node's arguments read from other nodes' shapes (``IRNode.sized``) are computed into its
    ``args`` just before its rule runs (:mod:`~graphspec.passes.shapes.sized`).

    Nodes in ``skip`` (already reported invalid) and everything downstream of an unknown shape
    are left unknown, never reported twice. ``inputs`` overrides input shapes (batch included),
    e.g. a nested model's inputs as its parent feeds them.
    """
    info = ShapeInfo()
    try:
        order = graph.topological_order()
    except CycleError:
        return info
    skipped = set(skip)
    hooks: dict[NodeKind, KindInference] = {}
    for name in order:
        node = graph.nodes[name]
        if node.kind is NodeKind.INPUT:
            given = inputs.get(name) if inputs else None
            shape = given if given is not None else (None, *(node.shape or ()))
            info.nodes[name] = NodeShape((tuple(shape),), known=True)
            continue
        if node.sized and name not in skipped:  # `${shape(x)[-1]}` arguments, computed first
            blocked = compute_sized(graph, node, info, source)
            if blocked is not None:
                info.nodes[name] = blocked
                continue
        infer = hooks.get(node.kind)
        if infer is None:  # raises when no kind registered one
            infer = hooks[node.kind] = hook(node.kind, Stage.INFER)
        info.nodes[name] = infer(graph, node, info, source, name in skipped)
    _check_ceiling(graph, info)
    return info


KindInference = Callable[[Graph, IRNode, "ShapeInfo", SourceMap, bool], "NodeShape"]
"""The ``infer`` hook of a node kind (:mod:`graphspec.ir.kinds`): one node's shapes and
parameters, from the shapes already known; ``skipped`` when the node was reported invalid."""


def input_shapes(graph: Graph, node: IRNode, info: ShapeInfo) -> list[Shape] | NodeShape:
    """The shapes reaching ``node`` (its ports picked), or the unknown/faulty result to return."""
    ins: list[Shape] = []
    ports = node.input_ports
    for index, src in enumerate(node.inputs):
        known = info.nodes.get(src)
        if known is None or not known.outputs:
            return NodeShape(reason=f"the shape of `{src}` is unknown")
        port = ports[index] if index < len(ports) else 0
        if port >= len(known.outputs):
            info.diagnostics.append(_port_diag(graph, node, index, src, len(known.outputs)))
            return NodeShape(fault="no such output", reason="shape error")
        ins.append(known.outputs[port])
    return ins


@KINDS["layer"].hook(Stage.INFER)
def _infer_layer(
    graph: Graph, node: IRNode, info: ShapeInfo, source: SourceMap, skipped: bool
) -> NodeShape:
    """A layer call: the shape rule of its type, then the rules of its call arguments."""
    if skipped or node.type is None:
        return NodeShape(reason="invalid node")
    if node.dangling or node.failed_args:  # inputs or arguments lost to a reported error
        return NodeShape(reason="an earlier error")
    found = input_shapes(graph, node, info)
    if isinstance(found, NodeShape):
        return found
    ins = found
    extra: dict[str, list[Shape]] = {}
    if node.call:  # call arguments: their tensors apart, checked by the call rules
        ins, extra = split_shapes(node, found)
    if not has_rule(node.type):
        return _unruled(graph, node, info)
    key: Hashable = (node.type, graph.arguments_key(node), tuple(ins))
    try:
        result = info.rules.get(key)
    except TypeError:  # an input "shape" holding a list: the rule reports it, nothing to keep
        key, result = None, None
    if result is None:
        try:
            result = infer_layer(LayerCall(node.type, node.args, node.name), ins)
        except UnknownShape as unknown:  # a user layer Keras could not trace: unknown, not wrong
            return _untraced(graph, node, info, unknown)
        except ShapeFault as fault:
            info.diagnostics.append(_fault_diag(graph, node, ins, fault, source, info))
            return NodeShape(fault=fault.message, reason="shape error")
        if result is None:  # a wrapper around a layer without a rule
            return _unruled(graph, node, info, f"the layer {node.type} wraps")
        if not node.call and _too_large(graph, node, info, result):
            return NodeShape(fault="too large", reason="too large")
        if key is not None and not node.call:
            info.rules[key] = result  # kept once its outputs passed the size limit
    if node.call:
        try:
            result = apply_call_rules(node, ins, extra, result)
        except CallFault as fault:
            info.diagnostics.append(call_fault(graph, node, fault, source))
            return NodeShape(fault=fault.message, reason="shape error")
        if _too_large(graph, node, info, result):
            return NodeShape(fault="too large", reason="too large")
    if node.share:
        owner = info.nodes.get(node.share)
        if owner is not None and owner.known and owner.params != result.params:
            info.diagnostics.append(_share_mismatch(graph, node, info, ins))
            return NodeShape(fault="shared weights do not fit", reason="shape error")
        return NodeShape(result.outputs, known=True)
    if node.args.get("trainable") is False:  # a frozen layer: Keras counts every weight as fixed
        return NodeShape(result.outputs, 0, result.params, known=True)
    return NodeShape(result.outputs, result.trainable, result.non_trainable, known=True)


def _too_large(graph: Graph, node: IRNode, info: ShapeInfo, result: ShapeResult) -> bool:
    """E504 when an output holds more elements per sample than the limit."""
    for shape in result.outputs:
        size = math.prod([d for d in shape[1:] if d is not None])
        if size > _limits.MAX_TENSOR_ELEMENTS:
            info.diagnostics.append(
                _diag(
                    graph,
                    node,
                    "E504",
                    f"node `{node.name}` outputs {format_shape(shape)}: {size:,} elements per "
                    f"sample, beyond the limit of {_limits.MAX_TENSOR_ELEMENTS:,}",
                    hint="check the input shape and the layer's size arguments",
                )
            )
            return True
    return False


def _unruled(graph: Graph, node: IRNode, info: ShapeInfo, what: str | None = None) -> NodeShape:
    """N502 (once per layer type): no rule, so this shape and everything downstream is unknown."""
    if node.type not in info.unruled:
        info.unruled.add(node.type or "")
        hint = "`graphspec validate --deep` settles it with Keras"
        own = user_layer(node.type or "") if what is None else None
        if own is not None:
            hint = (
                f"give {own.qualname} a `compute_output_shape` method, or register a rule with "
                f"`@graphspec.shape_rule({own.name!r})` in its package; {hint}"
            )
        info.diagnostics.append(
            _diag(
                graph,
                node,
                "N502",
                f"node `{node.name}`: no static shape rule for {what or node.type}; its output "
                "shape and everything downstream is unknown to `validate`",
                hint=hint,
                severity=Severity.NOTE,
            )
        )
    return NodeShape(reason=f"no shape rule for {node.type}")


def _untraced(graph: Graph, node: IRNode, info: ShapeInfo, unknown: UnknownShape) -> NodeShape:
    """N503: a user layer's shape could not be worked out statically; unknown, not wrong."""
    info.diagnostics.append(
        _diag(
            graph,
            node,
            "N503",
            f"node `{node.name}`: Keras could not work out the output of {node.type} "
            f"statically: {unknown.reason}; its shape and everything downstream is unknown to "
            "`validate`",
            hint=unknown.hint or "`graphspec validate --deep` and `compile` run it for real",
            severity=Severity.NOTE,
        )
    )
    return NodeShape(reason=f"{node.type} could not be traced")


def _share_mismatch(graph: Graph, node: IRNode, info: ShapeInfo, ins: list[Shape]) -> Diagnostic:
    """A shared layer's weights were made for its owner's inputs; these inputs need others."""
    owner_node = graph.nodes[node.layer_owner]
    known = (info.nodes[src].output for src in owner_node.inputs if src in info.nodes)
    theirs = ", ".join(format_shape(s) for s in known if s is not None)
    mine = ", ".join(format_shape(s) for s in ins)
    return _diag(
        graph,
        node,
        "E501",
        f"node `{node.name}` shares the layer of `{owner_node.name}`, whose weights were made "
        f"for inputs {theirs}; here the inputs are {mine}",
        hint=f"feed `{node.name}` tensors shaped like `{owner_node.name}`'s inputs, or give it "
        "its own layer (`type:` instead of `share:`)",
    )


def _port_diag(graph: Graph, node: IRNode, index: int, src: str, count: int) -> Diagnostic:
    """``name:N`` beyond the outputs the layer returns."""
    loc = node.input_locs[index] if index < len(node.input_locs) else None
    source = graph.nodes[src]
    hint = (
        "set `return_state: true` (recurrent layers) or `return_attention_scores: true` "
        "(attention) to get more outputs"
        if count == 1
        else f"use `{src}:0` to `{src}:{count - 1}`"
    )
    return Diagnostic(
        "E506",
        f"node `{node.name}` takes output {node.port(index)} of `{src}`, but "
        f"{source.type or 'it'} returns {count} output{'s' * (count != 1)} here",
        file=graph.file,
        loc=loc or node.loc,
        hint=hint,
        node=node.name,
    )


def _fault_diag(
    graph: Graph,
    node: IRNode,
    ins: list[Shape],
    fault: ShapeFault,
    source: SourceMap,
    info: ShapeInfo,
) -> Diagnostic:
    if fault.code == "E501" and node.type in _ELEMENTWISE:
        blamed = blame_width(graph, node, ins, fault, source, lambda name: _known(info, name))
        if blamed is not None:  # reported where the wrong width was set, with its fix
            return blamed
    related = tuple(
        located(
            graph, source, graph.nodes[src], None, f"input {i}: `{src}` -> {format_shape(shape)}"
        )
        for i, (src, shape) in enumerate(zip(node.inputs, ins, strict=False))
        if fault.code == "E501" and src in graph.nodes  # shapes explain a shape error
    )
    loc = node.loc
    if fault.arg is not None:
        loc = source.at((*node.spec_path, fault.arg)) or loc
    return Diagnostic(
        fault.code,
        f"node `{node.name}`: {fault.message}",
        file=graph.file,
        loc=loc,
        hint=fault.hint,
        node=node.name,
        related=related,
    )


def _known(info: ShapeInfo, name: str) -> Shape | None:
    found = info.nodes.get(name)
    return found.output if found is not None and found.known else None


def _check_ceiling(graph: Graph, info: ShapeInfo) -> None:
    if info.total > _limits.MAX_PARAMS:
        biggest = max(info.nodes.items(), key=lambda kv: kv[1].params)
        node = graph.nodes[biggest[0]]
        info.diagnostics.append(
            _diag(
                graph,
                node,
                "E503",
                f"the model would have {info.total:,} parameters, beyond the ceiling of "
                f"{_limits.MAX_PARAMS:,}; the largest layer is `{node.name}` with "
                f"{biggest[1].params:,}",
                hint="nothing was allocated; reduce layer sizes or the input shape",
            )
        )
