"""The registry of what a serialized functional layer becomes in a spec (a layer node, …).

A kind is a function reading every call of one serialized layer into spec nodes, registered with
:func:`layer_kind` and a test on the serialized layer; kinds are tried in registration order and
``layer`` (a ``keras.layers`` class) is the fallback. A new kind is a new module plus a decorator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.backends.importer._state import ImportState
from graphspec.base.registry import Registry

__all__ = [
    "LAYER_KIND",
    "KindReader",
    "ReadCall",
    "WalkContext",
    "finish_kinds",
    "kind_reader",
    "layer_kind",
]

LAYER_KIND: Final = "layer"


@dataclass(frozen=True)
class WalkContext:
    """What kinds may look up while reading one functional model: the node names of each call."""

    call_names: dict[str, list[str]]


@dataclass
class ReadCall:
    """One call of a serialized layer as a spec node: its body and its input references in order.

    A ``None`` in ``sources`` is an input that could not be read (a problem is recorded).
    """

    node: dict[str, Any]
    sources: list[str | None] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    """Other nodes this call needs first (the tensors of its call arguments)."""


KindReader = Callable[[ImportState, WalkContext, str, Mapping[str, Any]], list[ReadCall]]
"""Reads the calls of the layer ``name``; returns one :class:`ReadCall` per call (or none)."""

_KINDS: Registry[str, tuple[Callable[[Mapping[str, Any]], bool], KindReader]] = Registry(
    "serialized layer kind"
)
_FINISHERS: Registry[str, Callable[[ImportState], None]] = Registry("import finisher")


def layer_kind(
    name: str,
    matches: Callable[[Mapping[str, Any]], bool] | None = None,
    *,
    finish: Callable[[ImportState], None] | None = None,
) -> Callable[[KindReader], KindReader]:
    """Register the reader of the serialized layers ``matches`` accepts (all, for the fallback).

    ``finish`` runs once the whole model is read (its nodes in dependency order), e.g. to fold
    operations into one expression.
    """

    if finish is not None:
        _FINISHERS.add(name, finish)
    return _KINDS.register(name, make=lambda reader: (matches or (lambda _layer: True), reader))


def finish_kinds(state: ImportState) -> None:
    """Run every kind's ``finish`` step on a fully read model."""
    for finish in _FINISHERS.values():
        finish(state)


def kind_reader(layer: Mapping[str, Any]) -> KindReader:
    """The reader of the first registered kind that matches ``layer`` (``layer`` otherwise)."""
    for name, (matches, reader) in _KINDS.items():
        if name != LAYER_KIND and matches(layer):
            return reader
    return _KINDS[LAYER_KIND][1]
