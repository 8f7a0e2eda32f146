"""Shape rules of call arguments: ``initial_state`` widths, masks, attention scores as an output."""

from __future__ import annotations

from typing import Any, Final

from graphspec.base.shape_types import Shape, ShapeResult, format_shape
from graphspec.ir.graph import IRNode
from graphspec.passes.shapes.calls import CallFault, call_rule

__all__: list[str] = []

_STATES: Final = {
    "LSTM": 2,
    "GRU": 1,
    "SimpleRNN": 1,
    "ConvLSTM1D": 2,
    "ConvLSTM2D": 2,
    "ConvLSTM3D": 2,
}


def _refs(node: IRNode, name: str) -> list[str]:
    a, b, _ = node.call_slices()[name]
    return [
        f"{src}:{node.port(a + i)}" if node.port(a + i) else src
        for i, src in enumerate(node.inputs[a:b])
    ]


# -- recurrent layers ---------------------------------------------------------------------------


@call_rule(*_STATES, "Bidirectional")
def _recurrent(
    node: IRNode, main: list[Shape], extra: dict[str, list[Shape]], result: ShapeResult
) -> ShapeResult:
    layer_type, args, factor = node.type or "", node.args, 1
    if layer_type == "Bidirectional":
        layer = args.get("layer")
        inner: dict[str, Any] = layer if isinstance(layer, dict) else {}
        layer_type, args, factor = str(inner.get("type")), inner, 2
    count = _STATES.get(layer_type)
    if "initial_state" in extra and count is not None:
        states = extra["initial_state"]
        want = count * factor
        units = args.get("filters" if layer_type.startswith("ConvLSTM") else "units")
        refs = _refs(node, "initial_state")
        sides = [f"`{r}` -> {format_shape(s)}" for r, s in zip(refs, states, strict=True)]
        if len(states) != want:
            raise CallFault(
                "initial_state",
                f"`initial_state` of {node.type} `{node.name}` takes {want} state tensor(s) "
                f"({'hidden and cell' if count == 2 else 'hidden'}{' for each direction' if factor == 2 else ''}); "
                f"found {len(states)}",
                related=sides,
            )
        for ref, shape in zip(refs, states, strict=True):
            width = shape[-1] if shape else None
            if isinstance(units, int) and width is not None and width != units:
                raise CallFault(
                    "initial_state",
                    f"`initial_state` of {node.type} `{node.name}` ({units} units) needs states "
                    f"of width {units}; `{ref}` is {format_shape(shape)}",
                    hint=f"give the layer producing `{ref}` {units} units, or this layer "
                    f"{width} units",
                    related=sides,
                )
    if "mask" in extra and main:
        _sequence_mask(node, "mask", main[0], extra["mask"])
    return result


def _sequence_mask(node: IRNode, arg: str, sequence: Shape, masks: list[Shape]) -> None:
    for ref, mask in zip(_refs(node, arg), masks, strict=False):
        if len(mask) != 2 or (
            len(sequence) > 1 and None not in (mask[1], sequence[1]) and mask[1] != sequence[1]
        ):
            raise CallFault(
                arg,
                f"`{arg}` of `{node.name}` must be (batch, timesteps) = "
                f"{format_shape(sequence[:2])}; `{ref}` is {format_shape(mask)}",
                related=(f"input -> {format_shape(sequence)}", f"`{ref}` -> {format_shape(mask)}"),
            )


# -- attention ----------------------------------------------------------------------------------


@call_rule("TransformerEncoder")
def _transformer_encoder(
    node: IRNode, main: list[Shape], extra: dict[str, list[Shape]], result: ShapeResult
) -> ShapeResult:
    """KerasHub's encoder returns its self-attention scores too when asked."""
    del extra
    if node.call.get("return_attention_scores") is not True or not main:
        return result
    sequence = main[0]
    heads = node.args.get("num_heads")
    t = sequence[1] if len(sequence) > 2 else None
    scores = (sequence[0], heads if isinstance(heads, int) else None, t, t)
    return ShapeResult((*result.outputs, scores), result.trainable, result.non_trainable)


@call_rule("MultiHeadAttention", "GroupQueryAttention", "CachedMultiHeadAttention")
def _multi_head(
    node: IRNode, main: list[Shape], extra: dict[str, list[Shape]], result: ShapeResult
) -> ShapeResult:
    if len(main) < 2:
        return result
    query, value = main[0], main[1]
    t, s = query[1] if len(query) > 2 else None, value[1] if len(value) > 2 else None
    for arg, want in (
        ("attention_mask", (query[0], t, s)),
        ("query_mask", (query[0], t)),
        ("value_mask", (value[0], s)),
        ("key_mask", (value[0], s)),
    ):
        for ref, mask in zip(
            _refs(node, arg) if arg in extra else [], extra.get(arg, []), strict=True
        ):
            if len(mask) != len(want) or any(
                a is not None and b is not None and a != b for a, b in zip(mask, want, strict=True)
            ):
                raise CallFault(
                    arg,
                    f"`{arg}` of `{node.name}` must be {format_shape(want)} for a query "
                    f"{format_shape(query)} and a value {format_shape(value)}; `{ref}` is "
                    f"{format_shape(mask)}",
                    related=(f"query -> {format_shape(query)}", f"value -> {format_shape(value)}"),
                )
    if node.call.get("return_attention_scores") is True:
        heads = node.args.get("num_heads", node.args.get("num_query_heads"))
        scores = (query[0], heads if isinstance(heads, int) else None, t, s)
        return ShapeResult((*result.outputs, scores), result.trainable, result.non_trainable)
    return result


@call_rule("Attention", "AdditiveAttention")
def _attention(
    node: IRNode, main: list[Shape], extra: dict[str, list[Shape]], result: ShapeResult
) -> ShapeResult:
    if len(main) < 2:
        return result
    query, value = main[0], main[1]
    if node.call.get("return_attention_scores") is True:
        scores = (
            query[0],
            query[1] if len(query) > 2 else None,
            value[1] if len(value) > 2 else None,
        )
        return ShapeResult((*result.outputs, scores), result.trainable, result.non_trainable)
    return result
