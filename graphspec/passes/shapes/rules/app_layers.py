"""Shape rules for the layers Keras defines for its applications (LayerScale, CustomScaleLayer, …)."""

from __future__ import annotations

from collections.abc import Sequence

from graphspec.base.shape_types import (
    LayerCall,
    Mismatch,
    Shape,
    ShapeFault,
    ShapeResult,
    broadcast,
    format_shape,
)
from graphspec.passes.shapes.flops import Flops, elements, flop_rule, free, ops
from graphspec.passes.shapes.registry import (
    expect_input_count,
    float_arg,
    int_arg,
    result,
    shape_rule,
    single_input,
)

__all__ = ["custom_scale_rule", "layer_scale_rule", "stochastic_depth_rule"]


def _broadcast(call: LayerCall, a: Shape, b: Shape) -> Shape:
    """Keras's tensor broadcasting (``keras.ops``): ``None`` against ``n`` gives ``n``."""
    try:
        return broadcast([a, b])
    except Mismatch:
        rank = max(len(a), len(b))
        raise ShapeFault(
            f"{call.type} cannot broadcast {format_shape((1,) * (rank - len(a)) + tuple(a))} "
            f"against {format_shape((1,) * (rank - len(b)) + tuple(b))}",
            hint="sizes must be equal or 1, aligned from the right",
            input_index=1,
        ) from None


@shape_rule("LayerScale")
def layer_scale_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``LayerScale(init_values, projection_dim)`` (ConvNeXt): ``x * gamma``, gamma a vector of
    ``projection_dim`` weights broadcast over the last axis."""
    shape = single_input(call, inputs)
    dim = int_arg(call, "projection_dim")
    float_arg(call, "init_values")
    last = shape[-1]
    if last is not None and dim != 1 and last not in (1, dim):  # NumPy broadcasting
        raise ShapeFault(
            f"LayerScale has projection_dim {dim} but its input {format_shape(shape)} has "
            f"{last} features",
            hint=f"set projection_dim: {last}",
            arg="projection_dim",
        )
    out = _broadcast(call, shape, (dim,))
    return result(out, trainable=dim)


@shape_rule("CustomScaleLayer")
def custom_scale_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``CustomScaleLayer(scale)`` (InceptionResNetV2): ``inputs[0] + inputs[1] * scale``."""
    expect_input_count(call, inputs, 2, 2)
    float_arg(call, "scale")
    return result(_broadcast(call, tuple(inputs[0]), tuple(inputs[1])))


@shape_rule("StochasticDepth")
def stochastic_depth_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``StochasticDepth(drop_path_rate)`` (ConvNeXt): drops whole samples; shape unchanged."""
    shape = single_input(call, inputs)
    float_arg(call, "drop_path_rate", low=0.0, high=1.0)
    return result(shape)


# -- FLOPs ------------------------------------------------------------------------------------

free("StochasticDepth")  # drops samples in training only


@flop_rule("LayerScale")
def layer_scale_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """One multiplication per value."""
    return ops(elements(outputs[0]))


@flop_rule("CustomScaleLayer")
def custom_scale_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """``a + b * scale``: two per value."""
    return ops(2 * elements(outputs[0]))
