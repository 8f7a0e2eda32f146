"""Shape rules for convolutional recurrent layers: ConvLSTM1D, ConvLSTM2D and ConvLSTM3D."""

from __future__ import annotations

from collections.abc import Sequence

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
    bool_arg,
    int_arg,
    known_dim,
    product,
    result,
    shape_rule,
    single_input,
    window_dims,
)
from graphspec.passes.shapes.rules.cells import steps_of
from graphspec.passes.shapes.rules.conv import window_args

__all__ = ["conv_lstm_rule"]

_RANKS = {"ConvLSTM1D": 1, "ConvLSTM2D": 2, "ConvLSTM3D": 3}
_AXES = {1: "steps", 2: "height, width", 3: "depth, height, width"}


def _layout(n: int, fmt: str) -> str:
    """``(batch, time, height, width, channels)`` and the like."""
    if fmt == "channels_last":
        return f"(batch, time, {_AXES[n]}, channels)"
    return f"(batch, time, channels, {_AXES[n]})"


@shape_rule(*_RANKS)
def conv_lstm_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``ConvLSTMND(filters, kernel_size, strides, padding, dilation_rate, return_sequences,
    return_state)``: an LSTM whose gates are convolutions, over ``(batch, time, *space, ch)``.

    Each step is a convolution of the frame; with ``return_state`` the two final states
    (h, c), shaped like one output frame, follow. Weights: input kernel ``(*k, ch, 4f)``,
    recurrent kernel ``(*k, f, 4f)`` and a ``4f`` bias.
    """
    n = _RANKS[call.type]
    shape = single_input(call, inputs)
    filters = int_arg(call, "filters")
    kernel, strides, dilation, padding, fmt = window_args(call, n)
    sequences = bool_arg(call, "return_sequences", False)
    states = bool_arg(call, "return_state", False)
    use_bias = bool_arg(call, "use_bias", True)
    if len(shape) != n + 3:
        raise ShapeFault(
            f"{call.type} expects a rank-{n + 3} input {_layout(n, fmt)}; "
            f"got {format_shape(shape)}",
            hint="add a Reshape with a time axis, or pick the ConvLSTM of the frames' rank",
        )
    if bool_arg(call, "stateful", False) and shape[0] is None:
        raise ShapeFault(
            f"{call.type} with stateful: true needs a fixed batch size; got {format_shape(shape)}",
            hint="set batch_size on the Input layer",
            arg="stateful",
        )
    first = 2 if fmt == "channels_last" else 3
    channels = known_dim(call, shape, -1 if fmt == "channels_last" else 2, "channel dimension")
    for axis in range(first, first + n):
        known_dim(call, shape, axis, "size for every spatial axis (ConvLSTM needs static frames)")
    spatial = window_dims(call, shape, first, kernel, strides, padding, dilation=dilation)
    frame = (*spatial, filters) if fmt == "channels_last" else (filters, *spatial)
    weights = product(kernel) * 4 * filters * (channels + filters)
    weights += 4 * filters if use_bias else 0
    batch = shape[0]
    output = (batch, shape[1], *frame) if sequences else (batch, *frame)
    extra = [(batch, *frame)] * 2 if states else []
    return result(output, *extra, trainable=weights)


@flop_rule(*_RANKS)
def conv_lstm_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """Per step: the input and recurrent convolutions for four gates, then an LSTM update."""
    n = _RANKS[call.type]
    shape = inputs[0]
    filters = int_arg(call, "filters")
    kernel, strides, dilation, padding, fmt = window_args(call, n)
    first = 2 if fmt == "channels_last" else 3
    channels = shape[-1 if fmt == "channels_last" else 2] or 0
    frame = (shape[0], *shape[2:])
    elements(frame)
    spatial = window_dims(call, shape, first, kernel, strides, padding, dilation=dilation)
    taps_in, taps_rec, positions = 1, 1, 1
    for i in range(n):
        size, out = shape[first + i], spatial[i]
        assert size is not None and out is not None
        taps_in *= window_taps(size, out, kernel[i], strides[i], dilation[i], padding)
        taps_rec *= window_taps(out, out, kernel[i], 1, 1, "same")
        positions *= out
    gates = 4 * filters
    step = macs(taps_in * channels * gates + taps_rec * filters * gates)
    step += ops(3 * gates * positions)  # bias, the two products summed, the state updates
    step += activation_flops(
        call, (None, 3 * filters * positions), "recurrent_activation", "sigmoid"
    )
    step += 2 * activation_flops(call, (None, filters * positions), "activation", "tanh")
    return step * steps_of(shape)
