"""graphspec's static figures of every shipped application, printed as JSON (run in a subprocess).

``python -m tests.nested._static_figures`` checks each shipped variant twice without TensorFlow:
its spec as a whole (every node's output shapes and parameters, the totals, the model's inputs
and outputs) and nested in a one-node spec (``model: keras.applications.NAME``). It prints
``{"heavy": [modules], "variants": {"NAME-top": {...}}}``; ``heavy`` lists TensorFlow or Keras if
anything imported them. tests/nested/test_shipped_applications.py compares the figures with
Keras's own, recorded in the shipped data.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from graphspec import Spec, check
from graphspec.frontend.spec import FORMAT_1_1
from graphspec.passes.shapes.infer import NodeShape, ShapeInfo
from graphspec.plugins.nested.applications import application_names, shipped_variants

__all__ = ["static_figures", "variant_id"]

HEAVY = ("tensorflow", "keras")


def variant_id(name: str, top: bool) -> str:
    """``NAME-top`` or ``NAME-notop``: the key of a variant and its test id."""
    return f"{name}-{'top' if top else 'notop'}"


def _node(shape: NodeShape) -> dict[str, Any]:
    return {
        "known": shape.known,
        "outputs": [list(s) for s in shape.outputs or ()],
        "trainable": shape.trainable,
        "non_trainable": shape.non_trainable,
    }


def _totals(shapes: ShapeInfo) -> dict[str, int]:
    return {"trainable": shapes.trainable, "non_trainable": shapes.non_trainable}


def _whole(data: dict[str, Any]) -> dict[str, Any]:
    result = check(Spec.model_validate({**data, "graphspec": FORMAT_1_1}))
    shapes, graph = result.shapes or ShapeInfo(), result.graph
    nodes = {name: _node(node) for name, node in shapes.nodes.items()}
    ports = graph.output_ports or [0] * len(graph.outputs)
    return {
        "errors": [d.format() for d in result.errors],
        "nodes": nodes,
        "inputs": [nodes[n]["outputs"][0] for n in graph.inputs],
        "outputs": [nodes[n]["outputs"][p] for n, p in zip(graph.output_nodes, ports, strict=True)],
        **_totals(shapes),
    }


def _nested(name: str, top: bool, data: dict[str, Any]) -> dict[str, Any]:
    shape = next(iter(data["inputs"].values()))["shape"]
    spec = {
        "graphspec": FORMAT_1_1,
        "inputs": {"x": {"shape": shape}},
        "nodes": {"base": {"model": f"keras.applications.{name}", "include_top": top}},
    }
    result = check(Spec.model_validate(spec))
    base = result.shapes.nodes["base"] if result.shapes else NodeShape()
    return {"errors": [d.format() for d in result.errors], **_node(base)}


def static_figures() -> dict[str, Any]:
    """The static figures of every shipped variant, and the heavy modules imported meanwhile."""
    variants = {
        variant_id(name, top): {**_whole(data), "nested": _nested(name, top, data)}
        for name in application_names()
        for top, data in shipped_variants(name)
    }
    return {"heavy": sorted(m for m in HEAVY if m in sys.modules), "variants": variants}


if __name__ == "__main__":
    json.dump(static_figures(), sys.stdout)
