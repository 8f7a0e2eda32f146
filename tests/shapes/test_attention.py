"""Attention rules (MultiHeadAttention, Attention, AdditiveAttention) against Keras."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphspec.shapes import LayerCall, ShapeFault, infer_layer

from ._settings import FEW

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


# ---------------------------------------------------------------------------- property tests

maybe_dim = st.one_of(st.integers(1, 6), st.none())


@st.composite
def mha_cases(draw: st.DrawFn) -> tuple[LayerCall, list[Any]]:
    # Query, value and key share one rank here: Keras builds the layer for mixed ranks and only
    # fails when the einsum runs, while graphspec rejects the mix at once.
    rank = draw(st.integers(3, 4))
    query = (None, *draw(st.lists(maybe_dim, min_size=rank - 1, max_size=rank - 1)))
    value = (None, *draw(st.lists(maybe_dim, min_size=rank - 1, max_size=rank - 1)))
    inputs = [query, value]
    if draw(st.booleans()):
        same = draw(st.booleans())
        key_axes = (
            value[1:-1] if same else draw(st.lists(maybe_dim, min_size=rank - 2, max_size=rank - 2))
        )
        inputs.append((None, *key_axes, draw(maybe_dim)))
    args: dict[str, Any] = {
        "num_heads": draw(st.integers(1, 3)),
        "key_dim": draw(st.integers(1, 4)),
    }
    if draw(st.booleans()):
        args["value_dim"] = draw(st.integers(1, 4))
    if draw(st.booleans()):
        args["output_shape"] = draw(
            st.one_of(st.integers(1, 5), st.lists(st.integers(1, 3), min_size=1, max_size=2))
        )
    for flag in ("use_bias", "use_gate"):
        if draw(st.booleans()):
            args[flag] = draw(st.booleans())
    if rank == 4 and draw(st.booleans()):
        args["attention_axes"] = draw(st.sampled_from([1, 2, [1, 2], -2]))
    return LayerCall("MultiHeadAttention", args), inputs


@FEW
@given(mha_cases())
def test_multi_head_attention_property(oracle: Any, case: tuple[LayerCall, list[Any]]) -> None:
    oracle.check(*case)


@st.composite
def attention_cases(draw: st.DrawFn) -> tuple[LayerCall, list[Any]]:
    kind = draw(st.sampled_from(["Attention", "AdditiveAttention"]))
    dim = draw(maybe_dim)
    query = (None, draw(maybe_dim), dim)
    value = (None, draw(maybe_dim), draw(st.sampled_from([dim, 3])))
    args: dict[str, Any] = {}
    if draw(st.booleans()):
        args["use_scale"] = draw(st.booleans())
    if kind == "Attention" and draw(st.booleans()):
        args["score_mode"] = draw(st.sampled_from(["dot", "concat"]))
    return LayerCall(kind, args), [query, value]


@FEW
@given(attention_cases())
def test_attention_property(oracle: Any, case: tuple[LayerCall, list[Any]]) -> None:
    oracle.check(*case)
