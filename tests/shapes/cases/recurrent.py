"""Cases for recurrent layers, cells (run by RNN) and wrappers (Bidirectional, TimeDistributed,
SpectralNormalization), whose rules delegate to the wrapped layer's."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, fault, maybe_dim, shape_of_rank

RNNS = ["SimpleRNN", "LSTM", "GRU"]
CELLS = ["SimpleRNNCell", "LSTMCell", "GRUCell"]
features = st.integers(1, 6)


def _flags(draw: st.DrawFn, args: dict[str, Any], names: tuple[str, ...]) -> None:
    for flag in names:
        if draw(st.booleans()):
            args[flag] = draw(st.booleans())


def _rnn_args(draw: st.DrawFn, kind: str, *, backwards: bool = True) -> dict[str, Any]:
    args: dict[str, Any] = {"units": draw(st.integers(1, 6))}
    _flags(draw, args, ("return_sequences", "return_state", "use_bias"))
    if backwards:
        _flags(draw, args, ("go_backwards",))
    if kind in ("GRU", "GRUCell") and draw(st.booleans()):
        args["reset_after"] = draw(st.booleans())
    return args


def _cell(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    args: dict[str, Any] = {"type": kind, "units": draw(st.integers(1, 5))}
    _flags(draw, args, ("use_bias",))
    if kind == "GRUCell" and draw(st.booleans()):
        args["reset_after"] = draw(st.booleans())
    return args


def _sequence(draw: st.DrawFn, broken: str | None) -> tuple[Any, ...]:
    """``(batch, time, features)`` with known features; ``rank`` and ``features`` break it.

    A wrong rank is always 2: Keras builds an RNN on a rank-4 input (it fails when run),
    graphspec rejects it at once.
    """
    if broken == "rank":
        return (None, draw(maybe_dim))
    return (None, draw(maybe_dim), None if broken == "features" else draw(features))


@cases(*RNNS)
@st.composite
def rnn(draw: st.DrawFn, name: str) -> Case:
    broken = fault(draw, "rank", "features", "units")
    args = _rnn_args(draw, name)
    if broken == "units":
        args["units"] = 0
    return Case(LayerCall(name, args), [_sequence(draw, broken)])


def _rnn_of(draw: st.DrawFn, cell: dict[str, Any], broken: str | None) -> Case:
    args: dict[str, Any] = {"cell": cell}
    _flags(draw, args, ("return_sequences", "return_state", "go_backwards", "unroll"))
    if broken == "units":
        inner = cell["cells"][0] if "cells" in cell else cell
        inner["units"] = 0
    return Case(LayerCall("RNN", args), [_sequence(draw, broken)])


_RNN_FAULTS = ("rank", "features", "units")


@cases(*CELLS)
@st.composite
def cell(draw: st.DrawFn, name: str) -> Case:
    """A cell is never a node: it is checked inside the RNN that runs it."""
    broken = fault(draw, *_RNN_FAULTS)
    return _rnn_of(draw, _cell(draw, name), broken)


@cases("StackedRNNCells")
@st.composite
def stacked(draw: st.DrawFn, name: str) -> Case:
    broken = fault(draw, *_RNN_FAULTS)
    kinds = draw(st.lists(st.sampled_from(CELLS), min_size=1, max_size=3))
    return _rnn_of(draw, {"type": name, "cells": [_cell(draw, k) for k in kinds]}, broken)


@cases("RNN")
@st.composite
def generic_rnn(draw: st.DrawFn, name: str) -> Case:
    broken = fault(draw, *_RNN_FAULTS)
    if draw(st.integers(0, 3)) == 0:
        kinds = draw(st.lists(st.sampled_from(CELLS), min_size=1, max_size=2))
        cells = [_cell(draw, k) for k in kinds]
        return _rnn_of(draw, {"type": "StackedRNNCells", "cells": cells}, broken)
    return _rnn_of(draw, _cell(draw, draw(st.sampled_from(CELLS))), broken)


@cases("Bidirectional")
@st.composite
def bidirectional(draw: st.DrawFn, name: str) -> Case:
    kind = draw(st.sampled_from([*RNNS, "RNN", "ConvLSTM1D"]))
    broken = fault(draw, "rank", "features", "go_backwards", "merge_mode")
    shape = _sequence(draw, broken)
    if kind == "RNN":
        inner = {"type": kind, "cell": _cell(draw, draw(st.sampled_from(CELLS)))}
        _flags(draw, inner, ("return_sequences", "return_state"))
    elif kind == "ConvLSTM1D":
        inner = {"type": kind, "filters": draw(st.integers(1, 3)), "kernel_size": 2}
        _flags(draw, inner, ("return_sequences", "return_state"))
        steps = None if broken == "features" else draw(st.integers(2, 5))
        shape = (None, draw(st.integers(1, 3)), steps, draw(st.integers(1, 3)))
        if broken == "rank":
            shape = shape[:-1]
    else:
        # Bidirectional runs a backward copy itself: go_backwards is refused (a fault below).
        inner = {"type": kind, **_rnn_args(draw, kind, backwards=False)}
    args: dict[str, Any] = {"layer": inner}
    if draw(st.booleans()):
        args["merge_mode"] = draw(st.sampled_from(["concat", "sum", "mul", "ave", None]))
    if broken == "go_backwards":
        inner["go_backwards"] = True
    elif broken == "merge_mode":
        args["merge_mode"] = "max"
    return Case(LayerCall(name, args), [shape])


def _inner_layer(draw: st.DrawFn, rank: int) -> dict[str, Any]:
    """A layer to wrap, with arguments fitting a per-step input of ``rank`` (sizes >= 3)."""
    options: list[dict[str, Any]] = [
        {"type": "Dense", "units": draw(st.integers(1, 4))},
        {"type": "Dropout", "rate": 0.5},
        {"type": "Flatten"},
        {"type": "BatchNormalization"},
    ]
    if rank == 4:
        options.append({"type": "Conv2D", "filters": 2, "kernel_size": draw(st.integers(1, 3))})
        options.append({"type": "MaxPool2D"})
    if rank == 3:
        options.append({"type": "LSTM", "units": 2})
        options.append({"type": "Conv1D", "filters": 2, "kernel_size": 2})
    if rank == 2:
        options.append({"type": "Embedding", "input_dim": 9, "output_dim": 3})
    return draw(st.sampled_from(options))


@cases("TimeDistributed")
@st.composite
def time_distributed(draw: st.DrawFn, name: str) -> Case:
    rank = draw(st.integers(3, 5))
    broken = fault(draw, "rank", "states", "inner")
    shape = (
        None,
        draw(st.one_of(st.integers(1, 5), st.none())),
        *draw(st.lists(st.integers(3, 5), min_size=rank - 2, max_size=rank - 2)),
    )
    inner = _inner_layer(draw, rank - 1)
    if broken == "rank":  # no time axis
        shape = (None, shape[1])
    elif broken == "states":  # a wrapped layer with more than one output
        inner = {"type": "LSTM", "units": 2, "return_state": True}
        shape = (None, shape[1], 3, 2)
    elif broken == "inner":
        inner = {"type": "Dense", "units": 0}
    return Case(LayerCall(name, {"layer": inner}), [shape])


@cases("SpectralNormalization")
@st.composite
def spectral_normalization(draw: st.DrawFn, name: str) -> Case:
    rank = draw(st.integers(2, 4))
    broken = fault(draw, "no_kernel", "power_iterations")
    shape = shape_of_rank(draw, rank, st.integers(2, 5))
    options: list[dict[str, Any]] = [
        {"type": "Dense", "units": draw(st.integers(1, 4))},
        {"type": "EinsumDense", "equation": "...b,bc->...c", "output_shape": 3},
    ]
    # Layers without a `kernel` (or embeddings) to normalize: a fault.
    kernel_less: list[dict[str, Any]] = [{"type": "ReLU"}]
    if rank == 2:
        options.append({"type": "Embedding", "input_dim": 9, "output_dim": 3})
    if rank >= 3:
        n = rank - 2
        options += [
            {"type": f"Conv{n}D", "filters": 2, "kernel_size": 1},
            {"type": f"Conv{n}DTranspose", "filters": 2, "kernel_size": 2},
            {"type": f"DepthwiseConv{n}D", "kernel_size": 1, "depth_multiplier": 2},
        ]
        kernel_less.append({"type": f"SeparableConv{n}D", "filters": 2, "kernel_size": 1})
    if rank == 3:
        kernel_less.append({"type": "LSTM", "units": 2})
    args: dict[str, Any] = {"layer": draw(st.sampled_from(options))}
    if draw(st.booleans()):
        args["power_iterations"] = draw(st.integers(1, 3))
    if broken == "no_kernel":
        args["layer"] = draw(st.sampled_from(kernel_less))
    elif broken == "power_iterations":
        args["power_iterations"] = 0
    return Case(LayerCall(name, args), [shape])
