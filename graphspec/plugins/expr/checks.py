"""The validate pass of expression nodes: every call in the table, its arguments well formed."""

from __future__ import annotations

from graphspec.ir.graph import NodeKind
from graphspec.passes.validate.context import CheckContext, graph_check
from graphspec.plugins.expr.bind import check_tree
from graphspec.plugins.expr.locate import expr_diagnostic

__all__: list[str] = []


@graph_check("expressions")
def _check_expressions(c: CheckContext) -> None:
    for node in c.graph:
        info = node.expr
        if node.kind is not NodeKind.EXPR or info is None or info.tree is None:
            continue
        for problem in check_tree(info.tree):
            c.diagnostics.append(
                expr_diagnostic(
                    c.graph.file,
                    node.name,
                    info,
                    problem.code,
                    problem.message,
                    problem.offset,
                    hint=problem.hint,
                )
            )
