"""The shipped keras.applications specs (graphspec/data/applications) check clean without Keras.

A nested ``model: keras.applications.NAME`` takes its static shapes from these files, so each
must be a faithful spec: no error, no warning (a dangling layer, W303, means the node order of
an inline nested Sequential was lost), every shape known, and every layer's output shapes and
parameter counts exactly Keras's, as recorded beside the spec when it was generated
(``keras_figures``; tests/test_applications.py checks the records against Keras itself).
The static figures are computed in a fresh interpreter, which must never import TensorFlow.
tests/nested/test_nested_models.py compares a few with Keras for other arguments.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from graphspec import check
from graphspec.errors import Severity
from graphspec.plugins.nested.applications import (
    KerasFigures,
    application_names,
    keras_figures,
    shipped_variants,
)
from tests.nested._static_figures import variant_id

ROOT = Path(__file__).resolve().parent.parent.parent

SHIPPED = [
    pytest.param(name, data, id=variant_id(name, top))
    for name in application_names()
    for top, data in shipped_variants(name)
]

VARIANTS = [
    pytest.param(name, top, id=variant_id(name, top))
    for name in application_names()
    for top, _ in shipped_variants(name)
]


def test_every_application_is_shipped_with_and_without_its_top() -> None:
    shipped = {(name, top) for name in application_names() for top, _ in shipped_variants(name)}
    assert shipped == {(name, top) for name in application_names() for top in (True, False)}


@pytest.mark.parametrize(("name", "data"), SHIPPED)
def test_shipped_spec_checks_clean(name: str, data: dict[str, Any]) -> None:
    text = yaml.safe_dump({"graphspec": 1.1, **data}, sort_keys=False)
    result = check(text)
    loud = [d.format() for d in result.diagnostics if d.severity is not Severity.NOTE]
    assert loud == [], (name, loud[:5])
    assert result.shapes is not None
    assert all(node.known for node in result.shapes.nodes.values()), name


# -- graphspec's static figures against Keras's (recorded), without TensorFlow ------------------


@pytest.fixture(scope="module")
def static() -> dict[str, Any]:
    """tests/nested/_static_figures.py's output: every shipped variant, in one fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, "-m", "tests.nested._static_figures"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_static_figures_import_no_tensorflow(static: dict[str, Any]) -> None:
    assert static["heavy"] == []
    assert set(static["variants"]) == {v.id for v in VARIANTS}


def _shapes(shapes: list[list[int | None]]) -> tuple[tuple[int | None, ...], ...]:
    return tuple(tuple(shape) for shape in shapes)


def _layer_faults(oracle: KerasFigures, nodes: dict[str, Any]) -> list[str]:
    """Every node whose static output shapes or parameter counts differ from Keras's layer or op."""
    faults = [f"{name}: not a node of the spec" for name in oracle.layers.keys() - nodes.keys()]
    faults += [f"{name}: not in Keras's model" for name in nodes.keys() - oracle.layers.keys()]
    for name, layer in oracle.layers.items():
        node = nodes.get(name)
        if node is None:
            continue
        if not node["known"]:
            faults.append(f"{name}: no static shape")
            continue
        static = (_shapes(node["outputs"]), node["trainable"], node["non_trainable"])
        expected = (layer.outputs, layer.trainable, layer.non_trainable)
        if static != expected:
            faults.append(
                f"{name}: static (outputs, trainable, non-trainable) {static} != {expected}"
            )
    return faults


@pytest.mark.parametrize(("name", "top"), VARIANTS)
def test_static_figures_are_keras_figures(name: str, top: bool, static: dict[str, Any]) -> None:
    oracle = keras_figures(name, top)  # what Keras said when the data was generated
    assert oracle is not None, f"no Keras figures shipped for {variant_id(name, top)}"
    got = static["variants"][variant_id(name, top)]
    assert got["errors"] == []
    faults = _layer_faults(oracle, got["nodes"])
    assert not faults, f"{len(faults)} nodes differ: {faults[:10]}"
    assert (_shapes(got["inputs"]), _shapes(got["outputs"])) == (oracle.inputs, oracle.outputs)
    assert (got["trainable"], got["non_trainable"]) == (oracle.trainable, oracle.non_trainable)
    assert got["trainable"] + got["non_trainable"] == oracle.params
    nested = got["nested"]  # the same, as `model: keras.applications.NAME` in a spec
    assert nested["errors"] == [] and nested["known"]
    assert _shapes(nested["outputs"]) == oracle.outputs
    assert (nested["trainable"], nested["non_trainable"]) == (
        oracle.trainable,
        oracle.non_trainable,
    )
