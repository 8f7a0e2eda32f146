"""Arguments read from node shapes (``${shape(x)[-1] // 2}``): their node names resolved.

Substitution leaves such a value :class:`~graphspec.frontend.params.Deferred`. Once every node
is expanded, each one is closed here into a :class:`~graphspec.frontend.params.Sized` value over
graph node names (looked up where each ``shape(...)`` was written: a block's inputs and nodes
inside a block, the top-level nodes outside); the node keeps it in ``IRNode.sized`` and comes
after the nodes it reads (``IRNode.sized_from``). The shapes pass computes it.
"""

from __future__ import annotations

from typing import Any

from graphspec.base.suggest import did_you_mean
from graphspec.frontend.params import Deferred, ExprError, Sized, close, is_deferred
from graphspec.ir.graph import IRNode
from graphspec.passes.expand.context import FAILED, Expansion, Ref, Scope
from graphspec.passes.expand.refs import resolve

__all__ = ["close_sized"]


class _Quiet(Exception):
    """A name leads to a node whose own error was reported: nothing more to say."""


def close_sized(ex: Expansion) -> None:
    """Resolve the node names of every argument computed from shapes (E421 when one is not a
    node visible where it was written)."""
    if not ex.deferred:  # no value read a shape (the common case): nothing to close
        return
    for node in ex.graph.nodes.values():
        deferred = [key for key, value in node.args.items() if is_deferred(value)]
        for key in deferred:
            try:
                value, nodes = _closed(ex, node, key, node.args[key])
            except _Quiet:
                node.failed_args |= {key}
                continue
            except ExprError as err:
                ex.error(err.code, err.message, node.arg_path(key), hint=err.hint, node=node.name)
                node.failed_args |= {key}
                continue
            node.args[key] = node.sized[key] = value
            node.sized_from += [n for n in nodes if n not in node.sized_from]


def _closed(ex: Expansion, node: IRNode, key: str, value: Any) -> tuple[Any, list[str]]:
    """``value`` with each deferred leaf closed, and the nodes they read."""
    if isinstance(value, list):
        out, nodes = [], []
        for item in value:
            closed, found = _closed(ex, node, key, item)
            out.append(closed)
            nodes += found
        return out, nodes
    if isinstance(value, dict):
        pairs = {k: _closed(ex, node, key, v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, [n for _, ns in pairs.values() for n in ns]
    if not isinstance(value, Deferred):
        return value, []

    def look_up(name: str, site: Any) -> str:
        return _node_named(ex, node, key, name, site)

    text, read = close(value, look_up, ex.top)
    return Sized(value.text, text, read), list(read)


def _node_named(ex: Expansion, node: IRNode, key: str, name: str, site: Any) -> str:
    """The graph node ``shape(name)`` reads (``name:N`` for output N), looked up in ``site``."""
    scope = site if isinstance(site, Scope) else ex.top
    ref = Ref(scope, name, ex.source.at(node.arg_path(key)))
    target = resolve(ex, ref)
    if target == FAILED:
        raise _Quiet
    if target is None:
        visible = list(ex.graph.inputs) if not scope.prefix else []
        visible += scope.local_names + list(scope.placeholders)
        where = "inside this block" if scope.prefix else "here"
        raise ExprError(
            "E421",
            f"node `{node.name}`: `{key}` reads `shape({name})`, but `{name}` is not a node "
            f"visible {where}",
            did_you_mean(name, visible)
            or "name an input or a node of the same node list (a block's inputs and nodes "
            "inside a block)",
        )
    return f"{target}:{ref.port}" if ref.port else target
