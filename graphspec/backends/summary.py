"""``graphspec summary``: a ``model.summary()``-like table computed from the spec alone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphspec.api import CheckResult, check
from graphspec.base.shape_types import Shape, format_shape
from graphspec.frontend.spec import Spec
from graphspec.passes.shapes.flops import format_flops

if TYPE_CHECKING:
    from graphspec.backends.keras.deep import DeepReport

__all__ = ["model_kind", "scales_data", "scales_text", "summary_data", "summary_text"]


def model_kind(result: CheckResult) -> tuple[str, str | None]:
    """``("Sequential", None)`` for a chain, else ``("functional", reason)``."""
    return result.graph.compiles_as()


def _ref(node: str, port: int) -> str:
    """``enc`` for output 0, ``enc:1`` for output 1."""
    return f"{node}:{port}" if port else node


def _shapes(shapes: tuple[Shape, ...] | None) -> list[list[int | None]] | None:
    return [list(s) for s in shapes] if shapes else None


def summary_data(result: CheckResult, deep: DeepReport | None = None) -> dict[str, Any]:
    """The summary as plain data (the ``--format json`` output).

    Every node lists all its outputs (``output_shapes``: ``enc``, ``enc:1``, … in order);
    ``output_shape`` is output 0. Each model output names the node output it takes and its
    shape. With ``deep`` (``summary --deep``), each layer row also has what Keras built.

    >>> from graphspec import check
    >>> spec = "inputs: {x: {shape: [5, 3]}}\\nnodes: {r: {type: LSTM, units: 2, return_state: true}}"
    >>> data = summary_data(check(spec + "\\noutputs: ['r:2']"))
    >>> data["nodes"][1]["output_shapes"], data["outputs"]
    ([[None, 2], [None, 2], [None, 2]], [{'name': 'r:2', 'node': 'r', 'port': 2, 'output_shape': [None, 2]}])
    """
    kind, reason = model_kind(result)
    shapes = result.shapes
    costs = result.flops
    rows = []
    for node in result.graph:
        info = shapes.nodes.get(node.name) if shapes else None
        outputs = info.outputs if info else None
        cost = costs.nodes.get(node.name) if not node.is_input else None
        row: dict[str, Any] = {
            "node": node.name,
            "type": node.display_type,
            "output_shape": list(outputs[0]) if outputs else None,
            "output_shapes": _shapes(outputs),
            "params": info.params if info and info.known else None,
            "trainable": info.trainable if info and info.known else None,
            "non_trainable": info.non_trainable if info and info.known else None,
            "flops": 0 if node.is_input else (cost.flops if cost else None),
            "macs": 0 if node.is_input else (cost.macs if cost else None),
            "inputs": [_ref(src, node.port(i)) for i, src in enumerate(node.inputs)],
            "shares": node.share,
        }
        if node.keras_name:  # a `names:` template (format 1.1) named the Keras layer
            row["layer_name"] = node.keras_name
        if deep is not None and node.name in deep.shapes:
            row["keras"] = _keras_row(deep, node.name)
        if node.model is not None and not node.share:
            row["model"] = _nested_row(result, node)
        rows.append(row)
    graph = result.graph
    ports = graph.output_ports or [0] * len(graph.outputs)
    model_outputs = []
    for (name, node_name), port in zip(graph.outputs, ports, strict=True):
        info = shapes.nodes.get(node_name) if shapes else None
        shape = info.outputs[port] if info and info.outputs and port < len(info.outputs) else None
        model_outputs.append(
            {
                "name": name,
                "node": node_name,
                "port": port,
                "output_shape": list(shape) if shape is not None else None,
            }
        )
    data = {
        "name": graph.name,
        "kind": kind,
        "kind_reason": reason,
        "nodes": rows,
        "total_params": shapes.total if shapes else None,
        "trainable_params": shapes.trainable if shapes else None,
        "non_trainable_params": shapes.non_trainable if shapes else None,
        "complete": bool(shapes and shapes.complete),
        "total_flops": costs.flops if shapes else None,
        "total_macs": costs.macs if shapes else None,
        "flops_complete": bool(shapes and costs.complete),
        "outputs": model_outputs,
    }
    if costs.reasons:
        name, why = next(iter(costs.reasons.items()))
        data["flops_unknown"] = f"`{name}`: {why}" + (
            f" (and {len(costs.reasons) - 1} more)" if len(costs.reasons) > 1 else ""
        )
    if deep is not None:
        data["keras_built"] = deep.built
        data["keras_agrees"] = deep.built and not any(d.is_error for d in deep.diagnostics)
    return data


def _keras_row(deep: DeepReport, name: str) -> dict[str, Any]:
    trainable, non_trainable = deep.params.get(name, (None, None))
    return {
        "output_shapes": _shapes(deep.shapes[name]),
        "trainable": trainable,
        "non_trainable": non_trainable,
    }


def summary_text(result: CheckResult, deep: DeepReport | None = None) -> str:
    """The summary as an aligned text table with totals.

    A layer with several outputs gets one line per extra output (``enc:1``, ``enc:2``, …).
    With ``deep``, a last column says what Keras built: ``=`` where it agrees, its shape where
    static inference did not know it, ``≠`` and its shape where they disagree.
    """
    data = summary_data(result, deep)
    header: tuple[str, ...] = ("Node (type)", "Output shape", "Params", "FLOPs", "Inputs")
    if deep is not None:
        header = (*header, "Keras")
    body = [cells for row in data["nodes"] for cells in _row_lines(row, deep is not None)]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    rule = "─" * (sum(widths) + 2 * (len(widths) - 1))

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if i in (2, 3) else c.ljust(w)
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
    out.append(f" FLOPs: {_flops_total(data)}")
    shown = [
        f"{o['name']} = {_ref(o['node'], o['port'])} {_shape_text(o['output_shape'])}"
        if o["name"] != _ref(o["node"], o["port"])
        else f"{o['name']} {_shape_text(o['output_shape'])}"
        for o in data["outputs"]
    ]
    out.append(f" Outputs: {', '.join(shown)}")
    if deep is not None:
        out.append(f" Keras: {_verdict(data)}")
    return "\n".join(out)


def _flops_total(data: dict[str, Any]) -> str:
    """``1,234,567 (1.23 MFLOPs; 617,000 MACs) per sample``, with what is unknown."""
    total, total_macs = data["total_flops"], data["total_macs"]
    if total is None:
        return "?"
    text = f"{total:,} ({format_flops(total)}; {total_macs:,} MACs) per sample"
    if not data["flops_complete"]:
        text = f"≥ {text}; unknown for {data.get('flops_unknown', 'some nodes')}"
    return text


def _shape_text(shape: list[int | None] | None) -> str:
    return format_shape(tuple(shape)) if shape is not None else "?"


def _row_lines(row: dict[str, Any], deep: bool) -> list[tuple[str, ...]]:
    """The table lines of one node: its own, then one per extra output."""
    shapes = row["output_shapes"] or [None]
    keras = row.get("keras", {}).get("output_shapes") if deep else None
    params = "?" if row["params"] is None else f"{row['params']:,}"
    flops = "?" if row["flops"] is None else _short(row["flops"])
    inputs = ", ".join(row["inputs"])
    if row["shares"]:
        inputs += f"  (shares {row['shares']})"
    lines = []
    for port, shape in enumerate(shapes):
        name = f"{row['node']} ({row['type']})" if port == 0 else f"  {row['node']}:{port}"
        cells: tuple[str, ...] = (
            name,
            _shape_text(shape),
            params if port == 0 else "",
            flops if port == 0 else "",
            inputs if port == 0 else "",
        )
        if deep:
            cells = (*cells, _compare(shape, keras, port, row))
        lines.append(cells)
    if keras and len(keras) > len(shapes) and shapes != [None]:
        for port in range(len(shapes), len(keras)):
            lines.append(
                (f"  {row['node']}:{port}", "?", "", "", "", f"≠ {_shape_text(keras[port])}")
            )
    return lines


def _short(count: int) -> str:
    """A FLOP count for the table's column: ``0``, ``960``, ``1.2M``, ``3.4G``."""
    for unit, scale in (("T", 10**12), ("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if count >= scale:
            return f"{count / scale:.3g}{unit}"
    return str(count)


def _compare(
    shape: list[int | None] | None, keras: list[Any] | None, port: int, row: dict[str, Any]
) -> str:
    """The Keras column: ``=``, Keras's shape where static did not know it, or ``≠ shape``."""
    if keras is None:  # an input, or a node Keras did not build
        return "" if "keras" not in row else "?"
    if port >= len(keras):
        return "≠ (no such output)"
    theirs = keras[port]
    if shape is None:
        return _shape_text(theirs)
    agree = len(shape) == len(theirs) and all(
        a is None or b is None or a == b for a, b in zip(shape, theirs, strict=True)
    )
    if not agree:
        return f"≠ {_shape_text(theirs)}"
    if port == 0 and row.get("params") is not None:
        counts = (row["keras"]["trainable"], row["keras"]["non_trainable"])
        if counts[0] is not None and counts != (row["trainable"], row["non_trainable"]):
            return f"≠ {counts[0] + counts[1]:,} params"
    if any(a is None and b is not None for a, b in zip(shape, theirs, strict=True)):
        return _shape_text(theirs)
    return "="


def _verdict(data: dict[str, Any]) -> str:
    if not data["keras_built"]:
        return "could not build the model (see the errors below)"
    if data["keras_agrees"]:
        return "built the model; every shape and parameter count agrees"
    return "built the model; it disagrees with static inference where marked ≠ (see below)"


def _nested_row(result: CheckResult, node: Any) -> dict[str, Any]:
    """A nested model, expandable: its source, whether it is frozen, and its own rows."""
    from graphspec.plugins.nested.inference import nested_result

    model = node.model
    inner = nested_result(result, node)
    return {
        "source": model.source,
        "name": model.label,
        "trainable": model.trainable,
        "nodes": summary_data(inner)["nodes"] if inner is not None else None,
    }


def scales_data(spec: Spec, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every scale of ``spec`` checked: its params, parameter count, FLOPs and MACs.

    >>> from graphspec import load
    >>> spec = load("params: {w: 8}\\nscales: {s: {w: 4}, m: {w: 16}}\\n"
    ...             "inputs: {x: {shape: [4]}}\\nnodes: {o: {type: Dense, units: '${w}'}}\\n")
    >>> [(r["scale"], r["params"], r["flops"]) for r in scales_data(spec)["scales"]]
    [('s', 20, 36), ('m', 80, 144)]
    """
    rows = []
    for name, values in spec.scales.items():
        result = check(spec, params={**(params or {}), "@scale": name})
        shapes, cost = result.shapes, result.flops
        rows.append(
            {
                "scale": name,
                "values": dict(values) if isinstance(values, dict) else {},
                "ok": result.ok,
                "params": shapes.total if shapes and result.ok else None,
                "flops": cost.flops if shapes and result.ok and cost.complete else None,
                "macs": cost.macs if shapes and result.ok and cost.complete else None,
                "_diagnostics": [d for d in result.diagnostics if d.is_error],
            }
        )
    return {"name": spec.name, "scales": rows}


def scales_text(data: dict[str, Any]) -> str:
    """The scales side by side: one line per scale."""
    header = ("Scale", "Params set", "Parameters", "FLOPs", "MACs")
    body = []
    for row in data["scales"]:
        values = ", ".join(f"{k}={v}" for k, v in row["values"].items())
        if not row["ok"]:
            body.append((row["scale"], values, "invalid", "", ""))
            continue
        body.append(
            (
                row["scale"],
                values,
                "?" if row["params"] is None else f"{row['params']:,}",
                "?" if row["flops"] is None else format_flops(row["flops"]),
                "?" if row["macs"] is None else f"{row['macs']:,}",
            )
        )
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if i >= 2 else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "─" * (sum(widths) + 2 * (len(widths) - 1))
    return "\n".join(
        [f'Model: "{data["name"]}"  —  scales', rule, line(header), rule, *map(line, body), rule]
    )
