"""Layer 3, the passes over the IR: expand, validate, shapes, cascade and fixes.

They read registries (node kinds, graph checks, shape rules) that lower and higher layers fill;
they never import a plug-in or a back end.
"""

from __future__ import annotations

__all__: list[str] = []
