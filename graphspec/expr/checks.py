"""The validate pass of expression nodes: every call in the table, its arguments well formed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphspec.expr.bind import check_tree
from graphspec.expr.locate import expr_diagnostic
from graphspec.graph import NodeKind
from graphspec.validate import graph_check

if TYPE_CHECKING:
    from graphspec.validate import _Checker

__all__: list[str] = []


@graph_check("expressions")
def _check_expressions(c: _Checker) -> None:
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
