"""Layers whose shapes graphspec learns in each of the three ways (for tests/test_user_shapes.py).

``Doubled`` has a ``@graphspec.shape_rule``; ``Widen`` defines ``compute_output_shape`` (Keras
answers); ``Opaque`` has neither (unknown, N502); ``Fragile``'s ``compute_output_shape`` needs a
known length (Keras cannot answer for ``None``: N503); ``Mangled``'s rule returns nonsense.
"""

from __future__ import annotations

import keras

import graphspec


class Doubled(keras.layers.Layer):
    def __init__(self, scale=2.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, x):
        return keras.ops.concatenate([x, x * self.scale], axis=-1)


@graphspec.shape_rule("Doubled")
def _doubled(layer, inputs):
    (shape,) = inputs
    return (*shape[:-1], None if shape[-1] is None else 2 * shape[-1])


class Widen(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = keras.layers.Dense(units)

    def call(self, x):
        return keras.ops.concatenate([x, self.dense(x)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + self.units)


class Opaque(keras.layers.Layer):
    def call(self, x):
        return x


class Fragile(keras.layers.Layer):
    def call(self, x):
        return x

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1] * 1, input_shape[2])


class Mangled(keras.layers.Layer):
    def call(self, x):
        return x


@graphspec.shape_rule("Mangled")
def _mangled(layer, inputs):
    return "a shape"
