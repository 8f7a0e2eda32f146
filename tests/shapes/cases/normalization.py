"""Cases for normalization layers."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, fault

maybe_dim = st.one_of(st.integers(1, 8), st.none())
_MULTI_AXIS = ("LayerNormalization", "UnitNormalization", "RMSNormalization")
# Layers with weights over the normalized axes: those axes need known sizes.
_WEIGHTED = ("BatchNormalization", "LayerNormalization", "GroupNormalization", "RMSNormalization")


@cases(
    "BatchNormalization",
    "LayerNormalization",
    "GroupNormalization",
    "UnitNormalization",
    "RMSNormalization",
)
@st.composite
def normalization(draw: st.DrawFn, name: str) -> Case:
    shape = [None, *draw(st.lists(maybe_dim, min_size=1, max_size=3))]
    rank = len(shape)
    broken = fault(draw, "axis", *(["unknown"] if name in _WEIGHTED else []))
    args: dict[str, Any] = {}
    axes = [rank - 1]
    if draw(st.booleans()):
        if name in _MULTI_AXIS and draw(st.booleans()):
            # Keras would build a weight with a repeated axis; only distinct axes are drawn.
            axes = draw(st.lists(st.integers(1, rank - 1), min_size=1, unique=True))
            args["axis"] = [a - rank if draw(st.booleans()) else a for a in axes]
        else:
            axes = [draw(st.integers(1, rank - 1))]
            args["axis"] = axes[0] - rank if draw(st.booleans()) else axes[0]
    for flag in ("center", "scale"):
        if name not in ("UnitNormalization", "RMSNormalization") and draw(st.booleans()):
            args[flag] = draw(st.booleans())
    if name == "BatchNormalization" and draw(st.booleans()):
        args["renorm"] = draw(st.booleans())
    if name == "LayerNormalization" and draw(st.booleans()):
        args["rms_scaling"] = draw(st.booleans())
    groups = draw(st.sampled_from([-1, 1, 2, 3, 4]))
    for axis in axes:  # the normalized axes have known sizes (multiples of the groups)
        shape[axis] = max(groups, 1) * draw(st.integers(1, 3))
    if name == "GroupNormalization":
        args["groups"] = groups
    if broken == "axis":
        args["axis"] = draw(st.sampled_from([rank, -rank - 1]))
    elif broken == "unknown":
        shape[axes[0]] = None
        if name == "LayerNormalization":  # weights (and so known sizes) needed
            args["scale"] = True
    return Case(LayerCall(name, args), [tuple(shape)])


@cases("Normalization")
@st.composite
def feature_normalization(draw: st.DrawFn, name: str) -> Case:
    shape = [None, *draw(st.lists(maybe_dim, min_size=1, max_size=3))]
    rank = len(shape)
    broken = fault(draw, "unknown", "mean")
    args: dict[str, Any] = {}
    choice = draw(st.integers(0, 3))
    kept = rank - 1
    if choice == 1:
        args["axis"] = None
    elif choice == 2:
        kept = draw(st.integers(1, rank - 1))
        args["axis"] = kept
    shape[kept] = draw(st.integers(1, 4))  # the kept axis has a known size
    if choice == 3:  # statistics given: one value, or one per feature of the last axis
        size = draw(st.sampled_from([1, shape[kept]]))
        args["mean"], args["variance"] = [0.5] * size, [2.0] * size
    if broken == "mean":  # one value too many for the last axis
        shape[-1] = shape[-1] or 2
        args = {"mean": [0.5] * (shape[-1] + 1), "variance": [2.0] * (shape[-1] + 1)}
    elif broken == "unknown":
        args, shape[kept] = {"axis": kept}, None
    return Case(LayerCall(name, args), [tuple(shape)])
