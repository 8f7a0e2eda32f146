"""One checked graph as codegen reads it: the spec text behind each node, port counts, the plan."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from graphspec.backends.codegen._params import names_in
from graphspec.backends.codegen._plan import Plan, block_outputs, plan_calls
from graphspec.frontend.spec import BlockSpec, NodeSpec, Spec
from graphspec.ir.graph import BlockInstance, Graph, IRNode

if TYPE_CHECKING:
    from graphspec.passes.shapes.infer import ShapeInfo

__all__ = ["TEMPLATE_NAMES", "Model", "strip_port"]

TEMPLATE_NAMES: Final = ("instance", "node", "copy")
"""The names a ``names:`` template sees besides params."""

_PORT: Final = re.compile(r"^(.+):(\d{1,3})$")


def strip_port(text: str) -> tuple[str, int]:
    """``("enc", 1)`` for ``enc:1``; ``(text, 0)`` without a port."""
    found = _PORT.match(text)
    return (found.group(1), int(found.group(2))) if found else (text, 0)


@dataclass
class Model:
    """A checked graph with what the writers ask of it."""

    graph: Graph
    spec: Spec
    shapes: ShapeInfo | None
    plan: Plan = field(init=False)
    sharers: set[str] = field(init=False)
    """Nodes whose layer another node calls too (their layer is one variable)."""

    def __post_init__(self) -> None:
        graph = self.graph
        self.plan = plan_calls(graph)
        self.sharers = {n.share for n in graph if n.share}
        self._free: dict[str, set[str]] = {}

    # -- the spec behind the graph ------------------------------------------------------------

    def block(self, inst: BlockInstance) -> BlockSpec:
        found: BlockSpec = self.graph.block_specs[inst.block]
        return found

    def instance(self, name: str | None) -> BlockInstance | None:
        return self.graph.instances[name] if name else None

    def scope_nodes(self, inst: BlockInstance | None) -> dict[str, NodeSpec]:
        """The node specs written in an instance's block (the spec's own at the top level)."""
        return self.spec.nodes if inst is None else self.block(inst).nodes

    def local(self, name: str, inst: BlockInstance | None) -> str:
        """``name`` relative to ``inst`` (``stage.0.conv`` in ``stage.0`` is ``conv``)."""
        return name if inst is None else name[len(inst.name) + 1 :]

    def node_spec(self, node: IRNode) -> NodeSpec | None:
        """The node as written (its ``${...}`` unresolved), if it was written as a node."""
        inst = self.instance(node.instance)
        return self.scope_nodes(inst).get(self.local(node.name, inst))

    def site_spec(self, inst: BlockInstance) -> NodeSpec:
        """The instance node as written (its params unresolved)."""
        parent = self.instance(inst.parent)
        return self.scope_nodes(parent)[self.local(inst.site, parent)]

    def outputs_of(self, inst: BlockInstance) -> list[str]:
        return block_outputs(self.graph, inst)

    def ports(self, name: str) -> int:
        """How many tensors a node gives (1 when unknown)."""
        known = self.shapes.nodes.get(name) if self.shapes is not None else None
        return len(known.outputs) if known is not None and known.outputs else 1

    def free_names(self, block: str, stack: tuple[str, ...] = ()) -> set[str]:
        """The spec params a block uses, itself or through the blocks it holds (not its own)."""
        if block in self._free:
            return self._free[block]
        spec = self.graph.block_specs.get(block)
        if spec is None or block in stack:
            return set()
        used = names_in([*spec.params.values(), spec.names]) - set(TEMPLATE_NAMES)
        inner: set[str] = set()
        for node in spec.nodes.values():
            used |= names_in([node.args, node.call or {}, node.repeat, node.expr])
            if node.block is None:
                used |= names_in(node.names) - set(TEMPLATE_NAMES)
            else:  # an instance's template sees its own block's params and `copy`
                inner_spec = self.graph.block_specs.get(node.block)
                own = set(inner_spec.params) if inner_spec is not None else set()
                used |= names_in(node.names) - own - {"copy"}
            if isinstance(node.model, str):
                used |= names_in(node.model)
            if node.block is not None:
                inner |= self.free_names(node.block, (*stack, block))
        self._free[block] = found = (used - set(spec.params)) | inner
        return found

    def args_of(self, node: IRNode) -> dict[str, Any]:
        """The node's arguments as written, for those that hold ``${...}``."""
        written = self.node_spec(node)
        if written is None:
            return {}
        return {k: v for k, v in written.args.items() if names_in(v) or "${" in str(v)}
