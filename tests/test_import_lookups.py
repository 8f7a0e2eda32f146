"""Lookups and normalization import with their state and compile back to the same model."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import graphspec
from graphspec import load, to_yaml
from graphspec.backends.importer import UnsupportedLayersError, from_keras, import_source
from tests._clean import redundant_keys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")

pytestmark = pytest.mark.keras

_STATEFUL = {"vocabulary", "vocabulary_size", "has_input_vocabulary", "idf_weights", "name"}
"""Config keys that differ between an adapted layer and one given its vocabulary."""

TEXT = np.array([["the cat sat"], ["a dog"], ["the dog sat down"], ["cat"]])


def _string_model() -> Any:
    text = keras.Input((1,), dtype="string", name="text")
    words = keras.Input((3,), dtype="string", name="words")
    vectorize = keras.layers.TextVectorization(
        max_tokens=12, output_sequence_length=5, name="vectorize"
    )
    vectorize.adapt(TEXT)
    adapted = keras.layers.StringLookup(num_oov_indices=2, name="adapted")
    adapted.adapt(np.array([["x", "y", "x"], ["z", "y", "y"]]))
    given = keras.layers.StringLookup(
        vocabulary=["x", "y", "z"], output_mode="multi_hot", mask_token="", name="given"
    )
    return keras.Model(
        [text, words], [vectorize(text), adapted(words), given(words)], name="strings"
    )


def _integer_model() -> Any:
    ids = keras.Input((4,), dtype="int64", name="ids")
    counted = keras.layers.IntegerLookup(output_mode="count", name="counted")
    counted.adapt(np.array([[3, 3, 9, 12], [9, 9, 9, 40]]))
    given = keras.layers.IntegerLookup(vocabulary=[3, 9, 12], name="given")
    values = keras.Input((3,), name="values")
    fixed = keras.layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 1.0, 0.25])
    adapted = keras.layers.Normalization(name="adapted")
    adapted.adapt(np.random.default_rng(0).random((20, 3)))
    return keras.Model(
        [ids, values],
        [counted(ids), given(ids), fixed(values), adapted(values)],
        name="numbers",
    )


def _data(model: Any) -> list[Any]:
    if model.name == "strings":
        return [TEXT, np.array([["x", "q", "y"], ["z", "z", "x"], ["", "y", "w"], ["y", "y", "y"]])]
    rng = np.random.default_rng(1)
    return [np.array([[3, 9, 12, 1], [40, 9, 9, 3]]), rng.random((2, 3), dtype="float32")]


def _stateless(layer: Any) -> dict[str, Any]:
    config = json.loads(json.dumps(layer.get_config(), default=str))
    return {k: v for k, v in config.items() if k not in _STATEFUL}


def _assert_same(original: Any, spec: graphspec.Spec) -> None:
    text = to_yaml(spec)
    assert to_yaml(load(text)) == text
    assert graphspec.check(spec).ok
    assert redundant_keys(text) == []
    model = graphspec.compile(load(text), api="functional")
    assert to_yaml(from_keras(model)) == text  # re-imported: byte-identical
    for layer in original.layers:
        mine = model.get_layer(layer.name)
        assert type(mine) is type(layer)
        assert _stateless(mine) == _stateless(layer), layer.name
        if hasattr(layer, "get_vocabulary"):
            assert mine.get_vocabulary() == layer.get_vocabulary(), layer.name
        mine.set_weights(layer.get_weights())  # adapted Normalization statistics are weights
        if mine.weights and hasattr(mine, "finalize_state"):
            mine.finalize_state()  # as keras.saving.load_model does after loading them
    for want, got in zip(original(_data(original)), model(_data(original)), strict=True):
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), atol=1e-6)


@pytest.mark.parametrize("make", [_string_model, _integer_model], ids=["strings", "numbers"])
def test_model_object_imports_with_its_vocabularies(make: Callable[[], Any]) -> None:
    original = make()
    _assert_same(original, from_keras(original))


@pytest.mark.parametrize("make", [_string_model, _integer_model], ids=["strings", "numbers"])
def test_keras_file_imports_with_the_vocabularies_of_its_assets(
    make: Callable[[], Any], tmp_path: Path
) -> None:
    original = make()
    path = tmp_path / "model.keras"
    original.save(path)
    spec = import_source(str(path))
    _assert_same(original, spec)
    if original.name == "strings":
        text = to_yaml(spec)
        assert "vocabulary_size" not in text and "oov_method" not in text
        nodes = load(text).nodes
        assert nodes["adapted"].args["vocabulary"] == ["y", "x", "z"]  # by frequency, no OOV
        assert nodes["given"].args["vocabulary"] == ["x", "y", "z"]


def test_an_adapted_vocabulary_missing_from_a_json_config_is_named(tmp_path: Path) -> None:
    original = _string_model()
    path = tmp_path / "model.json"
    path.write_text(original.to_json())
    with pytest.raises(UnsupportedLayersError) as info:
        import_source(str(path))
    names = {name for name, _, _ in info.value.layers}
    assert names == {"vectorize", "adapted"}
    assert "2 layers cannot be written" in str(info.value)
    assert "import the .keras file" in str(info.value)


def test_one_layer_with_two_problems_is_counted_once() -> None:
    words = keras.Input((2,), dtype="string")
    bad = keras.layers.StringLookup(vocabulary=["a", "b"], oov_method="farmhash", salt=3)
    config = json.loads(keras.Model(words, bad(words)).to_json())
    layer = next(x for x in config["config"]["layers"] if x["class_name"] == "StringLookup")
    layer["config"]["unknown_key"] = 1
    from graphspec.backends.importer.models import from_config

    with pytest.raises(UnsupportedLayersError) as info:
        from_config(config)
    assert len(info.value.layers) == 2
    assert "1 layer cannot be written" in str(info.value)
