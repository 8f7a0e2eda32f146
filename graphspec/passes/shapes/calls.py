"""Call arguments' shapes: split from a layer's main inputs, checked by registered rules.

A layer node's call arguments (``initial_state``, masks, attention's ``value``/``key``, format
1.1) reach it as extra inputs. :func:`split_shapes` separates them; the rule registered for the
layer type with :func:`call_rule` (by :mod:`graphspec.plugins.calls`) checks them and says how
they change the layer's outputs; a :class:`CallFault` becomes an E501 at the argument.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from graphspec.base.catalog import POSITIONAL_CALLS
from graphspec.base.registry import Registry
from graphspec.base.shape_types import Shape, ShapeResult
from graphspec.base.source import SourceMap
from graphspec.errors import Diagnostic
from graphspec.frontend.spec import NodeKey
from graphspec.ir.graph import Graph, IRNode

__all__ = [
    "CALL_RULES",
    "CallFault",
    "CallRule",
    "apply_call_rules",
    "call_fault",
    "call_rule",
    "split_shapes",
]

CallRule = Callable[[IRNode, list[Shape], dict[str, list[Shape]], ShapeResult], ShapeResult]
CALL_RULES: Registry[str, CallRule] = Registry("call-argument rule")
"""Call-argument rules by layer type."""


class CallFault(Exception):
    """A call argument that does not fit; located at ``call.<arg>``, naming both sides."""

    def __init__(
        self, arg: str, message: str, *, hint: str | None = None, related: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.arg = arg
        self.message = message
        self.hint = hint
        self.related = tuple(related)


def call_rule(*types: str) -> Callable[[CallRule], CallRule]:
    """Register the call-argument rule of the given layer types."""

    return CALL_RULES.register(*types)


def split_shapes(node: IRNode, found: list[Shape]) -> tuple[list[Shape], dict[str, list[Shape]]]:
    """The shapes the layer is applied to, and each tensor call argument's shapes.

    ``value`` and ``key`` given as call arguments of an attention layer take their positional
    places (``query, value, key``), as the layer's shape rule expects.
    """
    main = list(found[: len(node.main_inputs)])
    extra = {name: list(found[a:b]) for name, (a, b, _) in node.call_slices().items()}
    if node.type in POSITIONAL_CALLS:
        for position, name in ((1, "value"), (2, "key")):
            if name in extra and len(main) == position:
                main.append(extra[name][0])
    return main, extra


def apply_call_rules(
    node: IRNode, main: list[Shape], extra: dict[str, list[Shape]], result: ShapeResult
) -> ShapeResult:
    """``result`` as the call arguments change it (more outputs), or :class:`CallFault`."""
    rule = CALL_RULES.get(node.type or "")
    return rule(node, main, extra, result) if rule is not None else result


def call_fault(graph: Graph, node: IRNode, fault: CallFault, source: SourceMap) -> Diagnostic:
    """E501 at the call argument that does not fit."""
    loc = source.at((*node.spec_path, NodeKey.CALL.value, fault.arg)) or node.loc
    return Diagnostic(
        "E501",
        f"node `{node.name}`: {fault.message}",
        file=graph.file,
        loc=loc,
        hint=fault.hint,
        node=node.name,
        related=fault.related,
    )
