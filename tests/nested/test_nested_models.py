"""Nested models against Keras: round trips, hand-written specs, application shapes without TF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graphspec import check
from graphspec import compile as compile_spec
from tests._roundtrip import assert_round_trip, assert_same_model

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras
layers, ops = keras.layers, keras.ops


def _transfer() -> Any:
    base = keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(96, 96, 3), name="base"
    )
    base.trainable = False
    inputs = keras.Input((96, 96, 3), name="image")
    x = base(inputs, training=False)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    x = layers.Dropout(0.2, name="drop")(x)
    return keras.Model(inputs, layers.Dense(1, name="out")(x), name="transfer")


TRANSFER = """
graphspec: 1.1
name: transfer
api: functional
inputs: {image: {shape: [96, 96, 3]}}
nodes:
  base: {model: keras.applications.MobileNetV2, include_top: false, input_shape: [96, 96, 3], trainable: false}
  pool: {type: GlobalAveragePooling2D}
  drop: {type: Dropout, rate: 0.2}
  out:  {type: Dense, units: 1}
"""


def test_transfer_learning_head_on_a_frozen_application() -> None:
    original = _transfer()
    spec = assert_round_trip(original)
    assert spec.nodes["base"].model == "keras.applications.MobileNetV2"
    assert spec.nodes["base"].args["trainable"] is False
    built = compile_spec(TRANSFER)
    assert_same_model(built, original)
    assert sum(int(np.prod(w.shape)) for w in built.trainable_weights) == 1281
    static = check(TRANSFER).shapes
    assert static.total == original.count_params()
    assert static.trainable == 1281
    assert static.nodes["base"].outputs == ((None, 3, 3, 1280),)


def _tower() -> Any:
    x = keras.Input((28, 28, 1), name="x")
    h = layers.Conv2D(16, 3, activation="relu", name="c1")(x)
    h = layers.Flatten(name="f")(layers.MaxPooling2D(name="p1")(h))
    return keras.Model(x, layers.Dense(16, name="e")(h), name="tower")


def _siamese() -> Any:
    tower = _tower()
    left = keras.Input((28, 28, 1), name="left")
    right = keras.Input((28, 28, 1), name="right")
    a, b = tower(left), tower(right)
    dist = ops.sqrt(ops.maximum(ops.sum(ops.square(a - b), axis=-1, keepdims=True), 1e-7))
    return keras.Model([left, right], layers.Dense(1, activation="sigmoid", name="out")(dist))


TOWER = """
graphspec: 1.1
api: functional
params: {width: 32}
inputs: {x: {shape: [28, 28, 1]}}
nodes:
  c1: {type: Conv2D, filters: "${width}", kernel_size: 3, activation: relu}
  p1: {type: MaxPooling2D}
  f:  {type: Flatten}
  e:  {type: Dense, units: 16}
"""

SIAMESE = """
graphspec: 1.1
inputs: {left: {shape: [28, 28, 1]}, right: {shape: [28, 28, 1]}}
nodes:
  tower:   {model: blocks/tower.yaml, width: 16, inputs: left}
  tower_r: {share: tower, inputs: right}
  dist:    {expr: "sqrt(maximum(sum(square(tower - tower_r), axis=-1, keepdims=True), 1e-7))"}
  out:     {type: Dense, units: 1, activation: sigmoid, inputs: dist}
"""


def test_siamese_network_with_one_shared_tower(tmp_path: Path) -> None:
    original = _siamese()
    spec = assert_round_trip(original)
    assert isinstance(spec.nodes["tower"].model, dict)
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "tower.yaml").write_text(TOWER)
    (tmp_path / "siamese.yaml").write_text(SIAMESE)
    built = compile_spec(tmp_path / "siamese.yaml")
    assert_same_model(built, original)
    assert len(built.get_layer("tower").weights) == 4  # one tower, called twice


def test_nested_sequential_stem_imports_inline() -> None:
    stem = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            layers.Conv2D(8, 4, strides=4, name="stem_conv"),
            layers.LayerNormalization(epsilon=1e-6, name="stem_norm"),
        ],
        name="stem",
    )
    inputs = keras.Input((32, 32, 3), name="image")
    x = layers.GlobalAveragePooling2D(name="pool")(stem(inputs))
    original = keras.Model(inputs, layers.Dense(3, name="head")(x), name="convnext_like")
    spec = assert_round_trip(original)
    assert list(spec.nodes["stem"].model["nodes"]) == ["stem_conv", "stem_norm"]


def test_saved_model_with_nested_models_loads_in_safe_mode(tmp_path: Path) -> None:
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "tower.yaml").write_text(TOWER)
    (tmp_path / "siamese.yaml").write_text(SIAMESE)
    model = compile_spec(tmp_path / "siamese.yaml")
    model.save(tmp_path / "s.keras")
    again = keras.saving.load_model(tmp_path / "s.keras", safe_mode=True)
    batch = [np.ones((2, 28, 28, 1), "float32"), np.zeros((2, 28, 28, 1), "float32")]
    np.testing.assert_allclose(again.predict(batch, verbose=0), model.predict(batch, verbose=0))


@pytest.mark.parametrize(
    ("name", "args", "shape"),
    [
        ("MobileNetV2", {"include_top": False, "pooling": "avg"}, (160, 160, 3)),
        ("MobileNetV2", {"classes": 10}, (224, 224, 3)),
        ("ResNet50", {"include_top": False}, (128, 128, 3)),
        ("MobileNetV3Small", {"include_top": False, "pooling": "max"}, (96, 96, 3)),
        ("ConvNeXtTiny", {"include_top": False, "pooling": "avg"}, (64, 64, 3)),
        ("InceptionResNetV2", {"include_top": False}, (96, 96, 3)),
    ],
)
def test_application_shapes_and_params_without_tensorflow(
    name: str, args: dict[str, Any], shape: tuple[int, ...]
) -> None:
    import json

    text = (
        "graphspec: 1.1\n"
        f"inputs: {{x: {{shape: {list(shape)}}}}}\n"
        f"nodes:\n  base: {{model: keras.applications.{name}, {json.dumps(args)[1:-1]}}}\n"
    )
    result = check(text)
    assert result.ok, [d.format() for d in result.diagnostics]
    model = getattr(keras.applications, name)(weights=None, input_shape=shape, **args)
    assert result.shapes.nodes["base"].params == model.count_params()
    assert result.shapes.nodes["base"].outputs == (tuple(model.output.shape),)
