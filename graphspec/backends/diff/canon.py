"""What a node IS, written the same way whatever way the spec wrote it: arguments, references, keys.

Two nodes are the same when their canonical forms are: arguments equal to Keras's defaults are
left out (``padding: valid`` and no ``padding`` are one node), a single number given for a
tuple argument is the tuple (``strides: 1`` is ``strides: [1, 1]``), expressions are compared by
their parse tree with references by position, and key order never matters.

>>> from graphspec.ir.graph import IRNode, NodeKind
>>> a = IRNode("c", NodeKind.LAYER, type="Conv2D", args={"filters": 8, "kernel_size": 3,
...            "padding": "valid", "strides": 1})
>>> b = IRNode("c", NodeKind.LAYER, type="Conv2D", args={"kernel_size": 3, "filters": 8})
>>> arguments(a) == arguments(b)
True
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any, Final

from graphspec.base.catalog import canonical_type, layer_signature
from graphspec.base.plain import jsonable
from graphspec.ir.graph import CallTensors, IRNode
from graphspec.plugins.expr.syntax import Ref

__all__ = ["arguments", "key", "node_signature", "reference", "written"]

_INT_OR_TUPLE: Final = frozenset({"kernel_size", "strides", "pool_size", "dilation_rate", "size"})
"""Arguments Keras takes as one integer or a tuple of them (``3`` is ``(3, 3)``)."""

_POSITION_FIELDS: Final = frozenset({"offset", "end", "text", "symbol"})
"""Fields of expression trees that say where or how a part was written, not what it is."""

Renamer = Callable[[str], str]


def key(value: Any) -> str:
    """A canonical text of a value: equal values (tuples and lists alike, keys in any order)
    give equal texts.

    >>> key({"b": (1, 2), "a": None}) == key({"a": None, "b": [1, 2]})
    True
    """
    return json.dumps(jsonable(value), sort_keys=True, ensure_ascii=False)


def reference(name: str, port: int) -> str:
    """``name`` for output 0, ``name:port`` otherwise (how a spec writes a node output)."""
    return f"{name}:{port}" if port else name


def _int_or_tuple(name: str, value: Any) -> Any:
    """A tuple of one repeated integer as that integer, for arguments that take either.

    >>> _int_or_tuple("kernel_size", [3, 3]), _int_or_tuple("target_shape", [3, 3])
    (3, [3, 3])
    """
    if name in _INT_OR_TUPLE and isinstance(value, list | tuple) and value:
        first = value[0]
        if (
            isinstance(first, int)
            and not isinstance(first, bool)
            and all(v == first for v in value)
        ):
            return first
    return value


def arguments(node: IRNode, rename: Renamer | None = None) -> dict[str, Any]:
    """What defines a node besides its inputs, key by key, defaults left out.

    Layer arguments under their names; ``type`` (aliases resolved), ``expr`` (its parse tree,
    references by the position of the input they name), ``model`` and
    ``model.ARG``/``trainable``, ``share`` (through ``rename``), ``call.NAME`` for constant call
    arguments, and ``shape``/``dtype`` for inputs.
    """
    rename = rename or _same
    if node.is_input:
        return {"shape": list(node.shape or ()), "dtype": node.dtype}
    out: dict[str, Any] = {}
    if node.expr is not None:
        refs = {ref: index for index, ref in enumerate(node.expr.refs)}
        out["expr"] = _tree(node.expr.tree, refs)
    elif node.model is not None:
        model = node.model
        out["model"] = model.label
        out |= {f"model.{k}": v for k, v in sorted(model.args.items())}
        if not model.trainable:
            out["trainable"] = False
    elif isinstance(node.type, str):
        out["type"] = canonical_type(node.type)
        out |= _layer_args(out["type"], node.args)
    if node.share:
        out["share"] = rename(node.share)
    for name, value in node.call.items():
        if not isinstance(value, CallTensors):
            out[f"call.{name}"] = value
    return out


def written(node: IRNode) -> dict[str, Any]:
    """The node's arguments as its spec shows them (for display): the expression's text, not
    its tree."""
    out = arguments(node)
    if node.expr is not None:
        out["expr"] = node.expr.text
    return out


def _same(name: str) -> str:
    return name


def _layer_args(type_name: str, args: Mapping[str, Any]) -> dict[str, Any]:
    signature = layer_signature(type_name)
    out: dict[str, Any] = {}
    for name, value in args.items():
        value = _int_or_tuple(name, value)
        info = signature.arg(name) if signature is not None else None
        default = _int_or_tuple(name, info.default) if info is not None else None
        if info is not None and not info.required and key(value) == key(default):
            continue
        out[name] = value
    return dict(sorted(out.items()))


def _tree(tree: Any, refs: Mapping[str, int]) -> Any:
    """An expression tree as plain data: positions dropped, each reference as the index of the
    node input it names (the inputs themselves are compared as inputs)."""
    if isinstance(tree, Ref):
        written = reference(tree.name, tree.port)
        return ["ref", refs.get(written, refs.get(tree.text, written))]
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        fields = {
            f.name: _tree(getattr(tree, f.name), refs)
            for f in dataclasses.fields(tree)
            if f.name not in _POSITION_FIELDS
        }
        return [type(tree).__name__, fields]
    if isinstance(tree, list | tuple):
        return [_tree(item, refs) for item in tree]
    return jsonable(tree)


def node_signature(node: IRNode) -> str:
    """What a renamed node must keep: its kind, arguments and how many inputs it takes from
    which ports (the neighbours themselves are compared by the matcher)."""
    ports = [node.port(i) for i in range(len(node.inputs))]
    return key([node.kind.value, arguments(node), ports, node.call_tensors])
