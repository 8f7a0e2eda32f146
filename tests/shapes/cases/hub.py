"""Cases for KerasHub's layers (keras_hub.layers)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, fault, maybe_dim

_INT = ("int32",)


def _sequence(draw: st.DrawFn, width: int, broken: bool) -> tuple[Any, ...]:
    """``(batch, sequence, width)``; ``broken``: the width unknown (a rule needs it)."""
    return (None, draw(maybe_dim), None if broken else width)


@cases("TransformerEncoder", "FNetEncoder")
@st.composite
def encoder(draw: st.DrawFn, name: str) -> Case:
    broken = fault(draw, "width", "heads") if name == "TransformerEncoder" else fault(draw, "width")
    width = draw(st.integers(2, 8))
    args: dict[str, Any] = {"intermediate_dim": draw(st.integers(1, 8))}
    if name == "TransformerEncoder":
        args["num_heads"] = width + 1 if broken == "heads" else draw(st.integers(1, width))
        if draw(st.booleans()):
            args["normalize_first"] = draw(st.booleans())
    return Case(LayerCall(name, args), [_sequence(draw, width, broken == "width")])


@cases("TransformerDecoder")
@st.composite
def decoder(draw: st.DrawFn, name: str) -> Case:
    broken = fault(draw, "width", "heads", "encoder_width")
    width = draw(st.integers(2, 8))
    heads = width + 1 if broken == "heads" else draw(st.integers(1, width))
    inputs = [_sequence(draw, width, broken == "width")]
    if broken == "encoder_width" or draw(st.booleans()):
        inputs.append(_sequence(draw, draw(st.integers(1, 6)), broken == "encoder_width"))
    args = {"intermediate_dim": draw(st.integers(1, 8)), "num_heads": heads}
    return Case(LayerCall(name, args), inputs)


@cases("PositionEmbedding")
@st.composite
def position_embedding(draw: st.DrawFn, name: str) -> Case:
    broken = fault(draw, "width")
    length = draw(st.integers(1, 8))
    shape = (None, draw(st.one_of(st.integers(1, length), st.none())), draw(st.integers(1, 6)))
    if broken == "width":
        shape = (*shape[:-1], None)
    return Case(LayerCall(name, {"sequence_length": length}), [shape])


@cases("TokenAndPositionEmbedding")
@st.composite
def token_and_position(draw: st.DrawFn, name: str) -> Case:
    length = draw(st.integers(1, 8))
    args: dict[str, Any] = {
        "vocabulary_size": draw(st.integers(1, 30)),
        "sequence_length": length,
        "embedding_dim": draw(st.integers(1, 6)),
    }
    if draw(st.booleans()):
        args["tie_weights"] = draw(st.booleans())
    shape = (None, draw(st.one_of(st.integers(1, length), st.none())))
    return Case(LayerCall(name, args), [shape], _INT)


@cases("SinePositionEncoding", "RotaryEmbedding")
@st.composite
def position_encoding(draw: st.DrawFn, name: str) -> Case:
    # even widths: both encodings pair features up (sin/cos halves, rotated pairs)
    shape = (None, draw(maybe_dim), 2 * draw(st.integers(1, 4)))
    args = {"max_wavelength": draw(st.sampled_from([100, 10000]))} if draw(st.booleans()) else {}
    return Case(LayerCall(name, args), [shape])


@cases("AlibiBias")
@st.composite
def alibi_bias(draw: st.DrawFn, name: str) -> Case:
    broken = fault(draw, "rank")
    length = draw(st.integers(1, 5))
    shape: tuple[Any, ...] = (None, draw(st.integers(1, 4)), draw(st.integers(1, 5)), length)
    if broken == "rank":
        shape = shape[:3]
    args = {"alibi_bias_max": draw(st.sampled_from([4, 8]))} if draw(st.booleans()) else {}
    return Case(LayerCall(name, args), [shape])


@cases("CachedMultiHeadAttention")
@st.composite
def cached_mha(draw: st.DrawFn, name: str) -> Case:
    broken = fault(draw, "features")
    query = (None, draw(maybe_dim), draw(st.integers(1, 6)))
    value = (None, draw(maybe_dim), None if broken else draw(st.integers(1, 6)))
    args: dict[str, Any] = {
        "num_heads": draw(st.integers(1, 3)),
        "key_dim": draw(st.integers(1, 4)),
    }
    if draw(st.booleans()):
        args["value_dim"] = draw(st.integers(1, 4))
    return Case(LayerCall(name, args), [query, value])
