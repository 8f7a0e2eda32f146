"""``share``: a node that calls another node's layer object (and so uses the same weights)."""

from __future__ import annotations

from graphspec.frontend.spec import NodeKey
from graphspec.ir.graph import IRNode, NodeKind
from graphspec.passes.expand.context import FAILED, Expansion, Ref

__all__ = ["resolve_share"]


def resolve_share(ex: Expansion, node: IRNode, ref: Ref, target: str | None) -> None:
    """Point ``node`` at the owner of the layer ``ref`` names (``target``, already resolved).

    The node takes the owner's type and arguments; it stays ``broken`` when the share is wrong.
    """
    path = (*node.spec_path, NodeKey.SHARE.value)
    node.broken = True
    if target == FAILED:
        return
    if target is None:
        ex.undefined(ref, node.name, path, what="`share`")
        return
    if target == node.name:
        ex.error(
            "E308",
            f"node `{node.name}` shares its own layer",
            path,
            node=node.name,
            hint="`share` names another node whose layer (and weights) to reuse",
        )
        return
    owner = ex.graph.nodes[target]
    seen = {node.name}
    while owner.share and owner.share not in seen:
        seen.add(owner.name)
        owner = ex.graph.nodes[owner.share]
    if not owner.is_layer and owner.kind is not NodeKind.MODEL:
        what = "an input" if owner.is_input else f"an {owner.kind.value} node"
        ex.error(
            "E308",
            f"node `{node.name}` shares `{target}`, which is {what}, not a layer",
            path,
            node=node.name,
        )
        return
    if node.type is not None or node.args:
        extra = ["type"] if node.type is not None else []
        extra += list(node.args)
        ex.error(
            "E308",
            f"node `{node.name}` has `share` and also {', '.join(f'`{e}`' for e in extra)}; "
            "a shared layer takes its type and arguments from the node it shares",
            path,
            node=node.name,
            hint=f"remove {', '.join(extra)} from `{node.name}`",
        )
    node.share = owner.name
    node.type = owner.type
    node.args = owner.args
    node.kind = owner.kind
    node.model = owner.model
    node.broken = owner.broken
