"""Call arguments against Keras: seq2seq with initial_state, causal self-attention, training."""

from __future__ import annotations

from typing import Any

import pytest

from graphspec import check
from graphspec import compile as compile_spec
from tests._roundtrip import assert_round_trip, assert_same_model

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras
layers = keras.layers


def _seq2seq(cell: str) -> Any:
    rnn = getattr(layers, cell)
    enc_in = keras.Input((None, 12), name="enc_in")
    dec_in = keras.Input((None, 10), name="dec_in")
    _, *states = rnn(16, return_state=True, name="enc")(enc_in)
    dec = rnn(16, return_sequences=True, name="dec")(dec_in, initial_state=states)
    out = layers.Dense(10, activation="softmax", name="out")(dec)
    return keras.Model([enc_in, dec_in], out, name=f"seq2seq_{cell.lower()}")


SEQ2SEQ = """
graphspec: 1.1
name: seq2seq
inputs:
  enc_in: {shape: [null, 12]}
  dec_in: {shape: [null, 10]}
nodes:
  enc: {type: CELL, units: 16, return_state: true, inputs: enc_in}
  dec: {type: CELL, units: 16, return_sequences: true, inputs: dec_in, call: {initial_state: STATES}}
  out: {type: Dense, units: 10, activation: softmax, inputs: dec}
outputs: [out]
"""


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_seq2seq_with_initial_state(cell: str) -> None:
    original = _seq2seq(cell)
    spec = assert_round_trip(original)
    assert spec.nodes["dec"].call is not None and "initial_state" in spec.nodes["dec"].call
    states = '["enc:1", "enc:2"]' if cell == "LSTM" else '["enc:1"]'
    text = SEQ2SEQ.replace("CELL", cell).replace("STATES", states)
    assert_same_model(compile_spec(text), original)
    assert check(text).shapes.total == original.count_params()


def _causal() -> Any:
    x = keras.Input((12, 16), name="tokens")
    att = layers.MultiHeadAttention(num_heads=2, key_dim=8, name="att")(x, x, use_causal_mask=True)
    x2 = layers.LayerNormalization(epsilon=1e-6, name="ln")(x + att)
    return keras.Model(x, layers.Dense(16, name="ff")(x2), name="causal")


CAUSAL = """
graphspec: 1.1
name: causal
inputs: {tokens: {shape: [12, 16]}}
nodes:
  att: {type: MultiHeadAttention, num_heads: 2, key_dim: 8, inputs: tokens,
        call: {value: tokens, use_causal_mask: true}}
  res: {expr: "tokens + att"}
  ln:  {type: LayerNormalization, epsilon: 1.0e-6, inputs: res}
  ff:  {type: Dense, units: 16}
"""


def test_causal_self_attention() -> None:
    original = _causal()
    spec = assert_round_trip(original)
    assert spec.nodes["att"].call == {"use_causal_mask": True}
    built = compile_spec(CAUSAL)
    assert_same_model(built, original)


def test_attention_scores_are_a_second_output() -> None:
    text = (
        "graphspec: 1.1\n"
        "inputs: {x: {shape: [7, 16]}}\n"
        "nodes:\n"
        "  att: {type: MultiHeadAttention, num_heads: 2, key_dim: 8, inputs: [x, x],\n"
        "        call: {return_attention_scores: true}}\n"
        "outputs: ['att:0', 'att:1']\n"
    )
    model = compile_spec(text)
    static = check(text).shapes.nodes["att"].outputs
    assert static == tuple(tuple(o.shape) for o in model.outputs)


def test_training_argument_on_a_frozen_backbone_is_kept() -> None:
    inner = keras.Sequential(
        [keras.Input((8,)), layers.Dense(4, name="d"), layers.Dropout(0.5, name="do")], name="inner"
    )
    x = keras.Input((8,), name="x")
    model = keras.Model(x, layers.Dense(1, name="out")(inner(x, training=False)))
    spec = assert_round_trip(model)
    assert spec.nodes["inner"].call == {"training": False}
