"""Block units of a diagram: repeated copies grouped, and which units are drawn collapsed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from graphspec.ir.graph import BlockInstance, Graph

__all__ = ["Copies", "ancestry", "collapsed_units", "drawn_boxes", "repeat_copies", "unit_key"]

_COPY: Final = re.compile(r"(.+)\.(\d+)")


@dataclass(frozen=True)
class Copies:
    """Repeated copies of one block instance: ``stage2.0``, ``stage2.1``, … share ``group``."""

    group: str
    index: int
    count: int


def repeat_copies(instances: Mapping[str, BlockInstance]) -> dict[str, Copies]:
    """Instance name -> its place among the copies of a ``repeat`` (only repeated instances)."""
    groups: dict[tuple[str | None, str, str], list[tuple[int, str]]] = {}
    for inst in instances.values():
        match = _COPY.fullmatch(inst.name)
        if match:
            key = (inst.parent, inst.block, match.group(1))
            groups.setdefault(key, []).append((int(match.group(2)), inst.name))
    out: dict[str, Copies] = {}
    for (_, _, group), members in groups.items():
        if len(members) > 1 and sorted(i for i, _ in members) == list(range(len(members))):
            for index, name in members:
                out[name] = Copies(group, index, len(members))
    return out


def unit_key(name: str, copies: Mapping[str, Copies]) -> str:
    """What collapses together with instance ``name``: its copy group, else the instance itself."""
    copy = copies.get(name)
    return copy.group if copy is not None else name


def ancestry(instances: Mapping[str, BlockInstance]) -> dict[str, list[str]]:
    """Instance name -> the chain of instances from the top level down to it."""
    out: dict[str, list[str]] = {}
    for name in instances:
        chain = [name]
        seen = {name}
        parent = instances[name].parent
        while parent is not None and parent in instances and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = instances[parent].parent
        out[name] = chain[::-1]
    return out


def collapsed_units(
    instances: Mapping[str, BlockInstance],
    copies: Mapping[str, Copies],
    *,
    collapse_all: bool,
    toggled: frozenset[str] = frozenset(),
    expand_folded: bool = False,
) -> dict[str, str]:
    """Instance name -> the unit key of its outermost collapsed unit (absent: drawn expanded).

    A unit is collapsed by default when ``collapse_all`` says so, a ``folded`` instance (a
    keras.applications model) unless ``expand_folded``; a unit in ``toggled`` is drawn the
    other way. The outermost collapsed unit wins, so expanding a unit in a collapsed diagram
    shows its own nested units collapsed.
    """
    out: dict[str, str] = {}
    for name, chain in ancestry(instances).items():
        for link in chain:
            key = unit_key(link, copies)
            default = not expand_folded if instances[link].folded else collapse_all
            if default != (key in toggled):
                out[name] = key
                break
    return out


def drawn_boxes(graph: Graph, hidden: Mapping[str, str]) -> int:
    """How many boxes a diagram has with the units of ``hidden`` drawn collapsed (one box each).

    >>> from graphspec.ir.graph import IRNode, NodeKind
    >>> g = Graph(name="g", file="g.yaml", nodes={n: IRNode(n, NodeKind.LAYER, instance=i)
    ...           for n, i in (("a", None), ("b", "u"), ("c", "u"))})
    >>> drawn_boxes(g, {}), drawn_boxes(g, {"u": "u"})
    (3, 2)
    """
    units = {
        hidden[i] for n in graph.nodes.values() if (i := n.instance) is not None and i in hidden
    }
    return sum(1 for n in graph.nodes.values() if n.instance not in hidden) + len(units)
