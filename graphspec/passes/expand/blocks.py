"""Block instances: a block's params checked and resolved, its body expanded (``repeat`` times)."""

from __future__ import annotations

import itertools
from typing import Any

from graphspec.base import limits as _limits
from graphspec.base.source import Path
from graphspec.base.suggest import did_you_mean, suggest
from graphspec.frontend.spec import BlockSpec, NodeKey
from graphspec.ir.graph import BlockInstance
from graphspec.ir.kinds import KINDS, Stage
from graphspec.passes.expand.context import POISONED, Expansion, Ref, Scope, TooLarge
from graphspec.passes.expand.nodes import NodeSite
from graphspec.passes.expand.scopes import expand_scope

__all__ = ["expand_instance"]


@KINDS["block"].hook(Stage.EXPAND)
def expand_instance(ex: Expansion, site: NodeSite) -> str | None:
    """Expand a block instance; returns its (first) output node, ``None`` when it failed."""
    nspec, path, local, expanded = site.spec, site.path, site.local, site.expanded
    name = nspec.block or ""
    found = ex.blocks.get(name)
    block = found.spec if found is not None else None
    if block is None and name in ex.dropped["blocks"]:
        return None  # the block definition's own error was reported
    if block is None:
        ex.error(
            "E401",
            f"node `{local}` uses the unknown block `{name}`",
            (*path, NodeKey.BLOCK.value),
            node=expanded,
            hint=did_you_mean(name, ex.blocks)
            or (
                f"defined blocks: {', '.join(ex.blocks)}"
                if ex.blocks
                else "this spec defines no blocks; define it under `blocks:`"
            ),
        )
        return None
    for key in (
        NodeKey.TYPE,
        NodeKey.SHARE,
        NodeKey.CALL,
        NodeKey.EXPR,
        NodeKey.MODEL,
        NodeKey.WEIGHT,
    ):
        if getattr(nspec, key.value) is not None:
            ex.error(
                "E402",
                f"block instance `{local}` cannot also have `{key.value}`",
                (*path, key.value),
                key=True,
                node=expanded,
                hint=f"a block instance takes only block params; remove `{key.value}`",
            )
    if name in site.stack:
        chain = " -> ".join((*site.stack, name))
        ex.error(
            "E405",
            f"block `{name}` uses itself (recursion: {chain})",
            (*path, NodeKey.BLOCK.value),
            node=expanded,
            hint="blocks may use other blocks, but not themselves",
        )
        return None
    if len(site.stack) >= _limits.MAX_BLOCK_DEPTH:
        ex.error(
            "E405",
            f"blocks nest deeper than {_limits.MAX_BLOCK_DEPTH}",
            path,
            hint="inline some of the inner blocks",
        )
        return None
    params = _block_params(ex, site, block, name)
    if params is None:
        return None
    repeat = _repeat(ex, site)
    if repeat is None:
        return None
    if len(site.refs) != len(block.inputs):
        ex.error(
            "E404",
            f"block instance `{local}` gets {len(site.refs)} input(s) but block `{name}` "
            f"takes {len(block.inputs)}: {', '.join(block.inputs)}",
            path,
            key=True,
            node=expanded,
            hint="connect one edge (or `inputs:` entry) per block input, in order",
        )
        return None
    if repeat > 1 and (len(block.inputs) != 1 or len(block.outputs or [None]) != 1):
        ex.error(
            "E404",
            f"`repeat: {repeat}` needs block `{name}` to have one input and one output",
            (*path, NodeKey.REPEAT.value),
            key=True,
            node=expanded,
            hint="copies are chained output to input; write the instances out one by one",
        )
        return None
    return _copies(ex, site, block, name, params, repeat)


def _copies(
    ex: Expansion, site: NodeSite, block: BlockSpec, name: str, params: dict[str, Any], repeat: int
) -> str | None:
    """Expand ``repeat`` copies of the block body, each fed by the previous copy's output."""
    graph, expanded = ex.graph, site.expanded
    naming = _naming(ex, site, block, name)
    out: str | None = None
    start = len(graph.nodes)
    for i in range(repeat):
        prefix = f"{expanded}." + (f"{i}." if repeat > 1 else "")
        origin = ex.blocks[name]
        inner = Scope(prefix=prefix, path=origin.path, params=params, file=origin.file)
        feeds = site.refs if i == 0 else [Ref(None, out or "", None, resolved=out)]
        inner.placeholders = {p: [r] for p, r in zip(block.inputs, feeds, strict=True)}
        before = len(graph.nodes)
        out = expand_scope(
            ex,
            inner,
            block.nodes,
            block.edges,
            block.outputs,
            input_names=list(block.inputs),
            stack=(*site.stack, name),
        )
        added = len(graph.nodes) - before  # the newest names, read from the end
        inst = BlockInstance(
            name=prefix[:-1],
            block=name,
            nodes=list(itertools.islice(reversed(graph.nodes), added))[::-1],
            output=out,
            parent=site.scope.prefix[:-1] or None,
            loc=ex.source.key_at(site.path),
            site=expanded,
            copy=i if repeat > 1 else None,
            params=dict(params),
            names=site.spec.names,
        )
        graph.instances[inst.name] = inst
        ex.instance_feeds[inst.name] = list(feeds)
        if naming:
            _name_layers(ex, site, block, name, prefix, params, i)
        if out is None:
            return None
        size = len(graph.nodes) - start
        if i == 0 and start + size * repeat > _limits.MAX_NODES:
            ex.error(
                "E409",
                f"`repeat: {repeat}` of block `{name}` ({size:,} nodes per copy) expands "
                f"the spec to more than {_limits.MAX_NODES:,} nodes",
                (*site.path, NodeKey.REPEAT.value),
                node=expanded,
                hint="lower `repeat` counts",
            )
            raise TooLarge
    return out


def _naming(ex: Expansion, site: NodeSite, block: BlockSpec, name: str) -> bool:
    """Whether the instance's layers get names from ``names:`` templates (format 1.1: E800
    where one is written in a spec that does not declare it)."""
    origin = ex.blocks[name].path
    paths: list[Path] = []
    if site.spec.names is not None:
        paths.append((*site.path, NodeKey.NAMES.value))
    if block.names is not None:
        paths.append((*origin, NodeKey.NAMES.value))
    paths += [
        (*origin, "nodes", local, NodeKey.NAMES.value)
        for local, node in block.nodes.items()
        if node.names is not None
    ]
    return bool(paths) and all(
        ex.require_1_1("a `names:` template", path, node=site.expanded) for path in paths
    )


def _name_layers(
    ex: Expansion,
    site: NodeSite,
    block: BlockSpec,
    name: str,
    prefix: str,
    params: dict[str, Any],
    copy: int,
) -> None:
    """Give each node of one copy the Keras layer name its ``names:`` template makes: the
    node's own, else the block's; ``${instance}`` is the copy's name (the instance's
    ``names:`` template, else the instance's name)."""
    instance: Any = site.local
    if site.spec.names is not None:
        path: Path = (*site.path, NodeKey.NAMES.value)
        if path in ex.failed_templates:
            return
        instance, ok = ex.subst_checked(site.spec.names, {**params, "copy": copy}, path, None)
        if not ok or not _named(ex, instance, path, f"copy {copy} of `{site.expanded}`"):
            ex.failed_templates.add(path)
            return
    origin = ex.blocks[name].path
    for local, nspec in block.nodes.items():
        node = ex.graph.nodes.get(prefix + local)
        if node is None or node.instance != prefix[:-1]:
            continue  # a nested instance names its own nodes
        if nspec.names is not None:
            template, path = nspec.names, (*origin, "nodes", local, NodeKey.NAMES.value)
        elif block.names is not None:
            template, path = block.names, (*origin, NodeKey.NAMES.value)
        else:
            continue
        if path in ex.failed_templates:
            continue
        scope = {**params, "instance": instance, "node": local, "copy": copy}
        value, ok = ex.subst_checked(template, scope, path, node.name)
        if not ok or not _named(ex, value, path, f"node `{node.name}`"):
            ex.failed_templates.add(path)  # reported once, for the first node
            continue
        node.keras_name = str(value)


def _named(ex: Expansion, value: Any, path: Path, what: str) -> bool:
    """Whether a template's result can name a Keras layer (E410 when it cannot)."""
    problem = _name_problem(value)
    if problem is not None:
        ex.error(
            "E410",
            f"the `names:` template gives {what} the name {value!r}, which {problem}",
            path,
            hint="a template such as `${instance}_${node}` makes one name per node",
        )
    return problem is None


def _name_problem(value: Any) -> str | None:
    """Why ``value`` cannot name a Keras layer, or ``None``."""
    if not isinstance(value, str):
        return "is not a string"
    if not value.strip() or value != value.strip():
        return "is empty or starts or ends with whitespace"
    if "/" in value:
        return "contains `/`, which Keras forbids in layer names"
    if len(value) > _limits.MAX_NAME_LENGTH:
        return f"is longer than {_limits.MAX_NAME_LENGTH} characters"
    return None


def _block_params(
    ex: Expansion, site: NodeSite, block: BlockSpec, name: str
) -> dict[str, Any] | None:
    """The instance's params: given ones checked against the block's, defaults resolved."""
    scope, local, path = site.scope, site.local, site.path
    ok = True
    given = site.spec.args
    misspelt: set[str] = set()  # required params an unknown key was a typo of
    for key in given:
        if key not in block.params:
            meant = suggest(key, block.params)
            misspelt.update(meant)
            ex.error(
                "E403",
                f"block `{name}` has no param `{key}`",
                (*path, key),
                key=True,
                node=site.expanded,
                hint=did_you_mean(key, block.params)
                or f"its params: {', '.join(block.params) or 'none'}",
            )
            ok = False
    for key, default in block.params.items():
        if default is None and key not in given and key not in misspelt:  # the hint names it
            ex.error(
                "E402",
                f"block instance `{local}` is missing the required param `{key}` of block `{name}`",
                path,
                key=True,
                node=site.expanded,
                hint=f"add `{key}: VALUE` to `{local}`",
            )
            ok = False
    if not ok:
        return None
    values: dict[str, Any] = {}
    for key, value in given.items():
        if ex.surprising((*path, key)):
            values[key] = POISONED
            continue
        resolved, ok = ex.subst_checked(
            value, scope.params, (*path, key), site.expanded, deferrable=True, site=scope
        )
        values[key] = resolved if ok else POISONED
    inner = dict(ex.params)
    merged = {k: values.get(k, v) for k, v in block.params.items()}
    resolved = ex.resolve_params(
        {k: v for k, v in merged.items() if k not in values},
        {**inner, **values},
        (*ex.blocks[name].path, "params"),
    )
    return {**resolved, **values}


def _repeat(ex: Expansion, site: NodeSite) -> int | None:
    """The instance's ``repeat`` count (1 when not given), checked against the limit."""
    nspec = site.spec
    if nspec.repeat is None:
        return 1
    rpath = (*site.path, NodeKey.REPEAT.value)
    value, ok = ex.subst_checked(nspec.repeat, site.scope.params, rpath, site.expanded)
    if not ok:  # the expression's own error is reported; the instance is left out quietly
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= _limits.MAX_REPEAT
    ):
        ex.error(
            "E404",
            f"`repeat` must be an integer from 1 to {_limits.MAX_REPEAT:,}; found {value!r}",
            rpath,
            node=site.expanded,
            hint="to leave the block out, remove the node"
            if value == 0
            else f"write a count from 1 to {_limits.MAX_REPEAT:,}",
        )
        return None
    return value
