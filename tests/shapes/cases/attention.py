"""Cases for attention layers."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, fault, maybe_dim

features = st.integers(1, 6)


def _heads_args(draw: st.DrawFn, args: dict[str, Any]) -> None:
    for flag in ("use_bias", "use_gate"):
        if draw(st.booleans()):
            args[flag] = draw(st.booleans())


@cases("MultiHeadAttention")
@st.composite
def mha(draw: st.DrawFn, name: str) -> Case:
    # Query, value and key share one rank here: Keras builds the layer for mixed ranks and only
    # fails when the einsum runs, while graphspec rejects the mix at once.
    rank = draw(st.integers(3, 4))
    broken = fault(draw, "key_axes", "features", "num_heads")
    axes = st.lists(maybe_dim, min_size=rank - 2, max_size=rank - 2)
    query = (None, *draw(axes), draw(features))
    value_axes = [4] * (rank - 2) if broken == "key_axes" else draw(axes)
    inputs = [query, (None, *value_axes, draw(features))]
    if broken == "key_axes":  # the key's axes must be the value's
        inputs.append((None, *[3] * (rank - 2), draw(features)))
    elif draw(st.booleans()):
        inputs.append((None, *value_axes, draw(features)))
    args: dict[str, Any] = {
        "num_heads": draw(st.integers(1, 3)) if broken != "num_heads" else 0,
        "key_dim": draw(st.integers(1, 4)),
    }
    if draw(st.booleans()):
        args["value_dim"] = draw(st.integers(1, 4))
    if draw(st.booleans()):
        args["output_shape"] = draw(
            st.one_of(st.integers(1, 5), st.lists(st.integers(1, 3), min_size=1, max_size=2))
        )
    _heads_args(draw, args)
    if rank == 4 and draw(st.booleans()):
        args["attention_axes"] = draw(st.sampled_from([1, 2, [1, 2], -2]))
    if broken == "features":
        index = draw(st.integers(0, len(inputs) - 1))
        inputs[index] = (*inputs[index][:-1], None)
    return Case(LayerCall(name, args), inputs)


@cases("GroupQueryAttention")
@st.composite
def gqa(draw: st.DrawFn, name: str) -> Case:
    # Rank 4 is a deliberate refusal (stricter.py): Keras builds it, the rule refuses.
    kv = draw(st.integers(1, 3))
    broken = fault(draw, "heads", "features", "rank")
    args: dict[str, Any] = {
        "head_dim": draw(st.integers(1, 4)),
        "num_key_value_heads": kv,
        "num_query_heads": kv * draw(st.integers(1, 3)),
    }
    if broken == "heads":  # query heads not a multiple of the key/value heads
        args["num_key_value_heads"], args["num_query_heads"] = 2, 2 * draw(st.integers(1, 3)) - 1
    _heads_args(draw, args)
    rank = 4 if broken == "rank" else 3
    axes = st.lists(maybe_dim, min_size=rank - 2, max_size=rank - 2)
    dim = draw(features)
    query = (None, *draw(axes), dim)
    value = (None, *draw(axes), dim + 1 if broken == "features" else dim)
    inputs = [query, value]
    if draw(st.booleans()):
        inputs.append((None, *value[1:-1], draw(features)))
    return Case(LayerCall(name, args), inputs)


@cases("Attention", "AdditiveAttention")
@st.composite
def attention(draw: st.DrawFn, name: str) -> Case:
    # A rank-1 query is not drawn: Keras gives Attention a shape without the batch axis there.
    dim = draw(features)
    broken = fault(draw, "score_mode" if name == "Attention" else "scale")
    query = (None, draw(maybe_dim), dim)
    value = (None, draw(maybe_dim), dim)
    args: dict[str, Any] = {}
    if draw(st.booleans()):
        args["use_scale"] = draw(st.booleans())
    if name == "Attention" and draw(st.booleans()):
        args["score_mode"] = draw(st.sampled_from(["dot", "concat"]))
    if broken == "score_mode":
        args["score_mode"] = "cosine"
    elif broken == "scale":  # the scale vector needs the query's feature size
        args["use_scale"], query = True, (*query[:-1], None)
    return Case(LayerCall(name, args), [query, value])
