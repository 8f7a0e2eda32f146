"""Cases for layers that rearrange values: flatten, reshape, permute, pad, crop, upsample."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, maybe_dim


@cases("Reshape")
@st.composite
def reshape(draw: st.DrawFn, name: str) -> Case:
    shape = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=3)))
    # Keras accepts 0 in target_shape when the input size is unknown; graphspec never allows
    # empty dimensions, so only positive sizes and -1 are drawn.
    target = draw(st.lists(st.integers(1, 6), min_size=1, max_size=3))
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return Case(LayerCall(name, {"target_shape": target}), [shape])


@cases("Flatten")
@st.composite
def flatten(draw: st.DrawFn, name: str) -> Case:
    # Known sizes only: with unknown sizes graphspec deliberately faults (test_reshaping.py).
    shape = (None, *draw(st.lists(st.integers(1, 6), max_size=3)))
    return Case(LayerCall(name, {}), [shape])


@cases("Permute")
@st.composite
def permute(draw: st.DrawFn, name: str) -> Case:
    shape = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=3)))
    dims = draw(st.permutations(range(1, len(shape))))
    return Case(LayerCall(name, {"dims": list(dims)}), [shape])


@cases("RepeatVector")
@st.composite
def repeat_vector(draw: st.DrawFn, name: str) -> Case:
    shape = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=3)))
    return Case(LayerCall(name, {"n": draw(st.integers(1, 4))}), [shape])


def _amount(draw: st.DrawFn, n: int) -> Any:
    """A padding/cropping amount in one of the forms Keras accepts."""
    pair = st.lists(st.integers(0, 3), min_size=2, max_size=2)
    if n == 1:
        return draw(st.one_of(st.integers(0, 3), pair))
    entry = st.one_of(st.integers(0, 3), pair)
    return draw(st.one_of(st.integers(0, 3), st.lists(entry, min_size=n, max_size=n)))


@cases(*(f"{kind}{n}D" for kind in ("ZeroPadding", "Cropping", "UpSampling") for n in (1, 2, 3)))
@st.composite
def spatial(draw: st.DrawFn, name: str) -> Case:
    n = int(name[-2])
    kind = name[:-2]
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
    rank = n + 2 if draw(st.integers(0, 9)) else draw(st.sampled_from([n + 1, n + 3]))
    shape = (None, *draw(st.lists(maybe_dim, min_size=rank - 1, max_size=rank - 1)))
    return Case(LayerCall(name, args), [shape])
