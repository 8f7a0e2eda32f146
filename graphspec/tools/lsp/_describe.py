"""Text about nodes and layer types, shared by hover, inlay hints, completion and symbols."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from graphspec.base.catalog import catalog, layer_signature
from graphspec.base.custom_layers import custom_layer_signature, user_layer
from graphspec.base.shape_types import format_shape

if TYPE_CHECKING:
    from graphspec.api import CheckResult
    from graphspec.passes.shapes.infer import NodeShape
    from graphspec.tools.lsp.analysis import Analysis
    from graphspec.tools.lsp.index import Symbol

__all__ = [
    "expanded_names",
    "layer_doc",
    "node_shape",
    "resolve",
    "scope_result",
    "shape_text",
    "signature_text",
]


def layer_doc(type_name: str) -> str:
    """The one-line description of a layer class from the catalog, or of a declared layer of the
    user's own from its docstring ("" when none)."""
    own = user_layer(type_name)
    if own is not None:
        first = (inspect.getdoc(own.cls) or "").strip().split("\n\n", 1)[0]
        return f"{' '.join(first.split())} ({own.qualname}, your layer package)".strip()
    entry = catalog()["layers"].get(type_name) or {}
    return str(entry.get("doc") or "")


def signature_text(type_name: str) -> str | None:
    """``Conv2D(filters, kernel_size, strides=[1, 1], ...)`` from the catalog (or the user's
    class)."""
    sig = custom_layer_signature(type_name) or layer_signature(type_name)
    if sig is None:
        return None
    ordered = sorted(sig.args.values(), key=lambda a: not a.required)  # required first
    parts = [a.name if a.required else f"{a.name}={_short(a.default)}" for a in ordered]
    if sig.accepts_base_args:
        parts.append("**base_layer_args")
    return f"{type_name}({', '.join(parts)})"


def expanded_names(analysis: Analysis, symbol: Symbol) -> list[str]:
    """The graph nodes a node name stands for: itself at the top level, one per block instance
    (in the graph of the scope's result: see :func:`resolve`)."""
    return resolve(analysis, symbol)[1]


def resolve(analysis: Analysis, symbol: Symbol) -> tuple[CheckResult | None, list[str]]:
    """The checked result a name lives in and the graph nodes it stands for there.

    A name in an inline nested model (format 1.1) lives in that model's own check, with the
    shapes the outer graph feeds it (its first instance, when its node is inside a block).
    """
    result, block = scope_result(analysis, symbol.scope)
    if result is None:
        return None, []
    graph = result.graph
    if not block:
        found = _node_or_instance(graph, symbol.name)
        return result, [found] if found else []
    out = []
    for inst in graph.instances.values():
        if inst.block == block:
            found = _node_or_instance(graph, f"{inst.name}.{symbol.name}")
            if found:
                out.append(found)
    return result, out


def scope_result(analysis: Analysis, scope: str) -> tuple[CheckResult | None, str]:
    """The checked result holding a scope's names, and the block they are written in ("")."""
    cache = analysis.scope_results
    if scope not in cache:
        cache[scope] = _scope_result(analysis, scope)
    return cache[scope]


def _scope_result(analysis: Analysis, scope: str) -> tuple[CheckResult | None, str]:
    from graphspec.tools.lsp.index import ScopeKind

    info = analysis.index.scopes.get(scope)
    if not scope or info is None:
        return analysis.result, scope  # the spec, or a block of an included file
    if info.kind is ScopeKind.BLOCK:
        return scope_result(analysis, info.namespace)[0], info.name
    assert info.owner is not None  # a nested model: the node holding it
    outer, names = resolve(analysis, info.owner)
    node = outer.graph.nodes.get(names[0]) if outer is not None and names else None
    model = getattr(node, "model", None)
    if node is None or model is None:
        return None, ""
    from graphspec.plugins.nested.inference import nested_result

    fed = nested_result(outer, node) if model.checked is not None else None
    return fed or model.checked or model.attempted, ""


def _node_or_instance(graph: Any, name: str) -> str | None:
    """``name`` itself, or the output node of the block instance ``name`` (its last copy)."""
    if name in graph.nodes:
        return name
    inst = graph.instances.get(name)
    if inst is None:
        copies = [
            i
            for n, i in graph.instances.items()
            if n.rpartition(".")[0] == name and n.rpartition(".")[2].isdigit()
        ]
        inst = copies[-1] if copies else None
    return inst.output if inst is not None else None


def node_shape(result: CheckResult | None, name: str) -> NodeShape | None:
    """What shape inference knows of an expanded node of a checked result."""
    if result is None or result.shapes is None:
        return None
    return result.shapes.nodes.get(name)


def shape_text(shape: NodeShape | None, *, params: bool = True) -> str | None:
    """``(None, 14, 14, 64) · 36,928 params`` (several outputs joined by ``, ``)."""
    if shape is None or not shape.outputs:
        return None
    text = ", ".join(format_shape(s) for s in shape.outputs)
    if params and shape.params:
        text += f" · {shape.params:,} params"
    return text


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."
