"""What a ``weight:`` mapping may hold, and the source of the Keras layer it compiles to."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import Final

__all__ = ["DTYPES", "KERAS_CLASS", "OBJECT_KINDS", "REGISTERED", "SETTINGS", "layer_source"]

SETTINGS: Final = {
    "shape": "a list of sizes without a batch axis, e.g. [1, 1, 64] ([] for a scalar)",
    "initializer": "a name from keras.initializers or {type: NAME, ...}",
    "regularizer": "null, a name from keras.regularizers or {type: NAME, ...}",
    "constraint": "null, a name from keras.constraints or {type: NAME, ...}",
    "trainable": "true or false",
    "batched": "true (one copy per sample: a leading batch axis) or false",
    "dtype": "a float dtype: float16, bfloat16, float32 or float64",
}
"""The keys of ``weight:`` and what each takes (``shape`` is required)."""

OBJECT_KINDS: Final = {
    "initializer": "initializers",
    "regularizer": "regularizers",
    "constraint": "constraints",
}
"""The settings that name a Keras object, and the family they name it from."""

DTYPES: Final = ("float16", "bfloat16", "float32", "float64")

KERAS_CLASS: Final = "LearnedTensor"
"""The Keras layer class a learned tensor compiles to (:mod:`graphspec.plugins.weight.layer`)."""
REGISTERED: Final = f"graphspec>{KERAS_CLASS}"
"""Its name in Keras's serialization registry: what a saved model records."""


@cache
def layer_source() -> str:
    """The source of the Keras layer class, decorator included, read from its module's file
    without importing it (Keras stays unimported): what ``codegen`` writes into its files.

    >>> text = layer_source()
    >>> text.splitlines()[:2]
    ['@keras.saving.register_keras_serializable(package="graphspec")', 'class LearnedTensor(keras.layers.Layer):']
    """
    text = (Path(__file__).parent / "layer.py").read_text(encoding="utf-8")
    for item in ast.parse(text).body:
        if isinstance(item, ast.ClassDef) and item.name == KERAS_CLASS:
            start = (
                min(d.lineno for d in item.decorator_list) if item.decorator_list else item.lineno
            )
            lines = text.splitlines()[start - 1 : item.end_lineno]
            return "\n".join(lines)
    raise LookupError(f"{KERAS_CLASS} is not defined in {Path(__file__).parent / 'layer.py'}")
