"""The shape rules of every ``keras.layers`` family (and KerasHub's layers): importing this package
registers them all."""

from __future__ import annotations

from graphspec.passes.shapes.rules import (
    app_layers,
    attention,
    audio,
    categorical,
    cells,
    conv,
    conv_recurrent,
    core,
    hub,
    image,
    merging,
    normalization,
    pooling,
    recurrent,
    reshaping,
    wrappers,
)

__all__ = ["MODULES"]

MODULES = (
    app_layers,
    attention,
    audio,
    categorical,
    cells,
    conv,
    conv_recurrent,
    core,
    hub,
    image,
    merging,
    normalization,
    pooling,
    recurrent,
    reshaping,
    wrappers,
)
"""The modules that register rules (imported above, eagerly), one per family of layers."""
