"""Shape rules for merge layers: element-wise merges, Concatenate and Dot."""

from __future__ import annotations

from collections.abc import Sequence

from graphspec.base.shape_types import (
    Dim,
    LayerCall,
    Mismatch,
    Shape,
    ShapeFault,
    ShapeResult,
    broadcast,
    concatenate,
    format_shape,
)
from graphspec.passes.shapes.flops import Flops, elements, flop_rule, free, macs, ops
from graphspec.passes.shapes.registry import (
    arg,
    bool_arg,
    expect_input_count,
    is_int,
    result,
    shape_rule,
)

__all__ = ["concatenate_rule", "dot_rule", "elementwise_rule", "subtract_rule"]

_MAX_INPUTS = 1 << 16


def _broadcast(a: Shape, b: Shape) -> Shape | None:
    """Keras' merge broadcasting of two batch-less shapes (an unknown size wins), or ``None``
    when incompatible."""
    try:
        return broadcast([a, b], unknown_wins=True)
    except Mismatch:
        return None


def _batch(call: LayerCall, inputs: Sequence[Shape]) -> Dim:
    """The common batch size (``None`` when unknown); faults when two known sizes differ."""
    known = [(i, s[0]) for i, s in enumerate(inputs) if s and s[0] is not None]
    for i, size in known[1:]:
        if size != known[0][1]:
            raise ShapeFault(
                f"{call.type} needs inputs with the same batch size; input {known[0][0]} has "
                f"{known[0][1]} but input {i} has {size}",
                hint="give all Input layers the same batch_size (or none)",
                input_index=i,
            )
    return known[0][1] if known else None


def _check_shapes(call: LayerCall, inputs: Sequence[Shape]) -> None:
    """Every input must have at least the batch dimension."""
    for i, shape in enumerate(inputs):
        if len(shape) < 1:
            raise ShapeFault(
                f"{call.type} input {i} has no batch dimension: {format_shape(shape)}",
                input_index=i,
            )


def _mismatch(call: LayerCall, inputs: Sequence[Shape], bad: int) -> ShapeFault:
    """The fault for input ``bad`` not broadcasting against the earlier inputs."""
    ref = next((j for j in range(bad) if _broadcast(inputs[j][1:], inputs[bad][1:]) is None), 0)
    return ShapeFault(
        f"{call.type} needs inputs of the same shape; input {ref} has "
        f"{format_shape(inputs[ref])} but input {bad} has {format_shape(inputs[bad])}",
        hint="only dimensions of size 1 broadcast; project the inputs to a common shape first "
        "(e.g. a Dense or 1x1 Conv on the narrower input), or use Concatenate",
        input_index=bad,
    )


def _elementwise(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """Broadcast all inputs against each other, left to right, as Keras does."""
    _check_shapes(call, inputs)
    batch = _batch(call, inputs)
    out: Shape = tuple(inputs[0][1:])
    for i in range(1, len(inputs)):
        merged = _broadcast(out, tuple(inputs[i][1:]))
        if merged is None:
            raise _mismatch(call, inputs, i)
        out = merged
    return result((batch, *out))


@shape_rule("Add", "Multiply", "Average", "Maximum", "Minimum")
def elementwise_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Add``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum`` of two or more inputs."""
    expect_input_count(call, inputs, 2, _MAX_INPUTS)
    return _elementwise(call, inputs)


@shape_rule("Subtract")
def subtract_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Subtract`` of exactly two inputs (``inputs[0] - inputs[1]``)."""
    expect_input_count(call, inputs, 2, 2)
    return _elementwise(call, inputs)


def _concat_axis(call: LayerCall, inputs: Sequence[Shape]) -> int:
    """The concatenation axis as a non-negative index; all inputs must share one rank."""
    axis = arg(call, "axis", -1)
    if not is_int(axis):
        raise ShapeFault(
            f"Concatenate argument 'axis' must be an integer; got {axis!r}", arg="axis"
        )
    rank = len(inputs[0])
    for i, shape in enumerate(inputs[1:], start=1):
        if len(shape) != rank:
            raise ShapeFault(
                f"Concatenate needs inputs of the same rank; input 0 has "
                f"{format_shape(inputs[0])} but input {i} has {format_shape(shape)}",
                hint="add a Reshape (or Flatten) so all inputs have the same number of axes",
                input_index=i,
            )
    if not -rank <= axis < rank:
        raise ShapeFault(
            f"Concatenate axis {axis} is out of range for rank-{rank} inputs "
            f"{format_shape(inputs[0])}",
            hint=f"use an axis between {-rank} and {rank - 1}",
            arg="axis",
        )
    return axis % rank


@shape_rule("Concatenate")
def concatenate_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Concatenate(axis=-1)``: sizes add up along ``axis``; all other sizes must agree."""
    expect_input_count(call, inputs, 2, _MAX_INPUTS)
    _check_shapes(call, inputs)
    axis = _concat_axis(call, inputs)
    try:
        out = concatenate(inputs, axis)
    except Mismatch as fault:
        ref, i, pos = fault.reference, fault.index, fault.axis
        raise ShapeFault(
            f"Concatenate on axis {axis} needs all other dimensions to match; "
            f"input {ref} has {format_shape(inputs[ref])} but input {i} has "
            f"{format_shape(inputs[i])} (dimension {pos}: {fault.sizes[0]} vs {fault.sizes[1]})",
            hint=_spatial_hint(inputs, ref, i, axis)
            or "concatenate along the axis that differs (set 'axis'), or resize "
            "the inputs (pooling/Reshape) so the other dimensions agree",
            input_index=i,
        ) from None
    return result(out)


def _spatial_hint(inputs: Sequence[Shape], ref: int, index: int, axis: int) -> str | None:
    """Feature maps joined on their channels whose sizes differ (a U-Net skip 17 vs 16): the
    size was rounded down by a pooling or a stride; say how to make it come out even."""
    a, b = inputs[ref], inputs[index]
    rank = len(a)
    if not 3 <= rank <= 5 or axis != rank - 1:
        return None
    spatial = range(1, rank - 1)
    if any(a[k] is None or b[k] is None for k in spatial):
        return None
    diffs = [(a[k] or 0) - (b[k] or 0) for k in spatial]
    if all(d >= 0 for d in diffs):
        big, crops = ref, diffs
    elif all(d <= 0 for d in diffs):
        big, crops = index, [-d for d in diffs]
    else:
        return None
    cropping = f"[0, {crops[0]}]" if rank == 3 else f"[{', '.join(f'[0, {c}]' for c in crops)}]"
    sizes = " x ".join(str(a[k]) for k in spatial) + " vs " + " x ".join(str(b[k]) for k in spatial)
    return (
        f"the feature maps differ in size ({sizes}): an odd size halved by a pooling or a "
        "stride rounds down and does not come back equal from upsampling; use `padding: same` "
        "on the convolutions, pool sizes and strides that divide the sizes evenly (an input "
        "size divisible by every downsampling factor), or crop input "
        f"{big} first: `{{type: Cropping{rank - 2}D, cropping: {cropping}}}`"
    )


def _dot_axes(call: LayerCall, a: Shape, b: Shape) -> tuple[int, int]:
    """``axes`` (an int, or a pair) as non-negative indices into ``a`` and ``b``."""
    value = arg(call, "axes", -1)
    if is_int(value):
        pair = (value, value)
    elif isinstance(value, list | tuple) and len(value) == 2 and all(is_int(v) for v in value):
        pair = (value[0], value[1])
    else:
        raise ShapeFault(
            f"Dot argument 'axes' must be an integer or a pair of integers; got {value!r}",
            arg="axes",
        )
    out = []
    for k, (ax, shape) in enumerate(zip(pair, (a, b), strict=True)):
        if not -len(shape) < ax < len(shape) or ax % len(shape) == 0:
            raise ShapeFault(
                f"Dot axis {ax} is not a non-batch axis of input {k} {format_shape(shape)}",
                hint=f"use an axis between 1 and {len(shape) - 1} (or a negative axis)",
                arg="axes",
                input_index=k,
            )
        out.append(ax % len(shape))
    return out[0], out[1]


@shape_rule("Dot")
def dot_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Dot(axes, normalize=False)`` of two inputs: contract ``axes`` (sizes must be equal)."""
    expect_input_count(call, inputs, 2, 2)
    bool_arg(call, "normalize", False)
    _check_shapes(call, inputs)
    a, b = (tuple(s) for s in inputs)
    if len(a) < 2 or len(b) < 2:
        raise ShapeFault(
            f"Dot needs inputs of rank >= 2; got {format_shape(a)} and {format_shape(b)}",
            input_index=0 if len(a) < 2 else 1,
        )
    ax, bx = _dot_axes(call, a, b)
    if a[ax] != b[bx]:
        raise ShapeFault(
            f"Dot contracts axis {ax} of input 0 with axis {bx} of input 1, which must have the "
            f"same size; input 0 has {format_shape(a)} ({a[ax]}) but input 1 has "
            f"{format_shape(b)} ({b[bx]})",
            hint="choose 'axes' whose sizes agree, or project one input (e.g. a Dense) first",
            arg="axes",
            input_index=1,
        )
    out = [d for i, d in enumerate(a) if i != ax] + [d for i, d in enumerate(b) if i not in (0, bx)]
    if len(out) == 1:
        out.append(1)
    return result(tuple(out))


# -- FLOPs ------------------------------------------------------------------------------------

free("Concatenate")


@flop_rule("Add", "Multiply", "Maximum", "Minimum", "Subtract", "Average")
def merge_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """One operation per output value and extra input (Average: one more, the division)."""
    per = len(inputs) - 1 + (1 if call.type == "Average" else 0)
    return ops(per * elements(outputs[0]))


@flop_rule("Dot")
def dot_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """Every output value sums over the contracted axis; ``normalize`` adds 3 per input value."""
    a, b = inputs[0], inputs[1]
    ax, _ = _dot_axes(call, a, b)
    cost = macs(elements(outputs[0]) * (a[ax] or 0))
    if bool_arg(call, "normalize", False):
        cost += ops(3 * (elements(a) + elements(b)))
    return cost
