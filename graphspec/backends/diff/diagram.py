"""The diagram of a diff: the new architecture, added nodes green, changed ones amber with their
``old → new`` values, shape changes marked, removed nodes as grey ghosts, unchanged blocks collapsed.

Drawn by the diagram back end itself (:mod:`graphspec.backends.diagram`: the same boxes, layout and
renderers as ``graphspec render``), through its :class:`~graphspec.backends.diagram.marks.Marks`.

>>> from graphspec.backends.diff import diff
>>> old = "inputs: {x: {shape: [8]}}\\nnodes: {h: {type: Dense, units: 4}, o: {type: Dense, units: 2}}"
>>> view = diff_view(diff(old, old.replace("units: 4", "units: 16")))
>>> [(b.label, b.mark, b.changes) for b in view.boxes.values()][1:]  # doctest: +NORMALIZE_WHITESPACE
[('h', 'changed', ['units: 4 → 16', 'was (None, 4)', 'params 36 → 144 (+108)']),
 ('o', 'shape', ['params 10 → 34 (+24)'])]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphspec.api import CheckResult
from graphspec.backends.diagram import (
    MAX_DRAWN_NODES,
    RENDERERS,
    RenderResult,
    View,
    bounded_view,
    format_for,
)
from graphspec.backends.diagram.dot import dot_source
from graphspec.backends.diagram.labels import clean
from graphspec.backends.diagram.marks import Ghost, Marks, mark_view, touched_units
from graphspec.backends.diff.formats import argument_texts, count_text, shape_text
from graphspec.backends.diff.match import consumers
from graphspec.backends.diff.result import DiffResult, NodeRef
from graphspec.base.gc_pause import GcPause
from graphspec.base.output import OutputPolicy
from graphspec.errors import GraphvizNotFoundError, UsageError
from graphspec.plugins.nested.flatten import flatten_models

__all__ = ["diff_marks", "diff_view", "render_diff"]


def diff_marks(result: DiffResult) -> Marks:
    """What to mark in the drawing of the new spec, and the ghosts of removed nodes."""
    marks = Marks()
    new = result.checks[1]
    for group in result.shape_changes:
        for node in group.nodes:
            lines = [f"was {shape_text(node.shape.old)}"] if node.shape else []
            lines += ["params " + count_text(node.params)] if node.params else []
            marks.nodes[node.name] = ("shape", lines)
    for rename in result.renamed:
        targets = [rename.new]
        if rename.nodes > 1 and isinstance(new, CheckResult):
            targets = [n for n in new.graph.nodes if n.startswith(rename.new + ".")]
        for name in targets:
            was = rename.old + name[len(rename.new) :]
            marks.nodes[name] = ("changed", [f"renamed from {was}"])
    for change in result.changed:
        lines = argument_texts(change)
        if change.shape is not None:
            lines.append("was " + shape_text(change.shape.old))
        if change.params is not None and change.block is None:
            lines.append("params " + count_text(change.params))
        for name in change.nodes:
            marks.nodes[name] = ("changed", lines)
    for ref in result.added:
        for name in ref.nodes or [ref.name]:
            marks.nodes[name] = ("added", ["new"] if name == ref.name else [])
    marks.ghosts = _ghosts(result)
    return marks


def _ghosts(result: DiffResult) -> list[Ghost]:
    """A ghost per removed node (or removed block instance), linked to its former neighbours."""
    old = result.checks[0]
    if not isinstance(old, CheckResult):
        return []
    graph = old.graph
    ghost_of = {n: ref.name for ref in result.removed for n in (ref.nodes or [ref.name])}
    used_by = consumers(graph)

    def drawn(names: Iterable[str], inside: set[str]) -> list[str]:
        out = []
        for name in names:
            if name in inside:
                continue
            out.append(result.matched.get(name) or ghost_of.get(name, ""))
        return [n for n in dict.fromkeys(out) if n]

    ghosts = []
    for ref in result.removed:
        inside = set(ref.nodes or [ref.name])
        members = [graph.nodes[n] for n in inside if n in graph.nodes]
        inputs = [src for node in members for src in node.inputs]
        used = [c for node in members for c in used_by.get(node.name, [])]
        ghosts.append(
            Ghost(
                ref.name,
                ref.type,
                drawn(inputs, inside),
                drawn(used, inside),
                _ghost_lines(ref),
                block=ref.block is not None,
            )
        )
    return ghosts


def _ghost_lines(ref: NodeRef) -> list[str]:
    facts = ["removed"]
    if ref.nodes:
        facts.append(f"{len(ref.nodes)} nodes")
    if ref.params is not None:
        facts.append(f"{ref.params:,} params")
    return [" · ".join(facts)]


def diff_view(result: DiffResult, *, max_boxes: int = MAX_DRAWN_NODES, **style: Any) -> View:
    """Lay out the diagram of a diff (the new spec, marked); :class:`UsageError` when the new
    side could not be read. ``style`` takes :func:`graphspec.backends.diagram.view_of`'s options
    but ``blocks``: blocks with no change are drawn collapsed, the others open."""
    new = result.checks[1]
    if not isinstance(new, CheckResult):
        raise UsageError(f"cannot draw the diff: {result.new.label} could not be read")
    if new.spec.is_library:
        raise UsageError(f"cannot draw the diff: {result.new.label} is a block library")
    marks = diff_marks(result)
    touched = set(marks.nodes)
    for ghost in marks.ghosts:
        touched.update(ghost.inputs + ghost.consumers)
    toggled = touched_units(flatten_models(new).graph, touched)
    style = {k: v for k, v in style.items() if k not in ("blocks", "toggled")}
    _, view, _ = bounded_view(new, max_boxes=max_boxes, blocks="collapse", toggled=toggled, **style)
    view.name = clean(f"{view.name}: diff")
    view.summary = clean(f"{result.old.label} → {result.new.label} · {result.summary()}")
    return mark_view(view, marks)


def render_diff(
    result: DiffResult,
    path: str | Path | None = None,
    *,
    format: str | None = None,
    force: bool = False,
    mkdir: bool = False,
    policy: OutputPolicy | None = None,
    max_boxes: int = MAX_DRAWN_NODES,
    **style: Any,
) -> RenderResult:
    """Draw a diff and write it to ``path`` (SVG, PNG, PDF, DOT or Mermaid, from ``format`` or
    the extension) under the output policy (:mod:`graphspec.base.output`): never over either
    spec or a file they include, over a file graphspec did not write only with ``force``, into
    a missing folder only with ``mkdir`` (``policy``, when given, replaces both)."""
    fmt = format_for(path, format)
    with GcPause():
        view = diff_view(result, max_boxes=max_boxes, **style)
    inputs = [f for check in result.checks if check is not None for f in check.files_read()]
    policy = (policy or OutputPolicy(force=force, mkdir=mkdir)).with_inputs(*inputs)
    target = Path(path) if path is not None else None
    source = dot_source(view)
    try:
        data = RENDERERS[fmt].draw(view)
    except GraphvizNotFoundError as err:
        if target is None:
            raise
        dot_path = target.with_suffix(".dot")
        policy.write_text(dot_path, source)
        raise GraphvizNotFoundError(f"{err}; the DOT source was written to {dot_path}") from err
    if target is not None:
        policy.write_bytes(target, data)
    diagnostics = [*result.old.diagnostics, *result.new.diagnostics]
    return RenderResult(fmt, data, source, diagnostics, target, result.checks[1])
