"""Static shape and parameter-count rules for Keras layers, computed without TensorFlow."""

from graphspec.shapes import (  # noqa: F401  (imported to fill the registry)
    applications,
    attention,
    audio,
    categorical,
    cells,
    conv,
    conv_recurrent,
    core,
    image,
    merging,
    normalization,
    pooling,
    recurrent,
    reshaping,
    wrappers,
)
from graphspec.shapes._registry import SHAPE_RULES, has_rule, infer_layer, shape_rule
from graphspec.shapes._types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape

__all__ = [
    "SHAPE_RULES",
    "LayerCall",
    "Shape",
    "ShapeFault",
    "ShapeResult",
    "format_shape",
    "has_rule",
    "infer_layer",
    "shape_rule",
]
