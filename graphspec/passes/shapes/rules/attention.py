"""Shape rules for attention layers: multi-head, grouped-query, dot-product and additive."""

from __future__ import annotations

from collections.abc import Sequence

from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import (
    Flops,
    elements,
    flop_rule,
    macs,
    ops,
    softmax_flops,
)
from graphspec.passes.shapes.registry import (
    REQUIRED,
    arg,
    bool_arg,
    choice_arg,
    expect_input_count,
    int_arg,
    is_int,
    known_dim,
    opt_int_arg,
    product,
    result,
    shape_rule,
)

__all__ = [
    "additive_attention_rule",
    "attention_rule",
    "grouped_query_attention_rule",
    "multi_head_attention_rule",
]

_ROLES = ("query", "value", "key")


def _qvk(call: LayerCall, inputs: Sequence[Shape]) -> tuple[Shape, Shape, Shape]:
    """(query, value, key) from ``[query, value]`` or ``[query, value, key]``."""
    expect_input_count(call, inputs, 2, 3)
    query, value = tuple(inputs[0]), tuple(inputs[1])
    key = tuple(inputs[2]) if len(inputs) == 3 else value
    return query, value, key


def _mha_output_shape(call: LayerCall) -> tuple[int, ...] | None:
    """MultiHeadAttention's ``output_shape`` (an int or a list of ints), or ``None``."""
    value = arg(call, "output_shape")
    if value is None:
        return None
    dims = [value] if is_int(value) else value
    if (
        not isinstance(dims, list | tuple)
        or not dims
        or not all(is_int(d) and d >= 1 for d in dims)
    ):
        raise ShapeFault(
            f"MultiHeadAttention argument 'output_shape' must be a positive integer or a list of "
            f"them; got {value!r}",
            arg="output_shape",
        )
    return tuple(dims)


def _check_ranks(call: LayerCall, query: Shape, value: Shape, key: Shape) -> None:
    """Query, value and key must all be rank >= 3 and agree on rank; value/key share axes."""
    for i, (role, shape) in enumerate(zip(_ROLES, (query, value, key), strict=True)):
        if len(shape) < 3 or len(shape) != len(query):
            raise ShapeFault(
                f"MultiHeadAttention expects query, value and key of the same rank >= 3 "
                f"(batch, ..., features); {role} is {format_shape(shape)} and query is "
                f"{format_shape(query)}",
                hint="add a Reshape so each input is (batch, sequence, features)",
                input_index=i,
            )
    if value[1:-1] != key[1:-1]:
        raise ShapeFault(
            f"MultiHeadAttention needs value and key to match on all axes but the last; "
            f"value is {format_shape(value)} but key is {format_shape(key)}",
            hint="give value and key the same sequence length",
            input_index=2,
        )


def _check_attention_axes(call: LayerCall, rank: int) -> None:
    """``attention_axes`` (int or list) must name axes between the batch and the features."""
    value = arg(call, "attention_axes")
    if value is None:
        return
    axes = [value] if is_int(value) else value
    ok = isinstance(axes, list | tuple) and bool(axes) and all(is_int(a) for a in axes)
    if ok:
        normalized = [a if a >= 0 else rank + a for a in axes]
        ok = all(1 <= a <= rank - 2 for a in normalized)
    if not ok:
        raise ShapeFault(
            f"MultiHeadAttention argument 'attention_axes' must name axes between 1 and "
            f"{rank - 2} for rank-{rank} inputs; got {value!r}",
            hint="leave it out to attend over all axes between batch and features",
            arg="attention_axes",
        )


@shape_rule("MultiHeadAttention")
def multi_head_attention_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``MultiHeadAttention(num_heads, key_dim, value_dim=None, output_shape=None, ...)``.

    Weights: query/key projections ``(d, heads, key_dim)``, value (and, with ``use_gate``, gate)
    projections ``(d, heads, value_dim)``, output projection ``(heads, value_dim, *out)``, each
    with a bias when ``use_bias``.
    """
    query, value, key = _qvk(call, inputs)
    heads = int_arg(call, "num_heads")
    key_dim = int_arg(call, "key_dim", REQUIRED)
    value_dim = opt_int_arg(call, "value_dim") or key_dim
    use_bias = bool_arg(call, "use_bias", True)
    use_gate = bool_arg(call, "use_gate", False)
    out_dims = _mha_output_shape(call)
    _check_ranks(call, query, value, key)
    _check_attention_axes(call, len(query))
    q, v, k = (
        known_dim(call, s, -1, f"{role} feature (last) dimension", input_index=i)
        for i, (role, s) in enumerate(zip(_ROLES, (query, value, key), strict=True))
    )
    out_dims = out_dims or (q,)
    out_size = product(out_dims)
    proj = heads * key_dim * (q + k) + heads * value_dim * v + heads * value_dim * out_size
    bias = 2 * heads * key_dim + heads * value_dim + out_size
    if use_gate:
        proj += q * heads * value_dim
        bias += heads * value_dim
    return result((*query[:-1], *out_dims), trainable=proj + (bias if use_bias else 0))


@shape_rule("GroupQueryAttention")
def grouped_query_attention_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``GroupQueryAttention(head_dim, num_query_heads, num_key_value_heads, use_gate, ...)``.

    Inputs are ``(batch, seq, features)``; query and value share the feature size; the output
    has the query's shape. Weights: query (and gate) projections ``(d, q_heads, head_dim)``,
    key and value projections ``(d, kv_heads, head_dim)``, output ``(q_heads, head_dim, d)``,
    each with a bias when ``use_bias``.
    """
    query, value, key = _qvk(call, inputs)
    head = int_arg(call, "head_dim")
    q_heads = int_arg(call, "num_query_heads")
    kv_heads = int_arg(call, "num_key_value_heads")
    use_bias = bool_arg(call, "use_bias", True)
    use_gate = bool_arg(call, "use_gate", False)
    if q_heads % kv_heads:
        raise ShapeFault(
            f"{call.type} num_query_heads ({q_heads}) must be divisible by num_key_value_heads "
            f"({kv_heads})",
            hint="each key/value head serves the same number of query heads",
            arg="num_key_value_heads",
        )
    for i, (role, shape) in enumerate(zip(_ROLES, (query, value, key), strict=True)):
        if len(shape) != 3:
            raise ShapeFault(
                f"{call.type} expects {role} of rank 3 (batch, sequence, features); got "
                f"{format_shape(shape)}",
                hint="add a Reshape so each input is (batch, sequence, features)",
                input_index=i,
            )
    if query[-1] != value[-1]:
        raise ShapeFault(
            f"{call.type} needs query and value with the same feature size; query is "
            f"{format_shape(query)}, value is {format_shape(value)}",
            hint="project value to the query's feature size first (a Dense)",
            input_index=1,
        )
    if value[1:-1] != key[1:-1]:
        raise ShapeFault(
            f"{call.type} needs value and key of the same sequence length; value is "
            f"{format_shape(value)} but key is {format_shape(key)}",
            input_index=2,
        )
    d = known_dim(call, query, -1, "query feature (last) dimension")
    k = known_dim(call, key, -1, "key feature (last) dimension", input_index=2)
    gates = 2 if use_gate else 1  # the gate is a second query-shaped projection
    # query (and gate), key, value (whose features equal the query's), output projections
    weights = head * (gates * q_heads * d + kv_heads * k + kv_heads * d + q_heads * d)
    bias = head * (gates * q_heads + 2 * kv_heads) + d
    return result(query, trainable=weights + (bias if use_bias else 0))


@shape_rule("Attention")
def attention_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Attention(use_scale=False, score_mode='dot')``: output ``(*query[:-1], value[-1])``.

    ``use_scale`` and ``score_mode: concat`` each add one scalar weight.
    """
    query, value, _ = _qvk(call, inputs)
    use_scale = bool_arg(call, "use_scale", False)
    mode = choice_arg(call, "score_mode", "dot", ("dot", "concat"))
    _check_nonempty(call, query, value)
    return result((*query[:-1], value[-1]), trainable=int(use_scale) + int(mode == "concat"))


@shape_rule("AdditiveAttention")
def additive_attention_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``AdditiveAttention(use_scale=True)``: a scale vector of the query's feature size."""
    query, value, _ = _qvk(call, inputs)
    use_scale = bool_arg(call, "use_scale", True)
    _check_nonempty(call, query, value)
    scale = known_dim(call, query, -1, "query feature (last) dimension") if use_scale else 0
    return result((*query[:-1], value[-1]), trainable=scale)


def _check_nonempty(call: LayerCall, query: Shape, value: Shape) -> None:
    """Query and value need a feature axis besides the batch."""
    for i, shape in enumerate((query, value)):
        if len(shape) < 2:
            raise ShapeFault(
                f"{call.type} expects {_ROLES[i]} of rank >= 2 (batch, ..., features); "
                f"got {format_shape(shape)}",
                input_index=i,
            )


# -- FLOPs ------------------------------------------------------------------------------------


def _positions(shape: Shape) -> int:
    """Positions of a sequence (every axis but the batch and the features)."""
    features = shape[-1] or 1
    return elements(shape) // features


def _scores(heads: int, queries: int, keys: int, key_dim: int, value_dim: int) -> Flops:
    """Scores (query · key), their softmax, and the weighted sum of values, for all heads."""
    cost = macs(heads * queries * keys * (key_dim + value_dim))
    return cost + softmax_flops((None, heads * queries, keys))


@flop_rule("MultiHeadAttention")
def multi_head_attention_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Query, key, value (and gate) projections, scaled scores, softmax, values, output."""
    query, value, key = _qvk(call, inputs)
    heads = int_arg(call, "num_heads")
    key_dim = int_arg(call, "key_dim")
    value_dim = opt_int_arg(call, "value_dim") or key_dim
    tq, tv, tk = _positions(query), _positions(value), _positions(key)
    q, v, k = (s[-1] or 0 for s in (query, value, key))
    out_size = elements(outputs[0]) // tq if tq else 0
    projected = tq * q * heads * key_dim + tk * k * heads * key_dim + tv * v * heads * value_dim
    projected += tq * heads * value_dim * out_size
    biases = tq * heads * key_dim + tk * heads * key_dim + tv * heads * value_dim + tq * out_size
    if bool_arg(call, "use_gate", False):
        projected += tq * q * heads * value_dim
        biases += tq * heads * value_dim
    cost = macs(projected) + ops(tq * heads * key_dim)  # the query scaled by 1/sqrt(key_dim)
    if bool_arg(call, "use_bias", True):
        cost += ops(biases)
    return cost + _scores(heads, tq, tk, key_dim, value_dim)


@flop_rule("GroupQueryAttention")
def grouped_query_attention_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Like multi-head attention, with fewer key and value heads than query heads."""
    query, value, key = _qvk(call, inputs)
    head = int_arg(call, "head_dim")
    q_heads = int_arg(call, "num_query_heads")
    kv_heads = int_arg(call, "num_key_value_heads")
    tq, tv, tk = _positions(query), _positions(value), _positions(key)
    d, k = query[-1] or 0, key[-1] or 0
    gates = 2 if bool_arg(call, "use_gate", False) else 1
    projected = head * (gates * tq * q_heads * d + tk * kv_heads * k + tv * kv_heads * d)
    projected += tq * q_heads * head * d
    biases = head * (gates * tq * q_heads + tk * kv_heads + tv * kv_heads) + tq * d
    cost = macs(projected) + ops(tq * q_heads * head)
    if bool_arg(call, "use_bias", True):
        cost += ops(biases)
    return cost + _scores(q_heads, tq, tk, head, head)


@flop_rule("Attention")
def attention_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """Dot-product scores (or ``concat``: add and sum), softmax, then the weighted values."""
    query, value, _ = _qvk(call, inputs)
    tq, tv = _positions(query), _positions(value)
    d, dv = query[-1] or 0, value[-1] or 0
    if arg(call, "score_mode", "dot") == "concat":
        cost = ops(2 * tq * tv * d) + macs(tq * tv * dv)
        cost += softmax_flops((None, tq, tv))
    else:
        cost = _scores(1, tq, tv, d, dv)
    if bool_arg(call, "use_scale", False):
        cost += ops(2 * tq * tv)
    return cost


@flop_rule("AdditiveAttention")
def additive_attention_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Scores add query and key, scale and sum them (3 per pair and feature), then values."""
    query, value, _ = _qvk(call, inputs)
    tq, tv = _positions(query), _positions(value)
    d, dv = query[-1] or 0, value[-1] or 0
    per = 3 if bool_arg(call, "use_scale", True) else 2
    return ops(per * tq * tv * d) + macs(tq * tv * dv) + softmax_flops((None, tq, tv))
