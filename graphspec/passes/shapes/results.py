"""What shape inference knows: each node's output shapes and parameter counts, and the problems."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from graphspec.base.shape_types import Shape, ShapeResult
from graphspec.errors import Diagnostic

__all__ = ["NodeShape", "ShapeInfo"]


@dataclass(slots=True)
class NodeShape:
    """What inference knows of one node: output shapes (``None`` when unknown) and parameters."""

    outputs: tuple[Shape, ...] | None = None
    trainable: int = 0
    non_trainable: int = 0
    known: bool = False
    fault: str | None = None
    reason: str | None = None

    @property
    def output(self) -> Shape | None:
        """The first output shape, or ``None``."""
        return self.outputs[0] if self.outputs else None

    @property
    def params(self) -> int:
        """Trainable plus non-trainable parameters."""
        return self.trainable + self.non_trainable


@dataclass
class ShapeInfo:
    """Shapes and parameter counts of every node, with the problems found.

    ``rules`` keeps what each shape rule inferred by (layer type, arguments, input shapes):
    a rule is a pure function of them, and a spec repeats its layers (ResNet-50 applies 47
    distinct ones to 176 nodes), so each runs once per distinct call in one inference.
    """

    nodes: dict[str, NodeShape] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unruled: set[str] = field(default_factory=set)
    rules: dict[Hashable, ShapeResult] = field(default_factory=dict, repr=False, compare=False)

    @property
    def trainable(self) -> int:
        """Total trainable parameters of known nodes (shared layers counted once)."""
        return sum(n.trainable for n in self.nodes.values())

    @property
    def non_trainable(self) -> int:
        """Total non-trainable parameters of known nodes."""
        return sum(n.non_trainable for n in self.nodes.values())

    @property
    def total(self) -> int:
        """All parameters of known nodes."""
        return self.trainable + self.non_trainable

    @property
    def complete(self) -> bool:
        """True when every node's shape and parameter count is known."""
        return all(n.known for n in self.nodes.values())

    def __getitem__(self, name: str) -> NodeShape:
        return self.nodes[name]
