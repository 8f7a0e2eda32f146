"""Cases for the layers Keras defines for its applications."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, fault, maybe_dim, shape_of_rank


@cases("LayerScale")
@st.composite
def layer_scale(draw: st.DrawFn, name: str) -> Case:
    dim = draw(st.integers(1, 6))
    broken = fault(draw, "projection_dim")
    shape = shape_of_rank(draw, draw(st.integers(2, 4)))
    # The features the weights broadcast over: dim, 1 or unknown.
    shape = (*shape[:-1], draw(st.sampled_from([dim, dim, 1, None])))
    if broken is not None:  # 3 features against a projection_dim of 2
        dim, shape = 2, (*shape[:-1], 3)
    args: dict[str, Any] = {"init_values": draw(st.floats(0, 1)), "projection_dim": dim}
    return Case(LayerCall(name, args), [shape])


@cases("CustomScaleLayer")
@st.composite
def custom_scale(draw: st.DrawFn, name: str) -> Case:
    base = shape_of_rank(draw, draw(st.integers(2, 4)))
    broken = fault(draw, "mismatch")
    other = [draw(st.sampled_from([d, d, 1, None])) for d in base[1:]]
    if broken is not None:  # sizes 2 and 3 on the last axis never broadcast
        base, other = (*base[:-1], 2), [*other[:-1], 3]
    return Case(LayerCall(name, {"scale": draw(st.floats(0, 1))}), [base, (None, *other)])


@cases("StochasticDepth")
@st.composite
def stochastic_depth(draw: st.DrawFn, name: str) -> Case:
    # No draw is invalid: Keras builds any drop_path_rate (the rule refuses one above 1).
    shape = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=3)))
    return Case(LayerCall(name, {"drop_path_rate": draw(st.floats(0, 1))}), [shape])
