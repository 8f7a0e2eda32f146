"""Regenerate graphspec/data/export_support.json: which layer types each export format takes.

One tiny model per sample layer (below) is built from a spec, exported with ``graphspec``'s own
export path to every format and run in that format's runtime; a layer type whose export or run
fails gets the failure's reason in the table, which ``graphspec export`` then reports up front at
the node's location. The table is never typed by hand: ``make export-support`` rewrites it;
``--check TYPE...`` re-derives some rows and fails when they differ (tests/backends/export).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "graphspec" / "data" / "export_support.json"

# (layer type, its arguments, one input's shape without the batch, input dtype)
SAMPLES: list[tuple[str, dict[str, Any], list[int | None], str]] = [
    ("Dense", {"units": 4}, [6], "float32"),
    ("SimpleRNN", {"units": 4}, [5, 3], "float32"),
    ("LSTM", {"units": 4}, [5, 3], "float32"),
    ("LSTM", {"units": 4, "return_sequences": True}, [None, 3], "float32"),
    ("GRU", {"units": 4}, [5, 3], "float32"),
    ("Bidirectional", {"layer": {"type": "LSTM", "units": 4}}, [5, 3], "float32"),
    ("Conv1D", {"filters": 4, "kernel_size": 3}, [None, 3], "float32"),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 4}, [5, 8], "float32"),
    ("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 4}, [6], "float32"),
    (
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "padding": "causal"},
        [16, 3],
        "float32",
    ),
    ("Conv2D", {"filters": 4, "kernel_size": 3}, [12, 12, 3], "float32"),
    ("Conv3D", {"filters": 2, "kernel_size": 3}, [6, 6, 6, 2], "float32"),
    ("Conv2DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2}, [8, 8, 3], "float32"),
    ("Conv1DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2}, [8, 3], "float32"),
    ("DepthwiseConv2D", {"kernel_size": 3}, [12, 12, 3], "float32"),
    ("SeparableConv2D", {"filters": 4, "kernel_size": 3}, [12, 12, 3], "float32"),
    ("MaxPooling2D", {"pool_size": 2}, [12, 12, 3], "float32"),
    ("AveragePooling2D", {"pool_size": 2}, [12, 12, 3], "float32"),
    ("GlobalAveragePooling2D", {}, [12, 12, 3], "float32"),
    ("GlobalMaxPooling1D", {}, [12, 3], "float32"),
    ("AdaptiveAveragePooling2D", {"output_size": 4}, [12, 12, 3], "float32"),
    ("BatchNormalization", {}, [12, 12, 3], "float32"),
    ("LayerNormalization", {}, [6, 8], "float32"),
    ("GroupNormalization", {"groups": 2}, [6, 6, 4], "float32"),
    ("RMSNormalization", {}, [6, 8], "float32"),
    ("UnitNormalization", {}, [8], "float32"),
    ("Dropout", {"rate": 0.5}, [8], "float32"),
    ("Activation", {"activation": "relu"}, [8], "float32"),
    ("Activation", {"activation": "gelu"}, [8], "float32"),
    ("Activation", {"activation": "swish"}, [8], "float32"),
    ("Activation", {"activation": "hard_swish"}, [8], "float32"),
    ("PReLU", {}, [8], "float32"),
    ("Softmax", {}, [8], "float32"),
    ("Embedding", {"input_dim": 10, "output_dim": 4}, [6], "int32"),
    ("Flatten", {}, [4, 4, 3], "float32"),
    ("Reshape", {"target_shape": [12, 4]}, [4, 4, 3], "float32"),
    ("Permute", {"dims": [2, 1]}, [6, 4], "float32"),
    ("RepeatVector", {"n": 3}, [4], "float32"),
    ("ZeroPadding2D", {"padding": 1}, [6, 6, 3], "float32"),
    ("Cropping2D", {"cropping": 1}, [6, 6, 3], "float32"),
    ("Resizing", {"height": 8, "width": 8}, [6, 6, 3], "float32"),
    ("Rescaling", {"scale": 0.5}, [6, 6, 3], "float32"),
    ("Normalization", {"axis": -1}, [6, 6, 3], "float32"),
    ("RandomFlip", {"mode": "horizontal"}, [6, 6, 3], "float32"),
    ("RandomRotation", {"factor": 0.1}, [6, 6, 3], "float32"),
    ("RandomZoom", {"height_factor": 0.1}, [6, 6, 3], "float32"),
    ("RandomContrast", {"factor": 0.2}, [6, 6, 3], "float32"),
    ("TimeDistributed", {"layer": {"type": "Dense", "units": 4}}, [5, 3], "float32"),
    ("RNN", {"cell": {"type": "GRUCell", "units": 4}}, [5, 3], "float32"),
    ("ReLU", {}, [8], "float32"),
    ("UpSampling2D", {"size": 2}, [6, 6, 3], "float32"),
    ("Concatenate", {}, [6], "float32"),
    ("Add", {}, [6], "float32"),
    ("Subtract", {}, [6], "float32"),
    ("Multiply", {}, [6], "float32"),
]


_TWO_INPUTS = frozenset({"MultiHeadAttention", "Concatenate", "Add", "Subtract", "Multiply"})


def sample_key(type_name: str, shape: list[int | None], args: dict[str, Any] | None = None) -> str:
    """A row's key: the type, with ``@dynamic`` when a non-batch dimension is free; an
    ``Activation`` sample other than relu measures the activation function (``activation=gelu``),
    which the pre-checks apply to every node's ``activation`` argument."""
    act = (args or {}).get("activation")
    if type_name == "Activation" and act not in (None, "relu"):
        return f"activation={act}"
    return f"{type_name}@dynamic" if None in shape else type_name


def _spec_text(type_name: str, args: dict[str, Any], shape: list[Any], dtype: str) -> str:
    node: dict[str, Any] = {"type": type_name, **args}
    edges = ["x -> layer"]
    if type_name in _TWO_INPUTS:  # both inputs: the same tensor
        node["inputs"] = ["x", "x"]
        edges = []
    body = {
        "graphspec": 1,
        "name": "sample",
        "inputs": {"x": {"shape": shape, "dtype": dtype}},
        "nodes": {"layer": node},
        "edges": edges,
    }
    return json.dumps(body)


_REASONS: list[tuple[str, str]] = [
    (
        r"Select TensorFlow op",
        "it converts to TensorFlow (Flex) ops, which the LiteRT interpreter does not run",
    ),
    (
        r"Required inputs .* are missing from input feed",
        "the converted graph asks for the layer's variables as inputs (tf2onnx does not freeze "
        "them)",
    ),
    (r"In Node, \(\"[^\"]*\", (\w+)", r"the TensorFlow op \1 has no ONNX mapping"),
    (r"[Uu]nsupported ops?:? *(\w+)", r"the op \1 is not supported"),
]
"""Converter and runtime messages, made short: (pattern, reason) — the first match wins."""


def _short(text: str) -> str:
    """A one-line reason: the failure's decisive part, without paths."""
    for pattern, reason in _REASONS:
        found = re.search(pattern, text)
        if found:
            return found.expand(reason)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    keep = re.sub(r"/tmp/\S+", "FILE", lines[0] if lines else "failed")
    return keep[:200]


def derive(
    rows: list[tuple[str, dict[str, Any], list[int | None], str]],
    save: Any = None,
) -> dict[str, Any]:
    """Export each sample to every format and record ``None`` (ok) or the failure's reason
    (``save(found)`` is called after each row, so a long run can be resumed)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(ROOT))
    from graphspec.api import check
    from graphspec.backends.export.formats import FORMATS
    from graphspec.backends.export.writer import export_model
    from graphspec.backends.keras.compiler import build_model
    from graphspec.backends.keras.loading import quiet_native_stderr
    from graphspec.base.output import OutputPolicy

    found: dict[str, Any] = {}
    folder = Path(tempfile.mkdtemp(prefix="gs-export-support-"))
    policy = OutputPolicy(force=True)
    for type_name, args, shape, dtype in rows:
        key = sample_key(type_name, shape, args)
        result = check(_spec_text(type_name, args, shape, dtype).encode())
        result.raise_for_errors()
        model = build_model(result).model
        row: dict[str, str | None] = {}
        for fmt in FORMATS.values():
            out = folder / f"{key}{fmt.suffixes[0]}"
            try:
                with quiet_native_stderr():
                    report = export_model(model, out, fmt, name="sample", policy=policy)
                check_ = report.verification
                row[fmt.name] = (
                    None
                    if check_ is not None and check_.ok
                    else f"results differ by {check_.max_difference if check_ else '?'}"
                )
            except Exception as err:  # every failure is a row of the table, whatever its type
                row[fmt.name] = _short(str(err))
            print(f"{key:28} {fmt.name:12} {row[fmt.name] or 'ok'}", file=sys.stderr, flush=True)
        found[key] = row
        if save is not None:
            save(found)
    return found


DOCS = ROOT / "docs" / "export.md"
_BEGIN = "<!-- export-support:begin (generated by `make export-support`; do not edit) -->"
_END = "<!-- export-support:end -->"


def write_docs() -> None:
    """Put the table, as Markdown, between the markers of docs/export.md."""
    sys.path.insert(0, str(ROOT))
    from graphspec.backends.export import precheck

    precheck.support_table.cache_clear()
    text = DOCS.read_text(encoding="utf-8")
    head, _, rest = text.partition(_BEGIN)
    _, _, tail = rest.partition(_END)
    DOCS.write_text(
        f"{head}{_BEGIN}\n{precheck.support_markdown()}\n{_END}{tail}", encoding="utf-8"
    )


def _versions() -> dict[str, str]:
    names = ("keras", "tensorflow", "tf2onnx", "onnx", "onnxruntime", "ai-edge-litert")
    return {name: metadata.version(name) for name in names}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", nargs="+", metavar="KEY", help="re-derive these rows only")
    parser.add_argument("--docs", action="store_true", help="only redraw the docs table")
    parser.add_argument(
        "--missing", action="store_true", help="derive only the rows the table lacks (resume)"
    )
    args = parser.parse_args(argv)
    if args.docs:
        write_docs()
        return 0
    if args.check:
        table = json.loads(TABLE.read_text(encoding="utf-8"))
        rows = [s for s in SAMPLES if sample_key(s[0], s[2], s[1]) in args.check]
        fresh = derive(rows)
        stale = {k: v for k, v in fresh.items() if table["layers"].get(k) != v}
        for key, row in stale.items():
            print(f"{key}: table {table['layers'].get(key)} != now {row}")
        return 1 if stale else 0
    old: dict[str, Any] = {}
    if args.missing and TABLE.exists():
        old = json.loads(TABLE.read_text(encoding="utf-8"))["layers"]
    todo = [s for s in SAMPLES if sample_key(s[0], s[2], s[1]) not in old]

    def save(found: dict[str, Any]) -> None:
        table = {
            "generated_by": "scripts/gen_export_support.py (make export-support)",
            "versions": _versions(),
            "layers": {**old, **found},
        }
        TABLE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    derive(todo, save)
    write_docs()
    print(f"wrote {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
