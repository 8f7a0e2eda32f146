"""What shape inference knows: each node's output shapes and parameter counts, and the problems."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphspec.base.shape_types import Shape
from graphspec.errors import Diagnostic

__all__ = ["NodeShape", "ShapeInfo"]


@dataclass
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
    """Shapes and parameter counts of every node, with the problems found."""

    nodes: dict[str, NodeShape] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unruled: set[str] = field(default_factory=set)

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
