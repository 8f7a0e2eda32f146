"""The Keras back end: the backend chosen before Keras is imported, the compiler, ``--deep``."""

from __future__ import annotations

__all__: list[str] = []
