"""Cases for pooling: windowed, global and adaptive, max and average, 1D to 3D."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, fault
from .conv import per_axis

_dim = st.one_of(st.integers(1, 9), st.none())


def _format(draw: st.DrawFn, args: dict[str, Any]) -> bool:
    """Maybe draw a data_format; True for channels_first."""
    if draw(st.booleans()):
        args["data_format"] = draw(st.sampled_from(["channels_last", "channels_first"]))
    return args.get("data_format") == "channels_first"


def _input(draw: st.DrawFn, n: int, spatial: list[Any], broken: str | None) -> tuple[Any, ...]:
    """``(batch, *spatial, channels)`` (channels first or last, the same ``n + 2`` rank), or
    one axis less or more when ``broken == "rank"``."""
    dims = [*spatial, draw(_dim)]
    if broken == "rank":
        dims = dims[:-1] if draw(st.booleans()) else [*dims, draw(_dim)]
    return (None, *dims)


@cases(*(f"{kind}Pooling{n}D" for kind in ("Max", "Average") for n in (1, 2, 3)))
@st.composite
def pooling(draw: st.DrawFn, name: str) -> Case:
    n = int(name[-2])
    broken = fault(draw, "rank", "small", "pool_size")
    args: dict[str, Any] = {}
    # AveragePooling has no default window; MaxPooling's is 2.
    if name.startswith("Average") or draw(st.booleans()):
        args["pool_size"] = (
            draw(st.integers(1, 4))
            if draw(st.booleans())
            else draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
        )
    if draw(st.booleans()):
        args["strides"] = (
            draw(st.integers(1, 3))
            if draw(st.booleans())
            else draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
        )
    # Lowercase only: Keras pooling rejects 'SAME' where graphspec accepts it.
    args["padding"] = draw(st.sampled_from(["valid", "same"]))
    cf = _format(draw, args)
    pool = per_axis(args.get("pool_size", 2), n)
    if broken == "small":
        args["padding"], pool = "valid", tuple(max(p, 2) for p in pool)
        args["pool_size"] = list(pool)
    least = pool if args["padding"] == "valid" else (1,) * n
    spatial: list[Any] = [
        None if draw(st.integers(0, 3)) == 0 else draw(st.integers(low, low + 5)) for low in least
    ]
    if broken == "small":
        axis = draw(st.integers(0, n - 1))
        spatial[axis] = pool[axis] - 1
    elif broken == "pool_size":
        args["pool_size"] = 0
    shape = _input(draw, n, spatial, broken)
    if cf:
        shape = (None, shape[-1], *shape[1:-1])
    return Case(LayerCall(name, args), [shape])


@cases(*(f"Global{kind}Pooling{n}D" for kind in ("Max", "Average") for n in (1, 2, 3)))
@st.composite
def global_pooling(draw: st.DrawFn, name: str) -> Case:
    n = int(name[-2])
    broken = fault(draw, "rank")
    args: dict[str, Any] = {}
    if draw(st.booleans()):
        args["keepdims"] = draw(st.booleans())
    _format(draw, args)
    spatial = [draw(_dim) for _ in range(n)]
    return Case(LayerCall(name, args), [_input(draw, n, spatial, broken)])


@cases(*(f"Adaptive{kind}Pooling{n}D" for kind in ("Max", "Average") for n in (1, 2, 3)))
@st.composite
def adaptive_pooling(draw: st.DrawFn, name: str) -> Case:
    # A wrong rank is a deliberate refusal (stricter.py): Keras builds it, the rule refuses.
    n = int(name[-2])
    broken = fault(draw, "rank", "output_size")
    size = (
        draw(st.integers(1, 4))
        if draw(st.booleans())
        else draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    )
    args: dict[str, Any] = {"output_size": size if broken != "output_size" else 0}
    _format(draw, args)
    spatial = [draw(_dim) for _ in range(n)]
    return Case(LayerCall(name, args), [_input(draw, n, spatial, broken)])
