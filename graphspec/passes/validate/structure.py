"""Checks of the graph's structure: cycles, number of inputs, reachability, the ``api`` asked for."""

from __future__ import annotations

from typing import Final

from graphspec.base.arity import arity, describe_arity
from graphspec.errors import CycleError, Severity
from graphspec.frontend.params import leaves
from graphspec.passes.validate.context import CheckContext, graph_check

__all__: list[str] = []


@graph_check("cycles")
def _check_cycles(c: CheckContext) -> None:
    try:
        c.graph.topological_order()
        return
    except CycleError:
        pass
    import networkx as nx  # only to name the cycles: a valid graph never needs it

    dag = c.graph.dag
    if nx.is_directed_acyclic_graph(dag):  # the cycle goes through sizes read from shapes
        _sized_cycles(c)
        return
    for component in nx.strongly_connected_components(dag):
        if len(component) == 1 and not any(dag.has_edge(n, n) for n in component):
            continue
        start = min(component, key=list(c.graph.nodes).index)
        cycle = nx.find_cycle(dag.subgraph(component), source=start)
        path = [edge[0] for edge in cycle] + [cycle[0][0]]
        node = c.graph.nodes[start]
        c.report(
            "E302",
            f"the graph has a cycle: {' -> '.join(path)}",
            node=node,
            hint="a model is a directed acyclic graph; remove one of these edges",
        )


def _sized_cycles(c: CheckContext) -> None:
    """E302 for a node whose argument reads the shape of a node that depends on it."""
    import networkx as nx  # only to name the cycles: a valid graph never needs it

    full = nx.DiGraph(c.graph.dag)
    full.add_edges_from((src, n.name) for n in c.graph for src in n.sized_from)
    order = list(c.graph.nodes)
    for component in nx.strongly_connected_components(full):
        if len(component) == 1 and not any(full.has_edge(n, n) for n in component):
            continue
        start = min(
            (n for n in component if c.graph.nodes[n].sized_from), key=order.index, default=None
        )
        if start is None:
            continue
        cycle = nx.find_cycle(full.subgraph(component), source=start)
        path = [edge[0] for edge in cycle] + [cycle[0][0]]
        node = c.graph.nodes[start]
        read = next(src for src in node.sized_from if src in component)
        key = next(
            (k for k, v in node.sized.items() if any(read in s.nodes for _, s in leaves(v))),
            next(iter(node.sized)),
        )
        c.report(
            "E302",
            f"the graph has a cycle through a size read from a shape: {' -> '.join(path)} "
            f"(node `{start}` reads the shape of `{read}`, which depends on it)",
            node=node,
            path=node.arg_path(key),
            hint="a size can be read only from a node computed before this one (an input, or "
            "a node upstream of it)",
        )


@graph_check("arity")
def _check_arity(c: CheckContext) -> None:
    for node in c.graph.layers:
        sig = c.typed.get(node.name)
        if sig is None or node.dangling or not node.is_layer:
            continue
        low, high = arity(sig.type)
        call = node.call
        count = len(node.main_inputs) + (("value" in call) + ("key" in call) if call else 0)
        if count == 0:
            c.report(
                "E309",
                f"node `{node.name}` has no inputs",
                node=node,
                hint="connect it with an edge, or give it `inputs:`",
            )
        elif not low <= count <= high:
            listed = ", ".join(node.inputs)
            hint = _arity_hint(sig.type, node.inputs, low)
            c.report(
                "E306",
                f"node `{node.name}` ({sig.type}) takes {describe_arity(sig.type)} but has "
                f"{count}: {listed}",
                node=node,
                hint=hint,
            )


_ATTENTION_HINT: Final = (
    "{type} takes a query and a value (and optionally a key): `inputs: [{x}, {x}]` is "
    "self-attention, `inputs: [query, value]` attends from one tensor to another"
)
_ARITY_HINTS: Final = {
    "MultiHeadAttention": _ATTENTION_HINT,
    "GroupQueryAttention": _ATTENTION_HINT,
    "Attention": _ATTENTION_HINT,
    "AdditiveAttention": _ATTENTION_HINT,
    "Subtract": "Subtract takes exactly two tensors: `inputs: [a, b]` computes a - b",
    "Dot": "Dot takes exactly two tensors: `inputs: [a, b]`",
    "HashedCrossing": "HashedCrossing crosses exactly two features: `inputs: [a, b]`",
}
"""Hints for a wrong number of inputs, by layer type (``{x}``: the node's first input)."""


def _arity_hint(type_name: str, inputs: list[str], low: int) -> str:
    special = _ARITY_HINTS.get(type_name)
    if special is not None:
        return special.format(type=type_name, x=inputs[0] if inputs else "x")
    if low >= 2:
        return f"{type_name} combines two or more tensors; add the other inputs"
    return "merge the inputs first with Add or Concatenate"


@graph_check("reachability")
def _check_reachability(c: CheckContext) -> None:
    graph = c.graph
    outputs = [o for o in graph.output_nodes if o in graph.nodes]
    if len(outputs) < len(graph.outputs):  # a name only some node takes as an input counts too
        consumers = graph.consumers()
        outputs = [o for o in graph.output_nodes if o in graph.nodes or o in consumers]
    if not outputs:
        return
    reaching: set[str] = set(outputs)
    pending = list(outputs)
    while pending:  # walk the ordered inputs back from the outputs
        for src in graph.nodes[pending.pop()].inputs:
            if src not in reaching:
                reaching.add(src)
                pending.append(src)
    for node in graph:
        if node.name in reaching:
            continue
        if node.is_input:
            c.report(
                "W304",
                f"input `{node.name}` is not used by any output",
                node=node,
                severity=Severity.WARNING,
                hint="connect it, or remove it",
            )
        else:
            c.report(
                "W303",
                f"node `{node.name}` does not lead to any output",
                node=node,
                severity=Severity.WARNING,
                hint="connect it, list it under `outputs`, or remove it",
            )


@graph_check("api")
def _check_api(c: CheckContext) -> None:
    if c.graph.api != "sequential":
        return
    chain, reason = c.graph.is_chain()
    if not chain:
        c.report(
            "E314",
            f"the spec sets `api: sequential` but the graph is not one chain: {reason}",
            path=("api",),
            hint="remove `api: sequential` (auto builds a functional model), or make it a chain",
        )
