"""The spec's `api:` key: compile, summary, codegen and import all honour it (Keras as oracle)."""

from __future__ import annotations

from pathlib import Path

import pytest

import graphspec
from graphspec import to_yaml

pytestmark = pytest.mark.keras

CHAIN = Path("specs/seed_sequential.yaml").read_text()
FORCED = CHAIN.replace("name: seed_sequential", "name: forced\napi: functional")


def test_compile_auto_follows_the_spec() -> None:
    keras = pytest.importorskip("keras")
    assert isinstance(graphspec.compile(CHAIN), keras.Sequential)
    model = graphspec.compile(FORCED)
    assert not isinstance(model, keras.Sequential)
    assert [type(layer).__name__ for layer in model.layers][1:] == [
        type(layer).__name__ for layer in graphspec.compile(CHAIN).layers
    ]
    assert isinstance(graphspec.compile(FORCED, api="sequential"), keras.Sequential)


def test_summary_and_codegen_follow_the_spec() -> None:
    from graphspec.backends.codegen import generate_python
    from graphspec.backends.summary import summary_data

    data = summary_data(graphspec.check(FORCED))
    assert (data["kind"], data["kind_reason"]) == ("functional", "the spec sets `api: functional`")
    source = generate_python(graphspec.load(FORCED))
    assert "keras.Model(" in source and "keras.Sequential(" not in source


def test_a_functional_chain_imports_and_compiles_back_as_functional() -> None:
    keras = pytest.importorskip("keras")
    inp = keras.Input((8,), name="x")
    out = keras.layers.Dense(3, name="d2")(keras.layers.Dense(4, name="d1")(inp))
    original = keras.Model(inp, out, name="fchain")
    spec = graphspec.from_keras(original)
    assert spec.api == "functional"
    text = to_yaml(spec)
    assert "api: functional" in text
    again = graphspec.load(text)
    assert to_yaml(again) == text
    rebuilt = graphspec.compile(again)
    assert type(rebuilt) is type(original)
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in original.layers]


def test_a_sequential_model_keeps_the_default() -> None:
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2, name="d")], name="seq")
    spec = graphspec.from_keras(model)
    assert spec.api == "auto"
    assert "api:" not in to_yaml(spec)
