"""``validate --deep``: Keras settles unknown shapes and catches static-rule bugs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graphspec import check
from graphspec.backends.keras.deep import deep_check
from graphspec.base.custom_layers import register_layer, unregister_layer

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.keras

SPECS = sorted(Path(__file__).resolve().parent.parent.glob("specs/*.yaml"))


class _Pair(keras.layers.Layer):
    """Stacks its input twice on a new last axis (a layer no static rule knows)."""

    def build(self, input_shape: Any) -> None:
        if input_shape[-1] == 5:
            raise ValueError("_Pair cannot take width 5")

    def call(self, x: Any) -> Any:
        return keras.ops.stack([x, x], axis=-1)


@pytest.fixture
def pair_layer() -> Iterator[None]:
    register_layer(_Pair, name="Pair")
    yield
    unregister_layer("Pair")


_PAIRED = (
    "inputs: {{x: {{shape: [{width}]}}}}\nnodes:\n  p: {{type: Pair}}\n  f: {{type: Flatten}}\n"
)


def _keras_shape(width: int) -> tuple[Any, ...]:
    out = _Pair()(keras.Input((width,)))
    return tuple(out.shape)


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_shipped_specs_agree_with_keras(path: Path) -> None:
    found = deep_check(check(path))
    assert not [d.format() for d in found if d.is_error]


def test_unknown_shapes_get_a_note_with_the_keras_shape(pair_layer: None) -> None:
    from graphspec.base.shape_types import format_shape

    result = check(_PAIRED.format(width=4))
    assert result.ok
    notes = {d.node: d for d in deep_check(result)}
    assert set(notes) == {"p", "f"}
    assert all(d.code == "N505" and not d.is_error for d in notes.values())
    assert format_shape(_keras_shape(4)) in notes["p"].message


def test_without_static_shapes_every_node_gets_a_note() -> None:
    path = SPECS[0]
    result = check(path, shapes=False)
    assert result.shapes is None
    found = deep_check(result)
    assert {d.node for d in found} == {node.name for node in result.graph.layers}
    assert {d.code for d in found} == {"N505"}


def _seed_result() -> Any:
    result = check(Path(__file__).resolve().parent.parent / "specs" / "seed_sequential.yaml")
    assert result.shapes is not None and result.shapes.nodes["conv1"].known
    return result


def test_disagreeing_shapes_are_reported_as_a_graphspec_bug() -> None:
    result = _seed_result()
    node = result.shapes.nodes["conv1"]
    wrong = tuple((*shape[:-1], (shape[-1] or 1) + 1) for shape in node.outputs)
    result.shapes.nodes["conv1"] = dataclasses.replace(node, outputs=wrong)
    found = [d for d in deep_check(result) if d.is_error]
    assert [(d.code, d.node) for d in found] == [("E505", "conv1")]
    assert "bug" in (found[0].hint or "")


def test_disagreeing_parameter_counts_are_reported() -> None:
    result = _seed_result()
    node = result.shapes.nodes["probs"]
    result.shapes.nodes["probs"] = dataclasses.replace(node, trainable=node.trainable + 1)
    found = [d for d in deep_check(result) if d.is_error]
    assert [(d.code, d.node) for d in found] == [("E505", "probs")]
    assert "parameters" in found[0].message


def test_keras_failures_come_back_as_diagnostics(pair_layer: None) -> None:
    result = check(_PAIRED.format(width=5))
    found = deep_check(result)
    assert [(d.code, d.node) for d in found] == [("E602", "p")]
    assert "_Pair cannot take width 5" in found[0].message


def test_validate_deep_on_the_command_line(
    run_cli: Callable[..., Any], pair_layer: None, tmp_path: Path
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(_PAIRED.format(width=4))
    run = run_cli("validate", "--deep", good)
    assert run.status == 0, run.err
    assert "note[N505]" in run.err
    bad = tmp_path / "bad.yaml"
    bad.write_text(_PAIRED.format(width=5))
    run = run_cli("validate", "--deep", bad)
    assert run.status == 1
    assert f"{bad}:3:3: error[E602]" in run.err
