# mypy: disable-error-code="misc"
# (Keras ships no type hints: subclassing its Layer is "subclassing Any")
"""The Keras layer of a learned tensor (``weight:``), registered as ``graphspec>LearnedTensor``.

Importing this module imports Keras and registers the class with
``keras.saving.register_keras_serializable``: a saved model holding learned tensors loads with
``keras.saving.load_model(path)`` (``safe_mode=True``) in any process that imported it —
``graphspec.keras_objects()`` does, and so does compiling any spec. ``graphspec codegen`` copies
the class into the files it writes (same registered name, no graphspec import), so a model saved
from generated code loads with graphspec too, and the other way round.
"""

from __future__ import annotations

from typing import Any

import keras

__all__ = ["LearnedTensor"]


@keras.saving.register_keras_serializable(package="graphspec")
class LearnedTensor(keras.layers.Layer):
    """A trainable tensor of a fixed shape (a class token, a position table, a scale).

    Called on any tensor of the model, it returns its weight: the input only joins the layer
    to the model's graph and its values are never read. With ``batched=True`` the weight is
    repeated along the input's first axis (one copy per sample of the batch).
    """

    def __init__(
        self,
        shape: Any,
        initializer: Any = "glorot_uniform",
        regularizer: Any = None,
        constraint: Any = None,
        batched: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.tensor_shape = tuple(int(size) for size in shape)
        self.initializer = keras.initializers.get(initializer)
        self.regularizer = keras.regularizers.get(regularizer)
        self.constraint = keras.constraints.get(constraint)
        self.batched = bool(batched)

    def build(self, input_shape: Any) -> None:
        self.tensor = self.add_weight(
            shape=self.tensor_shape,
            initializer=self.initializer,
            regularizer=self.regularizer,
            constraint=self.constraint,
            name="tensor",
        )

    def call(self, inputs: Any) -> Any:
        value = keras.ops.cast(self.tensor, self.compute_dtype)
        if not self.batched:
            return value
        batch = keras.ops.shape(inputs)[0]
        return keras.ops.broadcast_to(value, (batch, *self.tensor_shape))

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        if self.batched:
            return (input_shape[0], *self.tensor_shape)
        return self.tensor_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "shape": list(self.tensor_shape),
            "initializer": keras.initializers.serialize(self.initializer),
            "regularizer": keras.regularizers.serialize(self.regularizer),
            "constraint": keras.constraints.serialize(self.constraint),
            "batched": self.batched,
        }
