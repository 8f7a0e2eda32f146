"""Call arguments (format 1.1): ``call:`` constants kept, tensor arguments turned into inputs.

A tensor argument (``initial_state``, ``mask``, ``value``, …) names nodes like ``inputs:`` does,
one name or a list; its tensors are added after the node's own inputs, in the order written,
so every back end sees them as edges. Which arguments a layer takes is checked later, against
its call signature in the catalog (:mod:`graphspec.plugins.calls.checks`).
"""

from __future__ import annotations

from graphspec.base.catalog import is_call_tensor_arg
from graphspec.frontend.spec import NodeKey
from graphspec.ir.graph import CallTensors, IRNode
from graphspec.passes.expand.context import Expansion, Ref
from graphspec.passes.expand.nodes import NodeSite

__all__ = ["call_refs"]


def call_refs(ex: Expansion, site: NodeSite, node: IRNode) -> list[Ref]:
    """Fill ``node.call`` from the node's ``call:``; the references of its tensor arguments."""
    written = site.spec.call
    if written is None:
        return []
    path = (*site.path, NodeKey.CALL.value)
    ex.require_1_1("call arguments (`call:`)", path, node=site.expanded)
    refs: list[Ref] = []
    for key, raw in written.items():
        apath = (*path, key)
        value = ex.subst(raw, site.scope.params, apath, site.expanded)
        if not is_call_tensor_arg(key):
            node.call[key] = value
            continue
        names = value if isinstance(value, list) else [value]
        if not names or not all(isinstance(n, str) and n for n in names):
            ex.error(
                "E822",
                f"node `{site.local}`: call argument `{key}` takes node references (a name or a "
                f"list of names); found {value!r}",
                apath,
                node=site.expanded,
                hint=f'e.g. `{key}: ["enc:1", "enc:2"]`' if key == "initial_state" else None,
            )
            continue
        for i, name in enumerate(names):
            loc = ex.source.at((*apath, i) if isinstance(value, list) else apath)
            refs.append(Ref(site.scope, name, loc))
        node.call[key] = CallTensors(len(names), isinstance(value, list))
        node.call_tensors += len(names)
    return refs
