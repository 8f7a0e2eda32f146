"""Learned tensors (format 1.1 ``weight:``): a trainable tensor as a node of the graph.

A class token, a learned position table, a per-channel scale: ``{weight: {shape: [1, 1, 64],
initializer: zeros}}``. Importing the package registers the ``weight`` kind's hooks
(:mod:`graphspec.ir.kinds`) and its settings check: ``expansion``, ``checks``, ``inference`` and
``building``. The Keras layer it compiles to (:mod:`~graphspec.plugins.weight.layer`) imports Keras
and is imported only when a model is built.
"""

from __future__ import annotations

from graphspec.plugins.weight import building, checks, expansion, inference
from graphspec.plugins.weight.settings import KERAS_CLASS, OBJECT_KINDS, SETTINGS, layer_source

__all__ = ["HOOKS", "KERAS_CLASS", "OBJECT_KINDS", "SETTINGS", "layer_source"]

HOOKS = (expansion, checks, inference, building)
"""The modules that register the ``weight`` kind's hooks (imported above, eagerly)."""
