"""Spec to graph IR: resolve ``${params}``, expand blocks and ``repeat``, turn edges into inputs.

One module per concern: :mod:`~graphspec.passes.expand.scopes` (inputs, node lists, outputs),
:mod:`~graphspec.passes.expand.edges`, :mod:`~graphspec.passes.expand.refs` (name resolution),
:mod:`~graphspec.passes.expand.share`, and the ``expand`` hook of each node kind
(:mod:`graphspec.ir.kinds`): :mod:`~graphspec.passes.expand.layers` and
:mod:`~graphspec.passes.expand.blocks` here, expressions and nested models in
:mod:`graphspec.plugins`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec.errors import Diagnostic
from graphspec.frontend.spec import Spec
from graphspec.ir.graph import Graph
from graphspec.passes.expand import blocks as _blocks  # noqa: F401  (registers the `block` kind)
from graphspec.passes.expand import layers as _layers  # noqa: F401  (registers the layer kind)
from graphspec.passes.expand.context import (
    FAILED,
    NO_CHECKING,
    Checking,
    Expansion,
    Ref,
    TooLarge,
)
from graphspec.passes.expand.edges import parse_edge
from graphspec.passes.expand.libraries import load_includes
from graphspec.passes.expand.refs import resolve_all
from graphspec.passes.expand.scopes import add_input, expand_scope
from graphspec.passes.expand.sized import close_sized

__all__ = ["NO_CHECKING", "Checking", "expand", "parse_edge"]


def expand(
    spec: Spec,
    params: Mapping[str, Any] | None = None,
    *,
    checking: Checking = NO_CHECKING,
) -> tuple[Graph, list[Diagnostic]]:
    """Expand a spec into its graph IR; returns the graph and the problems found on the way.

    ``params`` overrides spec-level params (like ``--set``); ``checking`` loads and checks the
    spec files the spec names as nested models (:func:`graphspec.check` passes its own).

    >>> from graphspec import load
    >>> spec = load("inputs: {x: {shape: [4]}}\\nnodes:\\n  a: {type: Dense, units: 8}\\n"
    ...             "  b: {type: Dense, units: 2}\\n")
    >>> graph, problems = expand(spec)
    >>> [(n.name, n.inputs) for n in graph], graph.outputs, problems
    ([('x', []), ('a', ['x']), ('b', ['a'])], [('b', 'b')], [])
    """
    ex = Expansion(spec, params, checking)
    load_includes(ex)
    for name, inp in spec.inputs.items():
        add_input(ex, name, inp.shape, inp.dtype)
    top = ex.top
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
    close_sized(ex)
    for name, feeds in ex.instance_feeds.items():
        inst = ex.graph.instances.get(name)
        if inst is not None:
            inst.feeds = [_feed(ref) for ref in feeds]
            inst.feed_refs = [ref.text for ref in feeds]
    ex.graph.block_specs = {name: included.spec for name, included in ex.blocks.items()}
    ex.graph.params = {name: ex.params[name] for name in spec.params if name in ex.params}
    _check_layer_names(ex)
    ex.graph.build_dag()
    return ex.graph, ex.diagnostics


def _check_layer_names(ex: Expansion) -> None:
    """E410 when a ``names:`` template gives a layer a name another layer already has."""
    owner: dict[str, str] = {}
    for node in ex.graph.nodes.values():
        if node.keras_name is None:
            owner.setdefault(node.name, node.name)
    for node in ex.graph.nodes.values():
        if node.keras_name is None:
            continue
        other = owner.setdefault(node.keras_name, node.name)
        if other != node.name:
            ex.error(
                "E410",
                f"node `{node.name}` gets the Keras layer name `{node.keras_name}` from its "
                f"block's `names:` template, which node `{other}` already has",
                node.spec_path,
                key=True,
                node=node.name,
                hint="Keras layer names are unique in a model: make the template use "
                "`${instance}` and `${node}` (and `${copy}` under `repeat`)",
            )


def _feed(ref: Ref) -> str:
    """A resolved reference as ``name`` or ``name:port``."""
    name = ref.resolved or ""
    return f"{name}:{ref.port}" if ref.port else name
