"""The one node-kind registry: the spec key that selects each kind, and each pass's hook for it.

A kind of node (a layer call, a block instance, a tensor expression, a nested model) is declared
here once. The passes and back ends that handle nodes — expansion, shape inference, the Keras
compiler — look up the kind's hook for their stage; the modules that implement a kind register
those hooks when the package is imported (``graphspec.plugins`` for expressions and nested
models), never on first use. A missing hook is a programming error and raises
:class:`~graphspec.base.registry.RegistryError`: no pass ever treats an unhandled node as
"unknown" and carries on.

>>> KINDS["expr"].key, KINDS["expr"].node
('expr', <NodeKind.EXPR: 'expr'>)
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, TypeVar

from graphspec.base.registry import Registry
from graphspec.ir.graph import NodeKind

__all__ = [
    "CHECK_STAGES",
    "DEFAULT_KEY",
    "KINDS",
    "KindDef",
    "Stage",
    "hook",
    "kind_of",
    "missing_hooks",
    "selected_kind",
]

F = TypeVar("F", bound=Callable[..., Any])


class Stage(StrEnum):
    """The passes and back ends that dispatch on a node's kind."""

    EXPAND = "expand"
    """Spec entry -> graph nodes: ``(Expansion, NodeSite) -> str | None`` (passes.expand)."""
    INFER = "infer"
    """Static shapes and parameters: ``(Graph, IRNode, ShapeInfo, SourceMap, bool) -> NodeShape``."""
    COUNT = "count"
    """Static FLOPs from the shapes: ``(Graph, IRNode, ShapeInfo) -> Flops`` (or raise
    ``Uncountable`` saying why not)."""
    BUILD = "build"
    """Keras output of a node that is not a layer call: ``(BuildContext, IRNode, tensors)``."""
    MAKE_LAYER = "make_layer"
    """The (shareable) Keras layer object of a node: ``(BuildContext, IRNode) -> Layer``."""


@dataclass
class KindDef:
    """One kind of node: the spec key that selects it, the IR kind it makes, its hooks."""

    name: str
    key: str
    """The reserved spec key that makes a node this kind (``type``, ``block``, ``expr``, …)."""
    node: NodeKind | None
    """The IR kind of the node it makes; ``None`` for a block, which expands into other nodes."""
    needs: frozenset[Stage]
    """The stages that must have a hook once the package is imported (checked by the tests)."""
    own_inputs: bool = False
    """The node names its operands itself or has none (expressions, learned tensors): in a node
    list without edges, the chain rule never feeds it the node written before it."""
    anchored: bool = False
    """Its layer takes no input (a learned tensor): the compiler calls it on the model's first
    input only so that it joins the model's graph."""
    hooks: Registry[Stage, Callable[..., Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.hooks = Registry(f"{self.name} hook")

    def hook(self, stage: Stage) -> Callable[[F], F]:
        """Register this kind's hook for ``stage`` (once: a second registration is an error)."""
        return self.hooks.register(stage)

    def __getitem__(self, stage: Stage) -> Callable[..., Any]:
        return self.hooks[stage]


DEFAULT_KEY: Final = "type"
"""The key of the kind a node has when it sets no other kind's key: a layer (``type: Dense``)."""

KINDS: Registry[str, KindDef] = Registry("node kind")
"""Every kind, in the order expansion tries their keys (the default kind last)."""

for _kind in (
    KindDef("block", "block", None, frozenset({Stage.EXPAND})),
    KindDef(
        "expr",
        "expr",
        NodeKind.EXPR,
        frozenset({Stage.EXPAND, Stage.INFER, Stage.COUNT, Stage.BUILD}),
        own_inputs=True,
    ),
    KindDef(
        "model",
        "model",
        NodeKind.MODEL,
        frozenset({Stage.EXPAND, Stage.INFER, Stage.COUNT, Stage.MAKE_LAYER}),
    ),
    KindDef(
        "weight",
        "weight",
        NodeKind.WEIGHT,
        frozenset({Stage.EXPAND, Stage.INFER, Stage.COUNT, Stage.MAKE_LAYER}),
        own_inputs=True,
        anchored=True,
    ),
    KindDef(
        "layer",
        DEFAULT_KEY,
        NodeKind.LAYER,
        frozenset({Stage.EXPAND, Stage.INFER, Stage.COUNT, Stage.MAKE_LAYER}),
    ),
):
    KINDS.add(_kind.name, _kind)

_BY_NODE: Final = {kind.node: kind for kind in KINDS.values() if kind.node is not None}
_KEYED: Final = tuple(kind for kind in KINDS.values() if kind.key != DEFAULT_KEY)
_DEFAULT: Final = next(kind for kind in KINDS.values() if kind.key == DEFAULT_KEY)


def kind_of(node: NodeKind) -> KindDef:
    """The kind that makes IR nodes of ``node`` (raises for inputs, which no kind makes)."""
    try:
        return _BY_NODE[node]
    except KeyError:
        raise KeyError(f"no node kind makes {node.value} nodes") from None


def hook(node: NodeKind, stage: Stage) -> Callable[..., Any]:
    """The hook of the kind that made ``node``-kind nodes for ``stage``; raises when missing."""
    return kind_of(node)[stage]


def selected_kind(entry: object) -> KindDef:
    """The kind a written node entry selects: the first kind whose key it sets, else a layer."""
    for kind in _KEYED:
        if getattr(entry, kind.key, None) is not None:
            return kind
    return _DEFAULT


CHECK_STAGES: Final = frozenset({Stage.EXPAND, Stage.INFER, Stage.COUNT})
"""The stages of checking a spec: their hooks are registered by ``import graphspec``. The build
stages' hooks are complete once the back end that builds (the Keras compiler) is imported."""


def missing_hooks(stages: Collection[Stage] = tuple(Stage)) -> list[str]:
    """``kind.stage`` for every hook of ``stages`` a kind needs that nobody registered.

    >>> missing_hooks(CHECK_STAGES)
    []
    """
    return [
        f"{kind.name}.{stage.value}"
        for kind in KINDS.values()
        for stage in sorted(kind.needs)
        if stage in stages and stage not in kind.hooks
    ]
