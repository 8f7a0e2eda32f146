"""The diff for a terminal: one line per change, consequences grouped, coloured on request.

>>> from graphspec.backends.diff import diff
>>> old = "inputs: {x: {shape: [8]}}\\nnodes: {h: {type: Dense, units: 4}, o: {type: Dense, units: 2}}"
>>> print(format_text(diff(old, old.replace("units: 4", "units: 16")), False))
--- <spec>
+++ <spec>
~ h (Dense): units: 4 → 16
    shape (None, 4) → (None, 16) · params 36 → 144 (+108)
  shape changes propagate to 1 node from `h`:
    o (Dense) · params 10 → 34 (+24)
params: 46 → 178 (+132) · trainable 46 → 178 (+132) · non-trainable 0 → 0 (+0)
1 changed, 1 node with new shapes or parameters, params 46 → 178 (+132)
"""

from __future__ import annotations

from typing import Final

from graphspec.backends.diff.formats import (
    argument_texts,
    count_text,
    formatter,
    instances_text,
    pair_text,
    param_text,
    shape_text,
)
from graphspec.backends.diff.result import DiffResult, NodeChange, ShapeGroup

__all__ = ["MAX_LISTED", "format_text"]

MAX_LISTED: Final = 8
"""Consequential changes listed per group in text (all of them are in JSON and Markdown)."""

_COLOURS: Final = {
    "added": "\033[32m",
    "removed": "\033[31m",
    "changed": "\033[33m",
    "renamed": "\033[36m",
    "note": "\033[2m",
    "title": "\033[1m",
}
_RESET: Final = "\033[0m"


class _Lines:
    def __init__(self, color: bool) -> None:
        self.color = color
        self.lines: list[str] = []

    def add(self, text: str, kind: str | None = None) -> None:
        if self.color and kind is not None:
            text = f"{_COLOURS[kind]}{text}{_RESET}"
        self.lines.append(text)


@formatter("text")
def format_text(result: DiffResult, color: bool) -> str:
    """The diff as lines for a terminal (ANSI colours when ``color``)."""
    out = _Lines(color)
    out.add(f"--- {result.old.label}", "removed")
    out.add(f"+++ {result.new.label}", "added")
    if not result.compared:
        out.add("not compared: a side could not be read (its diagnostics say why)")
        return "\n".join(out.lines)
    for name, pair in result.spec.params.items():
        out.add(
            f"param {name}: {pair_text(pair, param_text)} (nodes are compared by value)", "note"
        )
    for change in result.changed:
        _changed(out, change)
    for ref in result.added:
        _ref(out, "+", ref.name, ref.type, ref.shape, ref.params, len(ref.nodes), "added")
    for ref in result.removed:
        _ref(out, "-", ref.name, ref.type, ref.shape, ref.params, len(ref.nodes), "removed")
    for rename in result.renamed:
        many = f", {rename.nodes} nodes" if rename.nodes > 1 else ""
        out.add(f"= {rename.old} → {rename.new} ({rename.type}{many}): renamed", "renamed")
    for group in result.shape_changes:
        _group(out, group)
    _spec(out, result)
    out.add(result.summary(), "title")
    return "\n".join(out.lines)


def _changed(out: _Lines, change: NodeChange) -> None:
    what = "; ".join(argument_texts(change))
    if change.block is not None and len(change.nodes) == 1:  # one instance: its node by name
        out.add(f"~ {change.nodes[0]} ({change.type}, block {change.block}): {what}", "changed")
    elif change.block is not None:
        where = instances_text(change)
        out.add(
            f"~ block {change.block} · {change.name} ({change.type}), {where}: {what}", "changed"
        )
    else:
        out.add(f"~ {change.name} ({change.type}): {what}", "changed")
    effects = []
    if change.shape is not None:
        effects.append("shape " + pair_text(change.shape, shape_text))
    if change.params is not None:
        effects.append("params " + count_text(change.params))
    if effects:
        out.add("    " + " · ".join(effects))


def _ref(
    out: _Lines,
    sign: str,
    name: str,
    type_name: str,
    shape: object,
    params: int | None,
    nodes: int,
    kind: str,
) -> None:
    facts = [f"{nodes} nodes"] if nodes else []
    if shape is not None:
        facts.append(shape_text(shape))  # type: ignore[arg-type]  # Shapes
    if params is not None:
        facts.append(f"{params:,} params")
    tail = f": {' · '.join(facts)}" if facts else ""
    out.add(f"{sign} {name} ({type_name}){tail}", kind)


def _group(out: _Lines, group: ShapeGroup) -> None:
    count = len(group.nodes)
    many = "s" * (count != 1)
    out.add(f"  shape changes propagate to {count} node{many} from `{group.origin}`:", "note")
    for node in group.nodes[:MAX_LISTED]:
        parts = [f"{node.name} ({node.type})"]
        if node.shape is not None:
            parts.append(pair_text(node.shape, shape_text))
        if node.params is not None:
            parts.append("params " + count_text(node.params))
        out.add("    " + " · ".join(parts), "note")
    if count > MAX_LISTED:
        out.add(f"    … and {count - MAX_LISTED} more (--format json lists them all)", "note")


def _spec(out: _Lines, result: DiffResult) -> None:
    if result.compiles_as is not None:
        why = result.compiles_as_reason.new or result.compiles_as_reason.old
        tail = f" ({why})" if why else ""
        out.add(
            f"compiles as: {result.compiles_as.old} → {result.compiles_as.new}{tail}", "changed"
        )
    spec = result.spec
    for label, pair in (("inputs", spec.inputs), ("outputs", spec.outputs), ("api", spec.api)):
        if pair is not None:
            out.add(f"{label}: {pair_text(pair)}", "changed")
    for name, pair in spec.train.items():
        out.add(f"train.{name}: {pair_text(pair)}", "changed")
    totals = result.params
    if totals.changed or None in (totals.total.old, totals.total.new):
        out.add(
            f"params: {count_text(totals.total)} · trainable {count_text(totals.trainable)} · "
            f"non-trainable {count_text(totals.non_trainable)}"
        )
