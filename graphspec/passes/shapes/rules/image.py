"""Shape rules for image preprocessing and augmentation layers (resize, crop, flip, colour, …)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.flops import Flops, elements, flop_rule, free, macs, not_counted, ops
from graphspec.passes.shapes.registry import (
    data_format_arg,
    int_arg,
    result,
    shape_rule,
    single_input,
)

__all__ = [
    "AUGMENTATIONS",
    "augmentation_rule",
    "resize_flops",
    "resize_rule",
    "rgb_augmentation_rule",
]

AUGMENTATIONS: Final = (
    "AugMix",
    "AutoContrast",
    "ContrastLimitedAdaptiveHistogramEqualization",
    "CutMix",
    "Equalization",
    "MaxNumBoundingBoxes",
    "MixUp",
    "RandAugment",
    "RandomBrightness",
    "RandomColorJitter",
    "RandomContrast",
    "RandomElasticTransform",
    "RandomErasing",
    "RandomFlip",
    "RandomGaussianBlur",
    "RandomGrayscale",
    "RandomHue",
    "RandomInvert",
    "RandomPerspective",
    "RandomPosterization",
    "RandomRotation",
    "RandomSaturation",
    "RandomSharpness",
    "RandomShear",
    "RandomTranslation",
    "RandomZoom",
    "Solarization",
)
"""Augmentation layers that keep the shape of their input (in training and in inference)."""

_IMAGE: Final = {
    "channels_last": "(batch, height, width, channels)",
    "channels_first": "(batch, channels, height, width)",
}


@shape_rule(*AUGMENTATIONS)
def augmentation_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """Shape-preserving augmentation: the output has the input's shape.

    Arguments that do not change shapes (factors, value ranges, fill modes) are Keras's to check
    when the model is compiled.
    """
    return result(single_input(call, inputs))


@shape_rule("RandomColorDegeneration")
def rgb_augmentation_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``RandomColorDegeneration``: batched (or single) RGB images; the shape is kept."""
    shape = single_input(call, inputs)
    fmt = data_format_arg(call)
    if len(shape) not in (3, 4):
        raise ShapeFault(
            f"{call.type} expects RGB images {_IMAGE[fmt]}; got {format_shape(shape)}",
            hint="feed it a rank-4 image tensor with 3 channels",
        )
    channels = shape[-1] if fmt == "channels_last" else shape[-3]
    if channels is not None and channels != 3:
        raise ShapeFault(
            f"{call.type} needs 3 (RGB) channels; got {channels} in {format_shape(shape)}",
            hint="convert the images to RGB first, or drop this layer for grayscale input",
        )
    return result(shape)


@shape_rule("Resizing", "CenterCrop", "RandomCrop")
def resize_rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """``Resizing``/``CenterCrop``/``RandomCrop(height, width, data_format)``.

    The output is ``(batch, height, width, channels)``. graphspec asks for a batched image
    (rank 4): Keras would take a rank-3 tensor for one unbatched image and put the new height
    where the batch axis is.
    """
    shape = single_input(call, inputs)
    height = int_arg(call, "height")
    width = int_arg(call, "width")
    fmt = data_format_arg(call)
    if len(shape) != 4:
        hint = (
            "add a channel axis first (Reshape with target_shape [height, width, 1])"
            if len(shape) == 3
            else "feed it a batch of images"
        )
        raise ShapeFault(
            f"{call.type} expects a batch of images {_IMAGE[fmt]}; got {format_shape(shape)}",
            hint=hint,
        )
    if fmt == "channels_last":
        return result((shape[0], height, width, shape[3]))
    return result((shape[0], shape[1], height, width))


# -- FLOPs ------------------------------------------------------------------------------------

_PREPROCESSING: Final = (
    "AutoContrast",
    "ContrastLimitedAdaptiveHistogramEqualization",
    "Equalization",
    "MaxNumBoundingBoxes",
)
not_counted(
    "image preprocessing that also runs at inference (histograms, value ranges, box padding); "
    "its cost depends on the pixel values, not only on the shapes",
    *_PREPROCESSING,
)
free(*(n for n in AUGMENTATIONS if n not in _PREPROCESSING), "RandomColorDegeneration")
"""Random augmentations pass their input through at inference."""
free("CenterCrop", "RandomCrop")  # inference crops the centre: data movement only


def resize_flops(shape: Shape, out: Shape, fmt: str) -> Flops:
    """Interpolation as JAX computes it: a weight matrix per axis, applied as a product to the
    height, then to the width (2 per weight and value), plus about 7 per weight to make them."""
    first = 1 if fmt == "channels_last" else 2
    elements(shape), elements(out)
    height, width = shape[first] or 0, shape[first + 1] or 0
    out_h, out_w = out[first] or 0, out[first + 1] or 0
    channels = elements(out) // max(out_h * out_w, 1)
    products = out_h * height * width * channels + out_h * out_w * width * channels
    return macs(products) + ops(7 * (out_h * height + out_w * width))


@flop_rule("Resizing")
def resizing_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """``nearest`` copies values (0); the other interpolations weigh every input value."""
    if call.args.get("interpolation", "bilinear") == "nearest":
        return Flops()
    return resize_flops(inputs[0], outputs[0], data_format_arg(call))
