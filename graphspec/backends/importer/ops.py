"""Import of ``keras.ops`` operation nodes as expression nodes (format 1.1).

Each operation (``module: keras.src.ops.numpy``, ``class_name: Add``) becomes a call of the
expression table's function that records it; then an operation whose single output feeds just
one other expression is folded into it, so ``relu6(x + 3.0) / 6.0`` comes back as one node.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, Final

from graphspec.backends.importer._state import TENSOR, ImportState, short
from graphspec.backends.importer.calls import ref_name
from graphspec.backends.importer.readers import ReadCall, WalkContext, layer_kind
from graphspec.plugins.expr.bind import array_shape
from graphspec.plugins.expr.syntax import (
    Call,
    Const,
    Expr,
    ListExpr,
    Ref,
    Slice,
    Subscript,
    references,
    to_text,
)
from graphspec.plugins.expr.table import OpDef, by_keras_class

__all__ = ["EXPR_TREE", "fold_expressions", "read_op"]

EXPR_TREE: Final = "\x00tree"
"""Where an imported expression node keeps its tree until :func:`fold_expressions` writes it."""
_OPS_MODULE: Final = "keras.src.ops."
_MAX_ARRAY: Final = 256
"""The most numbers a constant tensor operand may hold to be written into an expression."""


def _is_op(layer: Mapping[str, Any]) -> bool:
    return str(layer.get("module") or "").startswith(_OPS_MODULE)


class _Unreadable(Exception):
    """An operation call that has no expression form (the reason is the message)."""


@layer_kind("op", _is_op, finish=lambda state: fold_expressions(state))
def read_op(
    state: ImportState, ctx: WalkContext, name: str, layer: Mapping[str, Any]
) -> list[ReadCall]:
    """One expression node per call of the operation."""
    cls = str(layer.get("class_name"))
    module = str(layer.get("module"))
    where = f"{cls}, module {module}"
    entry = by_keras_class(module, cls)
    if entry is None and cls != "GetItem":
        state.problem(name, where, "a keras.ops operation that expressions do not support")
        return []
    calls = layer.get("inbound_nodes") or []
    if not calls:
        state.problem(name, where, "the operation is never called in the model")
    read: list[ReadCall] = []
    for call in calls:
        sources: list[str | None] = []
        try:
            tree = _tree(
                entry, layer.get("config") or {}, call, _Tensors(state, ctx, name, where, sources)
            )
        except _Unreadable as exc:
            state.problem(name, where, str(exc))
            continue
        read.append(ReadCall({EXPR_TREE: tree}, sources))
    return read


class _Tensors:
    """Turns the serialized input tensors of one call into references, collecting its sources."""

    def __init__(
        self, state: ImportState, ctx: WalkContext, name: str, where: str, sources: list[str | None]
    ) -> None:
        self.state, self.ctx, self.name, self.where, self.sources = state, ctx, name, where, sources

    def __call__(self, value: Mapping[str, Any]) -> Ref:
        history = value.get("config", {}).get("keras_history")
        if not isinstance(history, list) or len(history) != 3:
            raise _Unreadable("an input tensor without history")
        ref = ref_name(self.state, self.ctx.call_names, self.name, self.where, history)
        if ref is None:
            raise _Unreadable(f"its input `{history[0]}` is unreadable")
        self.sources.append(ref)
        base, _, port = ref.rpartition(":")
        if base and port.isdigit():
            return Ref(base, int(port))
        return Ref(ref)


def _tree(entry: OpDef | None, config: Mapping[str, Any], call: Any, tensor: _Tensors) -> Expr:
    if not isinstance(call, Mapping):
        raise _Unreadable("unreadable call in the model config")
    args = list(call.get("args") or [])
    kwargs = dict(call.get("kwargs") or {})
    if entry is None:  # GetItem: x[key]
        if len(args) != 2 or kwargs:
            raise _Unreadable("a subscript of an unexpected form")
        return Subscript(_operand(args[0], tensor), _key(args[1]))
    plain = [*entry.operands, *entry.attrs]  # how Keras passes them: operands first
    names = [p.name for p in plain]
    values: dict[str, Any] = {}
    for index, param in enumerate(plain):
        if param.kind == "tensor*":  # `einsum`'s operands: every positional argument
            values[param.name] = args[index:]
            break
        if index < len(args):
            values[param.name] = args[index]
    else:
        if len(args) > len(names):
            raise _Unreadable(f"{len(args)} arguments; `{entry.name}` takes {len(names)}")
    for key, value in kwargs.items():
        if key not in names or key in values:
            raise _Unreadable(f"call argument `{key}={short(value)}` has no expression form")
        values[key] = value
    operands = {
        p.name: ListExpr(tuple(_operand(v, tensor) for v in values.get(p.name) or []))
        if p.kind == "tensor*"
        else _operand(values.get(p.name), tensor)
        for p in entry.operands
    }
    known = {p.name: p for p in entry.attrs}
    fixed = dict(entry.fixed)
    given = {**{k: v for k, v in config.items() if k != "name"}, **values}
    for key, value in given.items():
        if key in fixed and value == fixed[key]:
            continue
        if key not in known and key not in names and value is not None:
            raise _Unreadable(f"`{key}={short(value)}` has no expression form")
    positional: list[Expr] = []
    keywords: list[tuple[str, Expr]] = []
    for param in entry.params:  # required attributes positionally (`split(x, 2)`), others named
        if param.name in operands:
            value = operands[param.name]
            positional += list(value.items) if param.kind == "tensor*" else [value]  # type: ignore[union-attr]  # a tensor* operand is a list expression
        elif param.required:
            if param.name not in given:
                raise _Unreadable(f"`{entry.name}` without its argument `{param.name}`")
            positional.append(_constant(given[param.name]))
        elif param.name in given and given[param.name] != param.default:
            keywords.append((param.name, _constant(given[param.name])))
    if entry.symbol is not None and not keywords and len(positional) == len(entry.operands):
        return Call(entry.name, tuple(positional), symbol=entry.symbol)
    return Call(entry.name, tuple(positional), tuple(keywords))


def _operand(value: Any, tensor: _Tensors) -> Expr:
    if isinstance(value, Mapping) and value.get("class_name") == TENSOR:
        return tensor(value)
    if isinstance(value, list):
        return ListExpr(tuple(_operand(v, tensor) for v in value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Const(value)
    if isinstance(value, Mapping) and value.get("class_name") == "__tensor__":
        return _array(value.get("config") or {})
    raise _Unreadable(f"the operand {short(value)} has no expression form")


def _array(config: Mapping[str, Any]) -> Expr:
    """A constant tensor operand (``x + mean`` in ``preprocess_input``) as a nested list."""
    value, dtype = config.get("value"), str(config.get("dtype") or "float32")
    flat = list(_leaves(value))
    ranged = _arange(value, dtype)
    if ranged is not None:  # position ids: `arange(64)`, not 64 numbers
        return ranged
    if dtype == "bool" and all(isinstance(v, bool) for v in flat) and flat:
        return Call("cast", (_array({"value": _ints(value), "dtype": "int32"}), Const("bool")))
    if not ("float" in dtype or "int" in dtype) or not all(_is_number(v) for v in flat):
        raise _Unreadable(f"the constant tensor {short(value)} ({dtype}) has no expression form")
    if len(flat) > _MAX_ARRAY:
        raise _Unreadable(
            f"a constant tensor of {len(flat):,} numbers (a spec writes at most {_MAX_ARRAY})"
        )
    tree = _constant(value if "int" in dtype else _floats(value))
    if array_shape(tree) is None:
        raise _Unreadable(f"the constant tensor {short(value)} is not rectangular")
    return tree


def _arange(value: Any, dtype: str) -> Expr | None:
    """``arange(...)`` for an ``int32`` vector of evenly spaced integers (three or more), which
    is what ``arange`` makes, else ``None``.

    >>> to_text(_arange(list(range(64)), "int32")), to_text(_arange([2, 5, 8], "int32"))
    ('arange(64)', 'arange(2, 11, 3)')
    """
    if dtype != "int32" or not isinstance(value, list) or len(value) < 3:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return None
    start, step = value[0], value[1] - value[0]
    if step == 0 or any(v != start + i * step for i, v in enumerate(value)):
        return None
    stop = start + len(value) * step
    if (start, step) == (0, 1):
        return Call("arange", (Const(stop),))
    if step == 1:
        return Call("arange", (Const(start), Const(stop)))
    return Call("arange", (Const(start), Const(stop), Const(step)))


def _leaves(value: Any) -> Any:
    if isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _ints(value: Any) -> Any:
    return [_ints(v) for v in value] if isinstance(value, list) else int(value)


def _floats(value: Any) -> Any:
    return [_floats(v) for v in value] if isinstance(value, list) else float(value)


def _constant(value: Any) -> Expr:
    if isinstance(value, list):
        return ListExpr(tuple(_constant(v) for v in value))
    if value is None or isinstance(value, bool | int | float | str):
        return Const(value)
    raise _Unreadable(f"the constant {short(value)} has no expression form")


def _key(raw: Any) -> tuple[Any, ...]:
    items = raw if isinstance(raw, list) else [raw]
    out: list[Any] = []
    for item in items:
        kind = item.get("class_name") if isinstance(item, Mapping) else None
        if isinstance(item, int) and not isinstance(item, bool):
            out.append(item)
        elif kind == "__ellipsis__":
            out.append(Ellipsis)
        elif kind == "__slice__":
            bounds = item.get("config") or {}
            parts = [bounds.get(k) for k in ("start", "stop", "step")]
            if not all(
                p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts
            ):
                raise _Unreadable(f"the slice {short(item)} has no expression form")
            out.append(Slice(*parts))
        else:
            raise _Unreadable(f"the subscript {short(item)} has no expression form")
    return tuple(out)


# -- folding ------------------------------------------------------------------------------------


def fold_expressions(state: ImportState) -> None:
    """Fold each single-use operation into the expression using it, then write the texts."""
    trees = {n: node[EXPR_TREE] for n, node in state.nodes.items() if EXPR_TREE in node}
    if not trees:
        return
    uses: Counter[str] = Counter()
    for node, sources in state.sources.items():
        uses.update(
            sources if node not in trees else [_written(r) for r in references(trees[node])]
        )
    outputs = state.outputs.values() if isinstance(state.outputs, dict) else state.outputs
    uses.update(outputs)
    consumer: dict[str, str] = {}
    for node, tree in trees.items():
        for ref in references(tree):
            consumer[_written(ref)] = node
    for name in list(trees):  # in dependency order: operands before their users
        user = consumer.get(name)
        if user is None or user not in trees or uses[name] != 1 or _multi(trees[name]):
            continue
        trees[user] = _substitute(trees[user], name, trees.pop(name))
        state.sources[user] = _merged(state.sources[user], name, state.sources.pop(name))
        del state.nodes[name]
    for name, tree in trees.items():
        for ref in references(tree):
            if "`" in ref.name or not ref.name.strip():
                state.problem(name, "expression", f"the node name `{ref.name}` cannot be written")
        state.nodes[name] = {"expr": to_text(tree)}


def _written(ref: Ref) -> str:
    return f"{ref.name}:{ref.port}" if ref.port else ref.name


def _multi(tree: Expr) -> bool:
    from graphspec.plugins.expr.table import lookup

    entry = lookup(tree.func) if isinstance(tree, Call) else None
    return bool(entry and entry.multi)


def _merged(sources: list[str], name: str, inner: list[str]) -> list[str]:
    out: list[str] = []
    for source in sources:
        out += inner if source == name else [source]
    return out


def _substitute(tree: Expr, name: str, inner: Expr) -> Expr:
    """``tree`` with its reference to node ``name`` (output 0) replaced by ``inner``."""
    if isinstance(tree, Ref):
        return inner if tree.name == name and not tree.port else tree
    if isinstance(tree, ListExpr):
        return ListExpr(tuple(_substitute(i, name, inner) for i in tree.items))
    if isinstance(tree, Subscript):
        return Subscript(_substitute(tree.value, name, inner), tree.index)
    if isinstance(tree, Call):
        args = tuple(_substitute(a, name, inner) for a in tree.args)
        kwargs = tuple((k, _substitute(v, name, inner)) for k, v in tree.kwargs)
        return Call(tree.func, args, kwargs, symbol=tree.symbol)
    return tree
