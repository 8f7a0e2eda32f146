"""Importing Keras models: user models, sources (.keras, JSON), refusals and the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import graphspec
from graphspec import load, to_yaml
from graphspec.backends.importer import UnsupportedLayersError, from_keras, import_source
from graphspec.backends.importer.objects import OBJECT_DEFAULTS
from graphspec.base.custom_layers import register_layer, unregister_layer
from graphspec.cli.main import main
from graphspec.errors import ImportModelError, UsageError
from tests._clean import redundant_keys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")

pytestmark = pytest.mark.keras


def _config(layer: Any) -> dict[str, Any]:
    """The layer's config without names (nested layers are named automatically)."""
    return _nameless(json.loads(json.dumps(layer.get_config(), default=str)))


def _nameless(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _nameless(v) for k, v in value.items() if k != "name"}
    if isinstance(value, list):
        return [_nameless(v) for v in value]
    return value


def _same_model(original: Any, spec: graphspec.Spec, inputs: Any) -> Any:
    """Compile ``spec``, copy the weights over by layer name and compare everything."""
    text = to_yaml(spec)
    assert to_yaml(load(text)) == text
    assert graphspec.check(spec).ok
    assert redundant_keys(text) == []  # a clean import: only what differs from the defaults
    api = "auto" if isinstance(original, keras.Sequential) else "functional"
    model = graphspec.compile(load(text), api=api)
    assert to_yaml(from_keras(model)) == text  # re-imported: byte-identical
    assert type(model) is type(original)
    assert sorted((x.name, type(x).__name__) for x in model.layers) == sorted(
        (x.name, type(x).__name__) for x in original.layers
    )
    assert model.count_params() == original.count_params()
    for layer in original.layers:
        assert _config(model.get_layer(layer.name)) == _config(layer), layer.name
        model.get_layer(layer.name).set_weights(layer.get_weights())
    expected, got = original(inputs, training=False), model(inputs, training=False)
    if isinstance(expected, dict):
        assert sorted(expected) == sorted(got)
        pairs = [(expected[k], got[k]) for k in expected]
    elif isinstance(expected, list | tuple):
        pairs = list(zip(expected, got, strict=True))
    else:
        pairs = [(expected, got)]
    for want, have in pairs:
        assert float(np.max(np.abs(np.asarray(want) - np.asarray(have)))) < 1e-5
    return model


def _two_tower() -> Any:
    """Two inputs, a shared encoder (called twice), a reversed-order merge, two outputs."""
    left = keras.Input((6,), name="left")
    right = keras.Input((6,), name="right")
    encode = keras.layers.Dense(5, activation="tanh", name="encode")
    a, b = encode(left), encode(right)
    diff = keras.layers.Subtract(name="diff")([b, a])  # right first: order must survive
    both = keras.layers.Concatenate(name="both")([diff, b, a])
    score = keras.layers.Dense(
        1, kernel_initializer=keras.initializers.HeNormal(seed=3), name="score"
    )(both)
    label = keras.layers.Dense(
        3,
        activation="softmax",
        kernel_regularizer=keras.regularizers.L2(0.001),
        bias_initializer=keras.initializers.Constant(0.5),
        name="label",
    )(diff)
    return keras.Model([left, right], [score, label], name="two_tower")


def test_functional_model_with_shared_layer_two_inputs_two_outputs() -> None:
    original = _two_tower()
    spec = from_keras(original)
    assert list(spec.inputs) == ["left", "right"]
    assert spec.outputs == ["score", "label"]
    assert spec.nodes["encode_1"].share == "encode"
    assert spec.nodes["score"].args["kernel_initializer"] == {"type": "HeNormal", "seed": 3}
    assert spec.nodes["label"].args["kernel_regularizer"] == {"type": "L2", "l2": 0.001}
    assert spec.nodes["label"].args["bias_initializer"] == {"type": "Constant", "value": 0.5}
    result = graphspec.check(spec)
    assert [result.graph.nodes[n].inputs for n in ("diff", "both")] == [
        ["encode_1", "encode"],
        ["diff", "encode_1", "encode"],
    ]
    rng = np.random.default_rng(1)
    batch = [rng.random((3, 6), dtype="float32"), rng.random((3, 6), dtype="float32")]
    _same_model(original, spec, batch)


def test_dict_outputs_become_named_outputs() -> None:
    x = keras.Input((4,), name="x")
    h = keras.layers.Dense(4, name="h")(x)
    model = keras.Model(x, {"a": keras.layers.Dense(1, name="p")(h), "b": h}, name="named")
    spec = from_keras(model)
    assert spec.outputs == {"a": "p", "b": "h"}
    _same_model(model, spec, np.ones((2, 4), dtype="float32"))


def test_same_tensor_twice_uses_inputs_list() -> None:
    x = keras.Input((4,), name="x")
    h = keras.layers.Dense(4, name="h")(x)
    model = keras.Model(x, keras.layers.Add(name="double")([h, h]), name="twice")
    spec = from_keras(model)
    assert spec.nodes["double"].inputs == ["h", "h"]
    _same_model(model, spec, np.ones((2, 4), dtype="float32"))


def test_sequential_imports_as_a_plain_chain() -> None:
    model = keras.Sequential(
        [
            keras.Input((10, 3), name="seq_in"),
            keras.layers.Conv1D(8, 3, padding="same", activation="relu", name="c1"),
            keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True), name="bi"),
            keras.layers.GlobalMaxPooling1D(name="gmp"),
            keras.layers.Dropout(0.25, name="drop"),
            keras.layers.Dense(2, use_bias=False, name="out"),
        ],
        name="chain",
    )
    spec = from_keras(model)
    assert spec.edges == [] and list(spec.nodes) == ["c1", "bi", "gmp", "drop", "out"]
    assert all(node.inputs is None for node in spec.nodes.values())
    inner = dict(spec.nodes["bi"].args["layer"])
    inner.pop("name", None)  # `lstm_N`: the N this process reached (kept, tests/test_import_saved)
    assert inner == {"type": "LSTM", "units": 4, "return_sequences": True}
    assert spec.nodes["c1"].args == {
        "filters": 8,
        "kernel_size": 3,
        "padding": "same",
        "activation": "relu",
    }
    _same_model(model, spec, np.random.default_rng(2).random((2, 10, 3), dtype="float32"))


def test_functional_chain_needs_no_edges() -> None:
    x = keras.Input((3,), name="x")
    y = keras.layers.Dense(2, name="b")(keras.layers.Dense(4, name="a")(x))
    spec = from_keras(keras.Model(x, y, name="fchain"))
    assert spec.edges == [] and spec.outputs == ["b"]


class _Scale(keras.layers.Layer):
    def __init__(self, factor: float = 2.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x: Any) -> Any:
        return x * self.factor

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


def _custom_model() -> Any:
    x = keras.Input((4,), name="x")
    h = _Scale(3.0, name="scale")(keras.layers.Dense(4, name="d")(x))
    h = keras.layers.Lambda(lambda t: t + 1, name="plus_one")(h)
    return keras.Model(x, keras.layers.Dense(1, name="out")(h), name="custom")


def test_custom_and_lambda_layers_are_listed() -> None:
    with pytest.raises(UnsupportedLayersError) as info:
        from_keras(_custom_model())
    assert [(name, cls) for name, cls, _ in info.value.layers] == [
        ("scale", "_Scale, module test_importer"),
        ("plus_one", "Lambda"),
    ] or [name for name, _, _ in info.value.layers] == ["scale", "plus_one"]
    message = str(info.value)
    assert "`scale` (_Scale" in message and "`plus_one` (Lambda)" in message
    assert (
        "declare the package that defines `_Scale` with `--layers tests.test_importer`" in message
    )
    assert "`plus_one` (Lambda): a Lambda runs Python code, which graphspec never reads" in message
    assert '`plus_one: {expr: "transpose(scale, [0, 2, 3, 1])"}`' in message  # over its input


def test_keras_ops_outside_the_expression_table_are_listed() -> None:
    x = keras.Input((4,), name="x")
    h = keras.layers.Dense(4, name="d")(x)
    model = keras.Model(x, keras.ops.cumsum(h, axis=1), name="ops")
    with pytest.raises(UnsupportedLayersError, match=r"keras\.ops operation that expressions"):
        from_keras(model)


def test_registered_custom_layer_imports() -> None:
    register_layer(_Scale)
    try:
        x = keras.Input((4,), name="x")
        y = _Scale(3.0, name="scale")(keras.layers.Dense(4, name="d")(x))
        model = keras.Model(x, y, name="registered")
        spec = from_keras(model)
        assert spec.nodes["scale"].type == "_Scale"
        assert spec.nodes["scale"].args == {"factor": 3.0}
        _same_model(model, spec, np.ones((2, 4), dtype="float32"))
    finally:
        unregister_layer("_Scale")


def test_nested_model_is_imported_inline() -> None:
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d")], name="inner")
    x = keras.Input((4,), name="x")
    model = keras.Model(x, inner(x), name="outer")
    spec = from_keras(model)
    assert spec.graphspec == 1.1
    assert spec.nodes["inner"].model == {
        "inputs": {"input_layer": {"shape": [4]}},
        "nodes": {"d": {"type": "Dense", "units": 2}},
        "outputs": ["d"],
    } or list(spec.nodes["inner"].model["nodes"]) == ["d"]


def test_problems_inside_a_nested_model_are_named_by_path() -> None:
    inner_x = keras.Input((4,), name="ix")
    inner = keras.Model(
        inner_x, keras.layers.Lambda(lambda t: t, name="lam")(inner_x), name="inner"
    )
    x = keras.Input((4,), name="x")
    with pytest.raises(UnsupportedLayersError, match=r"`inner/lam` \(Lambda\)"):
        from_keras(keras.Model(x, inner(x), name="outer"))


def test_keras_file_and_json_config_sources(tmp_path: Path) -> None:
    original = _two_tower()
    keras_file = tmp_path / "two.keras"
    original.save(keras_file)
    json_file = tmp_path / "two.json"
    json_file.write_text(original.to_json())
    expected = to_yaml(from_keras(original))
    assert to_yaml(import_source(str(keras_file))) == expected
    assert to_yaml(import_source(str(json_file))) == expected


def test_bad_sources(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        import_source(str(tmp_path / "missing.keras"))
    with pytest.raises(UsageError, match="has no model `os`"):
        import_source("keras.applications.os")
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]")
    with pytest.raises(ImportModelError, match="not a Keras model config"):
        import_source(str(junk))
    sub = tmp_path / "sub.json"
    sub.write_text(json.dumps({"class_name": "MyModel", "config": {}}))
    with pytest.raises(ImportModelError, match="only Functional and Sequential"):
        import_source(str(sub))


def test_a_config_never_reaches_other_modules(tmp_path: Path) -> None:
    config = json.loads(_two_tower().to_json())
    layer = config["config"]["layers"][2]
    layer["module"], layer["class_name"] = "os", "system"
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(config))
    with pytest.raises(UnsupportedLayersError, match=r"\(system, module os\)"):
        import_source(str(path))


def test_object_defaults_match_keras() -> None:
    for name, defaults in OBJECT_DEFAULTS.items():
        family = next(
            f
            for f in (keras.initializers, keras.regularizers, keras.constraints)
            if hasattr(f, name)
        )
        config = getattr(family, name)().get_config()
        assert {k: config[k] for k in defaults} == defaults, name


def test_cli_import_writes_once_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "m.json"
    source.write_text(_two_tower().to_json())
    out = tmp_path / "m.yaml"
    assert main(["import", str(source), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "5 layers (1 shared-layer calls)" in printed
    assert "parameters" in printed
    before = out.read_text()
    out.write_text("# mine\n")
    assert main(["import", str(source), "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text() == "# mine\n"
    assert main(["import", str(source), "-o", str(out), "--force"]) == 0
    assert out.read_text() == before


def test_cli_import_of_a_custom_model_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "custom.keras"
    _custom_model().save(source)
    out = tmp_path / "custom.yaml"
    assert main(["import", str(source), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "`scale` (_Scale" in err and "`plus_one` (Lambda)" in err
    assert list(tmp_path.iterdir()) == [source]
