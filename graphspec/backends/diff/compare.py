"""Compare two checked specs node by node: the changes, their consequences, and the totals.

Works on the checked graphs (:class:`graphspec.api.CheckResult`: the graph IR and its shapes),
never on the text, so two specs written differently that compile to the same model are equal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import networkx as nx

from graphspec.api import CheckResult
from graphspec.backends.diff.canon import arguments, key, reference, written
from graphspec.backends.diff.delta import NodeDelta
from graphspec.backends.diff.match import Matching, match, order
from graphspec.backends.diff.result import (
    Count,
    DiffResult,
    NodeRef,
    Pair,
    ParamTotals,
    Rename,
    ShapeChange,
    ShapeGroup,
    Shapes,
    Side,
    SpecChanges,
)
from graphspec.backends.diff.units import group_changes, rename_units, units_of
from graphspec.frontend.spec import TrainSpec
from graphspec.ir.graph import Graph, IRNode
from graphspec.passes.shapes.infer import NodeShape

__all__ = ["MAX_NESTING", "compare_checked"]

MAX_NESTING: Final = 8
"""How deep nested spec models are compared (deeper ones compare by their node alone)."""

_NESTED_SOURCES: Final = frozenset({"file", "inline"})


def compare_checked(
    old: CheckResult | None, new: CheckResult | None, old_side: Side, new_side: Side
) -> DiffResult:
    """The difference between two checked specs (``None``: a side that could not be loaded)."""
    result = DiffResult(old_side, new_side, checks=(old, new))
    if old is None or new is None:
        return result
    matching = _compare_graphs(result, old, new, "", 0)
    result.matched = dict(matching.old_to_new)
    result.params = _totals(old, new)
    kinds = _compiles_as(old.graph), _compiles_as(new.graph)
    if kinds[0][0] != kinds[1][0]:
        result.compiles_as = Pair(kinds[0][0], kinds[1][0])
        result.compiles_as_reason = Pair(kinds[0][1], kinds[1][1])
    result.spec = _spec_changes(old, new, matching)
    return result


def _compare_graphs(
    result: DiffResult, old: CheckResult, new: CheckResult, prefix: str, depth: int
) -> Matching:
    """Add the differences of two graphs to ``result`` (node names under ``prefix``); returns
    how their nodes were matched."""
    matching = match(old.graph, new.graph)
    found = (_delta(old, new, a, b, matching) for a, b in matching.old_to_new.items())
    deltas = {d.new: d for d in found if d is not None and d.any}
    ranked = order(new.graph)
    added = [n for n in ranked if n not in matching.new_to_old]
    removed = [n for n in old.graph.nodes if n not in matching.old_to_new]
    result.added += _refs(new, added, prefix)
    result.removed += _refs(old, removed, prefix)
    result.renamed += [
        Rename(prefix + r.old, prefix + r.new, r.type, r.nodes)
        for r in rename_units(old.graph, new.graph, matching.renamed)
    ]
    direct = [d for d in deltas.values() if d.direct]
    for change in group_changes(old.graph, new.graph, direct, _type_name):
        change.name = prefix + change.name
        change.nodes = [prefix + n for n in change.nodes]
        change.instances = [prefix + i for i in change.instances]
        result.changed.append(change)
    result.shape_changes += _propagation(new, ranked, deltas, set(added), prefix)
    if depth < MAX_NESTING:
        for a, b in matching.old_to_new.items():
            inner = _nested_pair(old.graph.nodes[a], new.graph.nodes[b])
            if inner is not None:
                _compare_graphs(result, inner[0], inner[1], f"{prefix}{b}.", depth + 1)
    return matching


def _nested_pair(a: IRNode, b: IRNode) -> tuple[CheckResult, CheckResult] | None:
    """The two checked specs of a nested spec model present on both sides, else ``None``."""
    if a.model is None or b.model is None or a.share or b.share:
        return None
    if a.model.source not in _NESTED_SOURCES or b.model.source not in _NESTED_SOURCES:
        return None
    if isinstance(a.model.checked, CheckResult) and isinstance(b.model.checked, CheckResult):
        return a.model.checked, b.model.checked
    return None


def _type_name(node: IRNode) -> str:
    return node.display_type


def _outputs(result: CheckResult, name: str) -> Shapes:
    info = result.shapes.nodes.get(name) if result.shapes else None
    if info is None or not info.outputs:
        return None
    return [list(shape) for shape in info.outputs]


def _params(result: CheckResult, name: str) -> tuple[int, int] | None:
    node = result.graph.nodes[name]
    info = result.shapes.nodes.get(name) if result.shapes else None
    if info is None or not info.known:
        return None
    if node.share:  # a shared layer's weights are counted at its owner
        return (0, 0)
    return info.trainable, info.non_trainable


def _references(node: IRNode, rename: Callable[[str], str] | None = None) -> list[str]:
    names = [rename(src) for src in node.inputs] if rename else node.inputs
    return [reference(src, node.port(i)) for i, src in enumerate(names)]


def _delta(
    old: CheckResult, new: CheckResult, a: str, b: str, matching: Matching
) -> NodeDelta | None:
    """How matched node ``a`` (old) became ``b`` (new); ``None`` when nothing differs."""
    node_a, node_b = old.graph.nodes[a], new.graph.nodes[b]
    info_a = old.shapes.nodes.get(a) if old.shapes else None
    info_b = new.shapes.nodes.get(b) if new.shapes else None
    alike = _written_alike(node_a, node_b, matching)
    renamed = [matching.rename(src) for src in node_a.inputs]
    wired = renamed == node_b.inputs and node_a.input_ports == node_b.input_ports
    outs_a = info_a.outputs if info_a is not None else None
    outs_b = info_b.outputs if info_b is not None else None
    counts = Count(_count(node_a, info_a), _count(node_b, info_b))
    if alike and wired and outs_a == outs_b and counts.old == counts.new:
        return None
    delta = NodeDelta(a, b, counts=counts)
    if not alike:
        _argument_changes(delta, node_a, node_b, matching)
    if not wired:
        ins_a, ins_b = _references(node_a, matching.rename), _references(node_b)
        if ins_a != ins_b:  # compared through the renames, shown as each side writes them
            delta.inputs = Pair(_references(node_a), ins_b)
    if outs_a and outs_b and outs_a != outs_b:
        delta.shape = Pair([list(s) for s in outs_a], [list(s) for s in outs_b])
    return delta


def _count(node: IRNode, info: NodeShape | None) -> int | None:
    """A node's parameters (a shared layer's are counted at its owner), ``None``: unknown."""
    if info is None or not info.known:
        return None
    return 0 if node.share else info.trainable + info.non_trainable


def _written_alike(a: IRNode, b: IRNode, matching: Matching) -> bool:
    """True when two nodes are written exactly alike (the common case, decided without
    canonical forms): same kind, type, arguments (values and their types: ``repr``), call
    constants, expression text and no nested model."""
    return (
        a.kind is b.kind
        and a.type == b.type
        and a.model is None
        and b.model is None
        and _same_values(a.args, b.args)
        and _same_values(a.call, b.call)
        and (a.expr.text if a.expr else None) == (b.expr.text if b.expr else None)
        and (a.shape, a.dtype) == (b.shape, b.dtype)
        and (matching.rename(a.share) if a.share else None) == b.share
    )


def _same_values(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal dictionaries whose values also have the same types (``1`` is not ``True``)."""
    return a == b and all(type(v) is type(b[k]) for k, v in a.items())


def _argument_changes(delta: NodeDelta, a: IRNode, b: IRNode, matching: Matching) -> None:
    """The arguments that differ once both nodes are in canonical form (defaults left out, …)."""
    canon_a = arguments(a, matching.rename)
    canon_b = arguments(b)
    if key(canon_a) == key(canon_b):
        return
    shown_a, shown_b = written(a), written(b)
    for name in dict.fromkeys([*canon_a, *canon_b]):
        if key(canon_a.get(name)) != key(canon_b.get(name)):
            delta.arguments[name] = Pair(shown_a.get(name), shown_b.get(name))


def _refs(result: CheckResult, names: list[str], prefix: str) -> list[NodeRef]:
    """Added or removed nodes: whole block instances as one entry each, then single nodes."""
    graph = result.graph
    units, rest = units_of(graph, names)
    out = []
    for inst, nodes in units:
        counts = [_params(result, n) for n in nodes]
        known = all(c is not None for c in counts)
        total = sum(sum(c) for c in counts if c is not None)
        block = graph.instances[inst]
        last = block.output if block.output in graph.nodes else nodes[-1]
        out.append(
            NodeRef(
                prefix + inst,
                f"block {block.block}",
                inputs=list(block.feeds),
                shape=_outputs(result, last),
                params=total if known else None,
                block=block.block,
                nodes=[prefix + n for n in nodes],
            )
        )
    for name in rest:
        node = graph.nodes[name]
        own = _params(result, name)
        out.append(
            NodeRef(
                prefix + name,
                node.display_type,
                inputs=[reference(s, node.port(i)) for i, s in enumerate(node.inputs)],
                shape=_outputs(result, name),
                params=sum(own) if own is not None else None,
            )
        )
    return out


def _propagation(
    new: CheckResult, ranked: list[str], deltas: dict[str, NodeDelta], added: set[str], prefix: str
) -> list[ShapeGroup]:
    """Nodes changed only as a consequence, grouped by the earliest changed node upstream.

    Each node keeps only its earliest origin (by topological rank), so the walk is linear.
    """
    graph = new.graph
    rank = {name: i for i, name in enumerate(ranked)}
    origin_of: dict[str, str] = {}
    groups: dict[str, ShapeGroup] = {}
    for name in ranked:
        delta = deltas.get(name)
        node = graph.nodes[name]
        sources = [*node.inputs, *([node.share] if node.share else [])]  # a shared layer too
        upstream = [origin_of[s] for s in sources if s in origin_of]
        earliest = min(upstream, key=rank.__getitem__) if upstream else None
        if name in added or (delta is not None and delta.direct):
            origin_of[name] = earliest or name  # a change downstream of another one: its origin
            continue
        if delta is None or not delta.any:
            continue
        origin = origin_of[name] = earliest or name
        group = groups.setdefault(origin, ShapeGroup(prefix + origin))
        group.nodes.append(ShapeChange(prefix + name, node.display_type, delta.shape, delta.params))
    return list(groups.values())


def _totals(old: CheckResult, new: CheckResult) -> ParamTotals:
    def side(result: CheckResult) -> tuple[int | None, int | None, bool]:
        info = result.shapes
        if info is None or not info.complete:  # totals of some nodes only: not comparable
            return None, None, False
        return info.trainable, info.non_trainable, True

    a, b = side(old), side(new)
    return ParamTotals(Count(a[0], b[0]), Count(a[1], b[1]), Pair(a[2], b[2]))


def _compiles_as(graph: Graph) -> tuple[str, str | None]:
    try:
        return graph.compiles_as()
    except (KeyError, IndexError, nx.NetworkXError):
        return "functional", "the graph is incomplete"


def _outputs_written(graph: Graph, matching: Matching | None = None) -> list[str]:
    ports = graph.output_ports or [0] * len(graph.outputs)
    out = []
    for (name, node), port in zip(graph.outputs, ports, strict=False):
        ref = reference(matching.rename(node) if matching else node, port)
        if matching is not None and name == reference(node, port):
            name = ref
        out.append(ref if name == ref else f"{name}={ref}")
    return out


def _pairs(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Pair]:
    return {
        k: Pair(a.get(k), b.get(k))
        for k in dict.fromkeys([*a, *b])
        if key(a.get(k)) != key(b.get(k))
    }


def _train(result: CheckResult) -> dict[str, Any]:
    """The training settings key by key (a spec without ``train:`` has the defaults)."""
    return (result.spec.train or TrainSpec.model_validate({})).model_dump()


def _spec_changes(old: CheckResult, new: CheckResult, matching: Matching) -> SpecChanges:
    """Inputs and outputs (old names through the matching: a rename is reported as a rename),
    the ``api`` key, training settings and param values."""
    changes = SpecChanges()
    if [matching.rename(n) for n in old.graph.inputs] != new.graph.inputs:
        changes.inputs = Pair(list(old.graph.inputs), list(new.graph.inputs))
    outs = _outputs_written(old.graph, matching), _outputs_written(new.graph)
    if outs[0] != outs[1]:
        changes.outputs = Pair(_outputs_written(old.graph), outs[1])
    if old.spec.api != new.spec.api:
        changes.api = Pair(old.spec.api, new.spec.api)
    changes.train = _pairs(_train(old), _train(new))
    changes.params = _pairs(dict(old.spec.params), dict(new.spec.params))
    return changes
