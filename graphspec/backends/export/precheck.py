"""Static pre-checks: the nodes a format cannot take, located, before anything is built.

What each format takes is the generated table ``graphspec/data/export_support.json``
(``scripts/gen_export_support.py`` exports one tiny model per layer type to every format and
runs it in that format's runtime); a layer type whose sample failed is refused here at the
node's ``file:line:col`` with the converter's reason and the formats that do take it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from graphspec.api import CheckResult
from graphspec.backends.export.formats import FORMATS, ExportFormat
from graphspec.base.catalog import canonical_type
from graphspec.errors import Diagnostic
from graphspec.ir.graph import IRNode, node_diagnostic
from graphspec.passes.instances import merge_instances

__all__ = [
    "BYTES_PER_PARAMETER",
    "DYNAMIC",
    "activation_refusal",
    "available_memory",
    "memory_refusal",
    "precheck_graph",
    "precheck_layers",
    "refusal",
    "support_markdown",
    "support_table",
]

BYTES_PER_PARAMETER: dict[str, int] = {"onnx": 200}
"""Peak memory a converter needs per model parameter, where it is far above the weights' size.

Measured: tf2onnx on VGG16 (138 M parameters) peaked above 24 GB and was killed (12 GB when
capped at 16 GB address space, then ``std::bad_alloc``), ResNet50 (25.6 M) under 4 GB;
SavedModel (2.9 GB) and LiteRT (6.1 GB) exported the same VGG16."""


def available_memory() -> int | None:
    """Bytes the system can still give (Linux's ``MemAvailable``), ``None`` where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def memory_refusal(params: int, fmt: str, available: int | None) -> str | None:
    """Why exporting a model of ``params`` parameters to ``fmt`` would run out of memory.

    >>> memory_refusal(138_357_544, "onnx", 20 * 2**30) is not None
    True
    >>> memory_refusal(25_636_712, "onnx", 20 * 2**30) is None
    True
    """
    per = BYTES_PER_PARAMETER.get(fmt)
    if per is None or available is None or params * per <= available:
        return None
    return (
        f"the {fmt} converter needs about {params * per / 2**30:.0f} GB for {params:,} "
        f"parameters ({per} bytes each, measured) and {available / 2**30:.0f} GB are available"
    )


DYNAMIC = "@dynamic"
"""Suffix of a table row measured with a free (non-batch) input dimension."""


@functools.cache
def support_table() -> dict[str, dict[str, str | None]]:
    """Layer type (``Type`` or ``Type@dynamic``) -> format -> ``None`` (exports and runs) or
    the reason it failed, as measured by ``scripts/gen_export_support.py``.

    >>> support_table()["Dense"]["onnx"] is None
    True
    """
    text = resources.files("graphspec").joinpath("data", "export_support.json").read_text("utf-8")
    layers: dict[str, dict[str, str | None]] = json.loads(text)["layers"]
    return layers


def refusal(type_name: str, fmt: str, *, dynamic: bool = False) -> str | None:
    """Why ``fmt`` cannot take a ``type_name`` layer (``None``: it can, or it was not measured).

    >>> refusal("Dense", "litert") is None
    True
    """
    table = support_table()
    name = canonical_type(type_name)
    for key in ([name + DYNAMIC] if dynamic else []) + [name]:
        row = table.get(key)
        if row is not None and fmt in row:
            return row[fmt]
    return None


def _takers(type_name: str, dynamic: bool) -> list[str]:
    return [f for f in FORMATS if refusal(type_name, f, dynamic=dynamic) is None]


def precheck_graph(
    result: CheckResult,
    fmt: ExportFormat,
    shapes: Mapping[str, tuple[int | None, ...]],
    batch_size: int | None,
) -> list[Diagnostic]:
    """Every node of a checked spec that ``fmt`` cannot take, located (E620, E621)."""
    graph = result.graph
    free = _free_inputs(graph, shapes)
    consumers = graph.consumers()
    on_free: set[str] = set()
    stack = list(free)
    while stack:  # every node downstream of a free input
        for after in consumers.get(stack.pop(), {}):
            if after not in on_free:
                on_free.add(after)
                stack.append(after)
    problems: list[Diagnostic] = []
    for node in graph.layers:
        if node.model is not None and node.share is None:
            problems += _nested(graph, node, fmt)
        if node.type is None or node.share is not None:
            continue
        dynamic = node.name in on_free
        reason = refusal(node.type, fmt.name, dynamic=dynamic)
        if reason is not None:
            problems.append(_diagnostic(graph, node, fmt, reason, dynamic, free))
        act = node.args.get("activation")
        if not isinstance(act, str):
            continue
        why = activation_refusal(act, fmt.name)
        if why is not None:
            takers = [f for f in FORMATS if activation_refusal(act, f) is None]
            problems.append(
                node_diagnostic(
                    graph,
                    node,
                    "E620",
                    f"`{node.name}`'s activation {act!r} cannot be exported to {fmt.name}: {why}",
                    hint=f"choose another activation, or export to {', '.join(takers)}"
                    if takers
                    else "choose another activation",
                )
            )
    return merge_instances(graph, problems)  # a block's refused node once, its instances listed


def _inner(checked: Any, fmt: str, prefix: str) -> list[tuple[str, str, str]]:
    """(node path, layer type, reason) of every layer inside a nested model ``fmt`` refuses."""
    found: list[tuple[str, str, str]] = []
    for node in checked.graph.layers:
        if node.share is not None:
            continue
        if node.model is not None and node.model.checked is not None:
            found += _inner(node.model.checked, fmt, f"{prefix}{node.name}/")
        if node.type is not None:
            reason = refusal(node.type, fmt)
            if reason is not None:
                found.append((prefix + node.name, canonical_type(node.type), reason))
    return found


def _nested(graph: Any, node: IRNode, fmt: ExportFormat) -> list[Diagnostic]:
    """A nested model (an application, a spec file) refused at its node, naming its layers."""
    info = node.model
    if info is None or info.checked is None:
        return []
    found = _inner(info.checked, fmt.name, "")
    if not found:
        return []
    types = sorted({t for _, t, _ in found})
    first_path, first_type, reason = found[0]
    more = f" and {len(found) - 1} more" if len(found) > 1 else ""
    takers = [f for f in FORMATS if all(refusal(t, f) is None for t in types) and f != fmt.name]
    return [
        node_diagnostic(
            graph,
            node,
            "E620",
            f"`{node.name}` ({info.label}) cannot be exported to {fmt.name}: its layer "
            f"`{first_path}` ({first_type}){more}: {reason}",
            hint="export to " + ", ".join(takers) + " (docs/export.md)"
            if takers
            else "replace the nested model's refused layers (docs/export.md)",
        )
    ]


def activation_refusal(name: str, fmt: str) -> str | None:
    """Why ``fmt`` cannot take the activation function ``name`` (``None``: it can, or it was
    not measured).

    >>> activation_refusal("relu", "onnx") is None
    True
    """
    row = support_table().get(f"activation={name}")
    return row.get(fmt) if row is not None else None


def _free_inputs(graph: Any, shapes: Mapping[str, tuple[int | None, ...]]) -> list[str]:
    """Inputs with a free dimension besides the batch that ``--input-shape`` does not fix."""
    free = []
    for name in graph.inputs:
        declared = graph.nodes[name].shape or ()
        fixed = shapes.get(name)
        dims = list(declared)
        if fixed is not None and len(fixed) == len(dims) + 1:
            dims = [f if f is not None else d for f, d in zip(fixed[1:], dims, strict=True)]
        if any(d is None for d in dims):
            free.append(name)
    return free


def _diagnostic(
    graph: Any, node: IRNode, fmt: ExportFormat, reason: str, dynamic: bool, free: list[str]
) -> Diagnostic:
    takers = [f for f in _takers(node.type or "", dynamic) if f != fmt.name]
    elsewhere = f"; {node.type} exports to {', '.join(takers)}" if takers else ""
    if dynamic and refusal(node.type or "", fmt.name) is None:
        inputs = ", ".join(f"`{name}`" for name in free)
        return node_diagnostic(
            graph,
            node,
            "E621",
            f"`{node.name}` ({node.type}) cannot be exported to {fmt.name} while a dimension of "
            f"{inputs} is free: {reason}",
            hint=f"fix the size: --input-shape {free[0]}=?x... (or give the input's shape in "
            f"the spec){elsewhere}",
        )
    return node_diagnostic(
        graph,
        node,
        "E620",
        f"`{node.name}` ({node.type}) cannot be exported to {fmt.name}: {reason}",
        hint=f"replace the layer, or export to another format{elsewhere} (docs/export.md)",
    )


def precheck_layers(
    model: Any,
    fmt: ExportFormat,
    file: str,
    shapes: Mapping[str, tuple[int | None, ...]],
    batch_size: int | None,
) -> list[Diagnostic]:
    """The same checks for a loaded ``.keras`` model: each layer by name (no source location)."""
    free = any(
        any(d is None for d in tuple(t.shape)[1:]) and str(t.name).split(":")[0] not in shapes
        for t in model.inputs
    )
    problems: list[Diagnostic] = []
    for layer in model.layers:
        type_name = type(layer).__name__
        reason = refusal(type_name, fmt.name, dynamic=free)
        if reason is None:
            continue
        takers = [f for f in _takers(type_name, free) if f != fmt.name]
        elsewhere = f"; {type_name} exports to {', '.join(takers)}" if takers else ""
        problems.append(
            Diagnostic(
                "E620",
                f"layer `{layer.name}` ({type_name}) cannot be exported to {fmt.name}: {reason}",
                file=file,
                node=layer.name,
                hint=f"export to another format{elsewhere} (docs/export.md)",
            )
        )
    return problems


def support_markdown() -> str:
    """The support table as Markdown (docs/export.md holds it between markers; a test checks).

    >>> support_markdown().splitlines()[0]
    '| layer type | saved_model | onnx | litert |'
    """
    names = list(FORMATS)
    lines = [
        "| layer type | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    reasons: list[str] = []
    for key, row in sorted(support_table().items()):
        cells = []
        for name in names:
            reason = row.get(name)
            if reason is None:
                cells.append("yes")
                continue
            if reason not in reasons:
                reasons.append(reason)
            cells.append(f"no ({reasons.index(reason) + 1})")
        shown = key.replace(DYNAMIC, " (a free dimension)")
        lines.append(f"| `{shown}` | " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"({i}) {reason}" for i, reason in enumerate(reasons, 1)]
    return "\n".join(lines)
