"""Scopes: the model inputs, one node list (top level or a block body) and its outputs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graphspec.base import limits as _limits
from graphspec.base.source import Loc, Path
from graphspec.base.suggest import did_you_mean
from graphspec.frontend.spec import EdgeItem, NodeKey, NodeSpec
from graphspec.ir.graph import IRNode, NodeKind
from graphspec.ir.kinds import selected_kind
from graphspec.passes.expand.context import ARROW, FAILED, Expansion, Ref, Scope
from graphspec.passes.expand.edges import incoming
from graphspec.passes.expand.nodes import NodeSite, expand_node

__all__ = ["add_input", "check_name", "expand_scope"]


def add_input(ex: Expansion, name: str, shape: list[Any], dtype: str) -> None:
    """Add one model input, its shape's ``${params}`` resolved and checked."""
    path: Path = ("inputs", name)
    check_name(ex, name, path, "input")
    dims: list[int | None] = []
    for i, dim in enumerate(shape):
        value = ex.subst(dim, ex.params, (*path, "shape", i), None)
        if value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0):
            dims.append(value)
        else:
            ex.error(
                "E110",
                f"input `{name}`: dimension {i} must be a positive integer or null; "
                f"found {value!r}",
                (*path, "shape", i),
                hint="write null for a dimension of variable size",
            )
            dims.append(None)
    ex.graph.nodes[name] = IRNode(
        name=name,
        kind=NodeKind.INPUT,
        shape=tuple(dims),
        dtype=dtype,
        loc=ex.source.key_at(path),
        spec_path=path,
    )
    ex.graph.inputs.append(name)


def check_name(ex: Expansion, name: str, path: Path, what: str) -> bool:
    """Whether ``name`` can name a node or input (E105 reported when it cannot)."""
    problem = None
    stripped = name.strip()
    if not name or not stripped:
        problem = "is empty"
    elif "/" in name:
        problem = "contains `/`, which Keras forbids in layer names"
    elif ARROW in name:
        problem = "contains `->`, which separates names in edges"
    elif name != stripped:
        problem = "starts or ends with whitespace"
    elif len(name) > _limits.MAX_NAME_LENGTH:
        problem = f"is {len(name)} characters long (limit {_limits.MAX_NAME_LENGTH})"
    if problem:
        shown = name if len(name) <= 40 else name[:37] + "..."
        fixed = re.sub(r"\s+|/|->", "_", name.strip())[: _limits.MAX_NAME_LENGTH].strip("_")
        hint = f"rename it, e.g. `{fixed}`" if fixed and fixed != name else "rename it"
        ex.error("E105", f"{what} name {shown!r} {problem}", path, key=True, hint=hint)
        return False
    return True


def expand_scope(
    ex: Expansion,
    scope: Scope,
    nodes: Mapping[str, NodeSpec],
    edges: list[EdgeItem],
    outputs: list[str] | dict[str, str] | None,
    *,
    input_names: list[str],
    stack: tuple[str, ...],
) -> str | None:
    """Expand one node list; returns the expanded name its (first) output resolves to."""
    base = (*scope.path, "nodes")
    feeds = incoming(ex, scope, nodes, edges, input_names)
    chain = not edges
    previous: str | None = input_names[0] if chain and len(input_names) == 1 else None
    if chain and not input_names and not scope.prefix and ex.dropped["inputs"]:
        previous = min(ex.dropped["inputs"])  # refused by the schema: the chain starts nowhere
    first = next(iter(nodes.values()), None)
    names_own = first is not None and (first.inputs is not None or selected_kind(first).own_inputs)
    if chain and len(input_names) > 1 and first is not None and not names_own:
        ex.error(
            "E309",
            f"with {len(input_names)} inputs, nodes need `edges` or `inputs:`; "
            "a spec without them is a single chain from one input",
            base,
            hint="add an `edges:` list",
        )
    for local, nspec in nodes.items():
        path = (*base, local)
        if not check_name(ex, local, path, "node"):
            scope.locals[local] = FAILED  # references to it are not reported again
            ex.graph.incomplete = True
            continue
        if local in input_names:
            ex.graph.incomplete = True
            ex.error(
                "E310",
                f"node `{local}` has the same name as an input",
                path,
                key=True,
                hint="rename the node or the input",
            )
            continue
        if nspec.inputs is not None:
            refs = [
                Ref(scope, r, _inputs_loc(ex, path, i, nspec))
                for i, r in enumerate(nspec.input_list or [])
            ]
            if local in feeds:
                ex.error(
                    "E307",
                    f"node `{local}` gets its inputs both from `inputs:` and from `edges`",
                    (*path, NodeKey.INPUTS.value),
                    key=True,
                    node=scope.prefix + local,
                    hint="give a node's inputs one way only",
                )
        elif chain:
            refs = [Ref(scope, previous, None)] if previous else []
        else:
            refs = feeds.get(local, [])
        if nspec.when is not None and not _present(ex, scope, local, nspec, refs, path):
            previous = local
            continue
        scope.local_names.append(local)
        implicit = chain and nspec.inputs is None
        out = expand_node(ex, NodeSite(scope, local, nspec, refs, path, stack, implicit))
        scope.locals[local] = out or FAILED
        previous = local
    return _outputs(ex, scope, nodes, outputs, base)


def _present(
    ex: Expansion, scope: Scope, local: str, nspec: NodeSpec, refs: list[Ref], path: Path
) -> bool:
    """Whether a node with ``when:`` is part of the model (format 1.1). A node left out stands
    for its one input — or, with several, for its one input that is not an input of the block
    (a residual ``Add``): what names it gets that input (E411 when there is no such one)."""
    wpath = (*path, NodeKey.WHEN.value)
    expanded = scope.prefix + local
    if not ex.require_1_1("`when:`", wpath, node=expanded):
        return True
    value, ok = ex.subst_checked(nspec.when, scope.params, wpath, expanded)
    if not ok:
        return True  # the expression's own error is reported
    if not isinstance(value, bool):
        ex.error(
            "E411",
            f"node `{local}`: `when` must be true or false; found {value!r}",
            wpath,
            node=expanded,
            hint="write a boolean param, e.g. `when: ${expand}` with `expand: true`",
        )
        return True
    if value:
        return True
    stand_in = refs if len(refs) == 1 else [r for r in refs if r.text not in scope.placeholders]
    if len(stand_in) != 1:
        ex.error(
            "E411",
            f"node `{local}` is left out (`when: false`) but has {len(refs)} inputs, "
            f"{len(stand_in)} of them not an input of the block: nothing can take its place",
            wpath,
            node=expanded,
            hint="a node left out needs one input, or one besides the block's inputs "
            "(a residual `Add` of `x` and the block's last node)",
        )
        return True
    scope.aliases[local] = stand_in[0]
    return False


def _through_aliases(scope: Scope, name: str) -> str | None:
    """The expanded node a left-out node stands for, when it is a node of the scope."""
    for _ in range(len(scope.aliases) + 1):
        if name not in scope.aliases:
            break
        name = scope.aliases[name].text
    return scope.locals.get(name)


def _inputs_loc(ex: Expansion, path: Path, i: int, nspec: NodeSpec) -> Loc | None:
    key = NodeKey.INPUTS.value
    if isinstance(nspec.inputs, list):
        return ex.source.at((*path, key, i))
    return ex.source.at((*path, key))


def _outputs(
    ex: Expansion,
    scope: Scope,
    nodes: Mapping[str, NodeSpec],
    outputs: list[str] | dict[str, str] | None,
    base: Path,
) -> str | None:
    top = not scope.prefix
    out_path = (*scope.path, "outputs")
    if outputs is None:
        last = next(reversed(scope.local_names), None) if scope.local_names else None
        if last is None:
            if top and not nodes and not ex.dropped["nodes"]:  # refused ones were reported
                ex.error("E313", "the spec has no nodes", base or ("nodes",))
            return None
        pairs = [(last, last)]
        locs: list[Loc | None] = [None]
    elif isinstance(outputs, dict):
        pairs = list(outputs.items())
        locs = [ex.source.at((*out_path, k)) for k in outputs]
        if top:
            ex.graph.outputs_named = True
    else:
        pairs = [(o, o) for o in outputs]
        locs = [ex.source.at((*out_path, i)) for i in range(len(outputs))]
    if not pairs:
        ex.error("E313", "`outputs` is empty", out_path, hint="name at least one node")
        return None
    first: str | None = None
    for (out_name, ref), loc in zip(pairs, locs, strict=True):
        if not isinstance(ref, str):
            continue
        if ref in scope.placeholders:
            ex.error(
                "E305", f"output `{ref}` is an input of the block, not a node", out_path, loc=loc
            )
            continue
        if top:
            ex.pending_outputs.append((out_name, Ref(scope, ref, loc)))
            continue
        resolved = scope.locals.get(ref)
        if resolved is None and ref in scope.aliases:
            resolved = _through_aliases(scope, ref)
        if resolved is None:
            ex.error(
                "E305",
                f"output `{ref}` is not a node of the block",
                out_path,
                loc=loc,
                hint=did_you_mean(ref, scope.local_names),
            )
            continue
        first = first or resolved
    return first
