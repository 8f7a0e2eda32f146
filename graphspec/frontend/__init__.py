"""Layer 1, the front end: YAML text to a checked-schema :class:`~graphspec.frontend.spec.Spec`.

The safe loader, YAML error explanations, the spec schema (typed records), ``${params}``, paths and the rules
of spec files naming spec files. It knows nothing of graphs, diagrams or Keras.
"""

from __future__ import annotations

__all__: list[str] = []
