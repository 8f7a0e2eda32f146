"""Checks on the graph IR: layer types and arguments against the Keras catalog, structure, arity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import networkx as nx

from graphspec._suggest import did_you_mean, suggest
from graphspec.argvalues import check_arg_value, yaml_text
from graphspec.arity import arity, describe_arity
from graphspec.catalog import (
    FORBIDDEN_LAYERS,
    NESTED_LAYER_ARGS,
    NESTED_ONLY_REASON,
    RESERVED_LAYER_ARGS,
    LayerSignature,
    cell_names,
    layer_names,
    layer_signature,
    named_objects,
    object_kind,
)
from graphspec.errors import Diagnostic, Severity
from graphspec.graph import Graph, IRNode
from graphspec.source import Loc, Path, SourceMap, describe_surprise

__all__ = ["CHECKS", "check", "graph_check"]

FORBIDDEN_KEYS: Final = frozenset(
    {"module", "class_name", "registered_name", "function", "fn", "config", "build_config"}
)
"""Keys of Keras's own serialized configs, which name code to import: never accepted in a spec."""

CheckFn = Callable[["_Checker"], None]
CHECKS: dict[str, CheckFn] = {}
"""Graph checks by name, run in registration order (filled by :func:`graph_check`)."""


def graph_check(name: str) -> Callable[[CheckFn], CheckFn]:
    """Register a graph check."""

    def register(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return register


class _Checker:
    def __init__(self, graph: Graph, source: SourceMap) -> None:
        self.graph = graph
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.typed: dict[str, LayerSignature] = {}

    def report(
        self,
        code: str,
        message: str,
        *,
        node: IRNode | None = None,
        path: Path | None = None,
        loc: Loc | None = None,
        key: bool = False,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        if loc is None and path is not None:
            loc = self.source.key_at(path) if key else self.source.at(path)
        if loc is None and node is not None:
            loc = node.loc
        self.diagnostics.append(
            Diagnostic(
                code,
                message,
                file=self.graph.file,
                line=loc.line if loc else None,
                column=loc.column if loc else None,
                severity=severity,
                hint=hint,
                node=node.name if node else None,
            )
        )


def check(graph: Graph, source: SourceMap) -> list[Diagnostic]:
    """Run every registered check on an expanded graph; returns all diagnostics found.

    >>> from graphspec import load
    >>> from graphspec.expand import expand
    >>> spec = load("inputs: {x: {shape: [4]}}\\nnodes:\\n  d: {type: Dense, unit: 2}\\n")
    >>> graph, _ = expand(spec)
    >>> [d.format() for d in check(graph, spec.source)][0].splitlines()[0]
    '<spec>:3:20: error[E202]: node `d`: Dense has no argument `unit`'
    """
    checker = _Checker(graph, source)
    for fn in CHECKS.values():
        fn(checker)
    return checker.diagnostics


# -- layer types and arguments ------------------------------------------------------------------


@graph_check("types")
def _check_types(c: _Checker) -> None:
    for node in c.graph.layers:
        if node.broken or not node.is_layer:
            continue
        if node.share:
            owner = c.typed.get(node.share)
            if owner is not None:
                c.typed[node.name] = owner
            continue
        sig = _check_type(c, node, node.type, (*node.spec_path, "type"))
        if sig is not None and sig.type in cell_names():
            c.report(
                "E520",
                f"node `{node.name}`: `{sig.type}` cannot be a node: {NESTED_ONLY_REASON}",
                node=node,
                path=(*node.spec_path, "type"),
                hint=f"write `type: RNN, cell: {{type: {sig.type}, ...}}`",
            )
            continue
        if sig is not None:
            c.typed[node.name] = sig


def _check_type(c: _Checker, node: IRNode, type_name: Any, path: Path) -> LayerSignature | None:
    if type_name is None:
        c.report(
            "E200",
            f"node `{node.name}` has no `type`",
            node=node,
            path=path[:-1],
            key=True,
            hint="give a Keras layer class (`type: Dense`), `share: NODE` or `block: NAME`",
        )
        return None
    if not isinstance(type_name, str):
        c.report("E201", f"node `{node.name}`: `type` must be a string", node=node, path=path)
        return None
    from graphspec.registry import custom_layer_signature

    custom = custom_layer_signature(type_name)
    if custom is not None:
        return custom
    if type_name in FORBIDDEN_LAYERS:
        c.report(
            "E204",
            f"node `{node.name}`: layer type `{type_name}` is not allowed in a spec: "
            f"{FORBIDDEN_LAYERS[type_name]}",
            node=node,
            path=path,
            hint="register a custom layer from Python with graphspec.register_layer(cls)",
        )
        return None
    if "." in type_name or ":" in type_name:
        c.report(
            "E204",
            f"node `{node.name}`: `{type_name}` is not a class of keras.layers; "
            "graphspec never imports modules named in a spec",
            node=node,
            path=path,
            hint="use a keras.layers class name, or register your own layer from Python",
        )
        return None
    sig = layer_signature(type_name)
    if sig is None:
        c.report(
            "E201",
            f"node `{node.name}`: unknown layer type `{type_name}`",
            node=node,
            path=path,
            hint=did_you_mean(type_name, layer_names())
            or "types are class names from keras.layers, e.g. Dense, Conv2D",
        )
    return sig


@graph_check("arguments")
def _check_arguments(c: _Checker) -> None:
    for node in c.graph.layers:
        sig = c.typed.get(node.name)
        if sig is None or node.share:
            continue
        _check_args(c, node, sig, node.args, node.spec_path, skip=node.failed_args)


def _check_args(
    c: _Checker,
    node: IRNode,
    sig: LayerSignature,
    args: dict[str, Any],
    path: Path,
    *,
    skip: frozenset[str] = frozenset(),
) -> None:
    misspelt: set[str] = set()  # required names an unknown key was a typo of
    for key, value in args.items():
        if key in skip:  # its `${...}` failed, reported where it was written
            continue
        apath = (*path, key)
        if key in FORBIDDEN_KEYS:
            c.report(
                "E206",
                f"node `{node.name}`: `{key}` is not accepted: specs never name code to import",
                node=node,
                path=apath,
                key=True,
                hint="write the layer's own arguments; custom layers are registered from Python",
            )
            continue
        if key in RESERVED_LAYER_ARGS and key not in sig.args:
            c.report(
                "E205",
                f"node `{node.name}`: `{key}` cannot be set in a spec: {RESERVED_LAYER_ARGS[key]}",
                node=node,
                path=apath,
                key=True,
            )
            continue
        if not sig.accepts(key):
            head, colon, rest = key.partition(":")
            if colon and sig.accepts(head) and head not in args:  # `{units:4}` in flow style
                c.report(
                    "E202",
                    f"node `{node.name}`: missing space after `:` in `{key}`",
                    node=node,
                    path=apath,
                    key=True,
                    hint=f"write `{head}: {rest}`: YAML reads `{key}` as one word",
                )
                misspelt.add(head)
                continue
            settable = [n for n in sig.all_names() if n not in RESERVED_LAYER_ARGS or n in sig.args]
            meant = suggest(key, settable)
            misspelt.update(m for m in meant if m in sig.required and m not in args)
            c.report(
                "E202",
                f"node `{node.name}`: {sig.type} has no argument `{key}`",
                node=node,
                path=apath,
                key=True,
                hint=did_you_mean(key, settable) or f"{sig.type} takes: {', '.join(settable)}",
            )
            continue
        _check_value(c, node, sig, key, value, apath)
    for name in sig.required:
        if name not in args and name not in misspelt:  # the typo's hint already names it
            c.report(
                "E207",
                f"node `{node.name}`: {sig.type} needs the argument `{name}`",
                node=node,
                path=path,
                key=True,
                hint=f"add `{name}: ...`",
            )


def _check_value(
    c: _Checker, node: IRNode, sig: LayerSignature, key: str, value: Any, path: Path
) -> None:
    surprise = c.source.surprises.get(path)
    info = sig.arg(key)
    default = info.default if info else None
    if surprise is not None:
        benign = surprise.kind == "bool" and isinstance(default, bool)
        text, hint = describe_surprise(surprise)
        c.report(
            "W106" if benign else "E106",
            f"node `{node.name}`, `{key}`: {text}",
            node=node,
            path=path,
            hint=hint,
            severity=Severity.WARNING if benign else Severity.ERROR,
        )
        if not benign:
            return
    nested = NESTED_LAYER_ARGS.get(sig.type, ())
    if key in nested:
        _check_nested(c, node, key, value, path)
        return
    kind = object_kind(key)
    if kind is not None:
        _check_named_object(c, node, key, value, kind, path)
        return
    if isinstance(value, dict):
        c.report(
            "E203",
            f"node `{node.name}`: `{key}` of {sig.type} takes a plain value, not a mapping",
            node=node,
            path=path,
            hint="mappings are accepted only for nested layers, initializers, regularizers "
            "and constraints",
        )
        return
    _check_type_of(c, node, sig, key, value, default, path)


def _check_type_of(
    c: _Checker, node: IRNode, sig: LayerSignature, key: str, value: Any, default: Any, path: Path
) -> None:
    info = sig.arg(key)
    problem = check_arg_value(sig.type, key, value, default, required=bool(info and info.required))
    if problem is None:
        return
    c.report(
        "E203",
        f"node `{node.name}`: `{key}` of {sig.type} must be {problem.expected}; "
        f"found {yaml_text(value)}",
        node=node,
        path=path,
        hint=problem.hint,
    )


def _check_named_object(
    c: _Checker, node: IRNode, key: str, value: Any, kind: str, path: Path
) -> None:
    if value is None:
        return
    name = value.get("type") if isinstance(value, dict) else value
    if isinstance(value, dict):
        bad = sorted(FORBIDDEN_KEYS & set(value))
        if bad:
            c.report(
                "E206",
                f"node `{node.name}`: `{key}` may not hold `{bad[0]}`: specs never name code "
                "to import",
                node=node,
                path=(*path, bad[0]),
                key=True,
                hint=f"write `{{type: NAME, ...arguments}}` with a name from keras.{kind}",
            )
            return
    if not isinstance(name, str):
        c.report(
            "E208",
            f"node `{node.name}`: `{key}` must name one of keras.{kind}; found {value!r}",
            node=node,
            path=path,
            hint=f"e.g. {', '.join(named_objects(kind)[:4])}",
        )
        return
    if name not in named_objects(kind):
        c.report(
            "E208",
            f"node `{node.name}`: `{key}`: `{name}` is not one of keras.{kind}",
            node=node,
            path=path,
            hint=did_you_mean(name, named_objects(kind))
            or f"choose from: {', '.join(named_objects(kind))}",
        )


def _check_nested(c: _Checker, node: IRNode, key: str, value: Any, path: Path) -> None:
    if value is None and key != "layer":
        return
    if key == "cells" and isinstance(value, list):  # StackedRNNCells: a list of cells
        for index, item in enumerate(value):
            _check_nested(c, node, "cell", item, (*path, index))
        return
    if not isinstance(value, dict) or "type" not in value:
        c.report(
            "E203",
            f"node `{node.name}`: `{key}` must be a layer mapping such as "
            "`{type: LSTM, units: 32}`",
            node=node,
            path=path,
        )
        return
    sig = _check_type(c, node, value["type"], (*path, "type"))
    if sig is not None:
        _check_args(c, node, sig, {k: v for k, v in value.items() if k != "type"}, path)


# -- structure ----------------------------------------------------------------------------------


@graph_check("cycles")
def _check_cycles(c: _Checker) -> None:
    dag = c.graph.dag
    try:
        c.graph.topological_order()
        return
    except nx.NetworkXUnfeasible:
        pass
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


@graph_check("arity")
def _check_arity(c: _Checker) -> None:
    for node in c.graph.layers:
        sig = c.typed.get(node.name)
        if sig is None or node.dangling or not node.is_layer:
            continue
        low, high = arity(sig.type)
        count = len(node.main_inputs) + sum(k in node.call for k in ("value", "key"))
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
def _check_reachability(c: _Checker) -> None:
    graph = c.graph
    outputs = [o for o in graph.output_nodes if o in graph.dag]
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
def _check_api(c: _Checker) -> None:
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


from graphspec.calls import checks as _call_checks  # noqa: E402, F401  (registers its checks)
from graphspec.expr import checks as _expr_checks  # noqa: E402, F401  (registers its checks)
