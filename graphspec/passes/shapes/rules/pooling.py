"""Shape rules for windowed, global and adaptive (max/average) pooling in 1D/2D/3D."""

from __future__ import annotations

from collections.abc import Sequence

from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import Flops, elements, flop_rule, ops
from graphspec.passes.shapes.registry import (
    REQUIRED,
    bool_arg,
    data_format_arg,
    padding_arg,
    result,
    shape_rule,
    single_input,
    tuple_arg,
    window_dims,
)
from graphspec.passes.shapes.rules.conv import layout

__all__ = ["adaptive_pooling_rule", "global_pooling_rule", "pooling_rule"]

_POOLS = {f"{kind}Pooling{n}D": n for kind in ("Max", "Average") for n in (1, 2, 3)}
_GLOBAL_POOLS = {f"Global{kind}Pooling{n}D": n for kind in ("Max", "Average") for n in (1, 2, 3)}
_ADAPTIVE_POOLS = {
    f"Adaptive{kind}Pooling{n}D": n for kind in ("Max", "Average") for n in (1, 2, 3)
}


def _check_rank(call: LayerCall, shape: Shape, n: int, data_format: str) -> int:
    """Fault unless ``shape`` is rank ``n + 2``; return the first spatial axis."""
    if len(shape) != n + 2:
        other = len(shape) - 2
        hint = (
            f"add a Reshape, or use {call.type.replace(f'{n}D', f'{other}D')}"
            if 1 <= other <= 3
            else f"add a Reshape to give the input {n} spatial dimension(s) and a channel axis"
        )
        raise ShapeFault(
            f"{call.type} expects a rank-{n + 2} input {layout(n, data_format)}; "
            f"got {format_shape(shape)}",
            hint=hint,
        )
    return 1 if data_format == "channels_last" else 2


@shape_rule(*_POOLS)
def pooling_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``{Max,Average}PoolingND(pool_size, strides=None, padding='valid')``.

    ``pool_size`` defaults to 2 for MaxPooling only; ``strides`` defaults to ``pool_size``.
    """
    n = _POOLS[call.type]
    shape = single_input(call, inputs)
    # Keras gives MaxPooling a default window of 2; AveragePooling needs one.
    pool = tuple_arg(call, "pool_size", REQUIRED if call.type.startswith("Average") else 2, n)
    strides = pool if call.args.get("strides") is None else tuple_arg(call, "strides", None, n)
    padding = padding_arg(call)
    fmt = data_format_arg(call)
    first = _check_rank(call, shape, n, fmt)
    spatial = window_dims(call, shape, first, pool, strides, padding, window_arg="pool_size")
    if fmt == "channels_last":
        return result((shape[0], *spatial, shape[-1]))
    return result((shape[0], shape[1], *spatial))


@shape_rule(*_GLOBAL_POOLS)
def global_pooling_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Global{Max,Average}PoolingND(keepdims=False)``: reduce all spatial axes."""
    n = _GLOBAL_POOLS[call.type]
    shape = single_input(call, inputs)
    keepdims = bool_arg(call, "keepdims", False)
    fmt = data_format_arg(call)
    _check_rank(call, shape, n, fmt)
    channels = shape[-1] if fmt == "channels_last" else shape[1]
    if not keepdims:
        return result((shape[0], channels))
    if fmt == "channels_last":
        return result((shape[0], *(1,) * n, channels))
    return result((shape[0], channels, *(1,) * n))


@shape_rule(*_ADAPTIVE_POOLS)
def adaptive_pooling_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Adaptive{Max,Average}PoolingND(output_size)``: the spatial axes become ``output_size``
    whatever their input size (unknown sizes included)."""
    n = _ADAPTIVE_POOLS[call.type]
    shape = single_input(call, inputs)
    size = tuple_arg(call, "output_size", REQUIRED, n)
    fmt = data_format_arg(call)
    _check_rank(call, shape, n, fmt)
    if fmt == "channels_last":
        return result((shape[0], *size, shape[-1]))
    return result((shape[0], shape[1], *size))


# -- FLOPs ------------------------------------------------------------------------------------


@flop_rule(*_POOLS)
def pooling_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """Per output: the window's comparisons (max) or additions and one division (average)."""
    n = _POOLS[call.type]
    pool = tuple_arg(call, "pool_size", 2, n)
    window = 1
    for size in pool:
        window *= size
    per = window - 1 if call.type.startswith("Max") else window
    return ops(per * elements(outputs[0]))


@flop_rule(*_GLOBAL_POOLS)
def global_pooling_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Every input value once (comparisons, or additions), and one division per average."""
    size, out = elements(inputs[0]), elements(outputs[0])
    return ops(size - out if call.type.startswith("GlobalMax") else size)


@flop_rule(*_ADAPTIVE_POOLS)
def adaptive_pooling_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Keras pools one axis at a time with two sliding windows, ``ceil(n / out)`` and one
    wider, over every position, then picks the windows each output needs."""
    n = _ADAPTIVE_POOLS[call.type]
    fmt = data_format_arg(call)
    first = 1 if fmt == "channels_last" else 2
    shape, out = list(inputs[0]), outputs[0]
    elements(tuple(shape))
    per_window = 1 if call.type.startswith("AdaptiveMax") else 0  # max: n - 1 comparisons
    total = 0
    for i in range(n):
        axis = first + i
        size, size_out = shape[axis] or 1, out[axis] or 1
        rest = elements(tuple(shape)) // size
        small = -(-size // size_out)
        for window in (small, small + 1):
            total += max(size - window + 1, 0) * rest * (window - per_window)
        shape[axis] = size_out
    return ops(total)
