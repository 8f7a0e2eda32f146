"""A checked spec turned into a :class:`~graphspec.backends.diagram.boxes.View`: boxes, edges, clusters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import networkx as nx

from graphspec.api import CheckResult
from graphspec.backends.diagram._models import model_look, unit_look
from graphspec.backends.diagram._ports import port_name
from graphspec.backends.diagram._skips import mark_skips
from graphspec.backends.diagram._style import FAMILIES, family_of
from graphspec.backends.diagram._units import (
    Copies,
    ancestry,
    collapsed_units,
    repeat_copies,
    unit_key,
)
from graphspec.backends.diagram.boxes import Box, Cluster, Edge, Options, Share, View
from graphspec.backends.diagram.labels import (
    clean,
    compact_shape,
    format_params,
    key_args,
    truncate,
)
from graphspec.base.shape_types import format_shape
from graphspec.errors import Diagnostic, Severity
from graphspec.ir.graph import BlockInstance, Graph, IRNode, NodeKind
from graphspec.passes.shapes.flops import format_flops
from graphspec.passes.shapes.infer import NodeShape

__all__ = ["build_view", "hidden_units"]

_TOOLTIP_LIMIT: Final = 1500


# -- building -----------------------------------------------------------------------------------


def build_view(result: CheckResult, options: Options) -> View:
    """Lay out what to draw for a checked spec (valid or not)."""
    from graphspec.plugins.nested.flatten import flatten_models

    summary = _summary(result)  # parameters as the parent counts them (frozen models)
    result = flatten_models(result)  # nested models drawn as collapsible clusters
    graph = result.graph
    view = View(clean(result.spec.name or graph.name), summary, options)
    copies = repeat_copies(graph.instances)
    hidden = hidden_units(graph, options)
    clusters = _clusters(view, graph, copies, hidden)
    owner, units = _collapse(view, result, copies, hidden, clusters)
    box_of = _boxes(view, result, owner, clusters)
    _edges(view, result, box_of)
    _place_shapes(view)
    mark_skips(view)
    _shares(view, graph, box_of)
    _attach(view, result.diagnostics, {**units, **box_of})
    return view


def hidden_units(graph: Graph, options: Options) -> dict[str, str]:
    """Instance -> the collapsed unit it is drawn in, for a (flattened) graph and options."""
    return collapsed_units(
        graph.instances,
        repeat_copies(graph.instances),
        collapse_all=options.blocks == "collapse",
        toggled=options.toggled,
        expand_folded=options.applications == "expand",
    )


def _summary(result: CheckResult) -> str:
    info = result.shapes
    if info is None:
        params = "parameters unknown"
    elif info.complete:
        params = f"{info.total:,} parameters ({info.trainable:,} trainable)"
    elif info.total:
        params = f"≥ {info.total:,} parameters (some unknown)"
    else:
        params = "parameters unknown"
    try:
        kind, reason = result.graph.compiles_as()
    except (KeyError, nx.NetworkXError):
        kind, reason = "functional", "the graph is incomplete"
    if info is not None:
        cost = result.flops
        shown = format_flops(cost.flops)
        params += f" · {shown if cost.complete else '≥ ' + shown} per sample"
    mode = f"compiles as {kind}" + (f" ({reason})" if reason else "")
    errors = len(result.errors)
    if errors:
        mode = f"does not compile: {errors} error{'s' * (errors != 1)} (would compile as {kind})"
    return f"{params} · {clean(mode)}"


def _local(name: str, parent: str | None) -> str:
    return name[len(parent) + 1 :] if parent and name.startswith(parent + ".") else name


def _clusters(
    view: View, graph: Graph, copies: dict[str, Copies], hidden: dict[str, str]
) -> dict[str, str]:
    """A cluster per expanded instance (copies inside a group cluster): instance -> cluster id."""
    ids: dict[str, str] = {}
    groups: dict[str, str] = {}
    chains = ancestry(graph.instances)
    for name in sorted(chains, key=lambda n: len(chains[n])):
        inst = graph.instances[name]
        if name in hidden:
            continue
        parent = ids.get(inst.parent or "")
        depth = view.clusters[parent].depth + 1 if parent else 0
        copy = copies.get(inst.name)
        if copy is not None:
            if copy.group not in groups:
                gid = f"c{len(view.clusters)}"
                label = f"{_local(copy.group, inst.parent)}: {inst.block} ×{copy.count}"
                view.clusters[gid] = Cluster(
                    gid, clean(label), parent, repeat=True, depth=depth, unit=copy.group
                )
                groups[copy.group] = gid
            parent = groups[copy.group]
            depth += 1
            label = f"copy {copy.index + 1}/{copy.count}"
        else:
            label = f"{_local(inst.name, inst.parent)}: {inst.block}"
        cid = f"c{len(view.clusters)}"
        key = unit_key(name, copies)
        view.clusters[cid] = Cluster(cid, clean(label), parent, depth=depth, unit=key)
        ids[inst.name] = cid
    return ids


def _collapse(
    view: View,
    result: CheckResult,
    copies: dict[str, Copies],
    hidden: dict[str, str],
    clusters: dict[str, str],
) -> tuple[dict[str, str], dict[str, str]]:
    """One box per collapsed unit (copies together): node -> box id, instance -> box id."""
    graph, info = result.graph, result.shapes
    units: dict[str, list[BlockInstance]] = {}
    for inst in graph.instances.values():
        if hidden.get(inst.name) == unit_key(inst.name, copies):
            units.setdefault(hidden[inst.name], []).append(inst)
    owner: dict[str, str] = {}
    boxes: dict[str, str] = {}
    for i, (unit, insts) in enumerate(units.items()):
        bid = f"b{i}"
        nodes = [n for inst in insts for n in inst.nodes if n in graph.nodes]
        for name in nodes:
            owner[name] = bid
        counts = [info.nodes.get(n) if info else None for n in nodes]
        known = all(c is not None and c.known for c in counts)
        total = sum(c.params for c in counts if c is not None)
        block = insts[0].block + (f" ×{len(insts)}" if len(insts) > 1 else "")
        look = unit_look(insts[0], len(nodes))
        last = insts[-1].output
        ins = _external_inputs(graph, nodes)
        out_shape = _shape_of(result, last) if last else None
        shape = ""
        if view.options.shapes:
            shown = ", ".join(format_shape(_shape_of(result, s)) for s in ins) or "?"
            shape = f"{shown} → {format_shape(out_shape)}"
        tip = [f"{unit}: block {block}", f"{len(nodes)} layers", f"params: {total:,}"]
        if look is not None:
            tip = [unit, *look.tip, f"params: {total:,}"]
        boxes.update({unit: bid} | {inst.name: bid for inst in insts})
        parent = insts[0].parent
        view.boxes[bid] = Box(
            bid,
            clean(_local(unit, parent)),
            "block",
            clean(look.type if look else f"block {block}"),
            look.family if look else FAMILIES["block"],
            args=[clean(a) for a in look.args] if look else [],
            shape=clean(shape),
            params=format_params(total) if known else f"≥ {format_params(total)}",
            cluster=clusters.get(parent or ""),
            tooltip=_tooltip(tip),
            unit=unit,
            nodes=nodes,
        )
    for name, key in hidden.items():
        if key in boxes:
            boxes.setdefault(name, boxes[key])
    return owner, boxes


def _external_inputs(graph: Graph, nodes: list[str]) -> list[str]:
    inside = set(nodes)
    out: list[str] = []
    for name in nodes:
        for src in graph.nodes[name].inputs:
            if src not in inside and src not in out:
                out.append(src)
    return out


def _shape_of(result: CheckResult, name: str, port: int = 0) -> tuple[int | None, ...] | None:
    if result.shapes is None:
        return None
    known = result.shapes.nodes.get(name)
    if known is None or not known.outputs or port >= len(known.outputs):
        return None
    return known.outputs[port]


def _boxes(
    view: View, result: CheckResult, owner: dict[str, str], clusters: dict[str, str]
) -> dict[str, str]:
    graph = result.graph
    box_of: dict[str, str] = dict(owner)
    outputs: dict[str, list[str]] = {}
    for out_name, target in graph.outputs:
        outputs.setdefault(target, []).append(out_name)
    for i, node in enumerate(graph.nodes.values()):
        if node.name in owner:
            if node.name in outputs:
                box = view.boxes[owner[node.name]]
                box.is_output = True
                box.outputs += outputs[node.name]
            continue
        box = _node_box(f"n{i}", node, result, view.options)
        box.cluster = clusters.get(node.instance or "")
        if box.cluster is not None and node.instance:
            box.label = clean(_local(node.name, node.instance))
        if node.name in outputs:
            box.is_output = True
            box.outputs = [o for o in outputs[node.name] if o != node.name]
        box.nodes = [node.name]
        view.boxes[box.id] = box
        box_of[node.name] = box.id
    return box_of


def _node_box(bid: str, node: IRNode, result: CheckResult, options: Options) -> Box:
    info = result.shapes.nodes.get(node.name) if result.shapes else None
    shape = ""
    if options.shapes:
        outs = info.outputs if info is not None else None
        shape = ", ".join(format_shape(s) for s in outs) if outs else "?"
    tip = [node.name]
    if node.keras_name:  # a `names:` template (format 1.1) named the Keras layer
        tip.append(f"Keras layer: {node.keras_name}")
    if node.is_input:
        dims = format_shape((None, *(node.shape or ())))
        tip += [f"input {dims} {node.dtype}"]
        return Box(
            bid,
            clean(node.name),
            "input",
            clean(f"Input · {node.dtype}"),
            family_of(None),
            shape=clean(shape),
            tooltip=_tooltip(tip),
        )
    if node.expr is not None:
        return _expr_box(bid, node, info, shape, tip)
    if node.kind is NodeKind.WEIGHT:
        return _weight_box(bid, node, info, shape, tip)
    if node.model is not None:
        return _model_box(bid, node, info, shape, tip)
    kind = node.type if isinstance(node.type, str) else "?"
    if node.share:
        params = f"shares {truncate(clean(node.share), 24)}"
    else:
        params = format_params(info.params if info is not None and info.known else None)
    tip += [f"type: {kind}"]
    tip += [f"{k}: {v!r}" for k, v in node.args.items()]
    if node.share:
        tip.append(f"shares the layer of: {node.share}")
    if info is not None and info.outputs:
        tip.append("output: " + ", ".join(format_shape(s) for s in info.outputs))
    if info is not None and info.known and not node.share:
        tip.append(f"params: {info.params:,} ({info.trainable:,} trainable)")
    return Box(
        bid,
        clean(node.name),
        "layer",
        clean(kind),
        family_of(kind),
        args=key_args(kind, node.args),
        shape=clean(shape),
        params=params,
        tooltip=_tooltip(tip),
    )


def _expr_box(bid: str, node: IRNode, info: NodeShape | None, shape: str, tip: list[str]) -> Box:
    """An expression node: a small box showing the expression itself."""
    assert node.expr is not None
    text = clean(node.expr.text)
    tip += [f"expr: {node.expr.text}"]
    if info is not None and info.outputs:
        tip.append("output: " + ", ".join(format_shape(s) for s in info.outputs))
    return Box(
        bid,
        clean(node.name),
        "expr",
        "expr",
        FAMILIES["expression"],
        args=[truncate(text, 120)],
        shape=clean(shape),
        tooltip=_tooltip(tip),
    )


def _weight_box(bid: str, node: IRNode, info: NodeShape | None, shape: str, tip: list[str]) -> Box:
    """A learned tensor: a cylinder (stored values) with its shape and parameters."""
    tip += ["learned tensor (weight)"]
    tip += [f"{k}: {v!r}" for k, v in node.args.items()]
    if info is not None and info.known:
        tip.append(f"params: {info.params:,} ({info.trainable:,} trainable)")
    settings = node.args
    args = [clean(_brief(settings.get("initializer", "glorot_uniform")))]
    args += [
        clean(f"{k} {_brief(settings[k])}")
        for k in ("regularizer", "constraint")
        if settings.get(k)
    ]
    args += ["per sample"] if settings.get("batched") is True else []
    args += ["frozen"] if settings.get("trainable") is False else []
    return Box(
        bid,
        clean(node.name),
        "weight",
        "weight",
        FAMILIES["weight"],
        args=args,
        shape=clean(shape),
        params=format_params(info.params if info is not None and info.known else None),
        tooltip=_tooltip(tip),
    )


def _brief(value: object) -> str:
    """A setting's value in a few characters: ``{type: RandomNormal, …}`` as ``RandomNormal``."""
    if isinstance(value, dict):
        return str(value.get("type", "{…}"))
    return truncate(str(value), 24)


def _model_box(bid: str, node: IRNode, info: NodeShape | None, shape: str, tip: list[str]) -> Box:
    """A nested model not opened up: a second call (``share``), or one without static shapes."""
    assert node.model is not None
    look = model_look(node.model)
    tip += look.tip
    if node.share:
        params = f"shares {truncate(clean(node.share), 24)}"
    else:
        params = format_params(info.params if info is not None and info.known else None)
    return Box(
        bid,
        clean(node.name),
        "block",
        clean(look.type),
        look.family,
        args=[clean(a) for a in look.args],
        shape=clean(shape),
        params=params,
        tooltip=_tooltip(tip),
    )


def _tooltip(lines: Iterable[str]) -> str:
    return truncate(clean("\n".join(lines)).replace("↵", "\n"), _TOOLTIP_LIMIT)


def _edges(view: View, result: CheckResult, box_of: dict[str, str]) -> None:
    seen: set[tuple[str, str]] = set()
    on_edges = view.options.shapes and view.options.shapes_on in ("edges", "both")
    for node in result.graph.nodes.values():
        dst = box_of.get(node.name)
        for index, src_name in enumerate(node.inputs):
            src = box_of.get(src_name)
            if src is None or dst is None or src == dst:
                continue
            into_block = view.boxes[dst].kind == "block"
            if (src, dst) in seen and (into_block or view.boxes[src].kind == "block"):
                continue
            seen.add((src, dst))
            port = node.port(index)
            shape = _shape_of(result, src_name, port)
            label = compact_shape(shape) if on_edges else ""
            if port:
                label = f"[{port}] {label}".strip()
            name = None if into_block else port_name(node.type, index, len(node.main_inputs))
            if index >= len(node.main_inputs):  # the tensor of a call argument (format 1.1)
                name = _call_port(node, index) or name
            view.edges.append(Edge(src, dst, clean(label), port=clean(name or "")))


def _call_port(node: IRNode, index: int) -> str | None:
    """The call argument input ``index`` feeds: ``mask``, or ``initial_state[1]`` in a list."""
    for key, (start, stop, listed) in node.call_slices().items():
        if start <= index < stop:
            return f"{key}[{index - start}]" if listed else key
    return None


def _place_shapes(view: View) -> None:
    """With shapes on the edges only, a box keeps its shape only when no edge leaves it."""
    if view.options.shapes_on != "edges":
        return
    sources = {edge.src for edge in view.edges}
    for box in view.boxes.values():
        if box.id in sources:
            box.shape = ""


def _shares(view: View, graph: Graph, box_of: dict[str, str]) -> None:
    seen: set[frozenset[str]] = set()
    for node in graph.nodes.values():
        if not node.share:
            continue
        a, b = box_of.get(node.share), box_of.get(node.name)
        inst = graph.instances.get(node.share)
        if a is None and inst is not None and inst.output:  # a nested model drawn as a cluster
            a = box_of.get(inst.output)
        if a is None or b is None or a == b or frozenset((a, b)) in seen:
            continue
        seen.add(frozenset((a, b)))
        view.shares.append(Share(a, b))


def _attach(view: View, diagnostics: list[Diagnostic], box_of: dict[str, str]) -> None:
    for diag in diagnostics:
        if diag.severity is Severity.NOTE:
            continue
        # a fault in a block definition is one diagnostic: every instance's node shows it
        bids = dict.fromkeys(b for n in diag.instance_nodes if (b := box_of.get(n)) is not None)
        if not bids:
            if diag.is_error:
                view.notes.append(diag)
            continue
        for bid in bids:
            box = view.boxes[bid]
            (box.errors if diag.is_error else box.warnings).append(diag)
    for edge in view.edges:
        edge.fault = view.boxes[edge.dst].faulty
