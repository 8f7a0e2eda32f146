"""How one matched node differs between the two specs (the compare step's working record)."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphspec.backends.diff.result import Count, Pair

__all__ = ["NodeDelta"]


@dataclass
class NodeDelta:
    """How one matched node differs: its definition (``arguments``, ``inputs``) and, as a
    consequence, its output shapes and parameter count."""

    old: str
    new: str
    arguments: dict[str, Pair] = field(default_factory=dict)
    inputs: Pair | None = None
    shape: Pair | None = None
    counts: Count = field(default_factory=lambda: Count(None, None))
    """The node's parameter counts on both sides (``None``: unknown)."""

    @property
    def params(self) -> Count | None:
        """The parameter counts when both are known and differ, else ``None``."""
        delta = self.counts.delta
        return self.counts if delta is not None and delta != 0 else None

    @property
    def direct(self) -> bool:
        """True when the node itself was edited (not only its shapes or parameters)."""
        return bool(self.arguments or self.inputs)

    @property
    def any(self) -> bool:
        """True when anything differs."""
        return self.direct or self.shape is not None or self.params is not None
