"""Layer 5, the back ends: Keras compiler, codegen, YAML emitter, importer, diagrams, summary.

Each works on a checked result of :mod:`graphspec.api`; none re-parses YAML.
"""

from __future__ import annotations

__all__: list[str] = []
