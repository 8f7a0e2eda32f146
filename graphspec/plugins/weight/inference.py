"""Static shape and parameters of a learned tensor: its own shape (no batch axis unless batched)."""

from __future__ import annotations

import math

from graphspec.base.source import SourceMap
from graphspec.ir.graph import Graph, IRNode, node_diagnostic
from graphspec.ir.kinds import KINDS, Stage
from graphspec.passes.shapes.infer import NodeShape, ShapeInfo
from graphspec.plugins.weight.checks import setting_problem, settings_of
from graphspec.plugins.weight.settings import SETTINGS

__all__ = ["infer_weight"]


@KINDS["weight"].hook(Stage.INFER)
def infer_weight(
    graph: Graph, node: IRNode, info: ShapeInfo, source: SourceMap, skipped: bool
) -> NodeShape:
    """``shape`` as the output (``(None, *shape)`` when ``batched``); its size in parameters,
    trainable unless ``trainable: false``."""
    if skipped or node.broken or node.failed_args:
        return NodeShape(reason="invalid node")
    settings = settings_of(node)
    for key in {"shape", *node.sized}:  # values computed from shapes (`${shape(x)[1]}`) too
        problem = setting_problem(key, settings[key])
        if problem is not None:
            info.diagnostics.append(
                node_diagnostic(
                    graph,
                    node,
                    "E862",
                    f"learned tensor `{node.name}`: `{key}` must be {SETTINGS[key]}; "
                    f"found {settings[key]!r}",
                    hint=problem,
                    loc=source.at(node.arg_path(key)),
                )
            )
            return NodeShape(fault=f"bad {key}", reason="shape error")
    shape = settings["shape"]
    size = math.prod(shape)
    output = (None, *shape) if settings["batched"] is True else tuple(shape)
    if settings["trainable"] is False:
        return NodeShape((output,), 0, size, known=True)
    return NodeShape((output,), size, 0, known=True)
