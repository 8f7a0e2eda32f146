"""Layers Keras ships with its applications (LayerScale, CustomScaleLayer, StochasticDepth).

They are allowed by a list generated from Keras (the catalog says where each class lives), never
by the module a file names.
"""

from __future__ import annotations

import importlib
import json
import sys

import pytest

import graphspec
from graphspec import check
from graphspec.backends.codegen import generate_python
from graphspec.backends.importer import UnsupportedLayersError
from graphspec.backends.importer.models import from_config
from graphspec.base.catalog import catalog, layer_module

SPEC = """graphspec: 1
name: scaled
inputs:
  x: {shape: [6, 6, 8]}
  r: {shape: [6, 6, 8]}
nodes:
  gamma: {type: LayerScale, init_values: 0.5, projection_dim: 8, inputs: x}
  drop:  {type: StochasticDepth, drop_path_rate: 0.1}
  mix:   {type: CustomScaleLayer, scale: 0.17, inputs: [drop, r]}
outputs: [mix]
"""

APPLICATION_LAYERS = {
    n for n, entry in catalog()["layers"].items() if "module" in entry and not entry.get("hub")
}


def test_the_generated_list() -> None:
    assert {"LayerScale", "CustomScaleLayer", "StochasticDepth"} == APPLICATION_LAYERS
    assert layer_module("LayerScale") == "keras.src.applications.convnext"
    assert layer_module("CustomScaleLayer") == "keras.src.applications.inception_resnet_v2"


@pytest.mark.keras
@pytest.mark.parametrize("name", sorted(APPLICATION_LAYERS))
def test_the_list_matches_keras(name: str) -> None:
    module = importlib.import_module(str(layer_module(name)))
    keras = pytest.importorskip("keras")
    assert issubclass(getattr(module, name), keras.layers.Layer)


def test_a_spec_checks_them_statically() -> None:
    result = check(SPEC)
    assert result.ok and result.shapes is not None and result.shapes.complete
    assert result.shapes["gamma"].trainable == 8
    assert result.shapes["mix"].output == (None, 6, 6, 8)


@pytest.mark.keras
def test_compile_and_codegen_use_the_catalog_module() -> None:
    model = graphspec.compile(SPEC)
    assert type(model.get_layer("gamma")).__module__ == "keras.src.applications.convnext"
    code = generate_python(graphspec.load(SPEC))
    assert "from keras.src.applications.convnext import LayerScale" in code
    assert "from keras.src.applications.inception_resnet_v2 import CustomScaleLayer" in code
    assert 'gamma = LayerScale(init_values=0.5, projection_dim=8, name="gamma")(x)' in code
    namespace: dict[str, object] = {}
    exec(compile(code, "generated.py", "exec"), namespace)  # our own generated code
    built = namespace["build_model"]()  # type: ignore[operator]
    assert [type(x).__name__ for x in built.layers] == [type(x).__name__ for x in model.layers]


@pytest.mark.keras
def test_a_file_naming_another_module_is_refused_and_never_imported() -> None:
    keras = pytest.importorskip("keras")
    from keras.src.applications.convnext import LayerScale

    x = keras.Input((4, 3))
    config = json.loads(keras.Model(x, LayerScale(0.1, 3)(x)).to_json())
    layer = next(x for x in config["config"]["layers"] if x["class_name"] == "LayerScale")
    layer["module"] = "evil_module_graphspec_test"
    with pytest.raises(UnsupportedLayersError, match=r"not a class of keras\.layers"):
        from_config(config)
    assert "evil_module_graphspec_test" not in sys.modules
