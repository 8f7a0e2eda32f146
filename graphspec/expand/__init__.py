"""Spec to graph IR: resolve ``${params}``, expand blocks and ``repeat``, turn edges into inputs.

One module per concern: :mod:`~graphspec.expand.scopes` (inputs, node lists, outputs),
:mod:`~graphspec.expand.edges`, :mod:`~graphspec.expand.refs` (name resolution),
:mod:`~graphspec.expand.share`, and one module per node kind registered in
:mod:`~graphspec.expand.kinds` (:mod:`~graphspec.expand.layers`, :mod:`~graphspec.expand.blocks`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec.errors import Diagnostic
from graphspec.expand import blocks as _blocks  # noqa: F401  (registers the `block` kind)
from graphspec.expand import exprs as _exprs  # noqa: F401  (registers the `expr` kind)
from graphspec.expand import layers as _layers  # noqa: F401  (registers the layer kind)
from graphspec.expand import models as _models  # noqa: F401  (registers the `model` kind)
from graphspec.expand._context import FAILED, Expansion, Ref, Scope, TooLarge
from graphspec.expand.edges import parse_edge
from graphspec.expand.includes import load_includes
from graphspec.expand.refs import resolve_all
from graphspec.expand.scopes import add_input, expand_scope
from graphspec.graph import Graph
from graphspec.spec import Spec

__all__ = ["expand", "parse_edge"]


def expand(spec: Spec, params: Mapping[str, Any] | None = None) -> tuple[Graph, list[Diagnostic]]:
    """Expand a spec into its graph IR; returns the graph and the problems found on the way.

    ``params`` overrides spec-level params (like ``--set``).

    >>> from graphspec import load
    >>> spec = load("inputs: {x: {shape: [4]}}\\nnodes:\\n  a: {type: Dense, units: 8}\\n"
    ...             "  b: {type: Dense, units: 2}\\n")
    >>> graph, problems = expand(spec)
    >>> [(n.name, n.inputs) for n in graph], graph.outputs, problems
    ([('x', []), ('a', ['x']), ('b', ['a'])], [('b', 'b')], [])
    """
    ex = Expansion(spec, params)
    load_includes(ex)
    for name, inp in spec.inputs.items():
        add_input(ex, name, inp.shape, inp.dtype)
    top = Scope(prefix="", path=(), params=ex.params)
    for name in ex.dropped["nodes"] | ex.dropped["inputs"]:
        top.locals[name] = FAILED  # refused by the schema (reported): references lead nowhere
    try:
        expand_scope(
            ex, top, spec.nodes, spec.edges, spec.outputs, input_names=list(spec.inputs), stack=()
        )
    except TooLarge:  # keep only the inputs: checking a truncated graph reports nonsense
        ex.graph.nodes = {n: ex.graph.nodes[n] for n in ex.graph.inputs}
        ex.graph.incomplete = True
        ex.graph.instances.clear()
        ex.pending, ex.pending_outputs = [], []
    resolve_all(ex)
    for name, feeds in ex.instance_feeds.items():
        inst = ex.graph.instances.get(name)
        if inst is not None:
            inst.feeds = [_feed(ref) for ref in feeds]
    ex.graph.block_specs = {name: included.spec for name, included in ex.blocks.items()}
    ex.graph.build_dag()
    return ex.graph, ex.diagnostics


def _feed(ref: Ref) -> str:
    """A resolved reference as ``name`` or ``name:port``."""
    name = ref.resolved or ""
    return f"{name}:{ref.port}" if ref.port else name
