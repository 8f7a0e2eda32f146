"""The format 1.1 example specs compile to the models their Keras examples write in Python."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graphspec import compile as compile_spec
from tests._roundtrip import assert_round_trip, assert_same_model

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras
layers, ops = keras.layers, keras.ops
SPECS = Path(__file__).resolve().parent.parent / "specs"


def _seq2seq() -> Any:  # keras.io/examples/nlp/lstm_seq2seq
    encoder_inputs = keras.Input(shape=(None, 71), name="encoder_inputs")
    _, state_h, state_c = layers.LSTM(256, return_state=True, name="encoder")(encoder_inputs)
    decoder_inputs = keras.Input(shape=(None, 93), name="decoder_inputs")
    decoder = layers.LSTM(256, return_sequences=True, name="decoder")
    outputs = decoder(decoder_inputs, initial_state=[state_h, state_c])
    outputs = layers.Dense(93, activation="softmax", name="decoder_dense")(outputs)
    return keras.Model([encoder_inputs, decoder_inputs], outputs, name="seq2seq")


def _transfer() -> Any:  # keras.io/guides/transfer_learning
    base = keras.applications.MobileNetV2(
        weights=None, input_shape=(160, 160, 3), include_top=False, name="base"
    )
    base.trainable = False
    inputs = keras.Input(shape=(160, 160, 3), name="image")
    x = inputs / 127.5 - 1.0
    x = base(x, training=False)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    x = layers.Dropout(0.2, name="dropout")(x)
    return keras.Model(inputs, layers.Dense(1, name="logit")(x), name="transfer_mobilenet")


def _siamese() -> Any:  # keras.io/examples/vision/siamese_contrastive
    digit = keras.Input((28, 28, 1), name="digit")
    x = layers.Conv2D(16, 3, activation="relu", name="conv1")(digit)
    x = layers.MaxPooling2D(name="pool1")(x)
    x = layers.Conv2D(32, 3, activation="relu", name="conv2")(x)
    x = layers.GlobalAveragePooling2D(name="pool2")(x)
    tower = keras.Model(digit, layers.Dense(48, name="embed")(x), name="tower")
    left, right = keras.Input((28, 28, 1), name="left"), keras.Input((28, 28, 1), name="right")
    a, b = tower(left), tower(right)
    distance = ops.sqrt(ops.maximum(ops.sum(ops.square(a - b), axis=-1, keepdims=True), 1e-7))
    x = layers.BatchNormalization(name="norm")(distance)
    out = layers.Dense(1, activation="sigmoid", name="similar")(x)
    return keras.Model([left, right], out, name="siamese_distance")


@pytest.mark.parametrize(
    ("make", "name"),
    [(_seq2seq, "seq2seq"), (_transfer, "transfer_mobilenet"), (_siamese, "siamese_distance")],
    ids=["seq2seq", "transfer_mobilenet", "siamese_distance"],
)
def test_example_spec_compiles_to_the_keras_model(make: Any, name: str) -> None:
    original = make()
    assert_same_model(compile_spec(SPECS / f"{name}.yaml"), original)
    assert_round_trip(original)


def test_mobilenet_v3_block_compiles_and_round_trips() -> None:
    model = compile_spec(SPECS / "mobilenet_v3_block.yaml")
    ops_used = {type(op).__name__ for op in model.operations}
    assert {"Relu6", "TrueDivide", "Multiply", "Add"} <= ops_used
    assert_round_trip(model)
