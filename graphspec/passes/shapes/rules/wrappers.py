"""Shape rules for wrappers that delegate to the layer they wrap (TimeDistributed, …)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from graphspec.base.catalog import canonical_type
from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import Flops, Uncountable, flop_rule, layer_flops
from graphspec.passes.shapes.registry import (
    arg,
    delegate,
    int_arg,
    nested_call,
    result,
    shape_rule,
    single_input,
)
from graphspec.passes.shapes.rules.core import einsum_kernel

__all__ = ["KERNEL_LAYERS", "spectral_normalization_rule", "time_distributed_rule"]


@shape_rule("TimeDistributed")
def time_distributed_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``TimeDistributed(layer)``: ``layer`` applied to every step of ``(batch, time, ...)``.

    The wrapped layer's rule sees ``(batch, ...)``; its output gets the time axis back. The
    weights are the wrapped layer's (shared across steps).
    """
    shape = single_input(call, inputs)
    inner = nested_call(call, "layer")
    if len(shape) < 3:
        raise ShapeFault(
            f"TimeDistributed expects an input of rank >= 3 (batch, time, ...); "
            f"got {format_shape(shape)}",
            hint="TimeDistributed applies its layer to each step of a sequence",
        )
    step = delegate(call, "layer", inner, [(shape[0], *shape[2:])])
    if len(step.outputs) != 1:
        raise ShapeFault(
            f"TimeDistributed can wrap only a layer with one output; {inner.type} returns "
            f"{len(step.outputs)} here",
            hint="drop return_state / return_attention_scores from the wrapped layer",
            arg="layer",
        )
    out = step.output
    return result(
        (shape[0], shape[1], *out[1:]),
        trainable=step.trainable,
        non_trainable=step.non_trainable,
    )


def _units(call: LayerCall, shape: Shape) -> int:
    return int_arg(call, "units")


def _filters(call: LayerCall, shape: Shape) -> int:
    return int_arg(call, "filters")


def _transposed(call: LayerCall, shape: Shape) -> int:
    channel_axis = 1 if arg(call, "data_format") == "channels_first" else -1
    dim = shape[channel_axis]
    assert dim is not None  # the wrapped rule has checked it
    return dim


def _multiplier(call: LayerCall, shape: Shape) -> int:
    return int_arg(call, "depth_multiplier", 1)


def _embedding(call: LayerCall, shape: Shape) -> int:
    return int_arg(call, "output_dim")


def _einsum(call: LayerCall, shape: Shape) -> int:
    return einsum_kernel(call, shape)[1][-1]


KERNEL_LAYERS: Final[dict[str, Callable[[LayerCall, Shape], int]]] = {
    "Dense": _units,
    "EinsumDense": _einsum,
    **{f"Conv{n}D": _filters for n in (1, 2, 3)},
    **{f"Conv{n}DTranspose": _transposed for n in (1, 2, 3)},
    "DepthwiseConv1D": _multiplier,
    "DepthwiseConv2D": _multiplier,
    "Embedding": _embedding,
    "ReversibleEmbedding": _embedding,
}
"""Layers with a ``kernel`` (or ``embeddings``) SpectralNormalization can normalize, and the size
of that weight's last axis (the length of the power-iteration vector)."""


@shape_rule("SpectralNormalization")
def spectral_normalization_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``SpectralNormalization(layer, power_iterations=1)``: the wrapped layer's shapes and
    weights, plus a non-trainable vector as long as the kernel's last axis."""
    shape = single_input(call, inputs)
    inner = nested_call(call, "layer")
    int_arg(call, "power_iterations", 1)
    last_axis = KERNEL_LAYERS.get(canonical_type(inner.type))
    if last_axis is None:
        raise ShapeFault(
            f"SpectralNormalization needs a layer with a kernel or embeddings; {inner.type} "
            "has neither",
            hint=f"wrap one of {', '.join(sorted(KERNEL_LAYERS))}",
            arg="layer",
        )
    wrapped = delegate(call, "layer", inner, [shape])
    return result(
        *wrapped.outputs,
        trainable=wrapped.trainable,
        non_trainable=wrapped.non_trainable + last_axis(inner, shape),
    )


# -- FLOPs ------------------------------------------------------------------------------------


@flop_rule("TimeDistributed")
def time_distributed_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """The wrapped layer's cost on one step, times the steps."""
    shape, out = inputs[0], outputs[0]
    inner = nested_call(call, "layer")
    step = layer_flops(inner, [(shape[0], *shape[2:])], [(out[0], *out[2:])])
    steps = shape[1]
    if steps is None:
        raise Uncountable("the number of steps is unknown")
    return step * steps


@flop_rule("SpectralNormalization")
def spectral_normalization_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """The wrapped layer's cost (the power iteration runs in training only)."""
    return layer_flops(nested_call(call, "layer"), inputs, outputs)
