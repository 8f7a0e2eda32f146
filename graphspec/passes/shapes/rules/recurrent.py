"""Shape rules for recurrent layers (SimpleRNN, LSTM, GRU) and the Bidirectional wrapper."""

from __future__ import annotations

from collections.abc import Sequence

from graphspec.base.catalog import canonical_type
from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import Flops, elements, flop_rule, layer_flops, ops
from graphspec.passes.shapes.registry import (
    bool_arg,
    choice_arg,
    delegate,
    infer_layer,
    int_arg,
    known_dim,
    nested_call,
    result,
    shape_rule,
    single_input,
)
from graphspec.passes.shapes.rules.cells import cell_flops, steps_of

__all__ = ["bidirectional_rule", "rnn_rule"]

# Layer type -> (gates, number of state outputs with return_state).
_RNNS = {"SimpleRNN": (1, 1), "LSTM": (4, 2), "GRU": (3, 1)}


def _rnn_params(call: LayerCall, features: int, units: int) -> int:
    """Kernel, recurrent kernel and bias sizes of one recurrent layer."""
    gates, _ = _RNNS[call.type]
    weights = gates * units * (features + units)
    if not bool_arg(call, "use_bias", True):
        return weights
    if call.type == "GRU" and bool_arg(call, "reset_after", True):
        return weights + 2 * gates * units
    return weights + gates * units


def _sequence_input(call: LayerCall, shape: Shape) -> int:
    """Check for a ``(batch, timesteps, features)`` input; return the feature size."""
    if len(shape) != 3:
        raise ShapeFault(
            f"{call.type} expects a rank-3 input (batch, timesteps, features); "
            f"got {format_shape(shape)}",
            hint="add a Reshape (e.g. target_shape: [timesteps, features]) or a RepeatVector "
            "before the recurrent layer",
        )
    return known_dim(call, shape, 2, "feature (last) dimension")


@shape_rule(*_RNNS)
def rnn_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``SimpleRNN``/``LSTM``/``GRU(units, return_sequences, return_state, use_bias, ...)``.

    With ``return_state`` the states follow the output: two for LSTM (h, c), one otherwise.
    """
    shape = single_input(call, inputs)
    units = int_arg(call, "units")
    sequences = bool_arg(call, "return_sequences", False)
    states = bool_arg(call, "return_state", False)
    bool_arg(call, "go_backwards", False)
    features = _sequence_input(call, shape)
    if bool_arg(call, "stateful", False) and shape[0] is None:
        raise ShapeFault(
            f"{call.type} with stateful: true needs a fixed batch size; got {format_shape(shape)}",
            hint="set batch_size on the Input layer",
            arg="stateful",
        )
    trainable = _rnn_params(call, features, units)
    batch = shape[0]
    output = (batch, shape[1], units) if sequences else (batch, units)
    state_shapes = [(batch, units)] * _RNNS[call.type][1] if states else []
    return result(output, *state_shapes, trainable=trainable)


_WRAPPABLE = (*_RNNS, "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")


@shape_rule("Bidirectional")
def bidirectional_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Bidirectional(layer, merge_mode='concat')``: the layer runs forwards and backwards.

    ``concat`` doubles the last output axis; ``sum``/``mul``/``ave`` keep it; ``None`` returns
    both directions as separate outputs. With ``return_state`` the forward states, then the
    backward states, follow. ``backward_layer`` is assumed to mirror ``layer``.
    """
    inner = nested_call(call, "layer")
    if canonical_type(inner.type) not in _WRAPPABLE:
        raise ShapeFault(
            f"Bidirectional can wrap {', '.join(_WRAPPABLE)}; got {inner.type!r}",
            arg="layer",
        )
    mode = choice_arg(call, "merge_mode", "concat", ("concat", "sum", "mul", "ave", None))
    if bool_arg(inner, "go_backwards", False):
        raise ShapeFault(
            f"Bidirectional cannot wrap a {inner.type} with go_backwards: true (Keras rejects it)",
            hint="drop go_backwards; Bidirectional already runs a backward copy of the layer",
            arg="layer",
        )
    single = delegate(call, "layer", inner, inputs)
    output, states = single.outputs[0], single.outputs[1:]
    if mode is None:
        outputs: tuple[Shape, ...] = (output, output)
    elif mode == "concat":
        last = output[-1]
        outputs = ((*output[:-1], None if last is None else 2 * last),)
    else:
        outputs = (output,)
    return result(*outputs, *states, *states, trainable=2 * single.trainable)


# -- FLOPs ------------------------------------------------------------------------------------


@flop_rule(*_RNNS)
def rnn_layer_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """One cell step per time step (the layer's arguments are its cell's)."""
    shape = inputs[0]
    step, _ = cell_flops(call, shape[-1] or 0)
    return step * steps_of(shape)


@flop_rule("Bidirectional")
def bidirectional_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """The wrapped layer twice (forwards and backwards), then the merge (``concat``: 0)."""
    inner = nested_call(call, "layer")
    single = infer_layer(inner, inputs)
    cost = 2 * layer_flops(inner, inputs, single.outputs if single else ())
    if call.args.get("merge_mode", "concat") in ("concat", None):
        return cost
    return cost + ops(elements(outputs[0]))
