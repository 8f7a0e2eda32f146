"""Cases for merging layers: element-wise, concatenate, dot."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, fault

maybe_dim = st.one_of(st.integers(1, 4), st.none())


@cases("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
@st.composite
def elementwise(draw: st.DrawFn, name: str) -> Case:
    # Inputs broadcast by construction: each size is the common one, 1 or unknown, and an input
    # may lack leading axes (shapes align on the right).
    base = draw(st.lists(maybe_dim, min_size=1, max_size=3))
    broken = fault(draw, "count", "mismatch")
    count = 2 if name == "Subtract" else draw(st.integers(2, 4))
    inputs = []
    for _ in range(count):
        dims = [draw(st.sampled_from([d, 1, None])) if draw(st.booleans()) else d for d in base]
        dims = dims[draw(st.integers(0, len(dims) - 1)) :] if draw(st.booleans()) else dims
        inputs.append((None, *dims))
    if broken == "count":  # one input (Subtract: three)
        inputs = inputs[:1] if name != "Subtract" else [*inputs, inputs[0]]
    elif broken == "mismatch":  # sizes 2 and 3 on the last axis never broadcast
        inputs[0], inputs[-1] = (*inputs[0][:-1], 2), (*inputs[-1][:-1], 3)
    return Case(LayerCall(name), inputs)


@cases("Concatenate")
@st.composite
def concatenate(draw: st.DrawFn, name: str) -> Case:
    rank = draw(st.integers(2, 4))
    broken = fault(draw, "count", "mismatch", "rank")
    # Axis 0 (batch) is excluded: Keras concatenates batches but graphspec shapes keep the
    # batch dimension unknown. Other axes agree (or are unknown) by construction.
    axis = draw(st.sampled_from([a for a in range(-rank + 1, rank) if a != 0]))
    base = draw(st.lists(maybe_dim, min_size=rank - 1, max_size=rank - 1))
    inputs = []
    for _ in range(draw(st.integers(2, 3))):
        dims = [draw(maybe_dim) if i == axis % rank - 1 else d for i, d in enumerate(base)]
        if draw(st.integers(0, 3)) == 0:  # an unknown size matches any
            dims[draw(st.integers(0, rank - 2))] = None
        inputs.append((None, *dims))
    if broken == "count":
        inputs = inputs[:1]
    elif broken == "rank":
        inputs[-1] = (*inputs[-1], 2)
    elif broken == "mismatch" and rank > 2:  # another axis of sizes 2 and 3
        other = (axis % rank) % (rank - 1) + 1
        for index, size in ((0, 2), (-1, 3)):
            dims = list(inputs[index])
            dims[other] = size
            inputs[index] = tuple(dims)
    elif broken == "mismatch":
        inputs = inputs[:1]
    return Case(LayerCall(name, {"axis": axis}), inputs)


@cases("Dot")
@st.composite
def dot(draw: st.DrawFn, name: str) -> Case:
    a = [None, *draw(st.lists(maybe_dim, min_size=1, max_size=2))]
    b = [None, *draw(st.lists(maybe_dim, min_size=1, max_size=2))]
    broken = fault(draw, "mismatch", "count")
    # Only non-batch axes are drawn: Keras lets axes=0 through its shape computation and then
    # produces shapes that do not describe a batch; graphspec rejects axis 0.
    ax = draw(st.integers(1, len(a) - 1))
    bx = draw(st.integers(1, len(b) - 1))
    if draw(st.booleans()):
        axes: Any = [ax - len(a) if draw(st.booleans()) else ax, bx]
    elif len(a) == len(b):
        axes = draw(st.sampled_from([ax, -1]))
        ax = bx = ax if axes == ax else len(a) - 1
    else:
        axes = -1
        ax, bx = len(a) - 1, len(b) - 1
    b[bx] = a[ax]  # the contracted sizes agree
    if broken == "mismatch":
        a[ax], b[bx] = 2, 3
    args: dict[str, Any] = {"axes": axes}
    if draw(st.booleans()):
        args["normalize"] = draw(st.booleans())
    inputs = [tuple(a), tuple(b)]
    if broken == "count":
        inputs.append(tuple(b))
    return Case(LayerCall(name, args), inputs)
