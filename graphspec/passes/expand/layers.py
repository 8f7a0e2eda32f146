"""The default node kind: one call of a Keras layer (``type`` plus arguments, or ``share``)."""

from __future__ import annotations

from typing import Final

from graphspec.frontend.spec import NodeKey
from graphspec.ir.graph import IRNode, NodeKind
from graphspec.ir.kinds import KINDS, Stage
from graphspec.passes.expand.calls import call_refs
from graphspec.passes.expand.context import Expansion, Ref
from graphspec.passes.expand.nodes import NodeSite

__all__ = ["expand_layer"]

_NONE_FAILED: Final = frozenset[str]()
"""The ``failed_args`` of the nodes whose arguments all substituted (one shared object)."""


@KINDS["layer"].hook(Stage.EXPAND)
def expand_layer(ex: Expansion, site: NodeSite) -> str:
    """Add a layer node, its arguments' ``${params}`` resolved in its scope."""
    scope, path, expanded = site.scope, site.path, site.expanded
    if site.spec.repeat is not None or (site.spec.names is not None and not scope.prefix):
        _instance_keys_refused(ex, site)
    args: dict[str, object] = {}
    failed: set[str] = set()
    for key, value in site.spec.args.items():
        kind = type(value)
        if kind is int or (kind is str and "${" not in value) or kind is float or kind is bool:
            args[key] = value  # a literal: nothing to substitute (the common case)
            continue
        args[key], ok = ex.subst_checked(
            value, scope.params, (*path, key), expanded, deferrable=True, site=scope
        )
        if not ok:
            failed.add(key)
    node = IRNode(
        name=expanded,
        kind=NodeKind.LAYER,
        type=site.spec.type,
        args=args,
        loc=ex.source.key_at(path),
        spec_path=path,
        instance=scope.prefix[:-1] or None,
        file=scope.file,
        failed_args=frozenset(failed) if failed else _NONE_FAILED,
    )
    extra = call_refs(ex, site, node)
    share = site.spec.share
    ex.add_node(
        node,
        [*site.refs, *extra],
        Ref(scope, share, ex.source.at((*path, "share"))) if share else None,
    )
    return expanded


def _instance_keys_refused(ex: Expansion, site: NodeSite) -> None:
    """E404 for `repeat` (and, outside a block, `names:`) on a layer node: instance keys."""
    for reserved in (NodeKey.REPEAT, NodeKey.NAMES):
        if reserved is NodeKey.NAMES and site.scope.prefix:
            continue  # a block's node: its own `names:` template (applied by its instance)
        if getattr(site.spec, reserved.value) is not None:
            ex.error(
                "E404",
                f"node `{site.local}`: `{reserved.value}` only applies to block instances",
                (*site.path, reserved.value),
                key=True,
                node=site.expanded,
                hint=f"add `block: NAME`, or remove `{reserved.value}`"
                if reserved is NodeKey.REPEAT
                else "a top-level node's Keras layer is named after the node; rename the node",
            )
