"""The build context: what a back end that makes a model hands to the node kinds it builds."""

from __future__ import annotations

from typing import Any, Protocol

from graphspec.errors import CompileError
from graphspec.ir.graph import Graph, IRNode

__all__ = ["BuildContext"]


class BuildContext(Protocol):
    """What a kind's ``build`` and ``make_layer`` hooks may ask of the model being built.

    The Keras compiler (:mod:`graphspec.backends.keras.compiler`) implements it; node kinds
    (:mod:`graphspec.plugins`) receive it, so they never import the compiler.
    """

    graph: Graph
    """The graph being built."""

    def layer_name(self, node: IRNode) -> str:
        """The Keras name of the layer ``node`` owns (its node name, unless the backend refuses
        that name)."""
        ...

    def fresh_name(self, base: str) -> str:
        """A name no layer or operation of the model has yet: ``base``, else ``base_1``, …"""
        ...

    def error(self, node: IRNode, code: str, message: str, hint: str | None) -> CompileError:
        """A :class:`CompileError` located at ``node``, for the hook to raise."""
        ...

    def explain(self, exc: BaseException) -> str:
        """Keras's own message of ``exc``, trimmed for a one-line diagnostic."""
        ...

    def build_nested(self, checked: Any, name: str) -> Any:
        """The Keras model of a nested, already checked spec (a ``CheckResult``), named ``name``."""
        ...
