"""A fault inside a block definition is one diagnostic, however many instances show it.

Checks run on the expanded graph, so a typo in a block used four times is found four times,
once per instance node, all at the same place in the block definition. :func:`merge_instances`
folds those into one diagnostic located at the definition, naming the block's node
(``node `attn` of block `enc```) and, in :attr:`Diagnostic.instances`, every instance it shows
in: "in all 4 instances: encoder.0 … encoder.3", or "in 2 of 4 instances: …" when only some
(their params differ). A fault that shows in one instance only keeps that instance's name and
gets a related line pointing at the instance, whose params make the difference.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from typing import Final

from graphspec.errors import Diagnostic
from graphspec.ir.graph import BlockInstance, Graph

__all__ = ["instance_summary", "merge_instances"]

_SHOWN: Final = 5
"""Instances listed by name before the list is cut short (copies of one ``repeat``: always
``first … last``)."""


def merge_instances(graph: Graph, diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """``diagnostics`` with those that differ only by their block instance merged into one.

    >>> from graphspec import check
    >>> text = '''
    ... inputs: {x: {shape: [4]}}
    ... blocks:
    ...   mlp: {nodes: {d: {type: Dense, units: 4, activaton: relu}}}
    ... nodes: {body: {block: mlp, repeat: 3}}
    ... '''
    >>> [d] = check(text).errors
    >>> d.message
    'node `d` of block `mlp`: Dense has no argument `activaton` (in all 3 instances: body.0 … body.2)'
    >>> d.instances, d.node
    (('body.0', 'body.1', 'body.2'), 'body.0.d')
    """
    if not graph.instances or not diagnostics:
        return list(diagnostics)
    owners = _owners(graph)
    totals = Counter(inst.block for inst in graph.instances.values())
    groups: dict[tuple[object, ...], list[tuple[Diagnostic, BlockInstance]]] = {}
    order: list[Diagnostic | tuple[object, ...]] = []
    for diag in diagnostics:
        inst = _instance_of(diag, graph, owners)
        if inst is None or totals[inst.block] < 2 or diag.instances:
            order.append(diag)
            continue
        key = _key(diag, inst)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((diag, inst))
    out: list[Diagnostic] = []
    for item in order:
        if isinstance(item, Diagnostic):
            out.append(item)
        else:
            out.append(_merged(graph, groups[item], totals))
    return out


def instance_summary(names: Sequence[str], total: int) -> str:
    """``in all 4 instances: e.0 … e.3`` or ``in 2 of 5 instances: a, c``.

    >>> instance_summary(["e.0", "e.1", "e.2", "e.3"], 4)
    'in all 4 instances: e.0 … e.3'
    >>> instance_summary(["a", "c"], 5), instance_summary(["c"], 3)
    ('in 2 of 5 instances: a, c', 'in 1 of 3 instances: c')
    >>> instance_summary(["a.0", "a.1", "b", "c", "d", "e"], 6)
    'in all 6 instances: a.0, a.1, b, … e'
    """
    if len(names) > 2 and _copies(names):
        shown = f"{names[0]} … {names[-1]}"
    elif len(names) <= _SHOWN:
        shown = ", ".join(names)
    else:
        shown = f"{', '.join(names[: _SHOWN - 2])}, … {names[-1]}"
    if len(names) == total:
        return f"in all {total} instances: {shown}"
    return f"in {len(names)} of {total} instance{'s' * (total != 1)}: {shown}"


def _copies(names: Sequence[str]) -> bool:
    """Whether ``names`` are consecutive copies of one repeated instance (``e.0``, ``e.1``, …)."""
    parts = [name.rpartition(".") for name in names]
    if len({site for site, _, _ in parts}) != 1 or not all(n.isdigit() for _, _, n in parts):
        return False
    numbers = [int(n) for _, _, n in parts]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _owners(graph: Graph) -> dict[str, str]:
    """Node name -> the innermost block instance it was expanded from."""
    return {node.name: node.instance for node in graph.nodes.values() if node.instance}


def _instance_of(diag: Diagnostic, graph: Graph, owners: dict[str, str]) -> BlockInstance | None:
    if diag.node is None:
        return None
    name = owners.get(diag.node)
    if name is None:  # a node lost to an error: its longest instance prefix
        prefixes = [i for i in graph.instances if diag.node.startswith(f"{i}.")]
        name = max(prefixes, key=len, default=None)
    return graph.instances.get(name) if name is not None else None


def _strip(text: str | None, inst: str) -> str | None:
    """``text`` with the instance's prefix taken off the names in it (``b.0.d`` -> ``d``)."""
    if text is None:
        return None
    return re.sub(rf"(?<![\w.]){re.escape(inst)}\.", "", text)


def _key(diag: Diagnostic, inst: BlockInstance) -> tuple[object, ...]:
    return (
        diag.code,
        diag.severity,
        diag.file,
        diag.line,
        diag.column,
        diag.end_line,
        diag.end_column,
        inst.block,
        _strip(diag.message, inst.name),
        _strip(diag.hint, inst.name),
        diag.fixes,
    )


def _merged(
    graph: Graph, members: list[tuple[Diagnostic, BlockInstance]], totals: Counter[str]
) -> Diagnostic:
    first, inst = members[0]
    names = tuple(dict.fromkeys(i.name for _, i in members))
    total = totals[inst.block]
    if len(names) == 1:  # shapes: the other instances may be unknown, not fine
        return first if first.code.startswith("E5") else _single(graph, first, inst, total)
    message = _strip(first.message, inst.name) or first.message
    local = (first.node or "")[len(inst.name) + 1 :]
    named = f"node `{local}`"
    if local and named in message:
        message = message.replace(named, f"{named} of block `{inst.block}`", 1)
    else:
        message = f"block `{inst.block}`: {message}"
    return dataclasses.replace(
        first,
        message=f"{message} ({instance_summary(names, total)})",
        hint=_strip(first.hint, inst.name),
        related=tuple(_strip(r, inst.name) or r for r in first.related),
        instances=names,
    )


def _single(graph: Graph, diag: Diagnostic, inst: BlockInstance, total: int) -> Diagnostic:
    """A fault of one instance among several: its params make the difference, say where."""
    site = inst.loc
    where = f"{graph.file}:{site.line}:{site.column}: " if site is not None else ""
    line = (
        f"{where}only in instance `{inst.name}` of block `{inst.block}` (1 of {total}): "
        "its params make the difference"
    )
    return dataclasses.replace(diag, related=(*diag.related, line), instances=(inst.name,))
