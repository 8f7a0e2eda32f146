"""keras.applications round trips: import, compile, compare with the original (Keras is the oracle)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

import graphspec
from graphspec import check, load, to_yaml
from graphspec.backends.importer import UnsupportedLayersError, from_keras
from tests._clean import redundant_keys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")

pytestmark = pytest.mark.keras

FAST = (
    "ResNet50",
    "MobileNetV2",
    "ConvNeXtTiny",
    "DenseNet121",
    "EfficientNetB0",
    "InceptionV3",
    "MobileNet",
    "Xception",
    "MobileNetV3Small",
    "InceptionResNetV2",
)
"""Checked on every run; every other application is ``slow``."""

UNSUPPORTED: dict[str, set[str]] = {}
"""Applications a spec cannot express, with the classes named in the error (none: the layers
Keras ships with its applications, LayerScale and CustomScaleLayer, are in the catalog)."""


SHAPES_XFAIL: dict[str, str] = {}
"""Known disagreements of static shape inference with Keras (none at present)."""


def _applications() -> list[str]:
    apps = keras.applications
    return sorted(n for n in dir(apps) if n[:1].isupper() and callable(getattr(apps, n)))


def _params(xfail: dict[str, str] | None = None) -> list[Any]:
    params = []
    for name in _applications():
        marks = [] if name in FAST else [pytest.mark.slow]
        if xfail and name in xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=xfail[name]))
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def _config(layer: Any) -> dict[str, Any]:
    config = layer.get_config()
    config.pop("name", None)
    return json.loads(json.dumps(config, default=str))


def _compile(spec: graphspec.Spec, original: Any) -> Any:
    """The spec's model, functional when the original is (a chain would compile to Sequential)."""
    functional = not isinstance(original, keras.Sequential)
    return graphspec.compile(spec, api="functional" if functional else "auto")


def _copy_weights(source: Any, target: Any) -> None:
    for layer in target.layers:
        layer.set_weights(source.get_layer(layer.name).get_weights())


@pytest.mark.parametrize("name", _params())
def test_application_round_trip(name: str) -> None:
    original = getattr(keras.applications, name)(weights=None)
    if name in UNSUPPORTED:
        with pytest.raises(UnsupportedLayersError) as info:
            from_keras(original)
        assert {cls.split(",")[0] for _, cls, _ in info.value.layers} == UNSUPPORTED[name]
        return
    spec = from_keras(original)
    text = to_yaml(spec)
    assert to_yaml(load(text)) == text  # stable: a second pass is byte-identical
    assert check(spec).ok
    assert redundant_keys(text) == []  # only what differs from Keras's defaults
    assert "Call arguments dropped" not in text
    model = _compile(load(text), original)
    assert to_yaml(from_keras(model)) == text  # re-imported: byte-identical
    assert type(model) is type(original)
    assert [(x.name, type(x).__name__) for x in model.layers] == [
        (x.name, type(x).__name__) for x in original.layers
    ]
    assert model.count_params() == original.count_params()
    for layer in original.layers:  # every argument survived (only defaults were left out)
        assert _config(model.get_layer(layer.name)) == _config(layer), layer.name
    _copy_weights(original, model)
    dims = [d or 224 for d in original.input_shape[1:]]  # MobileNetV3 leaves the size open
    batch = np.random.default_rng(0).random((2, *dims), dtype="float32")
    expected = np.asarray(original(batch, training=False))
    got = np.asarray(model(batch, training=False))
    assert float(np.max(np.abs(expected - got))) < 1e-5


BLOCKS_FAST = ("ResNet50", "MobileNetV3Small", "MobileNet")
"""Imported with blocks on every run; every other application is ``slow``."""


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=[] if n in BLOCKS_FAST else [pytest.mark.slow])
        for n in _applications()
    ],
)
def test_application_with_blocks_is_the_same_model(name: str, tmp_path: Any) -> None:
    """Imported with blocks: the same layers (names, classes, order), parameters and predictions,
    and a checkpoint of the original loads into the compiled spec (``load_weights``)."""
    original = getattr(keras.applications, name)(weights=None)
    spec = from_keras(original, blocks=True)
    text = to_yaml(spec)
    assert spec.blocks, "no block found"
    assert to_yaml(load(text)) == text
    model = _compile(load(text), original)
    assert to_yaml(from_keras(model, blocks=True)) == text  # re-imported: byte-identical
    assert [(x.name, type(x).__name__) for x in model.layers] == [
        (x.name, type(x).__name__) for x in original.layers
    ]
    assert model.count_params() == original.count_params()
    checkpoint = tmp_path / "original.weights.h5"
    original.save_weights(checkpoint)
    model.load_weights(checkpoint)
    dims = [d or 224 for d in original.input_shape[1:]]
    batch = np.random.default_rng(0).random((2, *dims), dtype="float32")
    expected = np.asarray(original(batch, training=False))
    got = np.asarray(model(batch, training=False))
    assert float(np.max(np.abs(expected - got))) < 1e-5


@pytest.mark.parametrize("name", _params(SHAPES_XFAIL))
def test_application_static_shapes_agree_with_keras(name: str) -> None:
    if name in UNSUPPORTED:
        pytest.skip("not importable (see test_application_round_trip)")
    original = getattr(keras.applications, name)(weights=None)
    result = check(from_keras(original))
    assert result.ok, [d.format() for d in result.errors]
    assert result.shapes is not None
    wrong = []
    for layer in original.layers:
        static = result.shapes.nodes[layer.name]
        if not static.known or static.output != tuple(layer.output.shape):
            wrong.append(f"{layer.name}: {static.output} != {tuple(layer.output.shape)}")
        elif static.params != layer.count_params():
            wrong.append(f"{layer.name}: {static.params} params != {layer.count_params()}")
    assert not wrong, wrong
    assert result.shapes.total == original.count_params()
