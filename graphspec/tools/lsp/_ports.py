"""What each output of a node is (``encoder:1`` is an LSTM's final hidden state ``h``), for hover.

Namers are registered by layer type (and by node kind for expressions and nested models); each
returns one ``(name, meaning)`` per output it may return, in Keras's order (the first ``count``
are the node's: states and scores only come when asked for), or ``None`` when it cannot tell. A
node without a namer, or whose namer does not know, gets ``output N``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from graphspec.base.catalog import canonical_type
from graphspec.base.registry import Registry
from graphspec.ir.graph import IRNode, NodeKind

__all__ = ["PORT_NAMES", "Port", "port_names"]

Port = tuple[str, str]
"""An output's short name (``h``) and what it is (``final hidden state``)."""
Namer = Callable[[IRNode, int], "list[Port] | None"]

PORT_NAMES: Registry[str, Namer] = Registry("port namer")
"""Namers by layer type, or by node kind (``expr``, ``model``) for the other kinds of node."""

_STATES: Final[dict[str, tuple[Port, ...]]] = {
    "LSTM": (("h", "final hidden state"), ("c", "final cell state")),
    "GRU": (("h", "final hidden state"),),
    "SimpleRNN": (("h", "final hidden state"),),
}
_STATES.update({f"ConvLSTM{d}D": _STATES["LSTM"] for d in (1, 2, 3)})
_STATES.update({f"{k}Cell": v for k, v in tuple(_STATES.items()) if "Conv" not in k})


def port_names(node: IRNode, count: int) -> list[Port]:
    """One ``(name, meaning)`` per output of ``node``, which returns ``count`` tensors.

    >>> lstm = IRNode("enc", NodeKind.LAYER, type="LSTM", args={"units": 4, "return_state": True})
    >>> port_names(lstm, 3)
    [('output', 'last output'), ('h', 'final hidden state'), ('c', 'final cell state')]
    >>> port_names(IRNode("d", NodeKind.LAYER, type="Dense"), 1)
    [('output', 'output')]
    """
    key = canonical_type(node.type or "") if node.kind is NodeKind.LAYER else node.kind.value
    namer = PORT_NAMES.get(key)
    names = namer(node, count) if namer is not None else None
    if names is None or len(names) < count:  # more tensors than the namer knows of
        return [("output", "output")] if count == 1 else [(f"output {i}", "") for i in range(count)]
    return names[:count]  # the states and scores come only when asked for


def _output(node: IRNode) -> Port:
    sequences = node.args.get("return_sequences") is True
    return ("output", "output sequence" if sequences else "last output")


@PORT_NAMES.register(*_STATES)
def _recurrent(node: IRNode, count: int) -> list[Port] | None:
    return [_output(node), *_STATES[canonical_type(node.type or "")]]


@PORT_NAMES.register("RNN")
def _rnn(node: IRNode, count: int) -> list[Port] | None:
    cell = node.args.get("cell")
    cells = _cells(cell)
    if cells is None:
        return None
    if len(cells) == 1:
        return [_output(node), *cells[0]]
    states = [(f"{n}{i}", f"{m} of cell {i}") for i, c in enumerate(cells) for n, m in c]
    return [_output(node), *states]


def _cells(cell: Any) -> list[tuple[Port, ...]] | None:
    """The states of each cell of an ``RNN``'s ``cell`` (a stack has several)."""
    if isinstance(cell, list):
        found = [_cells(c) for c in cell]
        return None if any(f is None for f in found) else [s for f in found if f for s in f]
    if not isinstance(cell, dict):
        return None
    kind = canonical_type(str(cell.get("type", "")))
    if kind == "StackedRNNCells":
        return _cells(cell.get("cells"))
    states = _STATES.get(kind)
    return [states] if states is not None else None


@PORT_NAMES.register("Bidirectional")
def _bidirectional(node: IRNode, count: int) -> list[Port] | None:
    layer = node.args.get("layer")
    if not isinstance(layer, dict):
        return None
    inner = IRNode(node.name, NodeKind.LAYER, type=str(layer.get("type", "")), args=layer)
    names = _recurrent(inner, count) if canonical_type(inner.type or "") in _STATES else None
    if names is None:
        return None
    (_, output), states = names[0], names[1:]
    outputs = [("output", f"{output}, both directions merged")]
    if "merge_mode" in node.args and node.args["merge_mode"] is None:
        outputs = [("forward", f"forward {output}"), ("backward", f"backward {output}")]
    return [
        *outputs,
        *((f"forward_{n}", f"forward {m}") for n, m in states),
        *((f"backward_{n}", f"backward {m}") for n, m in states),
    ]


@PORT_NAMES.register("MultiHeadAttention", "GroupQueryAttention", "Attention", "AdditiveAttention")
def _attention(node: IRNode, count: int) -> list[Port] | None:
    return [("output", "attention output"), ("scores", "attention scores")]


@PORT_NAMES.register(NodeKind.EXPR.value)
def _expression(node: IRNode, count: int) -> list[Port] | None:
    return [(f"piece {i}", "") for i in range(count)]  # split(x, 3): its pieces, in order


@PORT_NAMES.register(NodeKind.MODEL.value)
def _nested(node: IRNode, count: int) -> list[Port] | None:
    model = node.model
    checked = model.checked if model is not None else None
    if checked is None:
        return None
    names = [name for name, _ in checked.graph.outputs]
    return [(name, f"output `{name}` of the nested model") for name in names]
