"""Cases for normalization layers."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases

maybe_dim = st.one_of(st.integers(1, 8), st.none())
_MULTI_AXIS = ("LayerNormalization", "UnitNormalization", "RMSNormalization")


@cases(
    "BatchNormalization",
    "LayerNormalization",
    "GroupNormalization",
    "UnitNormalization",
    "RMSNormalization",
)
@st.composite
def normalization(draw: st.DrawFn, name: str) -> Case:
    shape = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=3)))
    rank = len(shape)
    args: dict[str, Any] = {}
    if draw(st.booleans()):
        if name in _MULTI_AXIS and draw(st.booleans()):
            # Keras would build a weight with a repeated axis; only distinct axes are drawn.
            picked = draw(st.lists(st.integers(1, rank - 1), min_size=1, unique=True))
            args["axis"] = [a - rank if draw(st.booleans()) else a for a in picked]
        else:
            args["axis"] = draw(st.integers(-rank - 1, rank))
    for flag in ("center", "scale"):
        if name not in ("UnitNormalization", "RMSNormalization") and draw(st.booleans()):
            args[flag] = draw(st.booleans())
    if name == "BatchNormalization" and draw(st.booleans()):
        args["renorm"] = draw(st.booleans())
    if name == "LayerNormalization" and draw(st.booleans()):
        args["rms_scaling"] = draw(st.booleans())
    if name == "GroupNormalization":
        args["groups"] = draw(st.sampled_from([-1, 1, 2, 3, 4, 8]))
    return Case(LayerCall(name, args), [shape])


@cases("Normalization")
@st.composite
def feature_normalization(draw: st.DrawFn, name: str) -> Case:
    shape = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=3)))
    rank = len(shape)
    args: dict[str, Any] = {}
    choice = draw(st.integers(0, 3))
    if choice == 1:
        args["axis"] = None
    elif choice == 2:
        args["axis"] = draw(st.integers(1, rank - 1))
    elif choice == 3:
        size = draw(st.integers(1, 4))
        args["mean"] = [0.5] * size
        args["variance"] = [2.0] * size
    return Case(LayerCall(name, args), [shape])
