"""Elementwise functions of the expression table: arithmetic, comparisons, math, activations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphspec.base.shape_types import Shape
from graphspec.plugins.expr.shape_help import broadcast
from graphspec.plugins.expr.table import OpDef, Param, op, per_output

__all__: list[str] = []

_X = (Param("x", "tensor"),)
_X1X2 = (Param("x1", "tensor"), Param("x2", "tensor"))


def _broadcast(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    return broadcast(shapes, entry.name)


def _same(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    return tuple(shapes[0])


# -- binary (the infix operators first: import writes them as operators) ------------------------

_BINARY = (
    ("add", "Add", "+", "a + b"),
    ("subtract", "Subtract", "-", "a - b"),
    ("multiply", "Multiply", "*", "a * b"),
    ("true_divide", "TrueDivide", "/", "a / b"),
    ("floor_divide", "FloorDivide", "//", "a // b"),
    ("mod", "Mod", "%", "a % b"),
    ("power", "Power", "**", "a ** b"),
    ("less", "Less", "<", "a < b"),
    ("less_equal", "LessEqual", "<=", "a <= b"),
    ("greater", "Greater", ">", "a > b"),
    ("greater_equal", "GreaterEqual", ">=", "a >= b"),
    ("equal", "Equal", "==", "a == b"),
    ("not_equal", "NotEqual", "!=", "a != b"),
    ("divide", "Divide", None, "a / b (keras.ops.divide)"),
    ("maximum", "Maximum", None, "elementwise maximum"),
    ("minimum", "Minimum", None, "elementwise minimum"),
    ("logical_and", "LogicalAnd", None, "elementwise and of booleans"),
    ("logical_or", "LogicalOr", None, "elementwise or of booleans"),
    ("arctan2", "Arctan2", None, "elementwise arctan(x1 / x2)"),
)
_COST: dict[str, int] = {
    "floor_divide": 13,
    "mod": 8,
    "power": 0,
    "arctan2": 0,
    "sqrt": 0,
    "exp": 0,
    "log": 0,
    "log1p": 0,
    "expm1": 0,
    "sin": 0,
    "cos": 0,
    "tanh": 0,
    "rsqrt": 0,
    "erf": 0,
    "sigmoid": 3,
    "hard_sigmoid": 3,
    "hard_silu": 4,
    "hard_swish": 4,
    "silu": 4,
    "swish": 4,
    "softplus": 6,
    "softsign": 3,
    "selu": 5,
    "log_sigmoid": 8,
    "gelu": 8,
    "elu": 3,
    "leaky_relu": 3,
}
"""FLOPs per output value where not 1, as XLA counts them (transcendentals are 0)."""

for _name, _cls, _symbol, _doc in _BINARY:
    op(
        _name,
        cls=_cls,
        module="numpy",
        operands=_X1X2,
        symbol=_symbol,
        doc=_doc,
        cost=per_output(_COST.get(_name, 1)),
    )(_broadcast)


# -- unary ------------------------------------------------------------------------------------

_UNARY = (
    ("negative", "Negative", "numpy", "-x"),
    ("abs", "Absolute", "numpy", "|x|"),
    ("sqrt", "Sqrt", "numpy", "square root"),
    ("square", "Square", "numpy", "x * x"),
    ("exp", "Exp", "numpy", "e ** x"),
    ("log", "Log", "numpy", "natural logarithm"),
    ("log1p", "Log1p", "numpy", "log(1 + x)"),
    ("expm1", "Expm1", "numpy", "exp(x) - 1"),
    ("sin", "Sin", "numpy", "sine"),
    ("cos", "Cos", "numpy", "cosine"),
    ("tanh", "Tanh", "numpy", "hyperbolic tangent"),
    ("sign", "Sign", "numpy", "-1, 0 or 1"),
    ("floor", "Floor", "numpy", "round down"),
    ("ceil", "Ceil", "numpy", "round up"),
    ("reciprocal", "Reciprocal", "numpy", "1 / x"),
    ("logical_not", "LogicalNot", "numpy", "elementwise not of booleans"),
    ("rsqrt", "Rsqrt", "math", "1 / sqrt(x)"),
    ("erf", "Erf", "math", "the error function"),
    ("relu", "Relu", "nn", "max(x, 0)"),
    ("relu6", "Relu6", "nn", "min(max(x, 0), 6)"),
    ("sigmoid", "Sigmoid", "nn", "1 / (1 + exp(-x))"),
    ("hard_sigmoid", "HardSigmoid", "nn", "relu6(x + 3) / 6"),
    ("hard_silu", "HardSilu", "nn", "x * hard_sigmoid(x) (hard swish)"),
    ("hard_swish", "HardSilu", "nn", "the same as hard_silu"),
    ("silu", "Silu", "nn", "x * sigmoid(x)"),
    ("swish", "Silu", "nn", "the same as silu"),
    ("softplus", "Softplus", "nn", "log(1 + exp(x))"),
    ("softsign", "Softsign", "nn", "x / (1 + |x|)"),
    ("selu", "Selu", "nn", "scaled exponential linear unit"),
    ("log_sigmoid", "LogSigmoid", "nn", "log(sigmoid(x))"),
)
for _name, _cls, _module, _doc in _UNARY:
    op(
        _name,
        cls=_cls,
        module=_module,
        operands=_X,
        symbol="-" if _name == "negative" else None,
        doc=_doc,
        cost=per_output(_COST.get(_name, 1)),
    )(_same)

op(
    "gelu",
    cls="Gelu",
    module="nn",
    operands=_X,
    attrs=(Param("approximate", "bool", True),),
    doc="Gaussian error linear unit",
    cost=per_output(_COST.get("gelu", 1)),
)(_same)
op(
    "elu",
    cls="Elu",
    module="nn",
    operands=_X,
    attrs=(Param("alpha", "number", 1.0),),
    doc="exponential linear unit",
    cost=per_output(_COST.get("elu", 1)),
)(_same)
op(
    "leaky_relu",
    cls="LeakyRelu",
    module="nn",
    operands=_X,
    attrs=(Param("negative_slope", "number", 0.2),),
    doc="x, or negative_slope * x below 0",
    cost=per_output(_COST.get("leaky_relu", 1)),
)(_same)
op(
    "round",
    cls="Round",
    module="numpy",
    operands=_X,
    attrs=(Param("decimals", "int", 0),),
    doc="round to decimals",
    cost=per_output(_COST.get("round", 1)),
)(_same)
op(
    "clip",
    cls="Clip",
    module="numpy",
    operands=_X,
    attrs=(Param("x_min", "number"), Param("x_max", "number")),
    doc="limit to [x_min, x_max]",
    cost=per_output(_COST.get("clip", 1)),
)(_same)
op(
    "cast",
    cls="Cast",
    module="core",
    operands=_X,
    attrs=(Param("dtype", "dtype"),),
    doc="convert to a dtype",
    cost=per_output(_COST.get("cast", 1)),
)(_same)


@op(
    "where",
    cls="Where",
    module="numpy",
    operands=(Param("condition", "tensor"), Param("x1", "tensor"), Param("x2", "tensor")),
    doc="x1 where condition is true, else x2",
    cost=per_output(1),
)
def _where(entry: OpDef, shapes: Sequence[Any], attrs: dict[str, Any]) -> Shape:
    return broadcast(shapes, entry.name)
