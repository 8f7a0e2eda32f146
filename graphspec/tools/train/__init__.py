"""Training: settings, data, ``fit``, ``compare`` and distribution strategies (TF lazily)."""

from __future__ import annotations

from graphspec.tools.train.settings import TrainSettings, resolve_settings, train_diagnostics

__all__ = ["TrainSettings", "resolve_settings", "train_diagnostics"]
