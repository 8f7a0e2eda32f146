"""Static shapes of expression nodes, located inside the expression when they fail."""

from __future__ import annotations

from graphspec.base.shape_types import Shape
from graphspec.base.source import SourceMap
from graphspec.errors import Severity
from graphspec.ir.graph import Graph, IRNode
from graphspec.ir.kinds import KINDS, Stage
from graphspec.passes.shapes.flops import Flops, Uncountable
from graphspec.passes.shapes.infer import NodeShape, ShapeInfo, input_shapes
from graphspec.plugins.expr.evaluate import ExprShapeError, infer_expr
from graphspec.plugins.expr.locate import expr_diagnostic
from graphspec.plugins.expr.shape_help import show
from graphspec.plugins.expr.syntax import ExprSyntaxError, Ref

__all__ = ["count_expr_node", "infer_expr_node"]


@KINDS["expr"].hook(Stage.INFER)
def infer_expr_node(
    graph: Graph, node: IRNode, info: ShapeInfo, source: SourceMap, skipped: bool
) -> NodeShape:
    """The output shape(s) of an expression node from its operands' shapes (no parameters)."""
    expr = node.expr
    if skipped or node.broken or node.dangling or expr is None or expr.tree is None:
        return NodeShape(reason="invalid node")
    ins = input_shapes(graph, node, info)
    if isinstance(ins, NodeShape):
        return ins
    by_ref = dict(zip(expr.refs, ins, strict=True))

    def shape_of(ref: Ref) -> Shape:
        return by_ref[f"{ref.name}:{ref.port}" if ref.port else ref.name]

    try:
        found = infer_expr(expr.tree, shape_of)
    except ExprSyntaxError:  # reported by the expressions check
        return NodeShape(reason="invalid node")
    except ExprShapeError as err:
        related = tuple(f"`{text}` -> {show(shape)}" for text, shape in err.operands)
        info.diagnostics.append(
            expr_diagnostic(
                graph.file,
                node.name,
                expr,
                err.code,
                err.message,
                err.offset,
                end=err.end,
                hint=err.hint,
                related=related,
            )
        )
        return NodeShape(fault=err.message, reason="shape error")
    for code, offset, message, hint in found.warnings:
        info.diagnostics.append(
            expr_diagnostic(
                graph.file,
                node.name,
                expr,
                code,
                message,
                offset,
                hint=hint,
                severity=Severity.WARNING,
            )
        )
    return NodeShape(found.outputs, known=True)


@KINDS["expr"].hook(Stage.COUNT)
def count_expr_node(graph: Graph, node: IRNode, info: ShapeInfo) -> Flops:
    """The cost of every function the expression calls (the table's costs), per sample."""
    expr = node.expr
    ins = input_shapes(graph, node, info)
    if expr is None or expr.tree is None or isinstance(ins, NodeShape):
        raise Uncountable("its input shapes are unknown")
    by_ref = dict(zip(expr.refs, ins, strict=True))

    def shape_of(ref: Ref) -> Shape:
        return by_ref[f"{ref.name}:{ref.port}" if ref.port else ref.name]

    found = infer_expr(expr.tree, shape_of, count=True)
    if found.flops is None:
        raise Uncountable(found.uncounted or "a size is unknown")
    return found.flops
