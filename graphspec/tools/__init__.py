"""Layer 6, the tools built on the back ends: the language server, the live viewer, training."""

from __future__ import annotations

__all__: list[str] = []
