"""A model input that is also a model output (a feature extractor returning its input too).

Keras is the oracle: the spec compiles to the model the Keras code builds, codegen builds it
too, import round-trips it, and the static shapes and summary give the input's shape.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graphspec import check, load
from graphspec.backends.codegen import generate_python
from graphspec.backends.diagram import view_of
from graphspec.backends.summary import model_kind, summary_data, summary_text

LISTED = """\
inputs: {x: {shape: [8]}}
nodes:
  a: {type: Dense, units: 4}
  b: {type: Dense, units: 2}
outputs: [b, x]
"""
NAMED = """\
inputs: {img: {shape: [16, 16, 3]}}
nodes:
  conv: {type: Conv2D, filters: 4, kernel_size: 3}
  pool: {type: MaxPooling2D}
outputs: {input: img, conv: conv, pool: pool}
"""
ONLY = """\
inputs: {x: {shape: [8]}}
nodes:
  a: {type: Dense, units: 4}
outputs: [x]
"""


def _listed_keras(keras: Any) -> Any:
    x = keras.Input((8,), name="x")
    b = keras.layers.Dense(2, name="b")(keras.layers.Dense(4, name="a")(x))
    return keras.Model(x, [b, x], name="listed")


def _named_keras(keras: Any) -> Any:
    img = keras.Input((16, 16, 3), name="img")
    conv = keras.layers.Conv2D(4, 3, name="conv")(img)
    pool = keras.layers.MaxPooling2D(name="pool")(conv)
    return keras.Model(img, {"input": img, "conv": conv, "pool": pool}, name="named")


# -- validate, shapes, summary, diagram (no Keras) ---------------------------------------------


@pytest.mark.parametrize("text", [LISTED, NAMED], ids=["list", "dict"])
def test_an_input_listed_as_an_output_is_valid(text: str) -> None:
    result = check(text)
    assert result.diagnostics == []
    assert model_kind(result)[0] == "functional"


def test_unused_layers_still_warn_when_only_the_input_is_an_output() -> None:
    result = check(ONLY)
    assert result.ok
    assert [(d.code, d.node) for d in result.diagnostics] == [("W303", "a")]
    assert model_kind(result) == ("functional", "output `x` is a model input")


def test_the_output_shape_is_the_input_shape() -> None:
    data = summary_data(check(NAMED))
    assert [(o["name"], o["node"], o["output_shape"]) for o in data["outputs"]] == [
        ("input", "img", [None, 16, 16, 3]),
        ("conv", "conv", [None, 14, 14, 4]),
        ("pool", "pool", [None, 7, 7, 4]),
    ]
    assert "Outputs: b (None, 2), x (None, 8)" in summary_text(check(LISTED))


@pytest.mark.parametrize(
    ("text", "names"), [(LISTED, []), (NAMED, ["input"])], ids=["list", "dict"]
)
def test_the_input_box_is_marked_as_an_output(text: str, names: list[str]) -> None:
    _, view = view_of(text)
    (box,) = [b for b in view.boxes.values() if b.kind == "input"]
    assert box.is_output
    assert box.outputs == names


# -- Keras as the oracle -----------------------------------------------------------------------


def _generated(spec: Any, tmp_path: Path) -> Any:
    path = tmp_path / "generated.py"
    path.write_text(generate_python(spec), encoding="utf-8")
    module_spec = importlib.util.spec_from_file_location(f"generated_{tmp_path.name}", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.build_model()


@pytest.mark.keras
@pytest.mark.parametrize(
    ("text", "build"), [(LISTED, _listed_keras), (NAMED, _named_keras)], ids=["list", "dict"]
)
def test_compiles_codegens_and_imports_like_the_keras_code(
    text: str, build: Any, tmp_path: Path
) -> None:
    keras = pytest.importorskip("keras")
    from graphspec import compile as compile_spec
    from graphspec.backends.importer import from_keras
    from tests._roundtrip import assert_round_trip, assert_same_model

    original = build(keras)
    spec = load(text)
    built = compile_spec(spec)
    assert type(built) is type(original)
    assert [tuple(t.shape) for t in built.outputs] == [tuple(t.shape) for t in original.outputs]
    if isinstance(original.output, dict):
        assert list(built.output) == list(original.output) == ["input", "conv", "pool"]
    assert_same_model(built, original)
    assert_same_model(_generated(spec, tmp_path), original)
    assert list(from_keras(original).outputs) == list(spec.outputs)  # type: ignore[arg-type]
    assert_round_trip(original)


@pytest.mark.keras
def test_saved_model_loads_in_safe_mode(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    from graphspec import compile as compile_spec

    model = compile_spec(load(NAMED))
    model.save(tmp_path / "named.keras")
    loaded = keras.saving.load_model(tmp_path / "named.keras", safe_mode=True)
    batch = np.random.default_rng(0).random((2, 16, 16, 3), dtype="float32")
    want, got = model(batch), loaded(batch)
    assert set(got) == set(want) == {"input", "conv", "pool"}
    np.testing.assert_array_equal(np.asarray(got["input"]), batch)
    for key in want:
        np.testing.assert_array_equal(np.asarray(got[key]), np.asarray(want[key]))
