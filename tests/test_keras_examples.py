"""Real models from the public keras.io examples: import, check, compile back, compare with Keras.

The models are built in tests/_keras_examples.py the way the examples write them (``x + inputs``,
``layers.add``, ``initial_state=``, nested models, ``keras.ops`` arithmetic, ``preprocess_input``
inside the model). Keras is the oracle: every static shape equals the layer's output shape, the
parameter counts match, and the compiled spec predicts the same after copying the weights.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphspec import check, to_yaml
from graphspec.backends.codegen import generate_python
from graphspec.backends.importer import UnsupportedLayersError, from_keras
from graphspec.backends.summary import summary_data
from tests._roundtrip import assert_round_trip, assert_same_model

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras

from tests import _keras_examples as ex  # noqa: E402  (needs Keras, skipped above without it)

FAST: list[Callable[[], Any]] = [
    ex.timeseries_transformer,
    ex.lstm_seq2seq,
    ex.unet_xception,
    ex.mnist_convnet,
    ex.text_bilstm,
    ex.multi_input_multi_output,
    ex.siamese_distance,
    ex.functional_guide_autoencoder,
    ex.pointnet_tnet_dot,
    ex.ddpg_actor,
    ex.video_gru_mask,
    ex.image_classification_from_scratch,
    ex.text_conv1d,
    ex.toy_resnet,
    ex.weather_lstm,
    ex.ddpg_critic,
    ex.functional_guide_ensemble,
    ex.dcgan_generator,
    ex.cgan_discriminator,
    ex.wgan_generator,
    ex.timeseries_fcn,
    ex.char_lstm_textgen,
    ex.ct_3d,
    ex.style_transfer_tiny,
]
SLOW: list[Callable[[], Any]] = [
    ex.transfer_efficientnet,
    ex.transfer_mobilenet,
    ex.deeplabv3_plus,
    ex.triplet_embedding,
    ex.conv_lstm_next_frame,
    ex.style_transfer_vgg19,
]


def _assert_static_shapes(model: Any, text: str) -> None:
    """``validate`` knows every node's shape and parameters, and they are Keras's."""
    result = check(text)
    assert result.diagnostics == []
    shapes = result.shapes
    assert shapes is not None and shapes.complete
    assert shapes.total == model.count_params()
    assert shapes.trainable == sum(int(w.numpy().size) for w in model.trainable_weights)
    for layer in model.layers:
        node = shapes.nodes.get(layer.name)
        if node is None:  # an InputLayer
            continue
        outs = layer.output if isinstance(layer.output, list | tuple) else [layer.output]
        assert node.outputs == tuple(tuple(o.shape) for o in outs), layer.name
    if type(model).__name__ != "Sequential":  # the model's outputs (an input among them, too)
        _assert_output_shapes(model, summary_data(result)["outputs"])


def _assert_output_shapes(model: Any, shown: list[dict[str, Any]]) -> None:
    """The summary's outputs have Keras's shapes (by name when the outputs are named)."""
    if isinstance(model.output, dict):
        assert {o["name"]: tuple(o["output_shape"]) for o in shown} == {
            name: tuple(t.shape) for name, t in model.output.items()
        }
    else:
        assert [tuple(o["output_shape"]) for o in shown] == [tuple(t.shape) for t in model.outputs]


def _generated_model(spec: Any, tmp_path: Path) -> Any:
    """The model built by the Python ``graphspec codegen`` writes for ``spec``."""
    path = tmp_path / "generated.py"
    path.write_text(generate_python(spec), encoding="utf-8")
    module_spec = importlib.util.spec_from_file_location(f"generated_{tmp_path.name}", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.build_model()


def _round_trip(build: Callable[[], Any]) -> None:
    """Import, compile back and compare (the generated code of each is compared with the
    compiled model by tests/test_codegen_oracle.py, which imports these examples too)."""
    model = build()
    spec = assert_round_trip(model, size=40)  # variable lengths: long enough for every kernel
    _assert_static_shapes(model, to_yaml(spec))


@pytest.mark.parametrize("build", FAST, ids=lambda f: f.__name__)
def test_example_round_trip(build: Callable[[], Any]) -> None:
    _round_trip(build)


@pytest.mark.slow
@pytest.mark.parametrize("build", SLOW, ids=lambda f: f.__name__)
def test_example_round_trip_slow(build: Callable[[], Any]) -> None:
    _round_trip(build)


WITH_BLOCKS = {
    "unet_xception",
    "image_classification_from_scratch",
    "transfer_efficientnet",
    "deeplabv3_plus",
    "triplet_embedding",
}
"""The examples whose import finds blocks; the others have no repeated sub-graph whose layers a
template can name (layers Keras named ``conv2d``, ``conv2d_1``: the first has no number)."""


def _blocks_round_trip(build: Callable[[], Any]) -> None:
    """Imported with blocks: the same model (layer names, configs, parameters, predictions)."""
    from graphspec import compile as compile_spec
    from graphspec import load

    model = build()
    spec = from_keras(model, blocks=True)
    text = to_yaml(spec)
    assert to_yaml(load(text)) == text
    assert bool(spec.blocks) or _has_nested_blocks(spec) == (build.__name__ in WITH_BLOCKS)
    api = "auto" if type(model).__name__ == "Sequential" else "functional"
    built = compile_spec(load(text), api=api)
    assert [x.name for x in built.layers] == [x.name for x in model.layers]
    assert_same_model(built, model, size=40)


def _has_nested_blocks(spec: Any) -> bool:
    return any(isinstance(n.model, dict) and n.model.get("blocks") for n in spec.nodes.values())


BLOCKS_FAST = [ex.unet_xception, ex.image_classification_from_scratch, ex.toy_resnet]
"""Imported with blocks on every run (two find blocks, one does not); all of them in test-all."""


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(b, marks=[] if b in BLOCKS_FAST else [pytest.mark.slow], id=b.__name__)
        for b in FAST + SLOW
    ],
)
def test_example_blocks_round_trip(build: Callable[[], Any]) -> None:
    _blocks_round_trip(build)


def test_preprocess_input_constant_is_an_expression_array(tmp_path: Path) -> None:
    """``resnet50.preprocess_input`` inside a model: its mean tensor is written as numbers."""
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, keras.applications.resnet50.preprocess_input(inputs))
    spec = assert_round_trip(model)
    assert "+ [[[[-103.93900299072266, -116.77899932861328, -123.68000030517578]]]]" in (
        to_yaml(spec)
    )
    _assert_static_shapes(model, to_yaml(spec))
    assert "keras.ops.convert_to_tensor(" in generate_python(spec)  # keras.ops takes no lists
    assert_same_model(_generated_model(spec, tmp_path), model)


def test_nested_model_output_is_its_first_call() -> None:
    """Keras counts a nested model's own node in ``output_layers``: `enc` is not `enc_1`."""
    inner_in = keras.Input((4,))
    enc = keras.Model(inner_in, keras.layers.Dense(3)(inner_in), name="enc")
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    model = keras.Model([a, b], [enc(a), keras.layers.Dense(2, name="head")(enc(b))])
    spec = assert_round_trip(model)
    assert spec.outputs == ["enc", "head"]


_DECLARE = "hint: a spec names classes of keras.layers, KerasHub and the layer packages you declare"


@pytest.mark.parametrize(
    ("build", "message", "hint"),
    [
        (
            ex.siamese_lambda,
            r"`lambda` \(Lambda\): a Lambda runs Python code.*as an expression node",
            "hint: call a Lambda's keras.ops functions directly in the model",
        ),
        (
            ex.vae_encoder,
            r"`sampling` \(Sampling, module [\w.]+\): not a class of keras.layers",
            _DECLARE,
        ),
        (ex.text_transformer, r"TokenAndPositionEmbedding.*not a class of keras.layers", _DECLARE),
    ],
    ids=["lambda", "custom_layer", "custom_embedding"],
)
def test_refused_examples_say_why_and_what_to_do(
    build: Callable[[], Any], message: str, hint: str
) -> None:
    with pytest.raises(UnsupportedLayersError, match=message) as info:
        from_keras(build())
    last = str(info.value).splitlines()[-1]
    assert last.startswith(hint)
    if "Lambda" in message:  # what to write instead is in its line; no package would help
        assert "register_layer" not in str(info.value) and "--layers" not in str(info.value)
    else:
        assert "--layers tests._keras_examples" in last


def test_frozen_layers_count_as_non_trainable() -> None:
    """``layer.trainable = False`` (a frozen backbone's layers): `validate` counts as Keras does."""
    inputs = keras.Input((6,))
    frozen = keras.layers.Dense(4, name="frozen")
    model = keras.Model(inputs, keras.layers.Dense(2, name="head")(frozen(inputs)))
    frozen.trainable = False
    spec = assert_round_trip(model)
    _assert_static_shapes(model, to_yaml(spec))
    assert check(to_yaml(spec)).shapes.non_trainable == 28  # type: ignore[union-attr]


def test_initializer_array_is_written_up_to_a_bound() -> None:
    """``Constant(np.eye(3).flatten())`` is written as its numbers; an embedding matrix is data."""
    np = pytest.importorskip("numpy")
    inputs = keras.Input((9,))
    eye = keras.initializers.Constant(np.eye(3).flatten())
    small = keras.Model(inputs, keras.layers.Dense(9, bias_initializer=eye, name="t")(inputs))
    assert "value: [1.0, 0.0, 0.0, 0.0, 1.0" in to_yaml(assert_round_trip(small))
    tokens = keras.Input((None,), dtype="int32")
    matrix = keras.initializers.Constant(np.zeros((100, 50)))
    embed = keras.layers.Embedding(100, 50, embeddings_initializer=matrix, name="emb")
    with pytest.raises(UnsupportedLayersError, match=r"`emb` \(Embedding\).*more than 4096"):
        from_keras(keras.Model(tokens, embed(tokens)))
