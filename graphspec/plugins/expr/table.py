"""The fixed table of functions an expression may call, each one ``keras.ops`` function.

An entry names the spec function, the ``keras.ops`` function it compiles to, the Keras operation
class that function records in a functional model (what ``graphspec import`` reads back), its
operands (tensors or numbers, passed positionally) and its attributes (constants, stored in the
operation's config), and its static shape rule. Entries are added with :func:`op`; nothing else
can ever be called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from graphspec.base.registry import Registry
from graphspec.base.shape_types import Shape
from graphspec.passes.shapes.flops import Flops, Uncountable, elements, ops

__all__ = [
    "DTYPES",
    "FREE",
    "REQUIRED",
    "OpCost",
    "OpDef",
    "OpFault",
    "Param",
    "ShapeRule",
    "by_keras_class",
    "function_names",
    "lookup",
    "op",
    "per_input",
    "per_output",
    "values_of",
]

DTYPES: Final = (
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
)
"""The dtypes ``cast`` accepts."""


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Final = _Required()


class OpFault(Exception):
    """A function cannot be applied to these operand shapes or attributes (a shape error).

    ``at`` names the parameter whose written argument is to blame (the error points there
    instead of at the whole call), e.g. ``subscripts`` of ``einsum``.
    """

    def __init__(
        self, message: str, *, hint: str | None = None, at: str | None = None, code: str = "E501"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.at = at
        self.code = code


@dataclass(frozen=True)
class Param:
    """One parameter: ``kind`` says what it takes (see :data:`KINDS`), ``default`` if optional."""

    name: str
    kind: str
    default: Any = REQUIRED

    @property
    def required(self) -> bool:
        """True when the parameter has no default."""
        return isinstance(self.default, _Required)


KINDS: Final = {
    "tensor": "a node reference, an expression, a number or a constant array",
    "tensors": "a list of node references or expressions, e.g. [a, b]",
    "tensor*": "one or more tensors, as further positional arguments",
    "axis": "an integer axis (negative counts from the end)",
    "axis?": "an integer axis or None",
    "axes?": "an integer axis, a list of axes, or None",
    "perm?": "a list of axes (a permutation), or None",
    "shape": "a list of integers (-1 for one inferred size)",
    "int": "an integer",
    "int?": "an integer or None",
    "ints": "an integer or a list of integers",
    "number": "a number",
    "number?": "a number or None",
    "subscripts": "einsum subscripts in quotes, e.g. 'bij,bjk->bik'",
    "bool": "True or False",
    "dtype": "a dtype name in quotes: " + ", ".join(f"'{d}'" for d in DTYPES),
    "dtype?": "None or a dtype name in quotes: " + ", ".join(f"'{d}'" for d in DTYPES),
}
"""Parameter kinds and how error messages describe them."""

ShapeRule = Callable[["OpDef", Sequence[Any], dict[str, Any]], "Shape | tuple[Shape, ...]"]
"""Output shape(s) from the operand shapes (a list of shapes for ``tensors``) and attributes."""

Verify = Callable[[dict[str, Any], int], None]
"""A check of the constant arguments before any shape is known: the attributes given and the
number of tensor operands; raises :class:`OpFault` (with ``at``) when they cannot be right."""


OpCost = Callable[[Sequence[Any], dict[str, Any], "Shape | tuple[Shape, ...]"], Flops]
"""A function's cost from its operand shapes, its attributes and its output shape(s)."""


def values_of(shape: Any) -> int:
    """Values of one sample (a constant operand without a batch axis counts all its values)."""
    if not shape:
        return 1
    if shape[0] is None:
        return elements(shape)
    if any(d is None for d in shape):
        raise Uncountable(f"the shape {shape} has an unknown size")
    count = 1
    for d in shape:
        count *= d
    return count


def per_output(count: int) -> OpCost:
    """``count`` FLOPs per output value (elementwise functions)."""

    def cost(shapes: Sequence[Any], attrs: dict[str, Any], out: Any) -> Flops:
        return ops(count * values_of(out)) if count else Flops()

    cost.__doc__ = f"{count} per output value"
    return cost


def per_input(count: int, *, fewer: int = 0) -> OpCost:
    """``count`` FLOPs per value of the first operand, minus ``fewer`` per output value
    (a max over n values compares n - 1 times)."""

    def cost(shapes: Sequence[Any], attrs: dict[str, Any], out: Any) -> Flops:
        return ops(count * values_of(shapes[0]) - fewer * values_of(out))

    cost.__doc__ = f"{count} per input value" + (f", {fewer} less per output" if fewer else "")
    return cost


FREE: Final = per_output(0)
"""No arithmetic: the function moves or selects values."""


def _not_counted(name: str) -> OpCost:
    """The cost of a function not counted yet: unknown, with the reason."""

    def cost(shapes: Sequence[Any], attrs: dict[str, Any], out: Any) -> Flops:
        raise Uncountable(f"`{name}` in an expression is not counted yet")

    cost.__doc__ = "not counted yet"
    return cost


@dataclass(frozen=True)
class OpDef:
    """One callable function of the expression table."""

    name: str
    keras: str
    cls: str
    module: str
    operands: tuple[Param, ...]
    attrs: tuple[Param, ...]
    rule: ShapeRule
    cost: OpCost
    doc: str = ""
    symbol: str | None = None
    multi: bool = False
    """True when the function returns several tensors (``split``)."""
    order: tuple[str, ...] = ()
    """The positional order of the parameters when it is not operands then attributes
    (``einsum(subscripts, *operands)``)."""
    verify: Verify | None = None
    fixed: tuple[tuple[str, Any], ...] = ()
    """Arguments Keras records in the operation's config that an expression never sets
    (``one_hot``'s ``sparse=False``): import accepts them at these values."""

    @property
    def params(self) -> tuple[Param, ...]:
        """The parameters in positional order: operands then attributes unless ``order`` says."""
        plain = self.operands + self.attrs
        if not self.order:
            return plain
        by_name = {p.name: p for p in plain}
        return tuple(by_name[name] for name in self.order)

    @property
    def maker(self) -> bool:
        """True for a function of constants only (``arange``, ``zeros``): it makes a tensor
        once, when the model is built, instead of recording an operation."""
        return not self.operands

    def signature(self) -> str:
        """``name(x, axis=None, keepdims=False)`` for messages and docs."""
        parts = [_shown(p) for p in self.params]
        return f"{self.name}({', '.join(parts)})"


def _shown(param: Param) -> str:
    if param.kind == "tensor*":
        return f"*{param.name}"
    return param.name if param.required else f"{param.name}={param.default!r}"


_TABLE: Registry[str, OpDef] = Registry("expression function")
_BY_CLASS: dict[tuple[str, str], OpDef] = {}


def op(
    name: str,
    *,
    cls: str,
    module: str,
    operands: Sequence[Param],
    attrs: Sequence[Param] = (),
    cost: OpCost | None = None,
    keras: str | None = None,
    doc: str = "",
    symbol: str | None = None,
    multi: bool = False,
    order: Sequence[str] = (),
    verify: Verify | None = None,
    fixed: Mapping[str, Any] | None = None,
) -> Callable[[ShapeRule], ShapeRule]:
    """Register the decorated shape rule as the rule of the table function ``name``.

    The first function registered for an operation class is the one ``import`` writes;
    ``cost`` counts its FLOPs (:func:`per_output`, :func:`per_input`, :data:`FREE`, …); a
    function registered without one is not counted yet: its FLOPs are unknown, never 0.
    """

    def make(rule: ShapeRule) -> OpDef:
        entry = OpDef(
            name,
            keras or name,
            cls,
            module,
            tuple(operands),
            tuple(attrs),
            rule,
            cost or _not_counted(name),
            doc,
            symbol,
            multi,
            tuple(order),
            verify,
            tuple((fixed or {}).items()),
        )
        if operands:  # a maker records no operation: import never meets it
            _BY_CLASS.setdefault((module, cls), entry)
        return entry

    return _TABLE.register(name, make=make)


def lookup(name: str) -> OpDef | None:
    """The table entry of function ``name``, or ``None``."""
    return _TABLE.get(name)


def function_names() -> list[str]:
    """Every function an expression may call, sorted.

    >>> "relu6" in function_names(), "eval" in function_names()
    (True, False)
    """
    return sorted(_TABLE)


def by_keras_class(module: str, cls: str) -> OpDef | None:
    """The entry that writes a Keras operation (``keras.src.ops.numpy``, ``Add``), or ``None``."""
    return _BY_CLASS.get((module.rsplit(".", 1)[-1], cls))
