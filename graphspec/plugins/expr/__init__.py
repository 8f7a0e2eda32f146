"""Tensor expressions (format 1.1): a whitelisted grammar over node outputs and ``keras.ops``.

:mod:`~graphspec.plugins.expr.syntax` parses (never evaluates) the text, :mod:`~graphspec.plugins.expr.table`
holds the only functions an expression may call (one ``keras.ops`` function each, registered by
:mod:`~graphspec.plugins.expr.ops_elementwise`, :mod:`~graphspec.plugins.expr.ops_reduce`,
:mod:`~graphspec.plugins.expr.ops_shape`, :mod:`~graphspec.plugins.expr.ops_make` and
:mod:`~graphspec.plugins.expr.ops_index`), :mod:`~graphspec.plugins.expr.bind` matches arguments and
:mod:`~graphspec.plugins.expr.evaluate` computes static shapes. The node kind ``expr`` registers
its hooks (:mod:`graphspec.ir.kinds`) when this package is imported: ``expansion``, ``checks``,
``inference`` and ``building`` (Keras is imported only when a model is built).
"""

from __future__ import annotations

from graphspec.plugins.expr import (  # the table's functions, then the node kind's hooks
    building,
    checks,
    expansion,
    inference,
    ops_elementwise,
    ops_index,
    ops_make,
    ops_reduce,
    ops_shape,
)
from graphspec.plugins.expr.bind import Bound, bind, check_tree
from graphspec.plugins.expr.evaluate import ExprShapeError, ExprShapes, infer_expr
from graphspec.plugins.expr.syntax import (
    Expr,
    ExprSyntaxError,
    parse,
    ref_text,
    references,
    to_text,
)
from graphspec.plugins.expr.table import by_keras_class, function_names, lookup

__all__ = [
    "HOOKS",
    "OPS",
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

HOOKS = (expansion, checks, inference, building)
"""The modules that register the ``expr`` kind's hooks (imported above, eagerly)."""
OPS = (ops_elementwise, ops_reduce, ops_shape, ops_make, ops_index)
"""The modules that fill the function table (imported above, eagerly)."""
