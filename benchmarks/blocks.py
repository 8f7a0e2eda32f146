"""Block discovery on import, measured on the 40 keras.applications models.

``python -m benchmarks.blocks`` prints the table of docs/import.md (spec lines flat → with
blocks, blocks found, import times); ``make bench`` reports its totals (section ``blocks``).
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass

__all__ = ["Row", "measure"]

READABLE = ("ResNet50", "MobileNetV2", "DenseNet121", "EfficientNetB0")
"""The architectures the issue asks to read in at most 70 lines."""


@dataclass(frozen=True)
class Row:
    """One application: spec lines without and with blocks, blocks and instances, times (s)."""

    name: str
    layers: int
    flat: int
    blocked: int
    blocks: int
    instances: int
    flat_seconds: float
    blocks_seconds: float
    find_seconds: float

    @property
    def ratio(self) -> float:
        return self.flat / self.blocked


def measure(names: list[str] | None = None) -> list[Row]:
    """Build each application (``weights=None``), import it flat and with blocks, and time it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from graphspec.backends.keras.loading import import_keras_quietly

    import_keras_quietly()
    import json

    import keras

    from graphspec import to_yaml
    from graphspec.backends.importer import from_keras
    from graphspec.backends.importer.blocks import find_blocks
    from graphspec.backends.importer.models import from_config

    apps = keras.applications
    every = sorted(n for n in dir(apps) if n[:1].isupper() and callable(getattr(apps, n)))
    rows = []
    for name in names or every:
        keras.backend.clear_session()
        model = getattr(apps, name)(weights=None)
        config = json.loads(model.to_json())
        start = time.perf_counter()
        flat = from_config(config)
        flat_seconds = time.perf_counter() - start
        start = time.perf_counter()
        spec = from_keras(model, blocks=True)
        blocks_seconds = time.perf_counter() - start
        graph_inputs = {k: {} for k in flat.inputs}
        nodes = {
            k: n.model_dump(exclude_none=True, exclude={"inputs"}) for k, n in flat.nodes.items()
        }
        start = time.perf_counter()
        find_blocks(graph_inputs, nodes, _sources(flat), list(flat.outputs or []))
        find_seconds = time.perf_counter() - start
        rows.append(
            Row(
                name,
                len(model.layers),
                len(to_yaml(flat).splitlines()),
                len(to_yaml(spec).splitlines()),
                len(spec.blocks),
                sum(1 for n in spec.nodes.values() if n.block),
                flat_seconds,
                blocks_seconds,
                find_seconds,
            )
        )
        print(_line(rows[-1]), flush=True)
    return rows


def _sources(spec: object) -> dict[str, list[str]]:
    from graphspec.api import check

    graph = check(spec, shapes=False).graph
    return {
        n.name: [f"{s}:{n.port(i)}" if n.port(i) else s for i, s in enumerate(n.inputs)]
        for n in graph.nodes.values()
        if not n.is_input
    }


def _line(row: Row) -> str:
    return (
        f"| {row.name} | {row.layers} | {row.flat} | {row.blocked} | {row.ratio:.1f}× | "
        f"{row.blocks} | {row.instances} | {row.flat_seconds:.2f} | {row.blocks_seconds:.2f} | "
        f"{row.find_seconds:.2f} |"
    )


def table(rows: list[Row]) -> str:
    """The Markdown table of docs/import.md, with the totals."""
    head = [
        "| application | layers | lines flat | lines with blocks | ratio | blocks | instances "
        "| import flat (s) | import with blocks (s) | of which discovery (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    flat = sum(r.flat for r in rows)
    blocked = sum(r.blocked for r in rows)
    total = (
        f"| **all {len(rows)}** | {sum(r.layers for r in rows)} | {flat} | {blocked} | "
        f"{flat / blocked:.1f}× | {sum(r.blocks for r in rows)} | "
        f"{sum(r.instances for r in rows)} | {sum(r.flat_seconds for r in rows):.1f} | "
        f"{sum(r.blocks_seconds for r in rows):.1f} | {sum(r.find_seconds for r in rows):.1f} |"
    )
    return "\n".join([*head, *(_line(r) for r in rows), total])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.blocks", description=__doc__)
    parser.add_argument("names", nargs="*", help="applications (default: all)")
    args = parser.parse_args()
    print(table(measure(args.names or None)))


if __name__ == "__main__":
    main()
