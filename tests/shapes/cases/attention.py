"""Cases for attention layers."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, maybe_dim


@cases("MultiHeadAttention")
@st.composite
def mha(draw: st.DrawFn, name: str) -> Case:
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
    return Case(LayerCall(name, args), inputs)


@cases("GroupQueryAttention")
@st.composite
def gqa(draw: st.DrawFn, name: str) -> Case:
    kv = draw(st.integers(1, 3))
    args: dict[str, Any] = {
        "head_dim": draw(st.integers(1, 4)),
        "num_key_value_heads": kv,
        "num_query_heads": kv * draw(st.integers(1, 3)) + draw(st.sampled_from([0, 0, 0, 1])),
    }
    for flag in ("use_bias", "use_gate"):
        if draw(st.booleans()):
            args[flag] = draw(st.booleans())
    rank = draw(st.sampled_from([3, 3, 3, 2, 4]))
    features = draw(st.integers(1, 6))
    query = (None, *draw(st.lists(maybe_dim, min_size=rank - 2, max_size=rank - 2)), features)
    other = draw(st.sampled_from([features, features, None, 5]))
    value = (None, *draw(st.lists(maybe_dim, min_size=rank - 2, max_size=rank - 2)), other)
    inputs = [query, value]
    if draw(st.booleans()):
        axes = value[1:-1] if draw(st.booleans()) else (draw(maybe_dim),) * (rank - 2)
        inputs.append((None, *axes, draw(st.integers(1, 6))))
    return Case(LayerCall(name, args), inputs)


@cases("Attention", "AdditiveAttention")
@st.composite
def attention(draw: st.DrawFn, name: str) -> Case:
    dim = draw(maybe_dim)
    query = (None, draw(maybe_dim), dim)
    value = (None, draw(maybe_dim), draw(st.sampled_from([dim, 3])))
    args: dict[str, Any] = {}
    if draw(st.booleans()):
        args["use_scale"] = draw(st.booleans())
    if name == "Attention" and draw(st.booleans()):
        args["score_mode"] = draw(st.sampled_from(["dot", "concat"]))
    return Case(LayerCall(name, args), [query, value])
