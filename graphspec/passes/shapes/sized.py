"""Arguments read from node shapes, computed in the shapes pass before the node's own rule runs.

``IRNode.sized`` holds them as written (names resolved); the node comes after the nodes they read
(:meth:`~graphspec.ir.graph.Graph.topological_order`), so their shapes are known by then. Each
value is computed into ``IRNode.args`` — what the node's rule, the compiler, codegen and the
diagrams read — and a layer argument's value is checked against Keras's range (E203) as any
written value is. A shape that is unknown, or a size that is (the batch axis), is E420.
"""

from __future__ import annotations

import re
from typing import Any

from graphspec.base.catalog import NESTED_LAYER_ARGS, layer_signature, object_kind
from graphspec.base.custom_layers import custom_layer_signature
from graphspec.base.source import SourceMap
from graphspec.errors import Diagnostic
from graphspec.frontend.params import ExprError, Sized, compute
from graphspec.ir.graph import Graph, IRNode, node_diagnostic
from graphspec.passes.shapes.results import NodeShape, ShapeInfo
from graphspec.passes.validate.values import check_arg_value, yaml_text

__all__ = ["compute_sized"]

_QUIET = frozenset({"invalid node", "shape error", "an earlier error", "too large"})
"""Why a node's shape may be unknown because of an error already reported (nothing to add)."""


class _Unknown(Exception):
    """A shape the value reads is unknown because of an error reported elsewhere."""


def compute_sized(
    graph: Graph, node: IRNode, info: ShapeInfo, source: SourceMap
) -> NodeShape | None:
    """Compute ``node``'s arguments read from shapes into ``node.args``; ``None`` when all are
    known, else the node's (unknown) result, the problem reported."""

    def shape_of(name: str) -> Any:
        found = info.nodes.get(name)
        port = 0
        if found is None and ":" in name:
            base, _, digits = name.rpartition(":")
            found, port = info.nodes.get(base), int(digits)
        if found is None or not found.outputs:
            root = _root(info, found)
            if root is None:
                raise _Unknown
            raise ExprError(
                "E420",
                f"the shape of `{name}` is unknown ({root})",
                "`graphspec summary` shows where shapes stop being known; `--deep` asks Keras",
            )
        if port >= len(found.outputs):
            raise ExprError("E420", f"`{name}` has {len(found.outputs)} output(s)")
        return found.outputs[port]

    for key, written in node.sized.items():
        try:
            value = _computed(written, shape_of)
        except _Unknown:
            return NodeShape(reason="an earlier error")
        except ExprError as err:
            node.args[key] = written
            info.diagnostics.append(
                node_diagnostic(
                    graph,
                    node,
                    err.code,
                    f"node `{node.name}`: `{key}`: {err.message}",
                    hint=err.hint,
                    loc=source.at(node.arg_path(key)),
                )
            )
            return NodeShape(fault=err.message, reason="shape error")
        node.args[key] = value
        problem = _value_problem(graph, node, key, value, written, source)
        if problem is not None:
            info.diagnostics.append(problem)
            return NodeShape(fault=problem.message, reason="shape error")
    return None


_UPSTREAM = re.compile(r"^the shape of `(.+)` is unknown$")


def _root(info: ShapeInfo, found: NodeShape | None) -> str | None:
    """Why a shape is unknown, followed upstream to its cause; ``None`` when the cause is an
    error reported already (nothing to add)."""
    seen: set[str] = set()
    while found is not None and found.reason is not None and not found.fault:
        upstream = _UPSTREAM.match(found.reason)
        if upstream is None or upstream.group(1) in seen:
            return None if found.reason in _QUIET else found.reason
        seen.add(upstream.group(1))
        found = info.nodes.get(upstream.group(1))
    return None


def _computed(value: Any, shape_of: Any) -> Any:
    if isinstance(value, Sized):
        return compute(value, shape_of)
    if isinstance(value, list):
        return [_computed(v, shape_of) for v in value]
    if isinstance(value, dict):
        return {k: _computed(v, shape_of) for k, v in value.items()}
    return value


def _value_problem(
    graph: Graph, node: IRNode, key: str, value: Any, written: Any, source: SourceMap
) -> Diagnostic | None:
    """E203 when a computed layer argument is a value Keras would refuse (checked as written
    values are; nested layers and named objects are left to their own rules)."""
    if not node.is_layer or not isinstance(node.type, str):
        return None
    if key in NESTED_LAYER_ARGS.get(node.type, ()) or object_kind(key) is not None:
        return None
    sig = custom_layer_signature(node.type) or layer_signature(node.type)
    info = sig.arg(key) if sig is not None else None
    if sig is None or info is None:
        return None
    problem = check_arg_value(sig.type, key, value, info.default, required=info.required)
    if problem is None:
        return None
    return node_diagnostic(
        graph,
        node,
        "E203",
        f"node `{node.name}`: `{key}` of {sig.type} must be {problem.expected}; found "
        f"{yaml_text(value)}, computed from `{written!r}`",
        hint=problem.hint,
        loc=source.at(node.arg_path(key)),
    )
