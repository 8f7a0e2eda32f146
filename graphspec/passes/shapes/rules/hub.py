"""Shape rules for KerasHub's layers (``keras_hub.layers``): transformer blocks and embeddings."""

# Each rule follows the layer's ``build``/``call`` in KerasHub and is checked against it by
# tests/shapes/test_hub_rules.py and the catalog oracle (shapes and parameter counts).

from __future__ import annotations

from collections.abc import Sequence

from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import (
    Flops,
    Uncountable,
    elements,
    flop_rule,
    free,
    layer_flops,
    ops,
)
from graphspec.passes.shapes.registry import (
    REQUIRED,
    bool_arg,
    expect_input_count,
    expect_rank,
    int_arg,
    known_dim,
    result,
    shape_rule,
    single_input,
)
from graphspec.passes.shapes.rules.attention import (
    multi_head_attention_flops,
    multi_head_attention_rule,
)

__all__ = [
    "alibi_bias_rule",
    "cached_multi_head_attention_flops",
    "f_net_encoder_flops",
    "f_net_encoder_rule",
    "position_embedding_rule",
    "position_table_flops",
    "same_shape_rule",
    "token_and_position_embedding_rule",
    "transformer_block_flops",
    "transformer_decoder_rule",
    "transformer_encoder_rule",
]

_SEQUENCE = "(batch, sequence, features)"


def _sequence(call: LayerCall, shape: Shape, index: int = 0) -> int:
    """A ``(batch, [sequence, ...], features)`` input's feature size (which must be known)."""
    if len(shape) < 2:
        raise ShapeFault(
            f"{call.type} expects an input {_SEQUENCE}; got {format_shape(shape)}",
            input_index=index,
        )
    return known_dim(call, shape, -1, "feature (last) dimension", input_index=index)


def _attention(call: LayerCall, heads: int, query: Shape, value: Shape) -> int:
    """Parameters of the ``MultiHeadAttention`` KerasHub builds: ``key_dim = features // heads``
    for query, key and value projections and the output projection back to the query's width."""
    width, other = int(query[-1] or 0), int(value[-1] or 0)
    head_dim = width // heads
    if head_dim == 0:
        raise ShapeFault(
            f"{call.type} splits the {width} features among num_heads={heads} heads: fewer "
            "features than heads leave each head none",
            hint=f"use num_heads <= {width}, or a wider input",
            arg="num_heads",
        )
    inner = heads * head_dim
    return inner * (width + 1) + 2 * inner * (other + 1) + inner * width + width


def _feedforward(features: int, intermediate: int) -> int:
    """Two layer norms and the ``features -> intermediate -> features`` dense pair."""
    return (
        2 * (2 * features)
        + (features * intermediate + intermediate)
        + (intermediate * features + features)
    )


@shape_rule("TransformerEncoder")
def transformer_encoder_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``TransformerEncoder(intermediate_dim, num_heads, ...)`` on ``(batch, sequence, d)``:
    self-attention (``key_dim = d // num_heads``), two layer norms, a ``d -> intermediate -> d``
    feed-forward pair; the output has the input's shape."""
    shape = single_input(call, inputs)
    features = _sequence(call, shape)
    heads = int_arg(call, "num_heads")
    intermediate = int_arg(call, "intermediate_dim")
    params = _attention(call, heads, shape, shape) + _feedforward(features, intermediate)
    return result(shape, trainable=params)


@shape_rule("TransformerDecoder")
def transformer_decoder_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``TransformerDecoder(intermediate_dim, num_heads, ...)`` on a decoder sequence and, as a
    second input, an optional encoder sequence (then a cross-attention block and its layer norm
    are built too); the output has the decoder sequence's shape."""
    expect_input_count(call, inputs, 1, 2)
    decoder = tuple(inputs[0])
    features = _sequence(call, decoder)
    heads = int_arg(call, "num_heads")
    intermediate = int_arg(call, "intermediate_dim")
    params = _attention(call, heads, decoder, decoder) + _feedforward(features, intermediate)
    if len(inputs) == 2:
        encoder = tuple(inputs[1])
        _sequence(call, encoder, 1)
        if encoder[0] is not None and decoder[0] is not None and encoder[0] != decoder[0]:
            raise ShapeFault(
                f"TransformerDecoder got a decoder batch of {decoder[0]} and an encoder batch of "
                f"{encoder[0]}",
                input_index=1,
            )
        params += _attention(call, heads, decoder, encoder) + 2 * features
    return result(decoder, trainable=params)


@shape_rule("FNetEncoder")
def f_net_encoder_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``FNetEncoder(intermediate_dim, ...)``: Fourier mixing (no weights), two layer norms and
    the feed-forward pair; the output has the input's shape."""
    shape = single_input(call, inputs)
    features = _sequence(call, shape)
    intermediate = int_arg(call, "intermediate_dim")
    return result(shape, trainable=_feedforward(features, intermediate))


def _check_length(call: LayerCall, shape: Shape, length: int) -> None:
    """A learned position table of ``length`` rows cannot cover a longer sequence."""
    if shape[1] is not None and shape[1] > length:
        raise ShapeFault(
            f"{call.type} learns positions for sequences of up to sequence_length={length}; "
            f"the input {format_shape(shape)} is {shape[1]} long",
            hint=f"set sequence_length to at least {shape[1]}",
            arg="sequence_length",
        )


@shape_rule("PositionEmbedding")
def position_embedding_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``PositionEmbedding(sequence_length)`` on ``(batch, sequence, d)``: a learned
    ``(sequence_length, d)`` table, returned broadcast to the input's shape."""
    shape = single_input(call, inputs)
    features = _sequence(call, shape)
    length = int_arg(call, "sequence_length")
    _check_length(call, shape, length)
    return result(shape, trainable=length * features)


@shape_rule("TokenAndPositionEmbedding")
def token_and_position_embedding_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``TokenAndPositionEmbedding(vocabulary_size, sequence_length, embedding_dim)`` on token
    ids ``(batch, sequence)``: ``(batch, sequence, embedding_dim)``; weights: the token table
    (twice with ``tie_weights: false``: its reverse projection too) and the position table."""
    shape = single_input(call, inputs)
    expect_rank(call, shape, 2, "(batch, sequence) of token ids")
    vocabulary = int_arg(call, "vocabulary_size")
    length = int_arg(call, "sequence_length")
    width = int_arg(call, "embedding_dim")
    _check_length(call, shape, length)
    tokens = vocabulary * width * (1 if bool_arg(call, "tie_weights", True) else 2)
    return result((*shape, width), trainable=tokens + length * width)


@shape_rule("SinePositionEncoding", "RotaryEmbedding")
def same_shape_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """Position encodings computed from the positions (no weights): the input's shape, which
    must be at least ``(batch, sequence, features)``."""
    shape = single_input(call, inputs)
    if len(shape) < 3:
        raise ShapeFault(
            f"{call.type} expects a rank-3 or higher input {_SEQUENCE}; got {format_shape(shape)}",
            hint="apply it to embedded sequences, after an Embedding",
        )
    return result(shape)


@shape_rule("AlibiBias")
def alibi_bias_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``AlibiBias`` on attention scores ``(batch, heads, query, key)``: the same shape."""
    shape = single_input(call, inputs)
    expect_rank(call, shape, 4, "(batch, num_heads, query_length, key_length)")
    known_dim(call, shape, 1, "number of heads (axis 1)")
    return result(shape)


@shape_rule("CachedMultiHeadAttention")
def cached_multi_head_attention_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``CachedMultiHeadAttention``: MultiHeadAttention's shapes and weights (its cache is a call
    argument for decoding step by step)."""
    int_arg(call, "key_dim", REQUIRED)
    return multi_head_attention_rule(call, inputs)


# -- FLOPs ------------------------------------------------------------------------------------

free("PositionEmbedding")  # its output is the position table, sliced and broadcast: no arithmetic


@flop_rule("TokenAndPositionEmbedding", "SinePositionEncoding", "AlibiBias", "RotaryEmbedding")
def position_table_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Not counted yet: these layers compute their position tables on every call, and a count
    of one operation per value fell 26-82 % short of XLA's; unknown, never a wrong number."""
    raise Uncountable(f"KerasHub's {call.type} computes position tables not counted yet")


@flop_rule("CachedMultiHeadAttention")
def cached_multi_head_attention_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Without a cache (a graph node has none): MultiHeadAttention's cost."""
    return multi_head_attention_flops(call, inputs, outputs)


@flop_rule("TransformerEncoder", "TransformerDecoder")
def transformer_block_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """The sub-layers KerasHub builds, each counted by its own rule: self-attention
    (``key_dim = features // num_heads``), and in a decoder given an encoder sequence the
    cross-attention, each followed by a residual addition and a layer norm; then the
    ``features -> intermediate_dim -> features`` feed-forward pair (its activation on the first),
    a residual addition and a layer norm. Dropout costs nothing at inference; the decoder's
    causal mask (comparisons over positions) is left out, under 1 % of the block."""
    sequence = tuple(inputs[0])
    features = _sequence(call, sequence)
    heads = int_arg(call, "num_heads")
    intermediate = int_arg(call, "intermediate_dim")
    attention = LayerCall("MultiHeadAttention", {"num_heads": heads, "key_dim": features // heads})
    norm = LayerCall("LayerNormalization", {})
    settle = ops(elements(sequence)) + layer_flops(norm, [sequence], [sequence])
    cost = layer_flops(attention, [sequence, sequence], [sequence]) + settle
    if call.type == "TransformerDecoder" and len(inputs) == 2:
        cost += layer_flops(attention, [sequence, tuple(inputs[1])], [sequence]) + settle
    hidden = (*sequence[:-1], intermediate)
    activation = call.args.get("activation", "relu")
    expand = LayerCall("Dense", {"units": intermediate, "activation": activation})
    cost += layer_flops(expand, [sequence], [hidden])
    cost += layer_flops(LayerCall("Dense", {"units": features}), [hidden], [sequence])
    return cost + settle


@flop_rule("FNetEncoder")
def f_net_encoder_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Not counted yet: its Fourier mixing (two FFTs) is costed by XLA in a way not modelled
    here; unknown, never a wrong number, and the model's total says it is incomplete."""
    raise Uncountable("KerasHub's FNetEncoder mixes with FFTs, not counted yet")
