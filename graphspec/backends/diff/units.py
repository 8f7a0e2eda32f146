"""Block instances as units of a diff: added, removed or renamed whole, and block edits counted once.

An edit to a block definition changes the same node in every instance of the block: it is one
change "in all N instances", not N. So is an edit at a block's site that changes each of its
``repeat`` copies alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from graphspec.backends.diff.canon import key
from graphspec.backends.diff.delta import NodeDelta
from graphspec.backends.diff.result import Count, NodeChange, Pair, Rename
from graphspec.ir.graph import BlockInstance, Graph, IRNode

__all__ = ["group_changes", "local_name", "rename_units", "units_of"]


def _outermost_first(instances: Mapping[str, BlockInstance]) -> list[BlockInstance]:
    def depth(inst: BlockInstance) -> int:
        level, parent, seen = 0, inst.parent, set()
        while parent is not None and parent in instances and parent not in seen:
            seen.add(parent)
            level += 1
            parent = instances[parent].parent
        return level

    return sorted(instances.values(), key=depth)


def units_of(graph: Graph, names: Iterable[str]) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """``names`` split into whole block instances (outermost first: instance, its nodes) and the
    nodes that are not part of one.

    >>> from graphspec import check
    >>> g = check("inputs: {x: {shape: [4]}}\\nblocks: {b: {nodes: {d: {type: Dense, units: 2}}}}"
    ...           "\\nnodes: {s: {block: b, repeat: 2}, out: {type: ReLU}}").graph
    >>> units_of(g, ["s.1.d", "out"])
    ([('s.1', ['s.1.d'])], ['out'])
    """
    wanted = dict.fromkeys(names)
    taken: set[str] = set()
    units = []
    for inst in _outermost_first(graph.instances):
        nodes = [n for n in inst.nodes if n in graph.nodes]
        if nodes and all(n in wanted and n not in taken for n in nodes):
            units.append((inst.name, nodes))
            taken.update(nodes)
    return units, [n for n in wanted if n not in taken]


def local_name(graph: Graph, node: IRNode) -> str:
    """A node's name inside its block instance (``conv_a`` of ``stage1.0.conv_a``)."""
    inst = node.instance or ""
    return node.name[len(inst) + 1 :] if inst and node.name.startswith(inst + ".") else node.name


def rename_units(old: Graph, new: Graph, renamed: Mapping[str, str]) -> list[Rename]:
    """Renames, a block instance whose every node was renamed into one other instance as one."""
    out: list[Rename] = []
    done: set[str] = set()
    for inst in _outermost_first(old.instances):
        nodes = [n for n in inst.nodes if n in old.nodes]
        if not nodes or any(n not in renamed or n in done for n in nodes):
            continue
        targets = {new.nodes[renamed[n]].instance for n in nodes}
        target = _common_instance(new, [renamed[n] for n in nodes])
        if target is None or not targets:
            continue
        same_locals = all(renamed[n][len(target) :] == n[len(inst.name) :] for n in nodes)
        if same_locals and len(new.instances[target].nodes) == len(nodes):
            out.append(Rename(inst.name, target, f"block {inst.block}", len(nodes)))
            done.update(nodes)
    for a, b in renamed.items():
        if a not in done:
            out.append(Rename(a, b, new.nodes[b].display_type))
    return out


def _common_instance(graph: Graph, names: list[str]) -> str | None:
    """The outermost instance holding exactly ``names``, or ``None``."""
    wanted = set(names)
    for inst in _outermost_first(graph.instances):
        if set(inst.nodes) == wanted:
            return inst.name
    return None


def _localised(refs: list[str], inst: str) -> list[str]:
    return [r[len(inst) + 1 :] if inst and r.startswith(inst + ".") else r for r in refs]


def _signature(new: Graph, delta: NodeDelta) -> tuple[str, str, str]:
    """What makes two instances' changes one block edit: block, local name, what changed."""
    node = new.nodes[delta.new]
    inst = node.instance or ""
    block = new.instances[inst].block if inst in new.instances else ""
    inputs = (
        [_localised(delta.inputs.old, inst), _localised(delta.inputs.new, inst)]
        if delta.inputs
        else None
    )
    return block, local_name(new, node), key([sorted(delta.arguments), inputs])


def group_changes(
    old: Graph, new: Graph, deltas: list[NodeDelta], type_name: Callable[[IRNode], str]
) -> list[NodeChange]:
    """One :class:`NodeChange` per edited node; the same edit of a node in several instances of
    a block is one change. Instances whose values differ are one change when the block's
    definition changed (its values then shown as written, ``${filters}``), else one change per
    set of values (a param changed at the sites: each site's values)."""
    groups: dict[tuple[str, str, str], list[NodeDelta]] = {}
    for delta in deltas:
        signature = _signature(new, delta)
        if not signature[0]:  # not in a block: a group of its own
            signature = ("", delta.new, "")
        groups.setdefault(signature, []).append(delta)
    out = []
    for (block, local, _), members in groups.items():
        first = new.nodes[members[0].new]
        if not block:
            out.append(_single(members[0], type_name(first)))
            continue
        for part in _by_values(old, new, block, local, members):
            out.append(_grouped(old, new, block, local, part, type_name(first)))
    return out


def _by_values(
    old: Graph, new: Graph, block: str, local: str, members: list[NodeDelta]
) -> list[list[NodeDelta]]:
    """Members with the same concrete values together, unless the definition itself changed."""
    values = [key({k: v.to_dict() for k, v in m.arguments.items()}) for m in members]
    if len(set(values)) == 1:
        return [members]
    first = members[0]
    if all(_as_written(old, new, block, local, k, p) is not p for k, p in first.arguments.items()):
        return [members]
    parts: dict[str, list[NodeDelta]] = {}
    for value, member in zip(values, members, strict=True):
        parts.setdefault(value, []).append(member)
    return list(parts.values())


def _single(delta: NodeDelta, type_name: str) -> NodeChange:
    return NodeChange(
        delta.new,
        type_name,
        arguments=dict(delta.arguments),
        inputs=delta.inputs,
        shape=delta.shape,
        params=delta.params,
        nodes=[delta.new],
    )


def _grouped(
    old: Graph, new: Graph, block: str, local: str, members: list[NodeDelta], type_name: str
) -> NodeChange:
    """The same edit in several instances of ``block``: one change."""
    first = members[0]
    arguments: dict[str, Pair] = {}
    for name, pair in first.arguments.items():
        same = all(key(m.arguments[name]) == key(pair) for m in members)
        arguments[name] = pair if same else _as_written(old, new, block, local, name, pair)
    shapes = {key(m.shape) for m in members}
    total = Count(_sum([m.counts.old for m in members]), _sum([m.counts.new for m in members]))
    params = total if total.delta else None
    instances = [new.nodes[m.new].instance or "" for m in members]
    inputs = first.inputs
    if first.inputs and len(members) > 1:
        inst = instances[0]
        inputs = Pair(_localised(first.inputs.old, inst), _localised(first.inputs.new, inst))
    return NodeChange(
        local,
        type_name,
        arguments=arguments,
        inputs=inputs,
        shape=first.shape if len(shapes) == 1 else None,
        params=params,
        block=block,
        instances=instances,
        nodes=[m.new for m in members],
        block_instances=sum(1 for i in new.instances.values() if i.block == block),
    )


def _sum(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _as_written(old: Graph, new: Graph, block: str, local: str, name: str, pair: Pair) -> Pair:
    """An argument of a block's node as its definitions write it (``${filters}``), when the
    instances' values differ."""

    def value(graph: Graph) -> Any:
        spec = graph.block_specs.get(block)
        node = spec.nodes.get(local.rpartition(".")[2]) if spec is not None else None
        if node is None:
            return None
        if name == "type":
            return node.type
        return node.args.get(name)

    found = Pair(value(old), value(new))
    return found if key(found.old) != key(found.new) else pair
