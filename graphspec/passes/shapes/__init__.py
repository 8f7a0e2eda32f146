"""The shapes pass: static shape and parameter-count rules for Keras layers, without TensorFlow.

:mod:`~graphspec.passes.shapes.registry` holds the rules, one function per layer family in
:mod:`~graphspec.passes.shapes.rules` (all registered when this package is imported);
:mod:`~graphspec.passes.shapes.infer` walks the graph.
"""

from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape
from graphspec.passes.shapes.registry import SHAPE_RULES, has_rule, infer_layer, shape_rule
from graphspec.passes.shapes.rules import MODULES as RULE_MODULES

__all__ = [
    "RULE_MODULES",
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
