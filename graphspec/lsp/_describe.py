"""Text about nodes and layer types, shared by hover, inlay hints, completion and symbols."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphspec.catalog import catalog, layer_signature
from graphspec.shapes._types import format_shape

if TYPE_CHECKING:
    from graphspec.lsp.analysis import Analysis
    from graphspec.lsp.index import Symbol
    from graphspec.shapes.infer import NodeShape

__all__ = ["expanded_names", "layer_doc", "node_shape", "shape_text", "signature_text"]


def layer_doc(type_name: str) -> str:
    """The one-line description of a layer class from the catalog ("" when none)."""
    entry = catalog()["layers"].get(type_name) or {}
    return str(entry.get("doc") or "")


def signature_text(type_name: str) -> str | None:
    """``Conv2D(filters, kernel_size, strides=[1, 1], ...)`` from the catalog."""
    sig = layer_signature(type_name)
    if sig is None:
        return None
    ordered = sorted(sig.args.values(), key=lambda a: not a.required)  # required first
    parts = [a.name if a.required else f"{a.name}={_short(a.default)}" for a in ordered]
    if sig.accepts_base_args:
        parts.append("**base_layer_args")
    return f"{type_name}({', '.join(parts)})"


def expanded_names(analysis: Analysis, symbol: Symbol) -> list[str]:
    """The graph nodes a node name stands for: itself at the top level, one per block instance."""
    result = analysis.result
    if result is None:
        return []
    graph = result.graph
    if not symbol.scope:
        found = _node_or_instance(graph, symbol.name)
        return [found] if found else []
    out = []
    for inst in graph.instances.values():
        if inst.block == symbol.scope:
            found = _node_or_instance(graph, f"{inst.name}.{symbol.name}")
            if found:
                out.append(found)
    return out


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


def node_shape(analysis: Analysis, name: str) -> NodeShape | None:
    """What shape inference knows of an expanded node."""
    result = analysis.result
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
