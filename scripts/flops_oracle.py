"""The static FLOPs against an independent count: XLA's ``cost_analysis()`` on the JAX backend.

Each model is compiled with ``jax.jit`` over Keras's stateless call (weights as arguments, so
nothing is folded into constants), for one sample, at inference; XLA's ``flops`` of the
compiled module is compared with graphspec's static count.

Two adjustments keep the comparison fair, both applied to the model XLA compiles and never to
the static count: recurrent layers are built with ``unroll: true`` (XLA's cost model counts the
body of a loop once, whatever its trip count; unrolled, every step is counted), and a variable
length (``null`` in an input shape) is fixed to ``--length`` steps on both sides.

    python scripts/flops_oracle.py --specs                  # every spec under specs/
    python scripts/flops_oracle.py --applications all       # the 40 keras.applications
    python scripts/flops_oracle.py --applications all --markdown docs/flops-oracle.md

Prints one JSON object per model (``--json``) or a table. ``make flops-oracle`` runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOLERANCE = 0.05
"""The relative difference allowed between the static count and XLA's (docs/training.md)."""

_RECURRENT = ("SimpleRNN", "LSTM", "GRU", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")


def _xla_flops(model: Any, shapes: list[tuple[int, ...]], dtypes: list[str]) -> int:
    import jax

    trainable = [v.value for v in model.trainable_variables]
    fixed = [v.value for v in model.non_trainable_variables]

    def forward(trainable: Any, fixed: Any, *xs: Any) -> Any:
        inputs = list(xs) if len(xs) > 1 else xs[0]
        out, _ = model.stateless_call(trainable, fixed, inputs, training=False)
        return out

    args = [jax.ShapeDtypeStruct((1, *s), d) for s, d in zip(shapes, dtypes, strict=True)]
    cost = jax.jit(forward).lower(trainable, fixed, *args).compile().cost_analysis()
    if isinstance(cost, list):
        cost = cost[0]
    return int(cost.get("flops", 0))


def _unrolled(args: dict[str, Any], type_name: str | None) -> dict[str, Any]:
    """A layer's arguments with every recurrent layer (wrapped ones too) unrolled."""
    out = dict(args)
    if type_name in _RECURRENT:
        out["unroll"] = True
    for key in ("layer", "backward_layer"):
        inner = out.get(key)
        if isinstance(inner, dict):
            out[key] = _unrolled(inner, inner.get("type"))
    return out


def spec_row(path: Path, length: int) -> dict[str, Any]:
    """Static and XLA FLOPs of one spec file."""
    from graphspec import check
    from graphspec.backends.keras.compiler import build_model
    from graphspec.passes.shapes.count import count_flops
    from graphspec.passes.shapes.infer import infer_shapes

    result = check(path)
    graph = result.graph
    shapes = [
        tuple(length if d is None else d for d in graph.nodes[n].shape or ()) for n in graph.inputs
    ]
    fixed = {n: (None, *s) for n, s in zip(graph.inputs, shapes, strict=True)}
    info = infer_shapes(graph, result.spec.source, inputs=fixed)
    static = count_flops(graph, info)
    for node in graph.nodes.values():
        node.args = _unrolled(node.args, node.type)
    start = time.perf_counter()
    model = build_model(result).model
    dtypes = [graph.nodes[n].dtype for n in graph.inputs]
    xla = _xla_flops(model, shapes, dtypes)
    variable = any(None in (graph.nodes[n].shape or ()) for n in graph.inputs)
    return _row(
        path.stem,
        static.flops if static.complete else None,
        xla,
        time.perf_counter() - start,
        note=f"variable length fixed to {length}" if variable else "",
    )


def application_row(name: str) -> dict[str, Any]:
    """Static and XLA FLOPs of one keras.applications model (built by Keras itself)."""
    import keras

    from graphspec import Spec, check
    from graphspec.plugins.nested.applications import shipped_variants

    top, data = shipped_variants(name)[0]
    shape = next(iter(data["inputs"].values()))["shape"]
    if None in shape:  # MobileNetV3 takes any size even with its top: fix the default 224
        shape = [224 if d is None else d for d in shape]
    spec = {
        "graphspec": 1.1,
        "inputs": {"x": {"shape": shape}},
        "nodes": {"m": {"model": f"keras.applications.{name}", "include_top": top}},
    }
    static = check(Spec.model_validate(spec)).flops
    start = time.perf_counter()
    model = getattr(keras.applications, name)(
        weights=None, include_top=top, input_shape=tuple(shape)
    )
    xla = _xla_flops(model, [tuple(shape)], ["float32"])
    return _row(name, static.flops if static.complete else None, xla, time.perf_counter() - start)


def _row(name: str, static: int | None, xla: int, seconds: float, note: str = "") -> dict[str, Any]:
    diff = None if static is None or not xla else (static - xla) / xla
    ok = diff is not None and abs(diff) <= TOLERANCE
    return {
        "name": name,
        "static": static,
        "xla": xla,
        "difference": diff,
        "within": ok,
        "seconds": round(seconds, 1),
        "note": note,
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table (docs)."""
    lines = [
        "| model | static FLOPs | XLA FLOPs | difference | within ±5% |",
        "|---|---:|---:|---:|:---:|",
    ]
    for row in rows:
        static = "?" if row["static"] is None else f"{row['static']:,}"
        diff = "–" if row["difference"] is None else f"{100 * row['difference']:+.2f}%"
        name = row["name"] + (f" ({row['note']})" if row["note"] else "")
        lines.append(
            f"| {name} | {static} | {row['xla']:,} | {diff} | {'yes' if row['within'] else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", nargs="*", metavar="SPEC", help="spec files (default: specs/)")
    parser.add_argument("--applications", nargs="*", metavar="NAME", help="names, or `all`")
    parser.add_argument("--length", type=int, default=16, help="steps for a variable length")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table to FILE")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    root = Path(__file__).resolve().parents[1]

    def emit(row: dict[str, Any]) -> None:
        rows.append(row)
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            diff = "?" if row["difference"] is None else f"{100 * row['difference']:+.2f}%"
            print(
                f"{row['name']:32s} {row['static']!s:>16} {row['xla']:>16,} {diff:>9}", flush=True
            )

    if args.specs is not None:
        for path in [Path(p) for p in args.specs] or sorted((root / "specs").glob("*.yaml")):
            emit(spec_row(path, args.length))
    if args.applications is not None:
        from graphspec.plugins.nested.applications import application_names

        names = application_names() if args.applications in ([], ["all"]) else args.applications
        for name in names:
            emit(application_row(name))
    if args.markdown:
        Path(args.markdown).write_text(markdown(rows), encoding="utf-8")
    return 0 if all(r["within"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
