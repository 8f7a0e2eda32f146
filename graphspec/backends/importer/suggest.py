"""Blocks suggested for a flat spec: what ``graphspec import`` would write, as data a tool can show.

The seam between block discovery (:func:`graphspec.backends.importer.with_blocks`, a general
algorithm over any flat spec) and the tools that offer its result: the live viewer draws the
suggested spec beside the written one; nothing is written to the user's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from graphspec.api import CheckResult, check
from graphspec.backends.emit import to_yaml
from graphspec.backends.importer.rewrite import with_blocks
from graphspec.frontend.spec import Spec

__all__ = ["Suggestion", "suggest_blocks"]

_KEPT: Final = ("type",)
"""What a layer node keeps of its written entry; the rest are its checked arguments."""


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
    flat = _resolved(result) if result.spec.params else result.spec
    rewritten = with_blocks(flat)
    if rewritten is flat or not rewritten.blocks:
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


def _resolved(result: CheckResult) -> Spec:
    """The spec with its ``${...}`` values written out (as checked) and every input named: what
    block discovery reads (it finds the params a block needs by itself)."""
    spec, graph = result.spec, result.graph
    nodes: dict[str, Any] = {}
    for name, node in spec.nodes.items():
        ir = graph.nodes[name]
        data = node.model_dump(exclude_none=True, by_alias=True)
        if node.type:  # a layer: its arguments as checked
            data = {key: data[key] for key in _KEPT if key in data} | dict(ir.args)
        data["inputs"] = [
            f"{src}:{ir.port(i)}" if ir.port(i) else src for i, src in enumerate(ir.inputs)
        ]
        nodes[name] = data
    return Spec.model_validate(
        {
            "graphspec": spec.graphspec,
            "name": spec.name or graph.name,
            "description": spec.description,
            "inputs": {k: v.model_dump(exclude_none=True) for k, v in spec.inputs.items()},
            "nodes": nodes,
            "outputs": spec.outputs if spec.outputs is not None else [n for _, n in graph.outputs],
        }
    )
