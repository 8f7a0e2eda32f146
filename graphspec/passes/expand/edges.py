"""``edges`` entries: parsing chains and pairs, and the input references they give each node."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from graphspec.base.source import Loc, Path
from graphspec.base.suggest import did_you_mean
from graphspec.frontend.spec import EdgeItem, NodeSpec
from graphspec.passes.expand.context import ARROW, FAILED, Expansion, Ref, Scope

__all__ = ["incoming", "parse_edge"]


def parse_edge(item: EdgeItem) -> list[str] | None:
    """The node names of one ``edges`` entry, in order; ``None`` when malformed.

    >>> parse_edge("a -> b -> c")
    ['a', 'b', 'c']
    >>> parse_edge(["x", "y"])
    ['x', 'y']
    >>> parse_edge("a -> -> b") is None
    True
    """
    if isinstance(item, str):
        parts = [p.strip() for p in item.split(ARROW)]
        return parts if len(parts) >= 2 and all(parts) else None
    parts = list(item)
    if len(parts) < 2 or any(not p for p in parts):
        return None
    return parts


def incoming(
    ex: Expansion,
    scope: Scope,
    nodes: Mapping[str, NodeSpec],
    edges: list[EdgeItem],
    input_names: list[str],
) -> dict[str, list[Ref]]:
    """Each node's input references from ``edges``, in the order the edges list them.

    A name reported as an undefined edge target is not reported again as the source of the
    next edge of the chain (``x -> typo -> c``): ``c`` just loses that input.
    """
    found: dict[str, list[Ref]] = {}
    undefined: set[str] = set()
    for i, item in enumerate(edges):
        path = (*scope.path, "edges", i)
        names = parse_edge(item)
        if names is None:
            ex.error(
                "E311",
                f"malformed edge {item!r}",
                path,
                hint='write a chain "a -> b -> c" or a pair [a, b]',
            )
            continue
        locs = _edge_locs(ex, item, names, path)
        for j, (src, dst) in enumerate(itertools.pairwise(names)):
            if dst not in nodes and not scope.prefix and dst in ex.dropped["nodes"]:
                continue  # a node the schema refused (reported): no second report
            if dst not in nodes:
                if dst in input_names:
                    ex.error(
                        "E312",
                        f"edge into input `{dst}`: model inputs cannot have incoming edges",
                        path,
                        loc=locs[j + 1],
                    )
                elif dst not in undefined:
                    undefined.add(dst)
                    ex.error(
                        "E301",
                        f"edge target `{dst}` is not a node"
                        + (" of this block" if scope.prefix else ""),
                        path,
                        loc=locs[j + 1],
                        hint=did_you_mean(dst, list(nodes)),
                    )
                continue
            ref = Ref(scope, src, locs[j])
            if src in undefined:
                ref.resolved = FAILED
            found.setdefault(dst, []).append(ref)
    return found


def _edge_locs(ex: Expansion, item: EdgeItem, names: list[str], path: Path) -> list[Loc | None]:
    """Where each name of an edge entry was written (columns inside a ``"a -> b"`` string)."""
    start = ex.source.at(path)
    if not isinstance(item, str):
        return [ex.source.at((*path, k)) for k in range(len(names))]
    if start is None:
        return [None] * len(names)
    locs: list[Loc | None] = []
    offset = 0
    for name in names:
        found = item.find(name, offset)
        locs.append(Loc(start.line, start.column + max(found, 0)))
        offset = max(found, 0) + len(name)
    return locs
