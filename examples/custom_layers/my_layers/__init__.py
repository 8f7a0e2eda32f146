"""Two Keras layers of a project's own, for graphspec's custom-layer example.

``ChannelScale`` gives graphspec its shape through ``@graphspec.shape_rule`` (no Keras needed to
check it); ``PatchExtract`` defines ``compute_output_shape``, from which graphspec asks Keras.
"""

from __future__ import annotations

import keras
from keras import ops

import graphspec

__all__ = ["ChannelScale", "PatchExtract"]


@keras.saving.register_keras_serializable(package="my_layers")
class ChannelScale(keras.layers.Layer):
    """Multiply each channel by a learned factor (LayerScale without the fixed axis)."""

    def __init__(self, init: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape):
        self.gamma = self.add_weight(
            shape=(input_shape[-1],),
            initializer=keras.initializers.Constant(self.init),
            name="gamma",
        )

    def call(self, x):
        return x * self.gamma

    def get_config(self):
        return {**super().get_config(), "init": self.init}


@graphspec.shape_rule("ChannelScale")
def _channel_scale(layer, inputs):
    (shape,) = inputs
    if shape[-1] is None:
        raise graphspec.ShapeFault(
            f"ChannelScale needs a known channel count; got {shape}",
            hint="give the input a fixed last dimension",
        )
    return graphspec.ShapeResult((shape,), trainable=shape[-1])


@keras.saving.register_keras_serializable(package="my_layers")
class PatchExtract(keras.layers.Layer):
    """Cut images into non-overlapping square patches: (batch, patches, size * size * channels)."""

    def __init__(self, patch_size: int, **kwargs):
        super().__init__(**kwargs)
        self.patch_size = patch_size

    def call(self, images):
        patches = ops.image.extract_patches(images, self.patch_size)
        batch, rows, cols, depth = ops.shape(patches)
        return ops.reshape(patches, (batch, rows * cols, depth))

    def compute_output_shape(self, input_shape):
        _, height, width, channels = input_shape
        size = self.patch_size
        count = None if height is None or width is None else (height // size) * (width // size)
        return (input_shape[0], count, size * size * channels)

    def get_config(self):
        return {**super().get_config(), "patch_size": self.patch_size}
