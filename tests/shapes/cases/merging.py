"""Cases for merging layers: element-wise, concatenate, dot."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases

maybe_dim = st.one_of(st.integers(1, 4), st.none())


@cases("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
@st.composite
def elementwise(draw: st.DrawFn, name: str) -> Case:
    count = 2 if name == "Subtract" else draw(st.integers(1, 4))
    base = draw(st.lists(maybe_dim, min_size=1, max_size=3))
    inputs = []
    for _ in range(count):
        dims = [draw(st.sampled_from([d, 1, None, 3])) if draw(st.booleans()) else d for d in base]
        dims = dims[draw(st.integers(0, len(dims) - 1)) :] if draw(st.booleans()) else dims
        inputs.append((None, *dims))
    return Case(LayerCall(name), inputs)


@cases("Concatenate")
@st.composite
def concatenate(draw: st.DrawFn, name: str) -> Case:
    rank = draw(st.integers(2, 4))
    # Axis 0 (batch) is excluded: Keras concatenates batches but graphspec shapes keep the
    # batch dimension unknown; and ranks always agree (Keras' rank check is exercised apart).
    axis = draw(st.sampled_from([a for a in range(-rank + 1, rank) if a != 0]))
    base = draw(st.lists(maybe_dim, min_size=rank - 1, max_size=rank - 1))
    inputs = []
    for _ in range(draw(st.integers(1, 3))):
        dims = [draw(maybe_dim) if draw(st.integers(0, 3)) == 0 else d for d in base]
        inputs.append((None, *dims))
    return Case(LayerCall(name, {"axis": axis}), inputs)


@cases("Dot")
@st.composite
def dot(draw: st.DrawFn, name: str) -> Case:
    a = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=2)))
    b = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=2)))
    # Only non-batch axes are drawn: Keras lets axes=0 through its shape computation and then
    # produces shapes that do not describe a batch; graphspec rejects axis 0.
    ax = draw(st.integers(1, len(a) - 1))
    bx = draw(st.integers(1, len(b) - 1))
    if draw(st.booleans()):
        axes: Any = [ax - len(a) if draw(st.booleans()) else ax, bx]
    elif len(a) == len(b):
        axes = draw(st.sampled_from([ax, -1]))
    else:
        axes = -1
    args: dict[str, Any] = {"axes": axes}
    if draw(st.booleans()):
        args["normalize"] = draw(st.booleans())
    return Case(LayerCall(name, args), [a, b])
