"""Cases for the layers Keras defines for its applications."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, maybe_dim, shape_of_rank


@cases("LayerScale")
@st.composite
def layer_scale(draw: st.DrawFn, name: str) -> Case:
    dim = draw(st.integers(1, 6))
    shape = shape_of_rank(draw, draw(st.integers(2, 4)))
    if draw(st.booleans()):
        shape = (*shape[:-1], draw(st.sampled_from([dim, dim, 1])))
    args: dict[str, Any] = {"init_values": draw(st.floats(0, 1)), "projection_dim": dim}
    return Case(LayerCall(name, args), [shape])


@cases("CustomScaleLayer")
@st.composite
def custom_scale(draw: st.DrawFn, name: str) -> Case:
    base = shape_of_rank(draw, draw(st.integers(2, 4)))
    other = tuple(draw(st.sampled_from([d, d, 1, None, 3])) for d in base[1:])
    return Case(LayerCall(name, {"scale": draw(st.floats(0, 1))}), [base, (None, *other)])


@cases("StochasticDepth")
@st.composite
def stochastic_depth(draw: st.DrawFn, name: str) -> Case:
    shape = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=3)))
    return Case(LayerCall(name, {"drop_path_rate": draw(st.floats(0, 1))}), [shape])
