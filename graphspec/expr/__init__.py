"""Tensor expressions (format 1.1): a whitelisted grammar over node outputs and ``keras.ops``.

:mod:`~graphspec.expr.syntax` parses (never evaluates) the text, :mod:`~graphspec.expr.table`
holds the only functions an expression may call (one ``keras.ops`` function each, registered by
:mod:`~graphspec.expr.ops_elementwise`, :mod:`~graphspec.expr.ops_reduce` and
:mod:`~graphspec.expr.ops_shape`), :mod:`~graphspec.expr.bind` matches arguments and
:mod:`~graphspec.expr.infer` computes static shapes. Nothing here imports Keras.
"""

from __future__ import annotations

from graphspec.expr.bind import Bound, bind, check_tree
from graphspec.expr.infer import ExprShapeError, ExprShapes, infer_expr
from graphspec.expr.syntax import Expr, ExprSyntaxError, parse, ref_text, references, to_text
from graphspec.expr.table import by_keras_class, function_names, lookup

__all__ = [
    "Bound",
    "Expr",
    "ExprShapeError",
    "ExprShapes",
    "ExprSyntaxError",
    "bind",
    "by_keras_class",
    "check_tree",
    "function_names",
    "infer_expr",
    "lookup",
    "parse",
    "ref_text",
    "references",
    "to_text",
]
