"""Reference resolution: each written name (``conv1``, ``stage2``, ``lstm:1``) to a graph node."""

from __future__ import annotations

from graphspec.base import limits as _limits
from graphspec.passes.expand.context import FAILED, PORT, Expansion, Ref
from graphspec.passes.expand.share import resolve_share

__all__ = ["resolve", "resolve_all"]


def resolve(ex: Expansion, ref: Ref, depth: int = 0) -> str | None:
    """The graph node ``ref`` names (``FAILED`` for a failed instance), ``None`` if undefined.

    Looks in order at the scope's block inputs, its local nodes, then (top level) every node
    by its expanded name; ``name:N`` takes output N of the node ``name``.
    """
    if ref.resolved is not None:
        return ref.resolved
    scope = ref.scope
    if scope is None or depth > _limits.MAX_BLOCK_DEPTH + 2:
        return None
    if ref.text in scope.placeholders:
        targets = scope.placeholders[ref.text]
        ref.resolved = resolve(ex, targets[0], depth + 1) if targets else None
        ref.port = targets[0].port if targets else 0
        return ref.resolved
    if ref.text in scope.aliases:  # a node left out by `when: false`: its input instead
        stand_in = scope.aliases[ref.text]
        ref.resolved = resolve(ex, stand_in, depth + 1)
        ref.port = stand_in.port
        return ref.resolved
    if ref.text in scope.locals:
        ref.resolved = scope.locals[ref.text]
        return ref.resolved
    nodes = ex.graph.nodes
    if not scope.prefix and ref.text in nodes:
        ref.resolved = ref.text
        return ref.resolved
    candidate = scope.prefix + ref.text
    if scope.prefix and candidate in nodes:
        ref.resolved = candidate
        return candidate
    port = PORT.match(ref.text)
    if port is not None:  # `lstm:1`: output 1 of a layer that returns several tensors
        inner = Ref(scope, port.group(1), ref.loc)
        target = resolve(ex, inner, depth + 1)
        if target is not None and target != FAILED and inner.port == 0:
            ref.resolved, ref.port = target, int(port.group(2))
            return target
    return None


def resolve_all(ex: Expansion) -> None:
    """Resolve every pending node's inputs and ``share``, then the model outputs."""
    for item in ex.pending:
        node = item.node
        for ref in item.refs:
            target = resolve(ex, ref)
            if target is None or target == FAILED:
                if target is None:
                    ex.undefined(ref, node.name, node.spec_path)
                node.dangling = True
                ex.graph.incomplete = True
                continue
            node.inputs.append(target)
            node.input_locs.append(ref.loc)
            node.input_ports.append(ref.port)
            node.input_refs.append(ref.text)
        if item.share is not None:
            resolve_share(ex, node, item.share, resolve(ex, item.share))
    for out_name, ref in ex.pending_outputs:
        target = resolve(ex, ref)
        if target is None or target == FAILED:
            if target is None:
                ex.undefined(ref, None, ("outputs",), what="output")
            ex.graph.incomplete = True
            continue
        ex.graph.outputs.append((out_name, target))
        ex.graph.output_ports.append(ref.port)
