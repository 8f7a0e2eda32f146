"""Shape rules for normalization layers: batch, layer, group, RMS, unit and feature-wise."""

from __future__ import annotations

from collections.abc import Sequence

from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import Flops, elements, flop_rule, ops
from graphspec.passes.shapes.registry import (
    arg,
    bool_arg,
    int_arg,
    is_int,
    known_dim,
    normalize_axis,
    product,
    result,
    shape_rule,
    single_input,
)

__all__ = [
    "batch_normalization_rule",
    "feature_normalization_rule",
    "group_normalization_rule",
    "layer_normalization_rule",
    "rms_normalization_rule",
    "unit_normalization_rule",
]


def _axes(call: LayerCall, rank: int) -> list[int]:
    """``axis`` (an int or a list of ints, default -1) as distinct indices into the shape."""
    value = arg(call, "axis", -1)
    raw = [value] if is_int(value) else value
    if not isinstance(raw, list | tuple) or not raw:
        raise ShapeFault(
            f"{call.type} argument 'axis' must be an integer or a list of integers; got {value!r}",
            arg="axis",
        )
    axes = [normalize_axis(call, "axis", a, rank) for a in raw]
    if len(set(axes)) != len(axes):
        raise ShapeFault(
            f"{call.type} argument 'axis' names the same axis twice: {value!r}",
            arg="axis",
        )
    return sorted(axes)


@shape_rule("BatchNormalization")
def batch_normalization_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``BatchNormalization(axis=-1, center, scale, renorm)``.

    Trainable: gamma (scale) and beta (center); non-trainable: moving mean and variance, plus
    moving stddev, renorm mean and renorm stddev with ``renorm``.
    """
    shape = single_input(call, inputs)
    center = bool_arg(call, "center", True)
    scale = bool_arg(call, "scale", True)
    renorm = bool_arg(call, "renorm", False)
    if not is_int(arg(call, "axis", -1)):
        raise ShapeFault(
            f"BatchNormalization argument 'axis' must be one integer; got {arg(call, 'axis')!r}",
            hint="BatchNormalization normalizes per feature of a single axis",
            arg="axis",
        )
    axis = normalize_axis(call, "axis", arg(call, "axis", -1), len(shape))
    size = known_dim(call, shape, axis, f"size on axis {axis}")
    trainable = size * (int(center) + int(scale))
    return result(shape, trainable=trainable, non_trainable=size * (5 if renorm else 2))


@shape_rule("LayerNormalization")
def layer_normalization_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``LayerNormalization(axis=-1, center, scale, rms_scaling)``: gamma/beta span ``axis``."""
    shape = single_input(call, inputs)
    center = bool_arg(call, "center", True)
    scale = bool_arg(call, "scale", True)
    rms = bool_arg(call, "rms_scaling", False)
    axes = _axes(call, len(shape))
    weights = int(scale or rms) + int(center and not rms)
    if not weights:
        return result(shape)
    size = product(known_dim(call, shape, a, f"size on axis {a}") for a in axes)
    return result(shape, trainable=size * weights)


@shape_rule("GroupNormalization")
def group_normalization_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``GroupNormalization(groups=32, axis=-1, center, scale)``: groups must divide channels."""
    shape = single_input(call, inputs)
    groups = int_arg(call, "groups", 32, minimum=-1)
    if groups == 0:
        raise ShapeFault(
            "GroupNormalization argument 'groups' must be a positive integer (or -1 for "
            "instance normalization); got 0",
            arg="groups",
        )
    center = bool_arg(call, "center", True)
    scale = bool_arg(call, "scale", True)
    axis = normalize_axis(call, "axis", arg(call, "axis", -1), len(shape))
    channels = known_dim(call, shape, axis, f"size on axis {axis}")
    groups = channels if groups == -1 else groups
    if channels % groups:
        divisors = [d for d in range(1, channels + 1) if channels % d == 0]
        raise ShapeFault(
            f"GroupNormalization groups ({groups}) must divide the {channels} channels on axis "
            f"{axis} of input {format_shape(shape)}",
            hint=f"use groups in {divisors[:12]}{' ...' if len(divisors) > 12 else ''}",
            arg="groups",
        )
    return result(shape, trainable=channels * (int(center) + int(scale)))


@shape_rule("RMSNormalization")
def rms_normalization_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``RMSNormalization(axis=-1, epsilon)``: a ``scale`` over the normalized axes."""
    shape = single_input(call, inputs)
    axes = _axes(call, len(shape))
    size = product(known_dim(call, shape, a, f"size on axis {a}") for a in axes)
    return result(shape, trainable=size)


@shape_rule("UnitNormalization")
def unit_normalization_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``UnitNormalization(axis=-1)``: no weights, shape unchanged."""
    shape = single_input(call, inputs)
    _axes(call, len(shape))
    return result(shape)


def _array_shape(call: LayerCall, name: str, value: object) -> tuple[int, ...]:
    """The shape of a number or a nested list of numbers (as NumPy would give it)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return ()
    if isinstance(value, list | tuple) and value:
        inner = {_array_shape(call, name, v) for v in value}
        if len(inner) == 1:
            return (len(value), *inner.pop())
    raise ShapeFault(
        f"Normalization argument '{name}' must be a number or a (nested) list of numbers of "
        f"one shape; got {value!r}",
        arg=name,
    )


def _check_statistics(call: LayerCall, shape: Shape, kept: list[int]) -> None:
    """``mean``/``variance`` broadcast over the kept axes, aligned to the last ones, as Keras does."""
    mean, variance = arg(call, "mean"), arg(call, "variance")
    if mean is None or variance is None:
        raise ShapeFault(
            "Normalization needs both 'mean' and 'variance', or neither",
            arg="variance" if mean is not None else "mean",
        )
    stats = _array_shape(call, "mean", mean)
    if _array_shape(call, "variance", variance) != stats:
        raise ShapeFault("Normalization 'mean' and 'variance' must have the same shape", arg="mean")
    if len(stats) > len(kept):
        raise ShapeFault(
            f"Normalization 'mean' has rank {len(stats)}, more than the {len(kept)} kept axes",
            arg="mean",
        )
    for size, axis in zip(reversed(stats), reversed(kept), strict=False):
        if size not in (1, shape[axis]):
            raise ShapeFault(
                f"Normalization 'mean' has {size} values for axis {axis} of size {shape[axis]} "
                f"in {format_shape(shape)}",
                hint="give one value per feature on the kept axis (or a single number)",
                arg="mean",
            )


@shape_rule("Normalization")
def feature_normalization_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Normalization(axis=-1, mean=None, variance=None)``: the preprocessing layer.

    Without ``mean``/``variance`` it keeps non-trainable ``mean`` and ``variance`` over the kept
    axes (all reduced when ``axis`` is null) plus a scalar ``count``; with them, no weights.
    """
    shape = single_input(call, inputs)
    given = arg(call, "mean") is not None or arg(call, "variance") is not None
    kept = [] if arg(call, "axis", -1) is None else _axes(call, len(shape))
    if 0 in kept:
        raise ShapeFault("Normalization cannot keep the batch axis 0", arg="axis")
    size = product(known_dim(call, shape, a, "a kept axis") for a in kept)
    if given:
        _check_statistics(call, shape, kept)
        return result(shape)
    return result(shape, non_trainable=2 * size + 1)


# -- FLOPs ------------------------------------------------------------------------------------


@flop_rule("BatchNormalization")
def batch_normalization_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Inference folds the statistics into a scale and shift: 2 per value, up to 5 per feature."""
    shape = outputs[0]
    axis = normalize_axis(call, "axis", arg(call, "axis", -1), len(shape))
    features = shape[axis] or 0
    per_feature = 3 + int(bool_arg(call, "scale", True)) + int(bool_arg(call, "center", True))
    return ops(2 * elements(shape) + (per_feature - 2) * features)


def _groups(shape: Shape, axes: list[int]) -> int:
    """How many groups of values are normalized together (the product of the other axes)."""
    size = elements(shape)
    group = 1
    for axis in axes:
        group *= shape[axis] or 1
    return size // group if group else 0


@flop_rule("LayerNormalization")
def layer_normalization_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Mean, variance, normalize, scale and shift: 9 per value and 3 per group."""
    shape = outputs[0]
    rows = _groups(shape, _axes(call, len(shape)))
    return ops(9 * elements(shape) + 3 * rows)


@flop_rule("RMSNormalization")
def rms_normalization_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Square, mean, scale: 4 per value and 1 per group."""
    shape = outputs[0]
    rows = _groups(shape, _axes(call, len(shape)))
    return ops(4 * elements(shape) + rows)


@flop_rule("UnitNormalization")
def unit_normalization_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Square, sum and multiply by the reciprocal norm: 3 per value."""
    return ops(3 * elements(outputs[0]))


@flop_rule("GroupNormalization")
def group_normalization_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Statistics per group, then normalize, scale and shift: 6 per value, 15 per group."""
    shape = outputs[0]
    groups = int_arg(call, "groups", 32, minimum=-1)
    axis = normalize_axis(call, "axis", arg(call, "axis", -1), len(shape))
    channels = shape[axis] or 0
    groups = channels if groups == -1 else groups
    return ops(6 * elements(shape) + 15 * groups)


@flop_rule("Normalization")
def feature_normalization_flops(
    call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]
) -> Flops:
    """Subtract the mean and divide by the deviation: 2 per value."""
    return ops(2 * elements(outputs[0]))
