"""Which block instances the generated code calls as functions, and which ``repeat`` are loops.

An instance is a call of its block's function when nothing outside it reaches inside: the nodes
after it use only the block's outputs, no layer is shared across its boundary, and the model's
outputs inside it are outputs of the block. Everything else about it (any number of inputs and
outputs, blocks inside, expressions, nested models, shared layers, call arguments, sizes read
from shapes) a function can hold. Written inline: an instance of a block with ``when:`` nodes,
and every instance around it (which nodes a copy has differs between instances); a learned
tensor's (joined to the model through its input); one given a param read from a shape (each copy
has its own); and, in a Sequential, one holding a size read from a shape (no variable holds a
tensor there). The copies of a ``repeat`` are one loop when only the next copy uses each one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import networkx as nx

from graphspec.frontend.params import is_deferred
from graphspec.frontend.spec import BlockSpec
from graphspec.ir.graph import BlockInstance, Graph, NodeKind

__all__ = ["Group", "Plan", "block_outputs", "plan_calls"]


@dataclass
class Group:
    """Instances written as calls at one place: one call, or the copies of a ``repeat``.

    ``loop``: the copies are one ``for`` loop (else one call each, or a single instance).
    """

    site: str
    copies: list[BlockInstance]
    loop: bool = False

    @property
    def first(self) -> BlockInstance:
        return self.copies[0]

    @property
    def last(self) -> BlockInstance:
        return self.copies[-1]


@dataclass
class Plan:
    """The calls of one graph: ``groups`` by the name of their first instance, ``called`` every
    instance written as a call (the group it is in)."""

    groups: dict[str, Group] = field(default_factory=dict)
    called: dict[str, Group] = field(default_factory=dict)
    holder: dict[str, str | None] = field(default_factory=dict)
    """Instance -> the nearest called instance among it and those around it (``None``: the
    top level): the function that writes the nodes of that instance."""


def block_outputs(graph: Graph, inst: BlockInstance) -> list[str]:
    """The graph nodes an instance's outputs are, in the block's order."""
    block: BlockSpec = graph.block_specs[inst.block]
    locals_ = block.outputs or [_last_local(block)]
    out = []
    for local in locals_:
        name = f"{inst.name}.{local}"
        if name in graph.nodes:
            out.append(name)
            continue
        copies = [i for i in graph.instances.values() if i.site == name and i.parent == inst.name]
        if copies and copies[-1].output is not None:
            out.append(copies[-1].output)
    return out


def _last_local(block: BlockSpec) -> str:
    return next(reversed(block.nodes))


def plan_calls(graph: Graph) -> Plan:
    """Decide, for every block instance of ``graph``, whether it is a call."""
    plan = Plan()
    instances = graph.instances
    outputs = {
        name: block_outputs(graph, inst)
        for name, inst in instances.items()
        if inst.block in graph.block_specs and inst.output is not None
    }
    chains = {name: _chain(graph, name) for name in instances}
    ok = {
        name
        for name, inst in instances.items()
        if name in outputs
        and len(outputs[name]) == len(graph.block_specs[inst.block].outputs or [None])
        and len(inst.feeds) == len(graph.block_specs[inst.block].inputs)
    }
    for name, switched in instances.items():  # `when:` leaves nodes out per instance: inline
        block = graph.block_specs.get(switched.block)
        if block is not None and any(n.when is not None for n in block.nodes.values()):
            ok -= set(_chain(graph, name))
    sequential = graph.compiles_as()[0] == "Sequential"
    for node in graph:  # learned tensors join the model through its input: written inline
        if node.kind is NodeKind.WEIGHT or (node.sized and sequential):  # (no variables)
            ok -= set(chains.get(node.instance or "", []))
    for name, given in instances.items():  # a param read from a shape: each copy its own
        if any(is_deferred(v) for v in given.params.values()):
            ok -= set(chains[name])
    for node in graph:  # `x:1` of a block input: a function gets a tensor, not its layer's
        inst = instances.get(node.instance or "")
        if inst is None or inst.block not in graph.block_specs:
            continue
        placeholders = graph.block_specs[inst.block].inputs
        for src, text in zip(node.inputs, node.input_refs, strict=False):
            if ":" in text and text.rsplit(":", 1)[0] in placeholders:
                inside = set(chains.get(graph.nodes[src].instance or "", []))
                ok -= set(chains[inst.name]) - inside
    for name in list(ok):  # a block input fed from its own output: not one call
        inst = instances[name]
        if len(inst.feeds) > 1:
            after = nx.descendants(graph.dag, outputs[name][0]) if outputs[name] else set()
            for out in outputs[name][1:]:
                after |= nx.descendants(graph.dag, out)
            if any(_node_of(feed) in after for feed in inst.feeds):
                ok.discard(name)
    users: dict[str, set[str]] = {name: set() for name in instances}
    """Instance -> the innermost instances (or "" for the top level) using its outputs."""
    for node in graph:
        inner = chains.get(node.instance or "", [])
        for src in node.inputs:
            src_chain = chains.get(graph.nodes[src].instance or "", [])
            for name in src_chain:
                if name not in inner:
                    users[name].add(node.instance or "")
                    if src not in outputs.get(name, ()):
                        ok.discard(name)
        if node.share:
            owner_chain = set(chains.get(graph.nodes[node.share].instance or "", []))
            ok -= owner_chain.symmetric_difference(inner)
    for _, src in graph.outputs:
        for name in chains.get(graph.nodes[src].instance or "", []):
            users[name].add("")
            if src not in outputs.get(name, ()):
                ok.discard(name)
    by_site: dict[tuple[str | None, str], list[BlockInstance]] = {}
    for inst in instances.values():
        by_site.setdefault((inst.parent, inst.site), []).append(inst)
    for copies in by_site.values():
        copies.sort(key=lambda i: i.copy or 0)
        if all(c.name in ok for c in copies) and len(copies) > 1:
            loop = all(
                all(n.name in chains.get(u, ()) for u in users[c.name])
                for c, n in itertools.pairwise(copies)
            )
            groups = [Group(copies[0].site, copies, loop)] if loop else []
            groups = groups or [Group(c.name, [c]) for c in copies]
        else:
            groups = [Group(c.name, [c]) for c in copies if c.name in ok]
        for group in groups:
            plan.groups[group.first.name] = group
            for inst in group.copies:
                plan.called[inst.name] = group
    for name in instances:
        plan.holder[name] = _holder(plan, graph, name)
    return plan


def _node_of(feed: str) -> str:
    """The node of a feed (``enc`` of ``enc:1``)."""
    head, sep, tail = feed.rpartition(":")
    return head if sep and tail.isdigit() else feed


def _chain(graph: Graph, name: str) -> list[str]:
    """An instance and the instances around it, innermost first."""
    out = []
    current: str | None = name
    while current:
        out.append(current)
        current = graph.instances[current].parent
    return out


def _holder(plan: Plan, graph: Graph, name: str | None) -> str | None:
    """The nearest called instance among ``name`` and those around it (``None``: top level)."""
    while name:
        if name in plan.called:
            return name
        name = graph.instances[name].parent
    return None
