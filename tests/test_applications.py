"""keras.applications round trips: import, compile, compare with the original (Keras is the oracle).

Static shapes and parameter counts of all of them are compared on every run, without TensorFlow,
with the figures Keras gave when the shipped specs were generated
(tests/nested/test_shipped_applications.py); here Keras itself checks those figures: the round
trip with the top, the last test without it.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

import graphspec
from graphspec import check, load, to_yaml
from graphspec.backends.importer import UnsupportedLayersError, from_keras
from graphspec.plugins.nested.applications import keras_figures
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
"""Built by Keras on every run; every other application is ``slow`` (its static figures are checked
on every run all the same, without Keras, by tests/nested/test_shipped_applications.py)."""

UNSUPPORTED: dict[str, set[str]] = {}
"""Applications a spec cannot express, with the classes named in the error (none: the layers
Keras ships with its applications, LayerScale and CustomScaleLayer, are in the catalog)."""


def _applications() -> list[str]:
    apps = keras.applications
    return sorted(n for n in dir(apps) if n[:1].isupper() and callable(getattr(apps, n)))


def _params() -> list[Any]:
    return [
        pytest.param(name, marks=[] if name in FAST else [pytest.mark.slow], id=name)
        for name in _applications()
    ]


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


def _size(weights: list[Any]) -> int:
    return sum(int(np.prod(w.shape)) for w in weights)


def _shapes(tensors: Any) -> tuple[tuple[int | None, ...], ...]:
    return tuple(tuple(t.shape) for t in (tensors if isinstance(tensors, list) else [tensors]))


def _build(name: str, top: bool = True) -> Any:
    keras.backend.clear_session()  # layer names made by counters as when the data was generated
    return getattr(keras.applications, name)(weights=None, include_top=top)


def _assert_shipped_figures_are_keras(name: str, top: bool, model: Any) -> None:
    """The figures shipped with an application are Keras's own (the fast static test in
    tests/nested/test_shipped_applications.py compares graphspec's inference with them)."""
    shipped = keras_figures(name, top)
    assert shipped is not None, f"no figures shipped for {name}: run `make applications`"
    assert shipped.keras_version == keras.__version__
    assert list(shipped.layers) == [op.name for op in model.operations]  # layers and keras.ops
    for op in model.operations:
        recorded = shipped.layers[op.name]
        assert recorded.outputs == _shapes(op.output), op.name
        if not isinstance(op, keras.layers.Layer):  # a keras.ops call
            assert recorded.params == 0, op.name
            continue
        assert recorded.params == op.count_params(), op.name
        assert (recorded.trainable, recorded.non_trainable) == (
            _size(op.trainable_weights),
            _size(op.non_trainable_weights),
        ), op.name
    assert (shipped.inputs, shipped.outputs) == (_shapes(model.inputs), _shapes(model.outputs))
    assert shipped.params == model.count_params()
    assert (shipped.trainable, shipped.non_trainable) == (
        _size(model.trainable_weights),
        _size(model.non_trainable_weights),
    )


@pytest.mark.parametrize("name", _params())
def test_application_round_trip(name: str) -> None:
    original = _build(name)
    if name in UNSUPPORTED:
        with pytest.raises(UnsupportedLayersError) as info:
            from_keras(original)
        assert {cls.split(",")[0] for _, cls, _ in info.value.layers} == UNSUPPORTED[name]
        return
    _assert_shipped_figures_are_keras(name, True, original)
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


@pytest.mark.parametrize("name", _params())
def test_shipped_figures_without_top_are_keras_figures(name: str) -> None:
    if name in UNSUPPORTED:
        pytest.skip("no spec shipped (see test_application_round_trip)")
    _assert_shipped_figures_are_keras(name, False, _build(name, top=False))
