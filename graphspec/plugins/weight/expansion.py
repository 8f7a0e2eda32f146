"""Learned-tensor nodes (format 1.1 ``weight:``): the settings substituted, no inputs."""

from __future__ import annotations

from graphspec.base.suggest import did_you_mean
from graphspec.frontend.spec import NodeKey
from graphspec.ir.graph import IRNode, NodeKind
from graphspec.ir.kinds import KINDS, Stage
from graphspec.passes.expand.context import Expansion
from graphspec.passes.expand.nodes import NodeSite
from graphspec.plugins.weight.settings import SETTINGS

__all__ = ["expand_weight"]

_OTHER_KINDS = (
    NodeKey.TYPE,
    NodeKey.SHARE,
    NodeKey.BLOCK,
    NodeKey.REPEAT,
    NodeKey.INPUTS,
    NodeKey.CALL,
)


@KINDS["weight"].hook(Stage.EXPAND)
def expand_weight(ex: Expansion, site: NodeSite) -> str:
    """Add a learned-tensor node: its settings as the node's arguments, ``${params}`` resolved."""
    path, expanded, nspec = site.path, site.expanded, site.spec
    key_path = (*path, NodeKey.WEIGHT.value)
    ex.require_1_1("a learned tensor (`weight:`)", key_path, node=expanded)
    _misuse(ex, site)
    settings = nspec.weight or {}
    args: dict[str, object] = {}
    failed: set[str] = set()
    for key, value in settings.items():
        if key not in SETTINGS:
            ex.error(
                "E861",
                f"learned tensor `{site.local}`: `weight` has no setting `{key}`",
                (*key_path, key),
                key=True,
                node=expanded,
                hint=did_you_mean(key, SETTINGS) or f"its settings: {', '.join(SETTINGS)}",
            )
            continue
        args[key], ok = ex.subst_checked(
            value, site.scope.params, (*key_path, key), expanded, deferrable=True, site=site.scope
        )
        if not ok:
            failed.add(key)
    if "shape" not in settings:
        ex.error(
            "E861",
            f"learned tensor `{site.local}` needs a `shape`",
            key_path,
            key=True,
            node=expanded,
            hint="give its sizes without a batch axis: `weight: {shape: [1, 1, 64]}`",
        )
    node = IRNode(
        name=expanded,
        kind=NodeKind.WEIGHT,
        args=args,
        loc=ex.source.key_at(path),
        spec_path=path,
        args_at=key_path,
        instance=site.scope.prefix[:-1] or None,
        file=site.scope.file,
        failed_args=frozenset(failed),
        broken="shape" not in settings,
    )
    ex.add_node(node, [])
    return expanded


def _misuse(ex: Expansion, site: NodeSite) -> None:
    """E860: keys of other kinds, layer arguments, or an edge into a learned tensor."""
    path, expanded, nspec = site.path, site.expanded, site.spec
    for kind_key in _OTHER_KINDS:
        if getattr(nspec, kind_key.value) is not None:
            ex.error(
                "E860",
                f"learned tensor `{site.local}` cannot also have `{kind_key.value}`",
                (*path, kind_key.value),
                key=True,
                node=expanded,
                hint="a learned tensor has no input: use it by name in an expression or as "
                "another node's input"
                if kind_key in (NodeKey.INPUTS, NodeKey.CALL)
                else "make a separate node for it",
            )
    for key in nspec.args:
        ex.error(
            "E860",
            f"learned tensor `{site.local}` takes no argument `{key}`",
            (*path, key),
            key=True,
            node=expanded,
            hint=f"write it under `weight:`: `weight: {{shape: [...], {key}: ...}}`"
            if key in SETTINGS
            else f"its settings go under `weight:` ({', '.join(SETTINGS)})",
        )
    if site.refs and not site.implicit and nspec.inputs is None:
        first = site.refs[0]
        ex.error(
            "E860",
            f"an edge leads into learned tensor `{site.local}` (from `{first.text}`)",
            path,
            loc=first.loc,
            node=expanded,
            hint="a learned tensor has no input: remove the edge",
        )
