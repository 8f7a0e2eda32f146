"""The output forms of a diff (``text``, ``json``, ``markdown``), in a registry, and the words they share.

>>> shape_text([[None, 32, 32, 16]]), value_text(None), count_text(Count(432, 864))
('(None, 32, 32, 16)', '(default)', '432 → 864 (+432)')
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from graphspec.backends.diff.result import Count, DiffResult, NodeChange, Pair, Shapes
from graphspec.base.registry import Registry
from graphspec.base.shape_types import format_shape

__all__ = [
    "FORMATS",
    "Formatter",
    "argument_texts",
    "count_text",
    "format_diff",
    "formatter",
    "instances_text",
    "pair_text",
    "param_text",
    "shape_text",
    "value_text",
]

Formatter = Callable[[DiffResult, bool], str]
"""Writes a diff as text; the flag says whether colours (ANSI) are wanted."""

FORMATS: Registry[str, Formatter] = Registry("diff format")
"""Format name -> formatter, filled by :func:`formatter`."""


def formatter(name: str) -> Callable[[Formatter], Formatter]:
    """Register the decorated function as the formatter of ``name``."""
    return FORMATS.register(name)


def format_diff(result: DiffResult, fmt: str = "text", *, color: bool = False) -> str:
    """The diff in one of :data:`FORMATS` (``text``, ``json``, ``markdown``)."""
    return FORMATS[fmt](result, color)


@formatter("json")
def _json(result: DiffResult, color: bool) -> str:
    del color
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def value_text(value: Any) -> str:
    """An argument value as a spec writes it; ``(default)`` for an argument not given."""
    if value is None:
        return "(default)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=repr)


def param_text(value: Any) -> str:
    """A spec param's value; ``(not set)`` where the spec has no such param."""
    return "(not set)" if value is None else value_text(value)


def shape_text(shapes: Shapes) -> str:
    """Output shapes as Keras prints them (several outputs separated by commas)."""
    if shapes is None:
        return "?"
    return ", ".join(format_shape(tuple(s)) for s in shapes)


def count_text(count: Count) -> str:
    """``432 → 864 (+432)``; ``?`` for an unknown side."""

    def one(value: int | None) -> str:
        return "?" if value is None else f"{value:,}"

    delta = count.delta
    tail = f" ({delta:+,})" if delta is not None else ""
    return f"{one(count.old)} → {one(count.new)}{tail}"


def pair_text(pair: Pair, show: Callable[[Any], str] = value_text) -> str:
    """``old → new``."""
    return f"{show(pair.old)} → {show(pair.new)}"


def argument_texts(change: NodeChange) -> list[str]:
    """``filters: 16 → 32``, one per changed argument, then ``inputs: [a] → [a, b]``."""
    out = [f"{name}: {pair_text(pair)}" for name, pair in change.arguments.items()]
    if change.inputs is not None:
        old, new = (", ".join(side) or "none" for side in (change.inputs.old, change.inputs.new))
        out.append(f"inputs: [{old}] → [{new}]")
    return out


def instances_text(change: NodeChange) -> str:
    """``in all 5 instances`` / ``in stage1.0, stage1.1``."""
    count = len(change.instances)
    if change.everywhere:
        return f"in all {count} instances"
    if count > 3:
        return f"in {count} instances ({', '.join(change.instances[:3])}, …)"
    return "in " + ", ".join(change.instances)
