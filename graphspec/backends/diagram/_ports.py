"""Port names of order-sensitive layers: which input is the query, which is subtracted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from graphspec.base.registry import Registry

__all__ = ["PORT_NAMERS", "port_name"]

PortNamer = Callable[[int, int], str | None]
"""(input index, input count) -> the name shown where that input enters, or None."""

PORT_NAMERS: Registry[str, PortNamer] = Registry("port namer")
"""Layer type -> how its inputs are named on the diagram. Filled by decorator."""

_ATTENTION: Final = ("query", "value", "key")


def _ports(*types: str) -> Callable[[PortNamer], PortNamer]:
    return PORT_NAMERS.register(*types)


def port_name(layer_type: str | None, index: int, count: int) -> str | None:
    """The name of input ``index`` of ``count`` of a layer, where its order matters.

    >>> port_name("Subtract", 1, 2), port_name("Concatenate", 0, 3), port_name("Add", 0, 2)
    ('−', '1', None)
    >>> port_name("MultiHeadAttention", 2, 3)
    'key'
    """
    namer = PORT_NAMERS.get(layer_type or "")
    return namer(index, count) if namer is not None and count > 1 else None


@_ports("Subtract")
def _subtract(index: int, count: int) -> str | None:
    del count
    return ("+", "−")[index] if index < 2 else None


@_ports("TransformerDecoder")
def _decoder(index: int, count: int) -> str | None:
    del count
    return ("decoder", "encoder")[index] if index < 2 else None


@_ports("Concatenate", "Dot")
def _ordinal(index: int, count: int) -> str:
    del count
    return str(index + 1)


@_ports(
    "MultiHeadAttention",
    "Attention",
    "AdditiveAttention",
    "GroupQueryAttention",
    "CachedMultiHeadAttention",
)
def _attention(index: int, count: int) -> str | None:
    del count
    return _ATTENTION[index] if index < len(_ATTENTION) else None
