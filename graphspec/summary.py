"""``graphspec summary``: a ``model.summary()``-like table computed from the spec alone."""

from __future__ import annotations

from typing import Any

from graphspec.api import CheckResult
from graphspec.shapes._types import format_shape

__all__ = ["model_kind", "summary_data", "summary_text"]


def model_kind(result: CheckResult) -> tuple[str, str | None]:
    """``("Sequential", None)`` for a chain, else ``("functional", reason)``."""
    return result.graph.compiles_as()


def summary_data(result: CheckResult) -> dict[str, Any]:
    """The summary as plain data (the ``--format json`` output).

    >>> from graphspec import check
    >>> data = summary_data(check("inputs: {x: {shape: [4]}}\\nnodes: {d: {type: Dense, units: 2}}"))
    >>> data["kind"], [row["node"] for row in data["nodes"]]
    ('Sequential', ['x', 'd'])
    """
    kind, reason = model_kind(result)
    shapes = result.shapes
    rows = []
    for node in result.graph:
        info = shapes.nodes.get(node.name) if shapes else None
        output = info.output if info else None
        rows.append(
            {
                "node": node.name,
                "type": node.display_type,
                "output_shape": list(output) if output is not None else None,
                "params": info.params if info and info.known else None,
                "trainable": info.trainable if info and info.known else None,
                "non_trainable": info.non_trainable if info and info.known else None,
                "inputs": [
                    f"{src}:{node.port(i)}" if node.port(i) else src
                    for i, src in enumerate(node.inputs)
                ],
                "shares": node.share,
            }
        )
    return {
        "name": result.graph.name,
        "kind": kind,
        "kind_reason": reason,
        "nodes": rows,
        "total_params": shapes.total if shapes else None,
        "trainable_params": shapes.trainable if shapes else None,
        "non_trainable_params": shapes.non_trainable if shapes else None,
        "complete": bool(shapes and shapes.complete),
        "outputs": [{"name": n, "node": node} for n, node in result.graph.outputs],
    }


def summary_text(result: CheckResult) -> str:
    """The summary as an aligned text table with totals."""
    data = summary_data(result)
    header = ("Node (type)", "Output shape", "Params", "Inputs")
    body = []
    for row in data["nodes"]:
        shape = row["output_shape"]
        shape_text = format_shape(tuple(shape)) if shape is not None else "?"
        params = "?" if row["params"] is None else f"{row['params']:,}"
        inputs = ", ".join(row["inputs"])
        if row["shares"]:
            inputs += f"  (shares {row['shares']})"
        body.append((f"{row['node']} ({row['type']})", shape_text, params, inputs))
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(4)]
    rule = "─" * (sum(widths) + 6)

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if i == 2 else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    kind = data["kind"] + (f" ({data['kind_reason']})" if data["kind_reason"] else "")
    out = [f'Model: "{data["name"]}"  —  compiles as {kind}', rule, line(header), rule]
    out += [line(r) for r in body]
    out.append(rule)
    suffix = "" if data["complete"] else "  (some shapes unknown: totals cover known nodes)"

    def fmt(value: int | None) -> str:
        return "?" if value is None else f"{value:,}"

    out.append(f" Total params: {fmt(data['total_params'])}{suffix}")
    out.append(f" Trainable params: {fmt(data['trainable_params'])}")
    out.append(f" Non-trainable params: {fmt(data['non_trainable_params'])}")
    return "\n".join(out)
