"""Shape rules for recurrent cells and the generic ``RNN`` layer that runs them over time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from graphspec.base.registry import Registry
from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import (
    Flops,
    Uncountable,
    activation_flops,
    flop_rule,
    macs,
    ops,
)
from graphspec.passes.shapes.registry import (
    bool_arg,
    int_arg,
    known_dim,
    nested_call,
    result,
    shape_rule,
    single_input,
)

__all__ = [
    "CELL_FLOPS",
    "CELL_RULES",
    "CellShape",
    "cell_flops",
    "cell_rule",
    "cell_shape",
    "rnn_cell_rule",
    "state_groups",
    "steps_of",
]


@dataclass(frozen=True)
class CellShape:
    """One time step of a cell: output size, state sizes (flattened) and trainable weights."""

    output: int
    states: tuple[int, ...]
    trainable: int


CellRule = Callable[[LayerCall, int], CellShape]
"""A cell rule: (the cell, the input feature size) -> :class:`CellShape`."""

CELL_RULES: Registry[str, CellRule] = Registry("cell rule")
"""Cell class name -> its rule. A cell is never a node: it runs inside ``RNN``."""


def cell_rule(*names: str) -> Callable[[CellRule], CellRule]:
    """Register the decorated function as the rule for the cells ``names``."""

    return CELL_RULES.register(*names)


def cell_shape(call: LayerCall, features: int) -> CellShape:
    """The :class:`CellShape` of the cell ``call`` fed ``features`` values per step."""
    rule = CELL_RULES.get(call.type)
    if rule is None:
        raise ShapeFault(
            f"RNN argument 'cell' must be a recurrent cell ({', '.join(sorted(CELL_RULES))}); "
            f"got {call.type!r}",
            hint="e.g. cell: {type: LSTMCell, units: 32}, or use the LSTM/GRU layers directly",
            arg="cell",
        )
    return rule(call, features)


_GATES = {"SimpleRNNCell": 1, "LSTMCell": 4, "GRUCell": 3}
_STATES = {"SimpleRNNCell": 1, "LSTMCell": 2, "GRUCell": 1}


@cell_rule(*_GATES)
def gated_cell_rule(call: LayerCall, features: int) -> CellShape:
    """``SimpleRNNCell``/``LSTMCell``/``GRUCell(units, use_bias, reset_after)``."""
    units = int_arg(call, "units")
    gates = _GATES[call.type]
    weights = gates * units * (features + units)
    if bool_arg(call, "use_bias", True):
        twice = call.type == "GRUCell" and bool_arg(call, "reset_after", True)
        weights += gates * units * (2 if twice else 1)
    return CellShape(units, (units,) * _STATES[call.type], weights)


@cell_rule("StackedRNNCells")
def stacked_cells_rule(call: LayerCall, features: int) -> CellShape:
    """``StackedRNNCells(cells)``: each cell feeds the next; the states of all are kept."""
    cells = call.args.get("cells")
    if not isinstance(cells, list | tuple) or not cells:
        raise ShapeFault(
            f"StackedRNNCells argument 'cells' must be a non-empty list of cells; got {cells!r}",
            hint="e.g. cells: [{type: LSTMCell, units: 32}, {type: GRUCell, units: 16}]",
            arg="cells",
        )
    states: list[int] = []
    trainable = 0
    size = features
    for item in cells:
        step = cell_shape(nested_call(LayerCall(call.type, {"cell": item}), "cell"), size)
        states += step.states
        trainable += step.trainable
        size = step.output
    return CellShape(size, tuple(states), trainable)


@shape_rule("RNN")
def rnn_cell_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``RNN(cell, return_sequences, return_state, stateful)`` over ``(batch, time, f)``.

    The output is the cell's output per step (or the last one); with ``return_state`` the final
    states follow, flattened (Keras nests the states of a stacked LSTMCell; so do the compiled
    model's tensors, which graphspec numbers flat: ``rnn:1``, ``rnn:2``, …).
    """
    shape = single_input(call, inputs)
    cell = nested_call(call, "cell")
    sequences = bool_arg(call, "return_sequences", False)
    states = bool_arg(call, "return_state", False)
    bool_arg(call, "go_backwards", False)
    if len(shape) != 3:
        raise ShapeFault(
            f"RNN expects a rank-3 input (batch, timesteps, features); got {format_shape(shape)}",
            hint="add a Reshape (e.g. target_shape: [timesteps, features]) before the RNN",
        )
    features = known_dim(call, shape, 2, "feature (last) dimension")
    if bool_arg(call, "stateful", False) and shape[0] is None:
        raise ShapeFault(
            f"RNN with stateful: true needs a fixed batch size; got {format_shape(shape)}",
            hint="set batch_size on the Input layer",
            arg="stateful",
        )
    step = cell_shape(cell, features)
    batch = shape[0]
    output = (batch, shape[1], step.output) if sequences else (batch, step.output)
    extra = [(batch, size) for size in step.states] if states else []
    return result(output, *extra, trainable=step.trainable)


def state_groups(call: LayerCall) -> list[int]:
    """How Keras groups the final states of an ``RNN``: one entry per cell, its state count.

    ``RNN(StackedRNNCells([LSTMCell, GRUCell]), return_state=True)`` returns
    ``(output, [h, c], h)``: groups ``[2, 1]``. A single cell's states are not grouped.

    >>> state_groups(LayerCall("RNN", {"cell": {"type": "StackedRNNCells", "cells": [
    ...     {"type": "LSTMCell", "units": 2}, {"type": "GRUCell", "units": 2}]}}))
    [2, 1]
    >>> state_groups(LayerCall("RNN", {"cell": {"type": "LSTMCell", "units": 2}}))
    [1, 1]
    """
    cell = nested_call(call, "cell")
    if cell.type != "StackedRNNCells":
        return [1] * len(cell_shape(cell, 1).states)
    cells = cell.args.get("cells") or []
    return [
        len(cell_shape(nested_call(LayerCall("RNN", {"cell": c}), "cell"), 1).states) for c in cells
    ]


# -- FLOPs ------------------------------------------------------------------------------------

CellFlops = Callable[[LayerCall, int], tuple[Flops, int]]
"""A cell's cost of one step: (the cell, input features) -> (Flops, output size)."""

CELL_FLOPS: Registry[str, CellFlops] = Registry("cell FLOP rule")
"""Cell class name -> the cost of one time step."""


def _act(call: LayerCall, name: str, default: str, count: int) -> Flops:
    return activation_flops(call, (None, count), name, default)


@CELL_FLOPS.register("SimpleRNNCell", "SimpleRNN")
def simple_rnn_step(call: LayerCall, features: int) -> tuple[Flops, int]:
    """``x W + h U + b``, then the activation."""
    units = int_arg(call, "units")
    cost = macs((features + units) * units) + ops(2 * units)
    return cost + _act(call, "activation", "tanh", units), units


@CELL_FLOPS.register("LSTMCell", "LSTM")
def lstm_step(call: LayerCall, features: int) -> tuple[Flops, int]:
    """Four gates' products, bias and sum; gate activations; the cell and hidden updates."""
    units = int_arg(call, "units")
    cost = macs((features + units) * 4 * units) + ops(12 * units)
    cost += _act(call, "recurrent_activation", "sigmoid", 3 * units)
    return cost + 2 * _act(call, "activation", "tanh", units), units


@CELL_FLOPS.register("GRUCell", "GRU")
def gru_step(call: LayerCall, features: int) -> tuple[Flops, int]:
    """Three gates' products and biases; reset and update gates; the candidate; the update."""
    units = int_arg(call, "units")
    cost = macs((features + units) * 3 * units) + ops(14 * units)
    cost += _act(call, "recurrent_activation", "sigmoid", 2 * units)
    return cost + _act(call, "activation", "tanh", units), units


@CELL_FLOPS.register("StackedRNNCells")
def stacked_step(call: LayerCall, features: int) -> tuple[Flops, int]:
    """Each cell in turn, fed the previous one's output."""
    total = Flops()
    size = features
    for item in call.args.get("cells") or []:
        cost, size = cell_flops(nested_call(LayerCall(call.type, {"cell": item}), "cell"), size)
        total += cost
    return total, size


def cell_flops(call: LayerCall, features: int) -> tuple[Flops, int]:
    """The cost of one step of the cell (or recurrent layer) ``call``, and its output size."""
    return CELL_FLOPS[call.type](call, features)


def steps_of(shape: Shape) -> int:
    """The number of time steps of a ``(batch, time, ...)`` input; raises when unknown."""
    steps = shape[1]
    if steps is None:
        raise Uncountable("the number of time steps is unknown")
    return steps


@flop_rule("RNN")
def rnn_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """The cell's step, once per time step."""
    shape = inputs[0]
    step, _ = cell_flops(nested_call(call, "cell"), shape[-1] or 0)
    return step * steps_of(shape)
