"""Expression nodes to Keras: each call of the tree becomes the ``keras.ops`` call it names.

The result is the same operation nodes Keras records for ``x + 3.0`` or ``keras.ops.relu6(x)``
written in Python. The operation that gives the node's value is named after the node; the ones
inside it ``<node>_1``, ``<node>_2``, … (Keras would number them by a global counter).
"""

from __future__ import annotations

from typing import Any

from graphspec.ir.build import BuildContext
from graphspec.ir.graph import IRNode
from graphspec.ir.kinds import KINDS, Stage
from graphspec.plugins.expr.bind import array_dtype, array_shape, bind
from graphspec.plugins.expr.syntax import Call, Const, Expr, ListExpr, Ref, Slice, Subscript

__all__ = ["build_expr"]

_TUPLED = frozenset({"newshape", "axes", "shape"})
"""Attributes Keras documents as tuples."""


@KINDS["expr"].hook(Stage.BUILD)
def build_expr(builder: BuildContext, node: IRNode, args: list[Any]) -> Any:
    """The output tensor(s) of an expression node, from its operands' tensors."""
    info = node.expr
    assert info is not None and info.tree is not None
    tensors = dict(zip(info.refs, args, strict=True))
    emitter = _Emitter(builder, node, tensors)
    try:
        return emitter.value(info.tree, top=True)
    except Exception as exc:
        raise builder.error(
            node,
            "E602",
            f"node `{node.name}`: Keras could not compute `{info.text}`: {builder.explain(exc)}",
            "check the shapes reaching it (`graphspec summary` lists them)",
        ) from exc


class _Emitter:
    def __init__(self, builder: BuildContext, node: IRNode, tensors: dict[str, Any]) -> None:
        import keras

        self.ops = keras.ops
        self.builder = builder
        self.node = node
        self.tensors = tensors

    def value(self, expr: Expr, *, top: bool = False) -> Any:
        if isinstance(expr, Const):
            return expr.value
        if isinstance(expr, Ref):
            return self.tensors[f"{expr.name}:{expr.port}" if expr.port else expr.name]
        if isinstance(expr, ListExpr):
            return [self.value(item) for item in expr.items]
        if isinstance(expr, Subscript):
            key = tuple(_index(i) for i in expr.index)
            out = self.ops.get_item(self.value(expr.value), key if len(key) != 1 else key[0])
            return self.named(out, top)
        return self.call(expr, top)

    def call(self, expr: Call, top: bool) -> Any:
        bound = bind(expr)
        attrs = {
            k: tuple(v) if k in _TUPLED and isinstance(v, list) else v
            for k, v in bound.given.items()
        }
        positional: list[Any] = []
        for param in bound.entry.params:  # in the function's own positional order
            if param.kind == "tensor*":
                positional += [self.operand(o) for o in bound.operand_items()]
            elif bound.entry.order and param.name in attrs:
                positional.append(attrs.pop(param.name))
            elif any(param is o for o in bound.entry.operands):
                value = bound.operands[bound.entry.operands.index(param)]
                positional.append(self.operand(value))
        function = getattr(self.ops, bound.entry.keras)  # a fixed table entry, never spec text
        return self.named(function(*positional, **attrs), top)

    def operand(self, expr: Expr) -> Any:
        """An operand's value; a constant array becomes a tensor (as ``keras.ops`` needs)."""
        value = self.value(expr)
        if isinstance(expr, ListExpr) and array_shape(expr) is not None:
            return self.ops.convert_to_tensor(value, dtype=array_dtype(expr))
        return value

    def named(self, out: Any, top: bool) -> Any:
        """Name the operation that made ``out`` (the node's name for the whole expression)."""
        first = out[0] if isinstance(out, list | tuple) else out
        history = getattr(first, "_keras_history", None)
        if history is not None:
            operation = history[0]
            operation.name = (
                self.node.layer_name if top else self.builder.fresh_name(self.node.layer_name)
            )
        return out


def _index(item: object) -> Any:
    if isinstance(item, Slice):
        return slice(item.start, item.stop, item.step)
    return item
