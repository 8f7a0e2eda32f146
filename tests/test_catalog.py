"""The shipped Keras catalog must match the installed Keras (regenerate with `make catalog`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from graphspec.base.catalog import (
    FORBIDDEN_LAYERS,
    catalog,
    layer_names,
    layer_signature,
    object_kind,
)

pytestmark = pytest.mark.keras


def _generator():
    path = Path(__file__).resolve().parent.parent / "scripts" / "gen_catalog.py"
    spec = importlib.util.spec_from_file_location("gen_catalog", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_catalog"] = module
    spec.loader.exec_module(module)
    return module


def test_catalog_matches_installed_keras() -> None:
    keras = pytest.importorskip("keras")
    gen = _generator()
    assert catalog()["keras_version"] == keras.__version__
    assert gen.render() == (Path(gen.OUT).read_text()), "stale catalog: run `make catalog`"


@pytest.mark.parametrize("name", ["Dense", "Conv2D", "LSTM", "MultiHeadAttention", "Bidirectional"])
def test_signatures_agree_with_keras(name: str) -> None:
    import inspect

    keras = pytest.importorskip("keras")
    params = inspect.signature(getattr(keras.layers, name).__init__).parameters
    own = [p for p in params if p not in ("self", "kwargs", "args")]
    assert sorted(layer_signature(name).args) == sorted(own)  # type: ignore[union-attr]


def test_forbidden_layers_are_not_offered() -> None:
    names = set(layer_names())
    assert not names & set(FORBIDDEN_LAYERS)
    assert "Lambda" in catalog()["layers"]  # known to Keras, refused by graphspec


def test_object_kinds() -> None:
    assert object_kind("bias_regularizer") == "regularizers"
    assert object_kind("recurrent_activation") == "activations"
    assert object_kind("kernel_constraint") == "constraints"
