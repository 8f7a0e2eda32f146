"""KerasHub's layers as first-class types: import, static shapes and parameters, compile, codegen,
diagrams; and one clear error where KerasHub is not installed."""

from __future__ import annotations

import builtins
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import graphspec
from graphspec.errors import SpecError
from tests._roundtrip import assert_same_model

pytestmark = pytest.mark.keras

keras_hub = pytest.importorskip("keras_hub")


def _classifier() -> Any:
    """A text classifier made of KerasHub blocks, as KerasHub's guides write one."""
    import keras

    tokens = keras.Input((16,), dtype="int32")
    x = keras_hub.layers.TokenAndPositionEmbedding(200, 16, 32)(tokens)
    x = keras_hub.layers.TransformerEncoder(64, 4, dropout=0.1)(x)
    x = keras_hub.layers.TransformerEncoder(64, 4, normalize_first=True)(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    return keras.Model(tokens, keras.layers.Dense(2, activation="softmax")(x))


def _translator() -> Any:
    """An encoder-decoder: the decoder takes the encoder's output as its second input."""
    import keras

    source = keras.Input((12,), dtype="int32")
    target = keras.Input((10,), dtype="int32")
    enc = keras_hub.layers.TokenAndPositionEmbedding(100, 12, 16)(source)
    enc = keras_hub.layers.FNetEncoder(32)(enc)
    dec = keras_hub.layers.TokenAndPositionEmbedding(80, 10, 16)(target)
    dec = keras_hub.layers.SinePositionEncoding()(dec) + dec
    dec = keras_hub.layers.TransformerDecoder(32, 2)(dec, enc)
    return keras.Model([source, target], keras.layers.Dense(80)(dec))


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    tmp = tmp_path_factory.mktemp("hub")
    out = {}
    for name, build in (("classifier", _classifier), ("translator", _translator)):
        model = build()
        model.save(tmp / f"{name}.keras")
        out[name] = (tmp / f"{name}.keras", model)
    return out


def _static_matches_keras(result: graphspec.CheckResult, model: Any) -> int:
    """Every layer node's static output shape and parameter count equal Keras's; how many."""
    assert result.shapes is not None and result.shapes.complete
    compared = 0
    for node in result.graph.layers:
        if not node.is_layer:  # an expression (`dec + enc`): no layer, no weights
            continue
        layer = model.get_layer(node.name)
        static = result.shapes[node.name]
        assert static.outputs[0] == tuple(layer.output.shape), node.name
        assert static.params == layer.count_params(), node.name
        compared += 1
    assert result.shapes.total == model.count_params()
    return compared


@pytest.mark.parametrize("name", ["classifier", "translator"])
def test_import_validate_compile_codegen_draw(
    name: str,
    saved: dict[str, tuple[Path, Any]],
    tmp_path: Path,
    run_cli: Callable[..., Any],
) -> None:
    path, model = saved[name]
    spec_path = tmp_path / f"{name}.yaml"
    assert run_cli("import", str(path), "-o", str(spec_path)).status == 0
    result = graphspec.check(spec_path)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert _static_matches_keras(result, model) >= 5
    built = graphspec.compile(spec_path)
    assert_same_model(built, model, size=8)
    code = tmp_path / "model.py"
    assert run_cli("codegen", str(spec_path), "-o", str(code)).status == 0
    assert "from keras_hub.layers import" in code.read_text()
    namespace: dict[str, Any] = {}
    exec(compile(code.read_text(), str(code), "exec"), namespace)
    assert_same_model(namespace["build_model"](), model, size=8)
    picture = tmp_path / f"{name}.svg"
    assert run_cli("render", str(spec_path), "-o", str(picture)).status == 0
    assert "TransformerEncoder" in picture.read_text() or "TransformerDecoder" in (
        picture.read_text()
    )


def test_a_left_out_layer_says_why(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("inputs: {x: {shape: [4, 8]}}\nnodes:\n  h: {type: MaskedLMHead}\n")
    result = graphspec.check(spec)
    (error,) = result.errors
    assert error.code == "E204"
    assert "KerasHub's `MaskedLMHead` cannot be a node" in error.message


_SPEC = (
    "inputs: {ids: {shape: [16], dtype: int32}}\n"
    "nodes:\n"
    "  embed: {type: TokenAndPositionEmbedding, vocabulary_size: 50, sequence_length: 16, "
    "embedding_dim: 8}\n"
    "  enc1: {type: TransformerEncoder, intermediate_dim: 16, num_heads: 2}\n"
    "  enc2: {type: TransformerEncoder, intermediate_dim: 16, num_heads: 2}\n"
    "edges: [ids -> embed -> enc1 -> enc2]\n"
)


@pytest.fixture
def without_keras_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """KerasHub as on a machine without it: not found, not importable."""
    real_find_spec, real_import = importlib.util.find_spec, builtins.__import__

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name.split(".")[0] == "keras_hub" else real_find_spec(name, *args, **kwargs)

    def no_hub(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] == "keras_hub":
            raise ModuleNotFoundError("No module named 'keras_hub'", name="keras_hub")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(builtins, "__import__", no_hub)
    for name in [m for m in sys.modules if m.split(".")[0] == "keras_hub"]:
        monkeypatch.delitem(sys.modules, name)


def test_without_keras_hub_one_clear_error(
    without_keras_hub: None, tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    spec = tmp_path / "hub.yaml"
    spec.write_text(_SPEC)
    result = graphspec.check(spec)
    assert [d.code for d in result.errors] == ["E210"]
    (error,) = result.errors
    assert error.message == (
        "node `embed` (and `enc1`, `enc2`): TokenAndPositionEmbedding is a KerasHub layer, and "
        "KerasHub is not installed here"
    )
    assert error.hint == "pip install 'graphspec[hub]' (or keras-hub)"
    with pytest.raises(SpecError, match="E210"):
        graphspec.compile(spec)
    run = run_cli("compile", str(spec), "-o", str(tmp_path / "m.keras"))
    assert run.status == 1
    assert run.err.count("error[E210]") == 1 and "Traceback" not in run.err


def test_the_compiler_says_so_too(without_keras_hub: None) -> None:
    from graphspec.backends.keras.compiler import layer_object
    from graphspec.errors import CompileError

    with pytest.raises(CompileError, match=r"KerasHub's, and KerasHub cannot be imported"):
        layer_object("TransformerEncoder", {"intermediate_dim": 8, "num_heads": 2})
