"""Cases for pooling: windowed, global and adaptive, max and average, 1D to 3D."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases


def _input_shape(draw: st.DrawFn, n: int) -> tuple[int | None, ...]:
    """Mostly the right rank for an ``n``-D pooling (batch, n spatial dims, channels), sometimes
    one less or one more; dimensions 1-9 or unknown."""
    rank = n + 2 if draw(st.integers(0, 9)) else draw(st.sampled_from([n + 1, n + 3]))
    dims = st.lists(st.one_of(st.integers(1, 9), st.none()), min_size=rank - 1, max_size=rank - 1)
    return (None, *draw(dims))


def _format(draw: st.DrawFn, args: dict[str, Any]) -> None:
    if draw(st.booleans()):
        args["data_format"] = draw(st.sampled_from(["channels_last", "channels_first"]))


@cases(*(f"{kind}Pooling{n}D" for kind in ("Max", "Average") for n in (1, 2, 3)))
@st.composite
def pooling(draw: st.DrawFn, name: str) -> Case:
    n = int(name[-2])
    args: dict[str, Any] = {}
    for arg, high in (("pool_size", 4), ("strides", 3)):
        if draw(st.booleans()):
            args[arg] = (
                draw(st.integers(1, high))
                if draw(st.booleans())
                else draw(st.lists(st.integers(1, high), min_size=n, max_size=n))
            )
    # Lowercase only: Keras pooling rejects 'SAME' where graphspec accepts it.
    args["padding"] = draw(st.sampled_from(["valid", "same"]))
    _format(draw, args)
    return Case(LayerCall(name, args), [_input_shape(draw, n)])


@cases(*(f"Global{kind}Pooling{n}D" for kind in ("Max", "Average") for n in (1, 2, 3)))
@st.composite
def global_pooling(draw: st.DrawFn, name: str) -> Case:
    n = int(name[-2])
    args: dict[str, Any] = {}
    if draw(st.booleans()):
        args["keepdims"] = draw(st.booleans())
    _format(draw, args)
    return Case(LayerCall(name, args), [_input_shape(draw, n)])


@cases(*(f"Adaptive{kind}Pooling{n}D" for kind in ("Max", "Average") for n in (1, 2, 3)))
@st.composite
def adaptive_pooling(draw: st.DrawFn, name: str) -> Case:
    n = int(name[-2])
    size = (
        draw(st.integers(1, 4))
        if draw(st.booleans())
        else draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    )
    args: dict[str, Any] = {"output_size": size}
    _format(draw, args)
    return Case(LayerCall(name, args), [_input_shape(draw, n)])
