"""FLOP rules: the multiply-accumulates and floating-point operations of one layer call.

A layer's cost follows from its arguments and its static shapes, per sample (batch 1), for one
forward pass at inference (``training=False``). ``macs`` counts the multiply-accumulates of
products (dense, convolution, attention, recurrent kernels); ``flops`` counts every operation:
two per multiply-accumulate, plus one per elementwise addition, multiplication, comparison or
division (bias, activations, normalizations, pooling, merges). Transcendental functions (exp,
log, tanh, the sigmoid's exponential, rsqrt) are not counted, as XLA's cost model leaves them
out of its FLOPs; reading or moving data (reshapes, padding, gathers, concatenation) costs 0.
The counts follow what XLA's ``cost_analysis()`` reports for the layer compiled on the JAX
backend (docs/training.md#flops says where they differ).

Rules are registered per layer class with :func:`flop_rule` next to the class's shape rule;
:func:`free` registers classes that do no arithmetic and :func:`not_counted` those whose work is
left out, with the reason (shown in docs).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from graphspec.base.catalog import canonical_type
from graphspec.base.registry import Registry
from graphspec.base.shape_types import LayerCall, Shape

__all__ = [
    "ACTIVATION_FLOPS",
    "FLOP_RULES",
    "NOT_COUNTED",
    "FlopRule",
    "Flops",
    "Uncountable",
    "activation_flops",
    "elements",
    "flop_rule",
    "format_flops",
    "free",
    "has_flop_rule",
    "layer_flops",
    "macs",
    "not_counted",
    "ops",
    "softmax_flops",
    "window_taps",
]


@dataclass(frozen=True)
class Flops:
    """A cost: multiply-accumulates, and every floating-point operation (2 per MAC included).

    >>> macs(10) + ops(3)
    Flops(macs=10, flops=23)
    >>> 2 * macs(5)
    Flops(macs=10, flops=20)
    """

    macs: int = 0
    flops: int = 0

    def __add__(self, other: Flops) -> Flops:
        return Flops(self.macs + other.macs, self.flops + other.flops)

    def __mul__(self, times: int) -> Flops:
        return Flops(self.macs * times, self.flops * times)

    __rmul__ = __mul__


ZERO: Final = Flops()


def macs(count: int) -> Flops:
    """``count`` multiply-accumulates: ``2 * count`` FLOPs."""
    return Flops(count, 2 * count)


def ops(count: int) -> Flops:
    """``count`` elementwise operations (one FLOP each)."""
    return Flops(0, count)


class Uncountable(Exception):
    """The cost depends on a size the static shapes leave unknown (a variable length)."""


FlopRule = Callable[[LayerCall, Sequence[Shape], Sequence[Shape]], Flops]
"""A FLOP rule: ``(call, input shapes, output shapes) -> Flops`` (shapes with the batch axis)."""

FLOP_RULES: Registry[str, FlopRule] = Registry("FLOP rule")
"""Keras layer class name -> its FLOP rule (filled next to the shape rules)."""

NOT_COUNTED: dict[str, str] = {}
"""Layer class -> what its cost leaves out and why (every such class counts 0)."""

FREE: set[str] = set()
"""Layer classes that only move, copy or pass data: 0 FLOPs."""


def flop_rule(*names: str) -> Callable[[FlopRule], FlopRule]:
    """Register the decorated function as the FLOP rule of the layer classes ``names``."""
    return FLOP_RULES.register(*names)


def _zero(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    return ZERO


def free(*names: str) -> None:
    """Register classes that do no arithmetic at inference (reshapes, dropout, padding): 0."""
    FREE.update(names)
    for name in names:
        FLOP_RULES.add(name, _zero)


def not_counted(reason: str, *names: str) -> None:
    """Register classes whose work is left out of the count (0), saying why."""
    for name in names:
        NOT_COUNTED[name] = reason
        FLOP_RULES.add(name, _zero)


def has_flop_rule(type_name: str) -> bool:
    """True when the layer class (or the class an alias names) has a FLOP rule."""
    return type_name in FLOP_RULES or canonical_type(type_name) in FLOP_RULES


def layer_flops(call: LayerCall, inputs: Sequence[Shape], outputs: Sequence[Shape]) -> Flops:
    """The cost of ``call`` applied to ``inputs`` giving ``outputs``.

    Raises :class:`Uncountable` when a size it needs is unknown and
    :class:`~graphspec.base.registry.RegistryError` for a class without a rule.

    >>> layer_flops(LayerCall("Dense", {"units": 10}), [(None, 784)], [(None, 10)])
    Flops(macs=7840, flops=15690)
    """
    rule = FLOP_RULES.get(call.type)
    if rule is None:
        call = replace(call, type=canonical_type(call.type))
        rule = FLOP_RULES[call.type]
    return rule(call, inputs, outputs)


def elements(shape: Shape) -> int:
    """Values in one sample of ``shape`` (the batch axis left out); raises when one is unknown.

    >>> elements((None, 4, 5))
    20
    """
    dims = shape[1:]
    if any(d is None for d in dims):
        raise Uncountable(f"the shape {shape} has an unknown size")
    return math.prod(d for d in dims if d is not None)


# -- activations ----------------------------------------------------------------------------

ACTIVATION_FLOPS: Final[Mapping[str, int]] = {
    "linear": 0,
    "relu": 1,
    "relu6": 1,
    "sigmoid": 3,
    "tanh": 0,
    "exponential": 0,
    "softplus": 6,
    "softsign": 3,
    "selu": 5,
    "elu": 3,
    "celu": 3,
    "gelu": 64,
    "silu": 4,
    "swish": 4,
    "hard_sigmoid": 3,
    "hard_silu": 4,
    "hard_swish": 4,
    "hard_tanh": 4,
    "hard_shrink": 3,
    "soft_shrink": 6,
    "leaky_relu": 3,
    "log_sigmoid": 8,
    "mish": 7,
    "sparse_plus": 7,
    "sparse_sigmoid": 3,
    "squareplus": 4,
    "tanh_shrink": 1,
    "threshold": 2,
    "glu": 1,
}
"""FLOPs per element of each ``keras.activations`` function, as XLA counts the JAX backend's
implementation (the exponential, tanh or logistic itself is a transcendental, not a FLOP;
``gelu``'s exact form expands the error function into a 64-operation polynomial)."""

_SOFTMAX: Final = frozenset({"softmax", "log_softmax", "sparsemax"})


def softmax_flops(shape: Shape, axis_size: int | None = None) -> Flops:
    """A softmax over the last axis: max, subtract, sum and divide (4 per value, -1 per row)."""
    size = elements(shape)
    last = axis_size if axis_size is not None else shape[-1]
    rows = size // last if last else 0
    return ops(4 * size - rows)


def activation_flops(
    call: LayerCall, shape: Shape, name: str = "activation", default: str | None = None
) -> Flops:
    """The cost of the activation argument ``name`` of ``call`` applied to ``shape``.

    >>> activation_flops(LayerCall("Dense", {"activation": "relu"}), (None, 10))
    Flops(macs=0, flops=10)
    """
    value: Any = call.args.get(name, default)
    if isinstance(value, Mapping):  # {type: relu} or a serialized activation
        value = value.get("type") or value.get("class_name")
    if not isinstance(value, str) or value in ("linear", ""):
        return ZERO
    if value in _SOFTMAX:
        return softmax_flops(shape)
    return ops(ACTIVATION_FLOPS.get(value, 0) * elements(shape))


# -- sliding windows --------------------------------------------------------------------------


def window_taps(
    size: int,
    out: int,
    kernel: int,
    stride: int,
    dilation: int,
    padding: str,
) -> int:
    """Kernel taps that land on the input (not on padding), summed over one axis's outputs.

    A convolution does ``taps`` multiply-accumulates per channel pair on this axis: with
    ``same`` padding the taps on the zeros around the border are not counted (XLA's count).

    >>> window_taps(28, 28, 3, 1, 1, "same"), window_taps(28, 26, 3, 1, 1, "valid")
    (82, 78)
    """
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        before = 0
    elif padding == "causal":
        before = effective - 1
    else:
        before = max((out - 1) * stride + effective - size, 0) // 2
    taps = 0
    for j in range(kernel):
        offset = j * dilation - before
        # the outputs o with 0 <= o * stride + offset < size
        low = max(0, -(offset // stride))
        high = min(out - 1, (size - 1 - offset) // stride)
        taps += max(0, high - low + 1)
    return taps


def format_flops(count: int | None) -> str:
    """A FLOP count in short form: ``1.23 GFLOPs``, ``456 FLOPs``, ``?`` when unknown.

    >>> format_flops(1234567), format_flops(12), format_flops(None)
    ('1.23 MFLOPs', '12 FLOPs', '?')
    """
    if count is None:
        return "?"
    for unit, scale in (("T", 10**12), ("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}FLOPs"
    return f"{count} FLOPs"
