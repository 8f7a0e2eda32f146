"""Blocks suggested for a flat spec: what ``graphspec import`` would write, as data a tool can show.

The seam between block discovery (:func:`graphspec.backends.importer.with_blocks`, a general
algorithm over any flat spec) and the tools that offer its result: the live viewer draws the
suggested spec beside the written one; nothing is written to the user's file.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphspec.api import CheckResult, check
from graphspec.backends.emit import to_yaml
from graphspec.backends.importer.rewrite import with_blocks

__all__ = ["Suggestion", "suggest_blocks"]


@dataclass(frozen=True)
class Suggestion:
    """A flat spec's blocks: the spec rewritten with them, checked, and its YAML text.

    ``instances`` maps each block to its instances; ``flat_lines`` / ``lines`` compare the spec
    written flat (canonical YAML) with the suggestion.
    """

    result: CheckResult
    text: str
    instances: dict[str, list[str]]
    flat_lines: int
    lines: int


def suggest_blocks(result: CheckResult) -> Suggestion | None:
    """The blocks of a flat, valid spec, or None (it has blocks, errors, or no repeats).

    The suggested spec is the same model with the same layer names (the import's naming rule),
    so every node of the suggestion is a node of the spec.

    >>> from graphspec.api import check
    >>> text = "inputs: {x: {shape: [8]}}\\nnodes:\\n" + "".join(
    ...     f"  b{i}_dense: {{type: Dense, units: 8}}\\n  b{i}_bn: {{type: BatchNormalization}}\\n"
    ...     f"  b{i}_relu: {{type: ReLU}}\\n" for i in range(1, 5))
    >>> found = suggest_blocks(check(text))
    >>> found.instances, found.flat_lines > found.lines
    ({'b': ['b1']}, True)
    """
    if not result.ok or result.graph.instances or result.spec.blocks:
        return None
    rewritten = with_blocks(result.spec)
    if rewritten is result.spec or not rewritten.blocks:
        return None
    checked = check(rewritten)
    if not checked.ok:  # never offer what would not check (a discovery bug): say nothing
        return None
    instances: dict[str, list[str]] = {name: [] for name in rewritten.blocks}
    for name, node in rewritten.nodes.items():
        if node.block in instances:
            instances[node.block].append(name)
    text = to_yaml(rewritten)
    return Suggestion(
        checked, text, instances, len(to_yaml(result.spec).splitlines()), len(text.splitlines())
    )
