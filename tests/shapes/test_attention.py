"""Attention rules (MultiHeadAttention, Attention, AdditiveAttention) against Keras."""

from __future__ import annotations

from typing import Any

import pytest

from graphspec.passes.shapes import LayerCall, ShapeFault, infer_layer

pytestmark = pytest.mark.keras


@pytest.mark.parametrize(
    ("args", "inputs"),
    [
        ({"num_heads": 2, "key_dim": 4}, [(None, 8, 16), (None, 8, 16)]),
        ({"num_heads": 2, "key_dim": 4}, [(None, 8, 16), (None, 5, 12)]),
        ({"num_heads": 2, "key_dim": 4}, [(None, 8, 16), (None, 5, 12), (None, 5, 6)]),
        ({"num_heads": 2, "key_dim": 4}, [(None, 8, 16), (None, 5, 12), (None, 6, 6)]),
        ({"num_heads": 3, "key_dim": 4, "value_dim": 5}, [(None, 8, 16), (None, 5, 12)]),
        ({"num_heads": 3, "key_dim": 4, "output_shape": 7}, [(None, 8, 16), (None, 5, 12)]),
        ({"num_heads": 3, "key_dim": 4, "output_shape": [2, 3]}, [(None, 8, 16), (None, 5, 12)]),
        ({"num_heads": 1, "key_dim": 4, "use_bias": False}, [(None, None, 16), (None, None, 9)]),
        ({"num_heads": 2, "key_dim": 4, "use_gate": True}, [(None, 8, 16), (None, 5, 12)]),
        (
            {"num_heads": 2, "key_dim": 4, "attention_axes": [1, 2]},
            [(None, 3, 4, 16), (None, 3, 4, 8)],
        ),
        ({"num_heads": 2, "key_dim": 4}, [(None, 8, None), (None, 5, 12)]),
        ({"num_heads": 0, "key_dim": 4}, [(None, 8, 16), (None, 5, 12)]),
    ],
)
def test_multi_head_attention(oracle: Any, args: dict[str, Any], inputs: list[Any]) -> None:
    oracle.check(LayerCall("MultiHeadAttention", args), inputs)


@pytest.mark.parametrize("type_", ["Attention", "AdditiveAttention"])
@pytest.mark.parametrize(
    ("args", "inputs"),
    [
        ({}, [(None, 8, 16), (None, 5, 16)]),
        ({"use_scale": True}, [(None, 8, 16), (None, 5, 12)]),
        ({"use_scale": False}, [(None, 8, 16), (None, 5, 12), (None, 5, 16)]),
        ({}, [(None, None, 16), (None, None, 16)]),
    ],
)
def test_attention(oracle: Any, type_: str, args: dict[str, Any], inputs: list[Any]) -> None:
    oracle.check(LayerCall(type_, args), inputs)


@pytest.mark.parametrize("score_mode", ["dot", "concat"])
def test_attention_score_mode(oracle: Any, score_mode: str) -> None:
    call = LayerCall("Attention", {"score_mode": score_mode, "use_scale": True})
    oracle.check(call, [(None, 8, 16), (None, 5, 16)])


def test_multi_head_attention_key_value_fault() -> None:
    call = LayerCall("MultiHeadAttention", {"num_heads": 2, "key_dim": 4})
    with pytest.raises(ShapeFault, match="value and key to match on all axes but the last") as e:
        infer_layer(call, [(None, 8, 16), (None, 5, 12), (None, 6, 12)])
    assert e.value.input_index == 2


def test_multi_head_attention_arity_fault() -> None:
    call = LayerCall("MultiHeadAttention", {"num_heads": 2, "key_dim": 4})
    with pytest.raises(ShapeFault, match="takes 2 to 3 input"):
        infer_layer(call, [(None, 8, 16)])
