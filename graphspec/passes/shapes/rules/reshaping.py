"""Shape rules for layers that rearrange values: flatten, reshape, permute, pad, crop, upsample."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import Flops, flop_rule, free
from graphspec.passes.shapes.registry import (
    REQUIRED,
    arg,
    data_format_arg,
    expect_rank,
    int_arg,
    is_int,
    product,
    result,
    shape_rule,
    single_input,
    tuple_arg,
)
from graphspec.passes.shapes.rules.conv import layout
from graphspec.passes.shapes.rules.image import resize_flops

__all__ = [
    "cropping_rule",
    "flatten_rule",
    "permute_rule",
    "repeat_vector_rule",
    "reshape_rule",
    "upsampling_rule",
    "zero_padding_rule",
]


@shape_rule("Flatten")
def flatten_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Flatten()``: ``(batch, prod(dims))``; every non-batch dimension must be known.

    Keras itself would give ``(batch, None)`` for unknown dimensions, which no following
    ``Dense`` can consume, so that is reported here, where it arises.
    """
    shape = single_input(call, inputs)
    data_format_arg(call)
    rest = shape[1:]
    if any(d is None for d in rest):
        raise ShapeFault(
            f"Flatten needs every non-batch dimension to be known; got {format_shape(shape)}",
            hint="use a GlobalAveragePooling/GlobalMaxPooling layer instead, or give the Input "
            "a fixed size",
        )
    return result((shape[0], product(d for d in rest if d is not None)))


def _target_shape(call: LayerCall) -> tuple[int, ...]:
    """``target_shape``: positive ints and at most one ``-1``."""
    value = arg(call, "target_shape", REQUIRED)
    ok = isinstance(value, list | tuple) and all(is_int(d) and (d >= 1 or d == -1) for d in value)
    if not ok or list(value).count(-1) > 1:
        raise ShapeFault(
            f"Reshape argument 'target_shape' must be a list of positive integers with at most "
            f"one -1; got {value!r}",
            hint="the batch dimension is not included, e.g. target_shape: [7, 7, 64]",
            arg="target_shape",
        )
    return tuple(value)


@shape_rule("Reshape")
def reshape_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Reshape(target_shape)``: the element count must be preserved; one ``-1`` is inferred."""
    shape = single_input(call, inputs)
    target = _target_shape(call)
    rest = shape[1:]
    if any(d is None for d in rest):
        return result((shape[0], *(None if d == -1 else d for d in target)))
    size = product(d for d in rest if d is not None)
    known = product(d for d in target if d != -1)
    if -1 in target:
        if size % known == 0:
            return result((shape[0], *(size // known if d == -1 else d for d in target)))
        detail = f"{size} elements cannot be split into {target} (-1 would not be whole)"
    elif size == known:
        return result((shape[0], *target))
    else:
        detail = f"target_shape {target} holds {known} elements but the input has {size}"
    raise ShapeFault(
        f"Reshape must keep the number of elements: input {format_shape(shape)} has {size}; "
        f"{detail}",
        hint="fix target_shape so its product equals the input's, or use -1 for one dimension",
        arg="target_shape",
    )


@shape_rule("Permute")
def permute_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Permute(dims)``: ``dims`` is a permutation of ``1..rank-1``."""
    shape = single_input(call, inputs)
    dims = arg(call, "dims", REQUIRED)
    ok = isinstance(dims, list | tuple) and all(is_int(d) for d in dims)
    if not ok or sorted(dims) != list(range(1, len(dims) + 1)):
        raise ShapeFault(
            f"Permute argument 'dims' must be a permutation of 1..n; got {dims!r}",
            hint="axis 0 is the batch and is not listed, e.g. dims: [2, 1]",
            arg="dims",
        )
    if len(dims) != len(shape) - 1:
        raise ShapeFault(
            f"Permute dims {list(dims)} name {len(dims)} axes but the input "
            f"{format_shape(shape)} has {len(shape) - 1} non-batch axes",
            hint="list every non-batch axis exactly once",
            arg="dims",
        )
    return result((shape[0], *(shape[d] for d in dims)))


@shape_rule("RepeatVector")
def repeat_vector_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``RepeatVector(n)``: ``(batch, features)`` -> ``(batch, n, features)``."""
    shape = single_input(call, inputs)
    n = int_arg(call, "n")
    expect_rank(call, shape, 2, "(batch, features)", hint="add a Flatten before RepeatVector")
    return result((shape[0], n, shape[1]))


_SPATIAL = {
    f"{kind}{n}D": n for kind in ("ZeroPadding", "Cropping", "UpSampling") for n in (1, 2, 3)
}
_DEFAULT_AMOUNT = {
    "ZeroPadding1D": 1,
    "ZeroPadding2D": 1,
    "ZeroPadding3D": 1,
    "Cropping1D": 1,
    "Cropping2D": 0,
    "Cropping3D": 1,
}


def _pairs(call: LayerCall, name: str, n: int) -> tuple[tuple[int, int], ...]:
    """A padding/cropping amount as ``n`` (before, after) pairs of non-negative ints.

    1D layers take an int or ``[before, after]``; 2D/3D layers take an int, or a list of ``n``
    entries that are each an int (symmetric) or ``[before, after]``.
    """
    value: Any = call.args.get(name, _DEFAULT_AMOUNT[call.type])
    if n == 1:
        before, after = tuple_arg(call, name, value, 2, allow_zero=True)
        return ((before, after),)
    if is_int(value) and value >= 0:
        return ((value, value),) * n
    if isinstance(value, list | tuple) and len(value) == n:
        pairs = []
        for entry in value:
            if is_int(entry) and entry >= 0:
                pairs.append((entry, entry))
            elif (
                isinstance(entry, list | tuple)
                and len(entry) == 2
                and all(is_int(v) and v >= 0 for v in entry)
            ):
                pairs.append((entry[0], entry[1]))
            else:
                break
        else:
            return tuple(pairs)
    raise ShapeFault(
        f"{call.type} argument '{name}' must be a non-negative integer or a list of {n} "
        f"integers or [before, after] pairs; got {value!r}",
        arg=name,
    )


_NO_DATA_FORMAT = frozenset({"Cropping1D", "UpSampling1D"})


def _spatial_axes(call: LayerCall, shape: Shape, n: int) -> int:
    """Check the rank; return the index of the first spatial axis."""
    fmt = "channels_last" if call.type in _NO_DATA_FORMAT else data_format_arg(call)
    if len(shape) != n + 2:
        other = len(shape) - 2
        raise ShapeFault(
            f"{call.type} expects a rank-{n + 2} input {layout(n, fmt)}; got {format_shape(shape)}",
            hint=f"use {call.type.replace(f'{n}D', f'{other}D')}"
            if 1 <= other <= 3
            else "add a Reshape before this layer",
        )
    return 1 if fmt == "channels_last" else 2


@shape_rule("ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D")
def zero_padding_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``ZeroPaddingND(padding)``: grow each spatial axis by ``before + after``."""
    n = _SPATIAL[call.type]
    shape = single_input(call, inputs)
    pairs = _pairs(call, "padding", n)
    first = _spatial_axes(call, shape, n)
    out = list(shape)
    for i, (before, after) in enumerate(pairs):
        size = out[first + i]
        out[first + i] = None if size is None else size + before + after
    return result(tuple(out))


@shape_rule("Cropping1D", "Cropping2D", "Cropping3D")
def cropping_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``CroppingND(cropping)``: shrink each spatial axis, which must stay at least 1."""
    n = _SPATIAL[call.type]
    shape = single_input(call, inputs)
    pairs = _pairs(call, "cropping", n)
    first = _spatial_axes(call, shape, n)
    out = list(shape)
    for i, (before, after) in enumerate(pairs):
        size = out[first + i]
        if size is None:
            continue
        if before + after >= size:
            raise ShapeFault(
                f"{call.type} cropping ({before}, {after}) removes all of dimension {first + i} "
                f"(size {size}) of input {format_shape(shape)}",
                hint="crop less than the dimension's size",
                arg="cropping",
            )
        out[first + i] = size - before - after
    return result(tuple(out))


@shape_rule("UpSampling1D", "UpSampling2D", "UpSampling3D")
def upsampling_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``UpSamplingND(size)``: multiply each spatial axis by its factor."""
    n = _SPATIAL[call.type]
    shape = single_input(call, inputs)
    if n == 1:
        factors: tuple[int, ...] = (int_arg(call, "size", 2),)
    else:
        factors = tuple_arg(call, "size", 2, n)
    first = _spatial_axes(call, shape, n)
    out = list(shape)
    for i, factor in enumerate(factors):
        size = out[first + i]
        out[first + i] = None if size is None else size * factor
    return result(tuple(out))


# -- FLOPs ------------------------------------------------------------------------------------

free(
    "Flatten",
    "Reshape",
    "Permute",
    "RepeatVector",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
)


@flop_rule("UpSampling1D", "UpSampling2D", "UpSampling3D")
def upsampling_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """Nearest copies values (0); the other interpolations resize (2D only)."""
    if arg(call, "interpolation", "nearest") == "nearest" or call.type != "UpSampling2D":
        return Flops()
    return resize_flops(inputs[0], outputs[0], data_format_arg(call))
