"""Models that compute with keras.ops: import writes expressions, hand-written specs build the same."""

from __future__ import annotations

from typing import Any

import pytest

from graphspec import compile as compile_spec
from tests._roundtrip import assert_round_trip, assert_same_model

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras
layers, ops = keras.layers, keras.ops


def _residual() -> Any:
    inputs = keras.Input((10, 16), name="inputs")
    x = layers.LayerNormalization(epsilon=1e-6, name="norm")(inputs)
    x = layers.Dense(16, activation="relu", name="ff")(x)
    x = x + inputs  # the residual of the Keras time-series transformer example
    return keras.Model(inputs, layers.GlobalAveragePooling1D(name="pool")(x), name="residual")


RESIDUAL = """
graphspec: 1.1
name: residual
inputs: {inputs: {shape: [10, 16]}}
nodes:
  norm: {type: LayerNormalization, epsilon: 1.0e-6}
  ff:   {type: Dense, units: 16, activation: relu}
  res:  {expr: "ff + inputs"}
  pool: {type: GlobalAveragePooling1D}
"""


def _scaled() -> Any:
    inputs = keras.Input((8, 8, 4), name="image")
    x = layers.Conv2D(4, 3, padding="same", name="conv")(inputs)
    x = inputs + 0.2 * x  # a scaled residual
    x = x * ops.relu6(x + 3.0) / 6.0  # hard swish by hand
    return keras.Model(inputs, x, name="scaled")


SCALED = """
graphspec: 1.1
name: scaled
inputs: {image: {shape: [8, 8, 4]}}
nodes:
  conv:  {type: Conv2D, filters: 4, kernel_size: 3, padding: same}
  res:   {expr: "image + 0.2 * conv"}
  hswish: {expr: "res * relu6(res + 3.0) / 6.0"}
"""


def _reshaping() -> Any:
    inputs = keras.Input((12,), name="x")
    x = ops.expand_dims(layers.Dense(12, name="d")(inputs), 1)
    x = ops.reshape(x, (-1, 2, 6))
    x = ops.transpose(x, (0, 2, 1))
    left, right = ops.split(x, 2, axis=-1)
    x = ops.concatenate([right, left], axis=-1)
    return keras.Model(inputs, layers.Flatten(name="flat")(x[:, 1:, :]), name="reshaping")


RESHAPING = """
graphspec: 1.1
name: reshaping
inputs: {x: {shape: [12]}}
nodes:
  d:     {type: Dense, units: 12}
  grid:  {expr: "transpose(reshape(expand_dims(d, 1), [-1, 2, 6]), [0, 2, 1])"}
  parts: {expr: "split(grid, 2, axis=-1)"}
  swap:  {expr: "concatenate([parts:1, parts:0], axis=-1)[:, 1:, :]"}
  flat:  {type: Flatten, inputs: swap}
"""


@pytest.mark.parametrize(
    ("make", "text"),
    [(_residual, RESIDUAL), (_scaled, SCALED), (_reshaping, RESHAPING)],
    ids=["residual", "scaled-residual", "expand-dims-reshape"],
)
def test_round_trip_and_hand_written_spec(make: Any, text: str) -> None:
    original = make()
    spec = assert_round_trip(original)
    assert spec.graphspec == 1.1
    assert any(node.expr for node in spec.nodes.values())
    assert_same_model(compile_spec(text), original)


def test_lambda_is_refused_with_a_pointer_to_expressions() -> None:
    from graphspec.backends.importer import UnsupportedLayersError, from_keras

    inputs = keras.Input((4,), name="x")
    model = keras.Model(inputs, layers.Lambda(lambda t: t * 2.0, name="double")(inputs))
    with pytest.raises(UnsupportedLayersError) as info:
        from_keras(model)
    message = str(info.value)
    assert "`double` (Lambda): a Lambda runs Python code, which graphspec never reads" in message
    assert '`double: {expr: "transpose(x, [0, 2, 3, 1])"}`' in message
    assert "register_layer" not in message and "hint: call a Lambda's keras.ops" in message
