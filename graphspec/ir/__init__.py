"""Layer 2, the graph IR every pass and back end works on, and the one node-kind registry."""

from __future__ import annotations

__all__: list[str] = []
