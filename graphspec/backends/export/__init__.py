"""Export to SavedModel, ONNX and LiteRT through ``Model.export``, verified in each runtime."""

from __future__ import annotations

__all__: list[str] = []
