"""Layer 0, the base: errors' locations, the Keras catalog, shape types, records, suggestions, limits, registries.

Nothing here imports another graphspec layer; everything else may import it.
"""

from __future__ import annotations

__all__: list[str] = []
