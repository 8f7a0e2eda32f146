"""The Keras compiler, with Keras as the oracle: hand-written reference models from the seed."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graphspec import CompileError, SpecError, check
from graphspec.backends.keras.compiler import build_model, compile_spec
from graphspec.base.custom_layers import register_layer, unregister_layer

keras = pytest.importorskip("keras")
layers = keras.layers
models = keras.models

pytestmark = pytest.mark.keras

SPECS = sorted(Path(__file__).resolve().parent.parent.glob("specs/*.yaml"))


# -- the seed's three hand-written models (skip model: shortcut given 64 filters) ---------------


def _seed_sequential() -> Any:
    with warnings.catch_warnings():  # the seed passes input_shape= to the first layer
        warnings.simplefilter("ignore")
        return models.Sequential(
            [
                layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
                layers.MaxPooling2D((2, 2)),
                layers.Conv2D(64, (3, 3), activation="relu"),
                layers.MaxPooling2D((2, 2)),
                layers.Flatten(),
                layers.Dense(10, activation="softmax"),
            ]
        )


def _seed_functional() -> Any:
    input_tensor = layers.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, (3, 3), activation="relu")(input_tensor)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Conv2D(64, (3, 3), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Flatten()(x)
    output_tensor = layers.Dense(10, activation="softmax")(x)
    return models.Model(inputs=input_tensor, outputs=output_tensor)


def _seed_skip() -> Any:
    input_tensor = layers.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, (3, 3), padding="same", activation="relu")(input_tensor)
    x = layers.Conv2D(32, (3, 3), padding="same", activation="relu")(x)
    x = layers.MaxPooling2D((2, 2))(x)
    shortcut = layers.Conv2D(64, (1, 1), padding="same", activation="relu")(x)
    y = layers.Conv2D(64, (3, 3), padding="same", activation="relu")(x)
    y = layers.Conv2D(64, (3, 3), padding="same", activation="relu")(y)
    y = layers.add([y, shortcut])
    y = layers.MaxPooling2D((2, 2))(y)
    y = layers.Flatten()(y)
    output_tensor = layers.Dense(10, activation="softmax")(y)
    return models.Model(inputs=input_tensor, outputs=output_tensor)


def _spec(name: str) -> Path:
    return Path(__file__).resolve().parent.parent / "specs" / f"{name}.yaml"


def _types(model: Any) -> list[str]:
    return [type(layer).__name__ for layer in model.layers]


def _inputs_for(model: Any, seed: int = 0) -> Any:
    rng = np.random.default_rng(seed)
    arrays = [
        rng.random((3, *(d or 5 for d in tensor.shape[1:])), dtype=np.float32)
        for tensor in model.inputs
    ]
    return arrays[0] if len(arrays) == 1 else arrays


def _copy_weights(source: Any, target: Any) -> None:
    for src, dst in zip(source.layers, target.layers, strict=True):
        dst.set_weights(src.get_weights())


def _predict(model: Any, x: Any) -> Any:
    return model.predict(x, verbose=0)


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("seed_sequential", _seed_sequential),
        ("seed_functional", _seed_functional),
        ("seed_skip", _seed_skip),
    ],
)
def test_seed_specs_match_the_hand_written_models(name: str, reference: Callable[[], Any]) -> None:
    keras.utils.set_random_seed(1)
    ref = reference()
    model = compile_spec(_spec(name))
    if name == "seed_skip":
        assert not isinstance(model, keras.Sequential)
    else:  # both chains: the seed's Sequential and its functional twin compile to Sequential
        assert isinstance(model, keras.Sequential)
        assert _types(model) == _types(_seed_sequential())
    if isinstance(ref, keras.Sequential) == isinstance(model, keras.Sequential):
        assert _types(model) == _types(ref)
    assert model.count_params() == ref.count_params()
    keras.utils.set_random_seed(2)
    reseeded = reference()  # fresh random weights, so equal predictions are not a coincidence
    body = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    ref_body = [layer for layer in reseeded.layers if type(layer).__name__ != "InputLayer"]
    assert [type(a) for a in body] == [type(b) for b in ref_body]
    for src, dst in zip(ref_body, body, strict=True):
        dst.set_weights(src.get_weights())
    x = _inputs_for(model)
    np.testing.assert_array_equal(_predict(model, x), _predict(reseeded, x))
    assert model.name == name


def test_functional_seed_compiles_to_the_same_class_as_its_reference_when_asked() -> None:
    model = compile_spec(_spec("seed_functional"), api="functional")
    ref = _seed_functional()
    assert not isinstance(model, keras.Sequential)
    assert type(model) is type(ref)
    assert _types(model) == _types(ref)


def test_sequential_and_functional_builds_are_the_same_network() -> None:
    path = _spec("seed_sequential")
    keras.utils.set_random_seed(7)
    seq = compile_spec(path, api="sequential")
    keras.utils.set_random_seed(7)
    fun = compile_spec(path, api="functional")
    assert isinstance(seq, keras.Sequential)
    assert not isinstance(fun, keras.Sequential)
    for a, b in zip(seq.get_weights(), fun.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    x = _inputs_for(seq)
    np.testing.assert_array_equal(_predict(seq, x), _predict(fun, x))


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_shipped_spec_compiles(path: Path) -> None:
    result = check(path)
    model = compile_spec(path)
    assert model.name == result.graph.name
    owners = {node.layer_owner for node in result.graph.layers if node.expr is None}
    names = {layer.name for layer in model.layers if type(layer).__name__ != "InputLayer"}
    assert names == owners
    assert [t.name for t in model.inputs] == result.graph.inputs


def test_multi_io_has_two_inputs_and_named_outputs() -> None:
    path = _spec("multi_io")
    graph = check(path).graph
    model = compile_spec(path)
    assert len(model.inputs) == 2
    assert len(model.outputs) == 2
    assert [t.name for t in model.inputs] == graph.inputs
    prediction = _predict(model, _inputs_for(model))
    assert set(prediction) == {out for out, _ in graph.outputs}


def test_siamese_shares_one_set_of_weights() -> None:
    path = _spec("siamese")
    graph = check(path).graph
    model = compile_spec(path)
    shared = [node for node in graph.layers if node.share]
    assert shared
    names = {layer.name for layer in model.layers}
    for node in shared:
        assert node.name not in names
        assert len(model.get_layer(node.share)._inbound_nodes) == 2
    assert len(model.weights) == sum(len(layer.weights) for layer in model.layers)
    assert model.count_params() == sum(layer.count_params() for layer in model.layers)
    x = _inputs_for(model)
    twins = _predict(model, [x[0], x[0]])  # the same image on both sides: zero difference
    bias = model.get_layer(graph.output_nodes[0]).get_weights()[1]
    np.testing.assert_allclose(
        twins, np.broadcast_to(1 / (1 + np.exp(-bias)), twins.shape), rtol=1e-6
    )


def test_resnet_mini_expanded_nodes_are_layers_by_name() -> None:
    path = _spec("resnet_mini")
    graph = check(path).graph
    model = compile_spec(path)
    expanded = [node.name for node in graph.layers if "." in node.name]
    assert expanded
    for name in expanded:
        assert model.get_layer(name).name == name


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_saved_model_round_trips(path: Path, tmp_path: Path) -> None:
    keras.utils.set_random_seed(3)
    model = compile_spec(path)
    target = tmp_path / f"{path.stem}.keras"
    model.save(target)
    loaded = keras.saving.load_model(target, safe_mode=True)  # no custom objects needed
    assert type(loaded) is type(model)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    x = _inputs_for(model)
    expected, found = _predict(model, x), _predict(loaded, x)
    if isinstance(expected, dict):
        assert set(found) == set(expected)
        for key in expected:
            np.testing.assert_array_equal(found[key], expected[key])
    else:
        np.testing.assert_array_equal(found, expected)


# -- refusals -------------------------------------------------------------------------------


def test_sequential_api_on_a_branching_spec_names_the_node() -> None:
    with pytest.raises(CompileError, match="node `add` has 2 inputs: conv4, shortcut") as info:
        compile_spec(_spec("seed_skip"), api="sequential")
    (diag,) = info.value.diagnostics
    assert diag.code == "E601"
    assert diag.node == "add"
    assert "functional" in (diag.hint or "")


def test_bad_api_is_a_usage_error() -> None:
    from graphspec import UsageError

    with pytest.raises(UsageError, match="auto, sequential, functional"):
        compile_spec(_spec("seed_sequential"), api="sideways")


def _located(path: Path, node: str) -> str:
    """``file:line:col`` of a node's entry, found in the text (col = where the name starts)."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.lstrip().startswith(f"{node}:"):
            return f"{path}:{number}:{len(line) - len(line.lstrip()) + 1}"
    raise AssertionError(f"{node} not in {path}")


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = _spec("seed_sequential").read_text()
    assert old in text
    path = tmp_path / "variant.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    "change",
    ["kernel_size: 50", "kernel_size: 3, padding: middle"],
    ids=["kernel-too-big", "bad-padding"],
)
def test_keras_failures_name_the_node_and_its_location(tmp_path: Path, change: str) -> None:
    path = _variant(tmp_path, "kernel_size: 3", change)
    # Static validation runs first and may already catch it; either way the node is named.
    with pytest.raises(SpecError) as static:
        compile_spec(path)
    assert any(d.node == "conv1" for d in static.value.errors)
    # Keras itself, with static shapes off, must be reported the same way.
    with pytest.raises(CompileError) as info:
        build_model(check(path, shapes=False))
    (diag,) = info.value.diagnostics
    assert diag.code == "E602"
    assert diag.node == "conv1"
    assert diag.location == _located(path, "conv1")
    assert "`conv1`" in diag.message
    assert "stopped" in diag.format()
    with pytest.raises(Exception) as keras_error:  # the same mistake in plain Keras
        kwargs = {"padding": "middle"} if "middle" in change else {}
        kernel = 50 if "50" in change else 3
        layers.Conv2D(32, kernel, **kwargs)(layers.Input((28, 28, 1)))
    assert str(keras_error.value).splitlines()[0].strip()[:60] in diag.message


# -- custom layers --------------------------------------------------------------------------


class _Scale(layers.Layer):
    """Multiplies by a constant (a custom layer for the tests)."""

    def __init__(self, factor: float = 2.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if factor == 0:
            raise ValueError("factor must be non-zero; got 0")
        self.factor = factor

    def build(self, input_shape: Any) -> None:
        if input_shape[-1] == 7:
            raise ValueError(f"_Scale cannot take 7 channels; got shape {input_shape}")

    def call(self, x: Any) -> Any:
        return x * self.factor

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


@pytest.fixture
def scale_layer() -> Iterator[type]:
    register_layer(_Scale, name="Scale")
    yield _Scale
    unregister_layer("Scale")


_CUSTOM = """
inputs: {{x: {{shape: [{width}]}}}}
nodes:
  dense: {{type: Dense, units: {width}}}
  scaled: {{type: Scale, factor: {factor}}}
"""


def test_registered_custom_layer_compiles(scale_layer: type) -> None:
    model = compile_spec(_CUSTOM.format(width=4, factor=3.0))
    assert isinstance(model.get_layer("scaled"), scale_layer)
    x = _inputs_for(model)
    dense = model.get_layer("dense")
    expected = 3.0 * keras.ops.convert_to_numpy(dense(x))
    np.testing.assert_allclose(_predict(model, x), expected, rtol=1e-6)


def test_custom_layer_failures_are_compile_errors(scale_layer: type) -> None:
    with pytest.raises(CompileError, match="factor must be non-zero") as made:
        compile_spec(_CUSTOM.format(width=4, factor=0))
    assert made.value.diagnostics[0].node == "scaled"
    assert "Keras refused to make Scale" in made.value.diagnostics[0].message
    with pytest.raises(CompileError, match="cannot take 7 channels") as called:
        compile_spec(_CUSTOM.format(width=7, factor=2.0))
    diag = called.value.diagnostics[0]
    lines = _CUSTOM.format(width=7, factor=2.0).splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("  scaled:"))
    assert (diag.code, diag.node, diag.line, diag.column) == ("E602", "scaled", line, 3)
    assert "could not apply Scale to `dense`" in diag.message


def test_lambda_never_compiles() -> None:
    text = "inputs: {x: {shape: [4]}}\nnodes:\n  f: {type: Lambda, function: abs}\n"
    with pytest.raises(SpecError) as info:
        compile_spec(text)
    assert "E204" in info.value.codes
    register_layer(_Scale, name="Lambda")  # even registered from Python, the name is refused
    try:
        with pytest.raises(CompileError, match="not allowed") as forced:
            compile_spec("inputs: {x: {shape: [4]}}\nnodes:\n  f: {type: Lambda}\n")
        assert forced.value.diagnostics[0].code == "E603"
    finally:
        unregister_layer("Lambda")


# -- arguments ------------------------------------------------------------------------------


def test_named_objects_and_nested_layers_match_hand_written_keras() -> None:
    text = """
inputs: {x: {shape: [6, 4]}}
nodes:
  rnn: {type: Bidirectional, layer: {type: LSTM, units: 5, kernel_initializer: {type: HeNormal, seed: 1}}}
  fc:  {type: Dense, units: 3, activation: {type: tanh}, kernel_initializer: {type: GlorotUniform, seed: 4}, kernel_regularizer: {type: L2, l2: 0.01}, bias_initializer: ones}
"""
    model = compile_spec(text, api="functional")
    inp = layers.Input((6, 4))
    h = layers.Bidirectional(
        layers.LSTM(5, kernel_initializer=keras.initializers.HeNormal(seed=1))
    )(inp)
    out = layers.Dense(
        3,
        activation="tanh",
        kernel_initializer=keras.initializers.GlorotUniform(seed=4),
        kernel_regularizer=keras.regularizers.L2(0.01),
        bias_initializer="ones",
    )(h)
    ref = models.Model(inp, out)
    assert _types(model) == _types(ref)
    for mine, theirs in zip(model.layers, ref.layers, strict=True):
        assert _config(mine) == _config(theirs)
        mine.set_weights(theirs.get_weights())
    x = _inputs_for(model)
    np.testing.assert_array_equal(_predict(model, x), _predict(ref, x))


def _config(layer: Any) -> dict[str, Any]:
    """A layer's config without the names Keras makes up."""
    config = layer.get_config()
    config.pop("name", None)
    for key in ("layer", "backward_layer"):
        if isinstance(config.get(key), dict):
            config[key] = {**config[key], "config": {**config[key]["config"], "name": None}}
    return config


def test_activation_mapping_with_arguments_is_refused() -> None:
    text = (
        "inputs: {x: {shape: [4]}}\nnodes:\n"
        "  fc: {type: Dense, units: 2, activation: {type: leaky_relu, negative_slope: 0.1}}\n"
    )
    with pytest.raises(CompileError, match="LeakyReLU") as info:
        compile_spec(text)
    assert info.value.diagnostics[0].code == "E603"


def test_list_arguments_become_the_tuples_keras_stores() -> None:
    text = (
        "inputs: {x: {shape: [9, 9, 2]}}\nnodes:\n"
        "  conv: {type: Conv2D, filters: 3, kernel_size: [3, 2], strides: [2, 1]}\n"
        "  crop: {type: Cropping2D, cropping: [[1, 0], [0, 1]]}\n"
    )
    model = compile_spec(text)
    ref_conv = layers.Conv2D(3, (3, 2), strides=(2, 1))
    ref_crop = layers.Cropping2D(((1, 0), (0, 1)))
    for name, ref in (("conv", ref_conv), ("crop", ref_crop)):
        mine = model.get_layer(name).get_config()
        theirs = ref.get_config()
        for key in ("kernel_size", "strides", "cropping"):
            if key in theirs:
                assert mine[key] == theirs[key]


def test_params_substitute_before_building() -> None:
    path = _spec("seed_skip")
    width = 8
    narrow = compile_spec(path, params={"width": width})
    assert narrow.get_layer("conv1").filters == width
    assert narrow.get_layer("shortcut").filters == 2 * width
