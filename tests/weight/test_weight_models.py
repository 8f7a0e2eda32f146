"""Learned tensors against Keras: the same model as a hand-written layer, saved and loaded in safe
mode, imported back, generated as plain Keras code, trained."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphspec
from graphspec import check, load
from graphspec.backends.codegen import generate_python
from graphspec.backends.keras.deep import deep_report
from tests._roundtrip import assert_round_trip, inputs_for

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras
ops = keras.ops

TOKENS = textwrap.dedent(
    """\
    graphspec: 1.1
    name: tokens
    inputs: {x: {shape: [4, 8]}}
    nodes:
      proj:  {type: Dense, units: 8}
      cls:   {weight: {shape: [1, 8], initializer: {type: RandomNormal, stddev: 0.02}, batched: true}}
      pos:   {weight: {shape: [5, 8], initializer: {type: RandomNormal, stddev: 0.02}}}
      tok:   {expr: "concatenate([cls, proj], axis=1) + pos"}
      gamma: {weight: {shape: [8], initializer: ones, regularizer: l2}}
      norm:  {type: LayerNormalization}
      out:   {expr: "norm * gamma"}
    edges: [x -> proj, tok -> norm]
    outputs: [out]
    """
)


class _Tokens(keras.layers.Layer):
    """keras.io's ViT ``PatchEncoder`` with a class token, written by hand: the oracle."""

    def build(self, input_shape: Any) -> None:
        self.cls = self.add_weight(shape=(1, 8), initializer="zeros", name="cls")
        self.pos = self.add_weight(shape=(5, 8), initializer="zeros", name="pos")

    def call(self, x: Any) -> Any:
        batch = ops.shape(x)[0]
        cls = ops.broadcast_to(self.cls, (batch, 1, 8))
        return ops.concatenate([cls, x], axis=1) + self.pos


def _oracle() -> Any:
    x = keras.Input((4, 8), name="x")
    tokens = _Tokens(name="tokens")(keras.layers.Dense(8, name="proj")(x))
    norm = keras.layers.LayerNormalization(name="norm")(tokens)
    gamma = keras.layers.Rescaling(1.0, name="gamma")(norm)  # a per-channel scale of ones
    return keras.Model(x, gamma)


def test_static_shapes_and_parameters_are_keras_s() -> None:
    result = check(TOKENS)
    assert result.ok, [d.format() for d in result.diagnostics]
    report = deep_report(result)
    assert report.built and [d.format() for d in report.diagnostics if d.is_error] == []
    assert report.params["cls"] == (8, 0) and report.params["pos"] == (40, 0)
    model = graphspec.compile(TOKENS)
    assert result.shapes is not None and model.count_params() == result.shapes.total == 144


def test_the_class_token_and_position_table_compute_what_the_hand_written_layer_does() -> None:
    model, oracle = graphspec.compile(TOKENS), _oracle()
    oracle.get_layer("proj").set_weights(model.get_layer("proj").get_weights())
    oracle.get_layer("norm").set_weights(model.get_layer("norm").get_weights())
    cls, pos = (model.get_layer(n).get_weights()[0] for n in ("cls", "pos"))
    oracle.get_layer("tokens").set_weights([cls, pos])
    batch = inputs_for(model, batch=3)[0]
    np.testing.assert_allclose(
        model.predict(batch, verbose=0), oracle.predict(batch, verbose=0), atol=1e-6
    )
    assert len(model.losses) == 1  # the l2 regularizer of gamma


def test_a_saved_model_loads_in_safe_mode_in_a_fresh_process(tmp_path: Path) -> None:
    model = graphspec.compile(TOKENS)
    path = tmp_path / "tokens.keras"
    model.save(path)
    batch = inputs_for(model, batch=2)[0]
    np.save(tmp_path / "batch.npy", batch)
    np.save(tmp_path / "want.npy", model.predict(batch, verbose=0))
    code = textwrap.dedent(
        f"""
        import numpy as np, keras, graphspec
        try:
            keras.saving.load_model({str(path)!r}, safe_mode=True)
        except Exception as exc:
            print("unregistered:", type(exc).__name__, "LearnedTensor" in str(exc))
        graphspec.keras_objects()
        again = keras.saving.load_model({str(path)!r}, safe_mode=True)
        got = again.predict(np.load({str(tmp_path / "batch.npy")!r}), verbose=0)
        print("max difference:", float(np.abs(got - np.load({str(tmp_path / "want.npy")!r})).max()))
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "unregistered: TypeError True" in proc.stdout
    assert "max difference: 0.0" in proc.stdout


def test_import_reads_learned_tensors_back() -> None:
    spec = assert_round_trip(graphspec.compile(TOKENS, api="functional"))
    nodes = spec.nodes
    assert nodes["cls"].weight == {
        "shape": [1, 8],
        "initializer": {"type": "RandomNormal", "stddev": 0.02},
        "batched": True,
    }
    assert nodes["gamma"].weight == {"shape": [8], "initializer": "ones", "regularizer": "l2"}
    assert spec.graphspec == 1.1


def _generated(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "generated_tokens.py"
    path.write_text(generate_python(load(text)))
    module_spec = importlib.util.spec_from_file_location("generated_tokens", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def test_generated_code_builds_the_same_model_with_plain_keras(tmp_path: Path) -> None:
    from graphspec.plugins.weight.layer import LearnedTensor

    module = _generated(tmp_path, TOKENS)
    try:
        built, compiled = module.build_model(), graphspec.compile(TOKENS)
        text = Path(module.__file__).read_text()
        assert "import graphspec" not in text and "from graphspec" not in text
        assert built.count_params() == compiled.count_params()
        built.set_weights(compiled.get_weights())
        batch = inputs_for(compiled, batch=2)[0]
        np.testing.assert_allclose(
            built.predict(batch, verbose=0), compiled.predict(batch, verbose=0), atol=1e-6
        )
        path = tmp_path / "generated.keras"
        built.save(path)  # saved from generated code, imported by graphspec: the same tensors
        again = graphspec.from_keras(keras.saving.load_model(path)).nodes
        for name, node in load(TOKENS).nodes.items():
            if node.weight is not None:
                assert again[name].weight == node.weight, name
    finally:
        keras.saving.register_keras_serializable(package="graphspec")(LearnedTensor)


def test_training_moves_the_learned_tensors_and_a_frozen_one_stays() -> None:
    text = TOKENS.replace("regularizer: l2}", "trainable: false}")
    model = graphspec.compile(text)
    assert [w.name for w in model.non_trainable_weights] == ["tensor"]
    before = {n: model.get_layer(n).get_weights()[0].copy() for n in ("cls", "pos", "gamma")}
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    batch = inputs_for(model, batch=8)[0]
    model.fit(batch, np.ones((8, 5, 8), "float32"), epochs=2, verbose=0)
    after = {n: model.get_layer(n).get_weights()[0] for n in before}
    assert not np.allclose(after["cls"], before["cls"])
    assert not np.allclose(after["pos"], before["pos"])
    np.testing.assert_array_equal(after["gamma"], before["gamma"])
