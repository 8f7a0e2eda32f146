"""The diff as a pull-request comment: a summary line, a table of changed nodes, collapsible details.

Every name and value is escaped (HTML entities, ``|``), so a hostile node name stays text.

>>> cell("a|b <i>")
'a&#124;b &lt;i&gt;'
"""

from __future__ import annotations

import html

from graphspec.backends.diff.formats import (
    argument_texts,
    count_text,
    formatter,
    instances_text,
    pair_text,
    param_text,
    shape_text,
)
from graphspec.backends.diff.result import DiffResult, ShapeGroup

__all__ = ["cell", "format_markdown"]


def cell(text: object) -> str:
    """Text safe in a Markdown table cell and in HTML."""
    value = html.escape(str(text), quote=False).replace("|", "&#124;")
    return " ".join(value.split("\n")).replace("`", "&#96;")


def _code(text: object) -> str:
    return f"<code>{cell(text)}</code>"


@formatter("markdown")
def format_markdown(result: DiffResult, color: bool) -> str:
    """The diff as GitHub-flavoured Markdown (``color`` is ignored)."""
    del color
    verdict = "same architecture" if result.equal else "architecture changed"
    out = [
        f"### graphspec diff: {_code(result.old.label)} → {_code(result.new.label)}",
        "",
        f"**{cell(verdict)}** — {cell(result.summary())}",
        "",
    ]
    for side, word in ((result.old, "old"), (result.new, "new")):
        errors = [d for d in side.diagnostics if d.is_error]
        if errors or not side.loaded:
            out.append(f"> **{word} side has {len(errors)} error(s)**: {cell(errors[0].format())}")
            out.append("")
    rows = _rows(result)
    if rows:
        out += ["| | node | type | change | output shape | params |", "|---|---|---|---|---|---|"]
        out += rows
        out.append("")
    for group in result.shape_changes:
        out += _details_group(group)
    out += _details_spec(result)
    return "\n".join(out).rstrip() + "\n"


def _rows(result: DiffResult) -> list[str]:
    rows = []
    for change in result.changed:
        name = _code(change.name)
        if change.block is not None and len(change.nodes) == 1:
            name = f"{_code(change.nodes[0])} in block {_code(change.block)}"
        elif change.block is not None:
            name = f"{name} in block {_code(change.block)}, {cell(instances_text(change))}"
        what = "<br>".join(cell(t) for t in argument_texts(change))
        shape = cell(pair_text(change.shape, shape_text)) if change.shape else ""
        params = cell(count_text(change.params)) if change.params else ""
        rows.append(f"| ~ | {name} | {cell(change.type)} | {what} | {shape} | {params} |")
    for refs, sign, word in ((result.added, "+", "added"), (result.removed, "−", "removed")):
        for ref in refs:
            shape = cell(shape_text(ref.shape)) if ref.shape is not None else ""
            params = f"{ref.params:,}" if ref.params is not None else ""
            what = word + (f" ({len(ref.nodes)} nodes)" if ref.nodes else "")
            rows.append(
                f"| {sign} | {_code(ref.name)} | {cell(ref.type)} | {what} | {shape} | {params} |"
            )
    for rename in result.renamed:
        rows.append(
            f"| = | {_code(rename.old)} → {_code(rename.new)} | {cell(rename.type)} | renamed | | |"
        )
    return rows


def _details_group(group: ShapeGroup) -> list[str]:
    count = len(group.nodes)
    out = [
        "<details>",
        f"<summary>shape changes propagate to {count} node{'s' * (count != 1)} from "
        f"{_code(group.origin)}</summary>",
        "",
        "| node | type | output shape | params |",
        "|---|---|---|---|",
    ]
    for node in group.nodes:
        shape = cell(pair_text(node.shape, shape_text)) if node.shape else ""
        params = cell(count_text(node.params)) if node.params else ""
        out.append(f"| {_code(node.name)} | {cell(node.type)} | {shape} | {params} |")
    return [*out, "", "</details>", ""]


def _details_spec(result: DiffResult) -> list[str]:
    totals = result.params
    rows = [
        ("trainable", count_text(totals.trainable)),
        ("non-trainable", count_text(totals.non_trainable)),
        ("total", count_text(totals.total)),
    ]
    if result.compiles_as is not None:
        why = result.compiles_as_reason.new or result.compiles_as_reason.old or ""
        rows.append(("compiles as", pair_text(result.compiles_as) + (f" ({why})" if why else "")))
    spec = result.spec
    for label, pair in (("inputs", spec.inputs), ("outputs", spec.outputs), ("api", spec.api)):
        if pair is not None:
            rows.append((label, pair_text(pair)))
    rows += [(f"train.{k}", pair_text(p)) for k, p in spec.train.items()]
    rows += [(f"param {k}", pair_text(p, param_text)) for k, p in spec.params.items()]
    body = [f"| {cell(k)} | {cell(v)} |" for k, v in rows]
    return [
        "<details>",
        f"<summary>parameters {cell(count_text(totals.total))} and spec settings</summary>",
        "",
        "| | old → new |",
        "|---|---|",
        *body,
        "",
        "</details>",
    ]
