"""Import wiring: node inputs written back as ``edges`` chains, or as ``inputs:`` where needed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec.errors import ImportModelError

__all__ = ["base", "is_written_chain", "wire"]


def base(ref: str) -> str:
    """The node of a reference: ``encoder:1`` (output 1 of ``encoder``) is ``encoder``.

    >>> base("encoder:1"), base("dense")
    ('encoder', 'dense')
    """
    node, sep, port = ref.rpartition(":")
    return node if sep and port.isdigit() else ref


def _ported(sources: list[str]) -> bool:
    return any(base(s) != s for s in sources)


def is_written_chain(
    inputs: Mapping[str, Any],
    nodes: Mapping[str, Mapping[str, Any]],
    sources: Mapping[str, list[str]],
    outputs: list[str] | dict[str, str],
) -> bool:
    """Whether each node takes just the one written before it (then no edges are needed)."""
    previous = next(iter(inputs)) if len(inputs) == 1 else None
    for name, node in nodes.items():
        if previous is None or "share" in node or sources.get(name) != [previous]:
            return False
        previous = name
    return isinstance(outputs, list) and outputs == [previous]


def wire(order: list[str], sources: Mapping[str, list[str]]) -> tuple[list[str], list[str]]:
    """Edges as maximal chains that reproduce every node's input order, and the nodes that need
    ``inputs:`` instead (those taking the same tensor twice).

    A chain follows an edge into a node only when it is that node's next input in order, so the
    order in which a node's incoming edges appear in the list is its input order.

    >>> wire(["x", "a", "b", "add"], {"a": ["x"], "b": ["x"], "add": ["a", "b"]})
    (['x -> a -> add', 'x -> b -> add'], [])
    """
    explicit = [
        n
        for n in order
        if len(set(sources.get(n, []))) != len(sources.get(n, [])) or _ported(sources.get(n, []))
    ]
    wired = {n: srcs for n, srcs in sources.items() if n not in set(explicit)}
    position = {n: i for i, n in enumerate(order)}
    successors: dict[str, list[str]] = {n: [] for n in order}
    for node in sorted(wired, key=position.__getitem__):
        for src in wired[node]:
            successors[src].append(node)
    done = {n: 0 for n in wired}
    left = sum(len(s) for s in wired.values())

    def next_from(node: str) -> str | None:
        for succ in successors[node]:
            if done[succ] < len(wired[succ]) and wired[succ][done[succ]] == node:
                return succ
        return None

    chains: list[str] = []
    while left:
        before = left
        for start in order:
            while (nxt := next_from(start)) is not None:
                chain, current = [start], start
                while nxt is not None:
                    done[nxt] += 1
                    left -= 1
                    chain.append(nxt)
                    current = nxt
                    nxt = next_from(current)
                chains.append(" -> ".join(chain))
        if left == before:  # pragma: no cover - every edge becomes ready in turn
            raise ImportModelError("internal error: could not order the edges")
    return chains, explicit
