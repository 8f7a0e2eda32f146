"""The "extract block" refactoring: selected nodes of a spec become a block and one instance.

The nodes selected (their key lines in the selection, consecutive in ``nodes:``, plain layers)
must form a piece with one input and one output: exactly one tensor from outside feeds them and
exactly one of them is used outside (by a later node, an edge or the model's outputs). The
edit writes a ``blocks:`` entry holding the nodes with their arguments as checked (values of
``${...}`` expressions written out) and their inputs written out (``x`` for the tensor from
outside), and replaces the nodes by one instance named after the node used outside, so that
everything that referred to that node now refers to the instance. In ``edges:``, pairs into
the selected nodes move into the block and pairs out of the output node stay as they were.
The model is the same (layers, arguments, wiring, parameters); the layers' names get the
instance's prefix (``add`` → ``add.conv``) as every block instance's do.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from graphspec.api import CheckResult
from graphspec.backends.emit import format_value
from graphspec.errors import TextEdit

__all__ = ["Extraction", "extract_block"]

_INPUT: Final = "x"
_HEAD: Final = ("type",)
_TOP_KEY: Final = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
_PAIR: Final = re.compile(r"\s*->\s*")


@dataclass(frozen=True)
class Extraction:
    """The edits of one extraction, the new block's name and the instance's."""

    block: str
    instance: str
    members: tuple[str, ...]
    edits: tuple[TextEdit, ...]


def extract_block(text: str, result: CheckResult, first: int, last: int) -> Extraction | None:
    """The extraction of the top-level nodes whose key lines are ``first``..``last`` (1-based),
    or None when they are not a one-input, one-output piece of plain layers.

    >>> from graphspec.api import check
    >>> text = (
    ...     "inputs: {x: {shape: [8]}}\\n"
    ...     "nodes:\\n"
    ...     "  a: {type: Dense, units: 8}\\n"
    ...     "  b: {type: Dense, units: 4, activation: relu}\\n"
    ...     "  c: {type: Dense, units: 2}\\n")
    >>> found = extract_block(text, check(text), 3, 4)
    >>> found.block, found.instance, found.members
    ('block', 'b', ('a', 'b'))
    >>> print(found.edits[1].text, end="")
      b: {block: block, inputs: [x]}
    """
    spec, graph = result.spec, result.graph
    if any(d.is_error for d in result.diagnostics):
        return None
    lines = text.splitlines()
    order = list(spec.nodes)
    starts = _node_lines(graph, order)
    if starts is None:
        return None
    members = [n for n in order if first <= starts[n] <= last]
    if len(members) < 2 or not _consecutive(order, members):
        return None
    for name in members:
        node, ir = spec.nodes[name], graph.nodes.get(name)
        plain = node.type and not (node.share or node.block or node.model or node.call)
        if not plain or ir is None or ir.instance or ir.expr is not None:
            return None
        if any(ir.port(i) for i in range(len(ir.inputs))):
            return None
    inside = set(members)
    outside_inputs = {s for m in members for s in graph.nodes[m].inputs if s not in inside}
    used_outside = _used_outside(result, inside)
    if len(outside_inputs) != 1 or len(used_outside) != 1:
        return None
    (source,) = outside_inputs
    (out,) = used_outside
    block = _fresh("block", set(spec.blocks or {}))
    indent = _indent_of(lines, starts[members[0]])
    section_end = _section_end(lines, starts[order[-1]])
    span_end = (
        starts[order[order.index(members[-1]) + 1]] - 1 if members[-1] != order[-1] else section_end
    )
    while span_end > starts[members[-1]] and not lines[span_end - 1].strip():
        span_end -= 1
    body = [f"{indent}{block}:", f"{indent * 2}inputs: [{_INPUT}]", f"{indent * 2}nodes:"]
    for name in members:
        ir = graph.nodes[name]
        data: dict[str, Any] = {"type": ir.type, **ir.args}
        data["inputs"] = [_INPUT if s == source else s for s in ir.inputs]
        body.append(f"{indent * 3}{_key(name)}: {format_value(data)}")
    body.append(f"{indent * 2}outputs: [{_key(out)}]")
    instance = f"{indent}{_key(out)}: {format_value({'block': block, 'inputs': [source]})}\n"
    edits = [_blocks_edit(lines, indent, body)]
    edits.append(_replace(lines, starts[members[0]], span_end, instance))
    possible, edges = _edges_edit(lines, result, inside, out)
    if not possible:
        return None
    if edges is not None:
        edits.append(edges)
    edits.sort(key=lambda e: (e.line, e.column))
    return Extraction(block, out, tuple(members), tuple(edits))


def _node_lines(graph: Any, order: Sequence[str]) -> dict[str, int] | None:
    """The key line of each top-level node: a layer's own, a block instance's (its site)."""
    sites = {i.site: i.loc.line for i in graph.instances.values() if i.loc is not None}
    starts: dict[str, int] = {}
    for name in order:
        ir = graph.nodes.get(name)
        line = ir.loc.line if ir is not None and ir.loc is not None else sites.get(name)
        if line is None:
            return None
        starts[name] = line
    return starts


def _consecutive(order: Sequence[str], members: Sequence[str]) -> bool:
    first = order.index(members[0])
    return list(order[first : first + len(members)]) == list(members)


def _used_outside(result: CheckResult, inside: set[str]) -> set[str]:
    graph = result.graph
    used = {
        s for n in graph.nodes.values() if n.name not in inside for s in n.inputs if s in inside
    }
    used |= {node for _, node in graph.outputs if node in inside}
    return used


def _fresh(stem: str, taken: set[str]) -> str:
    name, count = stem, 1
    while name in taken:
        count += 1
        name = f"{stem}_{count}"
    return name


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][\w.-]*", name) else format_value(name)


def _indent_of(lines: Sequence[str], line: int) -> str:
    text = lines[line - 1]
    return text[: len(text) - len(text.lstrip())] or "  "


def _top_level(lines: Sequence[str]) -> dict[str, int]:
    """Each top-level key -> its line (1-based)."""
    found: dict[str, int] = {}
    for number, text in enumerate(lines, 1):
        match = _TOP_KEY.match(text)
        if match:
            found.setdefault(match.group(1), number)
    return found


def _section_end(lines: Sequence[str], after: int) -> int:
    """The last line of the section that holds line ``after`` (before the next top-level key)."""
    for number in range(after + 1, len(lines) + 1):
        if _TOP_KEY.match(lines[number - 1]):
            return number - 1
    return len(lines)


def _blocks_edit(lines: Sequence[str], indent: str, body: list[str]) -> TextEdit:
    """Insert the block: first in an existing ``blocks:`` section, else one before ``nodes:``."""
    keys = _top_level(lines)
    text = "\n".join(body) + "\n"
    if "blocks" in keys and lines[keys["blocks"] - 1].split("#")[0].strip() == "blocks:":
        at = keys["blocks"] + 1
        return TextEdit(at, 1, at, 1, text)
    at = keys.get("nodes", 1)
    return TextEdit(at, 1, at, 1, "blocks:\n" + text)


def _edges_edit(
    lines: Sequence[str], result: CheckResult, inside: set[str], out: str
) -> tuple[bool, TextEdit | None]:
    """Whether the ``edges:`` section can be rewritten (no ports, no mappings), and the edit
    leaving out the pairs into the selected nodes (rewritten as chains; None: no change)."""
    spec = result.spec
    if not spec.edges:
        return True, None
    pairs: list[tuple[str, str]] = []
    for item in spec.edges:
        names = _PAIR.split(item.strip()) if isinstance(item, str) else list(item)
        if any(":" in n for n in names):
            return False, None
        pairs += list(itertools.pairwise(names))
    if not any(a in inside or b in inside for a, b in pairs):
        return True, None
    kept = [(a, b) for a, b in pairs if b not in inside]
    if any(a in inside and a != out for a, _ in kept):
        return False, None
    keys = _top_level(lines)
    start = keys["edges"]
    end = _section_end(lines, start)
    while end > start and not lines[end - 1].strip():
        end -= 1
    indent = _indent_of(lines, start + 1) if end > start else "  "
    chains = [f"{indent}- {' -> '.join(chain)}" for chain in _chains(kept)]
    text = "edges:\n" + "".join(f"{c}\n" for c in chains) if chains else "edges: []\n"
    return True, _replace(lines, start, end, text)


def _replace(lines: Sequence[str], first: int, last: int, text: str) -> TextEdit:
    """Replace the whole lines ``first``..``last`` (the last line of the text too)."""
    if last < len(lines):
        return TextEdit(first, 1, last + 1, 1, text)
    return TextEdit(first, 1, last, len(lines[last - 1]) + 1, text.removesuffix("\n"))


def _chains(pairs: Sequence[tuple[str, str]]) -> list[list[str]]:
    """Pairs joined into ``a -> b -> c`` chains where one pair continues the last, in order.

    >>> _chains([("a", "b"), ("b", "c"), ("a", "d")])
    [['a', 'b', 'c'], ['a', 'd']]
    """
    chains: list[list[str]] = []
    for a, b in pairs:
        if chains and chains[-1][-1] == a:
            chains[-1].append(b)
        else:
            chains.append([a, b])
    return chains
