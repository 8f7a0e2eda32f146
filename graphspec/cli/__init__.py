"""Layer 7, the command line: one registered sub-command per job, options shared, one exit status."""

from __future__ import annotations

__all__: list[str] = []
