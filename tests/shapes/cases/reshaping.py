"""Cases for layers that rearrange values: flatten, reshape, permute, pad, crop, upsample."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, fault, maybe_dim

dims = st.integers(1, 6)


@cases("Reshape")
@st.composite
def reshape(draw: st.DrawFn, name: str) -> Case:
    shape = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=3)))
    broken = fault(draw, "count")
    # Keras accepts 0 in target_shape when the input size is unknown; graphspec never allows
    # empty dimensions, so only positive sizes and -1 are drawn. With known sizes the target
    # regroups the input's sizes (same element count).
    if None in shape[1:]:
        target = draw(st.lists(dims, min_size=1, max_size=3))
    else:
        sizes = list(draw(st.permutations(shape[1:])))
        cut = draw(st.integers(1, len(sizes)))
        target = [math.prod(sizes[:cut]), *sizes[cut:]]
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    if broken is not None:  # one element too many
        shape = (None, *(d or 2 for d in shape[1:]))
        target = [math.prod(shape[1:]) + 1]
    return Case(LayerCall(name, {"target_shape": target}), [shape])


@cases("Flatten")
@st.composite
def flatten(draw: st.DrawFn, name: str) -> Case:
    # Known sizes only: with unknown sizes graphspec deliberately faults (test_reshaping.py).
    shape = (None, *draw(st.lists(dims, max_size=3)))
    args = {"data_format": "channels_middle"} if fault(draw, "data_format") else {}
    return Case(LayerCall(name, args), [shape])


@cases("Permute")
@st.composite
def permute(draw: st.DrawFn, name: str) -> Case:
    shape = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=3)))
    dims_ = list(draw(st.permutations(range(1, len(shape)))))
    if fault(draw, "dims"):  # not a permutation of 1..n
        dims_ = [d + 1 for d in dims_]
    return Case(LayerCall(name, {"dims": dims_}), [shape])


@cases("RepeatVector")
@st.composite
def repeat_vector(draw: st.DrawFn, name: str) -> Case:
    broken = fault(draw, "rank", "n")
    shape = (None, draw(maybe_dim))
    if broken == "rank":
        shape = (*shape, draw(maybe_dim))
    return Case(LayerCall(name, {"n": 0 if broken == "n" else draw(st.integers(1, 4))}), [shape])


def _amount(draw: st.DrawFn, n: int) -> Any:
    """A padding/cropping amount in one of the forms Keras accepts."""
    pair = st.lists(st.integers(0, 3), min_size=2, max_size=2)
    if n == 1:
        return draw(st.one_of(st.integers(0, 3), pair))
    entry = st.one_of(st.integers(0, 3), pair)
    return draw(st.one_of(st.integers(0, 3), st.lists(entry, min_size=n, max_size=n)))


def _removed(amount: Any, n: int) -> list[int]:
    """How much an amount (int, pair, or per-axis ints/pairs) takes from each of ``n`` axes."""
    if isinstance(amount, int):
        return [2 * amount] * n
    if n == 1:
        return [sum(amount)]
    return [2 * a if isinstance(a, int) else sum(a) for a in amount]


_CROP_DEFAULT = {1: 1, 2: 0, 3: 1}


@cases(*(f"{kind}{n}D" for kind in ("ZeroPadding", "Cropping", "UpSampling") for n in (1, 2, 3)))
@st.composite
def spatial(draw: st.DrawFn, name: str) -> Case:
    n = int(name[-2])
    kind = name[:-2]
    # Keras pads by a negative int in 2D and 3D (it crops); graphspec refuses it, so a negative
    # padding is drawn for ZeroPadding1D only, which Keras refuses too.
    broken = fault(draw, "rank", *(["amount"] if kind != "ZeroPadding" or n == 1 else []))
    args: dict[str, Any] = {}
    if kind == "UpSampling":
        if draw(st.booleans()):
            args["size"] = (
                draw(st.integers(1, 3))
                if n == 1 or draw(st.booleans())
                else draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
            )
    elif draw(st.booleans()):
        args["padding" if kind == "ZeroPadding" else "cropping"] = _amount(draw, n)
    has_format = not (n == 1 and kind in ("Cropping", "UpSampling"))
    if has_format and draw(st.booleans()):
        args["data_format"] = draw(st.sampled_from(["channels_last", "channels_first"]))
    # Cropping leaves at least one row on every axis: each size exceeds what is cropped.
    removed = _removed(args.get("cropping", _CROP_DEFAULT[n]), n) if kind == "Cropping" else []
    spatial_dims = [
        None if draw(st.integers(0, 3)) == 0 else (removed[i] if removed else 0) + draw(dims)
        for i in range(n)
    ]
    if broken == "amount":  # known sizes: Keras computes an unknown size times 0 as unknown
        spatial_dims = [d or 2 for d in spatial_dims]
        if kind == "Cropping":  # crop a whole axis away
            args["cropping"], spatial_dims[0] = 1, 2
        elif kind == "UpSampling":
            args["size"] = 0
        else:
            args["padding"] = -1
    channels = draw(maybe_dim)
    first = args.get("data_format") == "channels_first"
    shape = (None, channels, *spatial_dims) if first else (None, *spatial_dims, channels)
    if broken == "rank":
        shape = shape[:-1] if draw(st.booleans()) else (*shape, draw(maybe_dim))
    return Case(LayerCall(name, args), [shape])
