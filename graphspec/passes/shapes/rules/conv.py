"""Shape rules for convolutions: plain, transposed, depthwise and separable, in 1D/2D/3D."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import (
    Flops,
    activation_flops,
    elements,
    flop_rule,
    macs,
    ops,
    window_taps,
)
from graphspec.passes.shapes.registry import (
    REQUIRED,
    bool_arg,
    data_format_arg,
    int_arg,
    kernel_counts,
    known_dim,
    padding_arg,
    product,
    result,
    shape_rule,
    single_input,
    tuple_arg,
    window_dims,
)

__all__ = [
    "conv_flops",
    "conv_rule",
    "conv_transpose_rule",
    "depthwise_conv_rule",
    "layout",
    "separable_conv_rule",
    "split_channels",
    "window_args",
]

_AXES = {1: ("steps",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def layout(n: int, data_format: str) -> str:
    """The dimension names of a rank ``n + 2`` input, e.g. ``(batch, height, width, channels)``."""
    names = _AXES[n]
    ordered = (*names, "channels") if data_format == "channels_last" else ("channels", *names)
    return "(batch, " + ", ".join(ordered) + ")"


def _family_hint(call: LayerCall, shape: Shape, n: int) -> str:
    """Suggest a Reshape, or the same layer family with the input's dimensionality."""
    other = len(shape) - 2
    if 1 <= other <= 3 and other != n:
        return f"add a Reshape, or use {call.type.replace(f'{n}D', f'{other}D')}"
    return f"add a Reshape to give the input {n} spatial dimension(s) and a channel axis"


def split_channels(call: LayerCall, shape: Shape, n: int, data_format: str) -> tuple[int, int]:
    """Check the rank of an ``n``-D spatial input; return (first spatial axis, channel count)."""
    if len(shape) != n + 2:
        raise ShapeFault(
            f"{call.type} expects a rank-{n + 2} input {layout(n, data_format)}; "
            f"got {format_shape(shape)}",
            hint=_family_hint(call, shape, n),
        )
    channel_axis = -1 if data_format == "channels_last" else 1
    channels = known_dim(call, shape, channel_axis, "channel dimension")
    return (1 if data_format == "channels_last" else 2), channels


def _assemble(shape: Shape, spatial: tuple[int | None, ...], channels: int, fmt: str) -> Shape:
    """Rebuild a full shape from the batch, new spatial sizes and a channel count."""
    if fmt == "channels_last":
        return (shape[0], *spatial, channels)
    return (shape[0], channels, *spatial)


def _rank_of(call: LayerCall) -> int:
    """The spatial rank encoded in the type name (``Conv2DTranspose`` -> 2)."""
    return _rank_in(call.type)


@cache
def _rank_in(type_name: str) -> int:
    match = re.search(r"(\d)D", type_name)
    assert match is not None, type_name
    return int(match.group(1))


def _check_strided_dilation(
    call: LayerCall, strides: tuple[int, ...], dilation: tuple[int, ...]
) -> None:
    """Keras rejects ``strides > 1`` together with ``dilation_rate > 1``."""
    if max(strides) > 1 and max(dilation) > 1:
        raise ShapeFault(
            f"{call.type} cannot combine strides {strides} with dilation_rate {dilation}",
            hint="use strides: 1 with a dilation, or dilation_rate: 1 with strides",
            arg="dilation_rate",
        )


def window_args(
    call: LayerCall, n: int, *, causal: bool = False
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], str, str]:
    """(kernel_size, strides, dilation_rate, padding, data_format) of a convolution, checked."""
    kernel = tuple_arg(call, "kernel_size", REQUIRED, n)
    strides = tuple_arg(call, "strides", 1, n)
    dilation = tuple_arg(call, "dilation_rate", 1, n)
    padding = padding_arg(call, causal=causal)
    fmt = data_format_arg(call)
    _check_strided_dilation(call, strides, dilation)
    return kernel, strides, dilation, padding, fmt


@shape_rule("Conv1D", "Conv2D", "Conv3D")
def conv_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``ConvND(filters, kernel_size, strides, padding, dilation_rate, groups, use_bias)``."""
    n = _rank_of(call)
    shape = single_input(call, inputs)
    filters = int_arg(call, "filters")
    groups = int_arg(call, "groups", 1)
    use_bias = bool_arg(call, "use_bias", True)
    kernel, strides, dilation, padding, fmt = window_args(call, n, causal=n == 1)
    if filters % groups:
        raise ShapeFault(
            f"{call.type} filters ({filters}) must be divisible by groups ({groups})",
            hint="choose groups that divides both filters and the input channels",
            arg="groups",
        )
    first, channels = split_channels(call, shape, n, fmt)
    if channels % groups:
        raise ShapeFault(
            f"{call.type} input channels ({channels}) must be divisible by groups ({groups}); "
            f"input is {format_shape(shape)}",
            hint="choose groups that divides both filters and the input channels",
            arg="groups",
        )
    spatial = window_dims(call, shape, first, kernel, strides, padding, dilation=dilation)
    trainable, frozen = kernel_counts(call, (*kernel, channels // groups, filters))
    trainable += filters if use_bias else 0
    return result(
        _assemble(shape, spatial, filters, fmt), trainable=trainable, non_trainable=frozen
    )


def _transposed_size(
    size: int | None, k: int, s: int, d: int, padding: str, out_pad: int | None
) -> int | None:
    """One output size of a transposed convolution (Keras' TF-padding formula)."""
    if size is None:
        return None
    eff = (k - 1) * d + 1
    if padding == "valid":
        extra = max(eff, s) - eff if out_pad is None else out_pad
        return (size - 1) * s + eff + extra
    if out_pad is None:
        return size * s
    return (size - 1) * s + eff % 2 + out_pad


def _output_padding(
    call: LayerCall, n: int, strides: tuple[int, ...]
) -> tuple[int, ...] | tuple[None, ...]:
    """``output_padding`` (None or per-axis ints, each strictly below its stride)."""
    if call.args.get("output_padding") is None:
        return (None,) * n
    pads = tuple_arg(call, "output_padding", None, n, allow_zero=True)
    if any(p >= s for p, s in zip(pads, strides, strict=True)):
        raise ShapeFault(
            f"{call.type} output_padding {pads} must be smaller than strides {strides} on "
            f"every axis",
            hint="lower output_padding or raise strides",
            arg="output_padding",
        )
    return pads


@shape_rule("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")
def conv_transpose_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``ConvNDTranspose(filters, kernel_size, strides, padding, output_padding, ...)``."""
    n = _rank_of(call)
    shape = single_input(call, inputs)
    filters = int_arg(call, "filters")
    use_bias = bool_arg(call, "use_bias", True)
    kernel, strides, dilation, padding, fmt = window_args(call, n)
    pads = _output_padding(call, n, strides)
    first, channels = split_channels(call, shape, n, fmt)
    spatial = []
    for i in range(n):
        size = _transposed_size(
            shape[first + i], kernel[i], strides[i], dilation[i], padding, pads[i]
        )
        if size is not None and size < 1:
            raise ShapeFault(
                f"{call.type} with kernel_size {kernel}, strides {strides}, padding "
                f"'{padding}' and output_padding {pads} makes dimension {first + i} empty",
                hint="raise output_padding or use an odd kernel_size",
                arg="output_padding",
            )
        spatial.append(size)
    trainable = product(kernel) * filters * channels + (filters if use_bias else 0)
    return result(_assemble(shape, tuple(spatial), filters, fmt), trainable=trainable)


@shape_rule("DepthwiseConv1D", "DepthwiseConv2D")
def depthwise_conv_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``DepthwiseConvND(kernel_size, depth_multiplier=1, ...)``: ``channels * dm`` outputs."""
    n = _rank_of(call)
    shape = single_input(call, inputs)
    multiplier = int_arg(call, "depth_multiplier", 1)
    use_bias = bool_arg(call, "use_bias", True)
    kernel, strides, dilation, padding, fmt = window_args(call, n)
    first, channels = split_channels(call, shape, n, fmt)
    spatial = window_dims(call, shape, first, kernel, strides, padding, dilation=dilation)
    out_channels = channels * multiplier
    trainable = product(kernel) * out_channels + (out_channels if use_bias else 0)
    return result(_assemble(shape, spatial, out_channels, fmt), trainable=trainable)


@shape_rule("SeparableConv1D", "SeparableConv2D")
def separable_conv_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``SeparableConvND(filters, kernel_size, depth_multiplier=1, ...)``: depthwise + 1x1."""
    n = _rank_of(call)
    shape = single_input(call, inputs)
    filters = int_arg(call, "filters")
    multiplier = int_arg(call, "depth_multiplier", 1)
    use_bias = bool_arg(call, "use_bias", True)
    kernel, strides, dilation, padding, fmt = window_args(call, n)
    first, channels = split_channels(call, shape, n, fmt)
    spatial = window_dims(call, shape, first, kernel, strides, padding, dilation=dilation)
    depthwise = product(kernel) * channels * multiplier
    pointwise = channels * multiplier * filters
    trainable = depthwise + pointwise + (filters if use_bias else 0)
    return result(_assemble(shape, spatial, filters, fmt), trainable=trainable)


# -- FLOPs ------------------------------------------------------------------------------------


def _taps(call: LayerCall, shape: Shape, out: Shape, n: int) -> tuple[int, int, int]:
    """(kernel taps on the input summed over the output positions, in channels, out channels)."""
    kernel, strides, dilation, padding, fmt = window_args(call, n, causal=n == 1)
    first = 1 if fmt == "channels_last" else 2
    taps = 1
    for i in range(n):
        size, size_out = shape[first + i], out[first + i]
        if size is None or size_out is None:
            elements(shape)  # raises: the count needs every size
            elements(out)
        assert size is not None and size_out is not None
        taps *= window_taps(size, size_out, kernel[i], strides[i], dilation[i], padding)
    channel = -1 if fmt == "channels_last" else 1
    return taps, int(shape[channel] or 0), int(out[channel] or 0)


def _bias(call: LayerCall, out: Shape) -> Flops:
    return ops(elements(out)) if bool_arg(call, "use_bias", True) else Flops()


@flop_rule("Conv1D", "Conv2D", "Conv3D")
def conv_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """Taps on the input × input channels per group × filters, then bias and activation."""
    out = outputs[0]
    taps, channels, filters = _taps(call, inputs[0], out, _rank_of(call))
    groups = int_arg(call, "groups", 1)
    cost = macs(taps * (channels // groups) * filters)
    return cost + _bias(call, out) + activation_flops(call, out)


@flop_rule("DepthwiseConv1D", "DepthwiseConv2D")
def depthwise_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """One kernel per output channel: taps × output channels."""
    out = outputs[0]
    taps, _, channels = _taps(call, inputs[0], out, _rank_of(call))
    return macs(taps * channels) + _bias(call, out) + activation_flops(call, out)


@flop_rule("SeparableConv1D", "SeparableConv2D")
def separable_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """The depthwise step (taps × channels × multiplier), then a 1×1 convolution."""
    out = outputs[0]
    taps, channels, filters = _taps(call, inputs[0], out, _rank_of(call))
    middle = channels * int_arg(call, "depth_multiplier", 1)
    positions = elements(out) // filters
    cost = macs(taps * middle) + macs(positions * middle * filters)
    return cost + _bias(call, out) + activation_flops(call, out)


def _transposed_taps(size: int, out: int, k: int, s: int, d: int, padding: str) -> int:
    """Pairs (input position, kernel tap) whose output position is kept (not cropped)."""
    effective = (k - 1) * d + 1
    before = 0
    if padding == "same":
        before = max((size - 1) * s + effective - out, 0) // 2
    count = 0
    for j in range(k):
        offset = j * d - before  # input i writes output i * s + offset
        low = max(0, -(offset // s))
        high = min(size - 1, (out - 1 - offset) // s)
        count += max(0, high - low + 1)
    return count


@flop_rule("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")
def conv_transpose_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Every input value times every kernel tap that lands inside the output."""
    n = _rank_of(call)
    shape, out = inputs[0], outputs[0]
    kernel, strides, dilation, padding, fmt = window_args(call, n)
    first = 1 if fmt == "channels_last" else 2
    elements(shape), elements(out)  # raises on an unknown size
    taps = 1
    for i in range(n):
        size, size_out = shape[first + i], out[first + i]
        assert size is not None and size_out is not None
        taps *= _transposed_taps(size, size_out, kernel[i], strides[i], dilation[i], padding)
    channel = -1 if fmt == "channels_last" else 1
    cost = macs(taps * int(shape[channel] or 0) * int(out[channel] or 0))
    return cost + _bias(call, out) + activation_flops(call, out)
