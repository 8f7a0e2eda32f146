"""The shape-rule registry, its dispatcher, and helpers for reading layer arguments."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Final, TypeGuard

from graphspec.base.catalog import canonical_type
from graphspec.base.registry import Registry
from graphspec.base.shape_types import LayerCall, Shape, ShapeFault, ShapeResult, format_shape

__all__ = [
    "REQUIRED",
    "SHAPE_RULES",
    "NoRule",
    "Rule",
    "UnknownShape",
    "arg",
    "bool_arg",
    "choice_arg",
    "data_format_arg",
    "delegate",
    "expect_input_count",
    "expect_rank",
    "float_arg",
    "has_rule",
    "infer_layer",
    "int_arg",
    "is_int",
    "kernel_counts",
    "known_dim",
    "lora_rank_arg",
    "nested_call",
    "normalize_axis",
    "opt_int_arg",
    "padding_arg",
    "product",
    "result",
    "shape_rule",
    "single_input",
    "tuple_arg",
    "user_rule_names",
    "user_shape_rule",
    "window_dims",
]

Rule = Callable[[LayerCall, Sequence[Shape]], ShapeResult]
"""A shape rule: infers a layer's outputs and parameter counts, or raises :class:`ShapeFault`."""

SHAPE_RULES: Registry[str, Rule] = Registry("shape rule")
"""Keras layer class name -> the rule for it. Filled by the rule modules on import."""


class _Required:
    """Marker default for arguments the layer cannot be built without."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Final = _Required()

# Exceptions a rule may hit on malformed arguments or inputs; they are turned into ShapeFault.
_CRASHES = (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, AttributeError)


def shape_rule(*type_names: str) -> Callable[[Rule], Rule]:
    """Register the decorated function as the rule for each of ``type_names``.

    The registered function is guarded: an unexpected ``TypeError``/``KeyError``/... raised by
    the rule on malformed input is re-raised as a :class:`ShapeFault`.
    """
    if not type_names:
        raise ValueError("shape_rule() needs at least one layer type name")

    def register(fn: Rule) -> Rule:  # the registry holds the guarded rule, and so does the module
        guarded = _guard(fn)
        for name in type_names:
            SHAPE_RULES.add(name, guarded)
        return guarded

    return register


def _guard(fn: Rule) -> Rule:
    """Wrap ``fn`` so that only :class:`ShapeFault` can escape it."""

    @functools.wraps(fn)
    def guarded(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
        try:
            return fn(call, inputs)
        except ShapeFault:
            raise
        except _CRASHES as exc:
            shown = ", ".join(_safe_format(s) for s in inputs)
            raise ShapeFault(
                f"{call.type} cannot be applied to input(s) {shown} with arguments "
                f"{dict(call.args)!r}: {exc}",
                hint=f"check the arguments of {call.type} against the Keras documentation",
            ) from exc

    return guarded


def _safe_format(shape: object) -> str:
    """Format a shape, tolerating malformed values."""
    try:
        return format_shape(shape)  # type: ignore[arg-type]  # any value: a malformed one raises TypeError
    except TypeError:
        return repr(shape)


def has_rule(type_name: str) -> bool:
    """True when a shape rule is registered for the Keras layer class ``type_name``.

    Aliases resolve to their class (generated from Keras: ``MaxPool2D`` is ``MaxPooling2D``).

    >>> has_rule("MaxPool2D"), has_rule("NoSuchLayer")
    (True, False)
    """
    return type_name in SHAPE_RULES or canonical_type(type_name) in SHAPE_RULES


def infer_layer(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult | None:
    """Infer the output shape(s) and parameter counts of ``call`` applied to ``inputs``.

    Returns ``None`` when no rule exists for ``call.type``; raises :class:`ShapeFault` when the
    layer cannot be applied.

    >>> from graphspec.passes.shapes import LayerCall, infer_layer
    >>> res = infer_layer(LayerCall("Dense", {"units": 10}), [(None, 784)])
    >>> res.output, res.trainable, res.non_trainable
    ((None, 10), 7850, 0)
    >>> infer_layer(LayerCall("NoSuchLayer"), [(None, 3)]) is None
    True
    """
    rule = SHAPE_RULES.get(call.type)
    if rule is None:
        canonical = canonical_type(call.type)
        rule = SHAPE_RULES.get(canonical)
        if rule is None:
            return None
        call = replace(call, type=canonical)
    for index, shape in enumerate(inputs):
        _check_dims(call, index, shape)
    try:
        return rule(call, inputs)
    except NoRule:
        return None


class NoRule(Exception):
    """Raised by a wrapper's rule when the layer it wraps has no rule: the shape is unknown."""


class UnknownShape(Exception):
    """Raised by a rule that cannot tell the shape statically (Keras could not trace a user
    layer): the node's shape is unknown, ``reason`` says why in a note, nothing is reported as
    wrong."""

    def __init__(self, reason: str, *, hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


_USER_RULES: set[str] = set()
"""Names whose rule a layer package registered (it may register them again, nothing else)."""

UserRule = Callable[[LayerCall, list[Shape]], Any]
"""What a layer package registers: ``(layer, input shapes) -> ShapeResult | shape | [shapes]``."""


def user_rule_names() -> frozenset[str]:
    """The layer names whose shape rule a layer package registered (not graphspec's own)."""
    return frozenset(_USER_RULES)


def user_shape_rule(*type_names: str) -> Callable[[UserRule], UserRule]:
    """The shape rule of a layer of the user's own (``@graphspec.shape_rule("Scale")``).

    The function gets the layer (a :class:`LayerCall`: ``.type``, ``.args`` as the spec writes
    them) and the input shapes (tuples, batch first, ``None`` for unknown sizes); it returns a
    :class:`ShapeResult` (output shapes and parameter counts), or one shape, or a list of shapes
    (a layer without weights). It raises :class:`ShapeFault` for inputs the layer cannot take.
    A name that already has a rule (every ``keras.layers`` class has one) is refused.

    >>> @user_shape_rule("Doubler")
    ... def _double(layer, inputs):
    ...     (shape,) = inputs
    ...     return (*shape[:-1], shape[-1] * 2)
    >>> infer_layer(LayerCall("Doubler"), [(None, 3)]).output
    (None, 6)
    >>> del SHAPE_RULES["Doubler"]; _USER_RULES.discard("Doubler")
    """
    taken = [name for name in type_names if has_rule(name) and name not in _USER_RULES]
    if taken:
        raise ValueError(
            f"a shape rule for {', '.join(taken)} is registered already; a layer package gives "
            "rules only to its own layer classes"
        )

    def register(fn: UserRule) -> UserRule:
        @functools.wraps(fn)
        def rule(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
            return _as_result(call, fn(call, list(inputs)))

        for name in type_names:  # a package run again (reload, a notebook cell) replaces its own
            if name in _USER_RULES:
                del SHAPE_RULES[name]
        shape_rule(*type_names)(rule)
        _USER_RULES.update(type_names)
        return fn

    return register


def _as_result(call: LayerCall, found: Any) -> ShapeResult:
    """A user rule's answer as a :class:`ShapeResult`."""
    if isinstance(found, ShapeResult):
        return found
    if isinstance(found, tuple):
        return result(found)
    if isinstance(found, list) and found and all(isinstance(s, tuple) for s in found):
        return result(*found)
    raise ShapeFault(
        f"the shape rule of {call.type} returned {found!r}; expected a ShapeResult, a shape "
        "(a tuple) or a list of shapes",
        hint=f"fix the function registered with @graphspec.shape_rule({call.type!r})",
    )


def _check_dims(call: LayerCall, index: int, shape: object) -> None:
    """Every rule may assume its inputs are shapes of positive (or unknown) dimensions."""
    if isinstance(shape, tuple):
        for d in shape:
            if d is not None and not (type(d) is int and d >= 0) and not (is_int(d) and d >= 0):
                break
        else:
            return
    raise ShapeFault(
        f"{call.type} got input {index} of shape {_safe_format(shape)}; dimensions must be "
        "non-negative integers or None",
        input_index=index,
    )


# --------------------------------------------------------------------------- results & inputs


def result(*outputs: Shape, trainable: int = 0, non_trainable: int = 0) -> ShapeResult:
    """Build a :class:`ShapeResult` from output shapes (as tuples) and parameter counts."""
    return ShapeResult(
        outputs=tuple([tuple(o) for o in outputs]),
        trainable=trainable,
        non_trainable=non_trainable,
    )


def product(dims: Iterable[int]) -> int:
    """The product of known dimensions (1 for none)."""
    return math.prod(dims)


def expect_input_count(call: LayerCall, inputs: Sequence[Shape], low: int, high: int) -> None:
    """Fault unless ``low <= len(inputs) <= high``."""
    n = len(inputs)
    if low <= n <= high:
        return
    want = str(low) if low == high else f"{low} to {high}"
    raise ShapeFault(
        f"{call.type} takes {want} input(s); got {n}",
        hint=f"connect {want} input(s) to this {call.type} node",
    )


def single_input(call: LayerCall, inputs: Sequence[Shape]) -> Shape:
    """The one input of a single-input layer (fault if there is not exactly one)."""
    expect_input_count(call, inputs, 1, 1)
    return tuple(inputs[0])


def expect_rank(
    call: LayerCall,
    shape: Shape,
    rank: int,
    layout: str,
    *,
    hint: str | None = None,
    input_index: int = 0,
) -> None:
    """Fault unless ``shape`` has ``rank`` dimensions (batch included).

    ``layout`` names the dimensions, e.g. ``"(batch, height, width, channels)"``.
    """
    if len(shape) != rank:
        raise ShapeFault(
            f"{call.type} expects a rank-{rank} input {layout}; got {format_shape(shape)}",
            hint=hint,
            input_index=input_index,
        )


def known_dim(call: LayerCall, shape: Shape, axis: int, what: str, *, input_index: int = 0) -> int:
    """``shape[axis]``, faulting when it is unknown (``None``)."""
    dim = shape[axis]
    if dim is None:
        raise ShapeFault(
            f"{call.type} needs a known {what}; got {format_shape(shape)}",
            hint="give the Input layer a fixed size for this dimension",
            input_index=input_index,
        )
    return dim


def normalize_axis(call: LayerCall, name: str, axis: object, rank: int) -> int:
    """Turn ``axis`` (possibly negative) into an index into a rank-``rank`` shape."""
    if not is_int(axis):
        raise _bad_arg(call, name, "an integer axis")
    assert isinstance(axis, int)
    if not -rank <= axis < rank:
        raise ShapeFault(
            f"{call.type} argument '{name}' is {axis}, out of range for a rank-{rank} input",
            hint=f"use an axis between {-rank} and {rank - 1}",
            arg=name,
        )
    return axis % rank


# --------------------------------------------------------------------------------- arguments


def arg(call: LayerCall, name: str, default: Any = None) -> Any:
    """The argument ``name`` as written in the spec, or ``default`` when absent."""
    return call.args.get(name, default)


def is_int(value: object) -> TypeGuard[int]:
    """True for ints that are not bools."""
    return isinstance(value, int) and not isinstance(value, bool)


def _bad_arg(call: LayerCall, name: str, expected: str, hint: str | None = None) -> ShapeFault:
    """A fault for an argument whose value is not acceptable."""
    return ShapeFault(
        f"{call.type} argument '{name}' must be {expected}; got {call.args.get(name)!r}",
        hint=hint,
        arg=name,
        code="E203",  # a wrong value, not a shape mismatch
    )


def _required(call: LayerCall, name: str, default: Any) -> Any:
    """The argument's value, faulting when it is required and absent."""
    if name in call.args:
        return call.args[name]
    if isinstance(default, _Required):
        raise ShapeFault(
            f"{call.type} needs the argument '{name}'",
            hint=f"add '{name}: ...' to the layer's arguments",
            arg=name,
            code="E207",
        )
    return default


def int_arg(call: LayerCall, name: str, default: Any = REQUIRED, *, minimum: int = 1) -> int:
    """An integer argument that must be ``>= minimum``."""
    value = _required(call, name, default)
    if not is_int(value) or value < minimum:
        raise _bad_arg(call, name, f"an integer >= {minimum}")
    return int(value)


def opt_int_arg(call: LayerCall, name: str, *, minimum: int = 1) -> int | None:
    """An optional integer argument (``None`` when absent or null)."""
    if call.args.get(name) is None:
        return None
    return int_arg(call, name, minimum=minimum)


def bool_arg(call: LayerCall, name: str, default: bool) -> bool:
    """A boolean argument."""
    value = call.args.get(name, default)
    if not isinstance(value, bool):
        raise _bad_arg(call, name, "true or false")
    return value


def float_arg(
    call: LayerCall,
    name: str,
    default: Any = REQUIRED,
    *,
    low: float | None = None,
    high: float | None = None,
) -> float:
    """A numeric argument within ``[low, high]`` (bounds optional)."""
    value = _required(call, name, default)
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and low is not None:
        ok = value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        if low is not None and high is not None:
            expected = f"a number between {low} and {high}"
        elif low is not None:
            expected = f"a number >= {low}"
        else:
            expected = "a number"
        raise _bad_arg(call, name, expected)
    return float(value)


def choice_arg(call: LayerCall, name: str, default: Any, choices: Sequence[Any]) -> Any:
    """An argument restricted to ``choices`` (strings compared case-sensitively)."""
    value = call.args.get(name, default)
    if not any(value == c and type(value) is type(c) for c in choices):
        shown = ", ".join(repr(c) for c in choices)
        raise _bad_arg(call, name, f"one of {shown}")
    return value


def tuple_arg(
    call: LayerCall,
    name: str,
    default: Any,
    n: int,
    *,
    allow_zero: bool = False,
) -> tuple[int, ...]:
    """An int-or-sequence argument (``kernel_size``, ``strides``, ...) as a tuple of ``n`` ints.

    ``3`` becomes ``(3,) * n``; a list must have exactly ``n`` integers, all positive (or
    non-negative with ``allow_zero``).
    """
    value = _required(call, name, default)
    lowest = 0 if allow_zero else 1
    if type(value) is int and value >= lowest:  # the common case: one size for every axis
        return (value,) * n
    sign = ">= 0" if allow_zero else "> 0"
    expected = f"an integer {sign} or a list of {n} such integers"
    if is_int(value):
        values: tuple[Any, ...] = (value,) * n
    elif isinstance(value, list | tuple):
        values = tuple(value)
    else:
        raise _bad_arg(call, name, expected)
    if len(values) != n or not all(is_int(v) for v in values):
        raise _bad_arg(call, name, expected)
    if any(v < lowest for v in values):
        raise _bad_arg(call, name, expected)
    return tuple(int(v) for v in values)


def padding_arg(call: LayerCall, *, causal: bool = False) -> str:
    """The ``padding`` argument, lowercased: ``valid`` (default), ``same`` or ``causal``."""
    value = call.args.get("padding", "valid")
    allowed = ("valid", "same", "causal") if causal else ("valid", "same")
    if not isinstance(value, str) or value.lower() not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise _bad_arg(call, "padding", f"one of {shown}")
    return value.lower()


def data_format_arg(call: LayerCall) -> str:
    """The ``data_format`` argument, lowercased; ``channels_last`` when absent or null."""
    value = call.args.get("data_format")
    if value is None:
        return "channels_last"
    if not isinstance(value, str) or value.lower() not in ("channels_last", "channels_first"):
        raise _bad_arg(call, "data_format", "'channels_last' or 'channels_first'")
    return value.lower()


def nested_call(call: LayerCall, name: str) -> LayerCall:
    """The layer held by argument ``name`` (``{type: LSTM, units: 8}``) as a :class:`LayerCall`."""
    inner = call.args.get(name)
    if isinstance(inner, LayerCall):
        return inner
    if isinstance(inner, Mapping) and isinstance(inner.get("type"), str):
        args = {k: v for k, v in inner.items() if k not in ("type", "name")}
        return LayerCall(inner["type"], args, str(inner.get("name") or ""))
    raise ShapeFault(
        f"{call.type} argument '{name}' must be a layer mapping with a 'type' key; got {inner!r}",
        hint=f"e.g. {name}: {{type: LSTM, units: 64}}",
        arg=name,
    )


def delegate(call: LayerCall, name: str, inner: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """Apply the rule of ``inner``, the layer held by ``call``'s argument ``name``.

    Its faults are re-raised as the wrapper's (located at ``name``); a wrapped layer without a
    rule makes the wrapper's shape unknown (:class:`NoRule`).
    """
    try:
        res = infer_layer(inner, inputs)
    except ShapeFault as fault:
        raise ShapeFault(
            f"{call.type} argument '{name}' ({inner.type}): {fault.message}",
            hint=fault.hint,
            input_index=fault.input_index,
            arg=name,
        ) from fault
    if res is None:
        raise NoRule(inner.type)
    return res


def lora_rank_arg(call: LayerCall) -> int | None:
    """The optional ``lora_rank`` argument (LoRA adapters add parameters, freeze the kernel)."""
    return opt_int_arg(call, "lora_rank")


def kernel_counts(call: LayerCall, kernel: Sequence[int]) -> tuple[int, int]:
    """(trainable, non-trainable) sizes of a kernel, honouring the ``lora_rank`` argument.

    With LoRA the kernel is frozen and two adapters, ``kernel[:-1] + (r,)`` and
    ``(r, kernel[-1])``, are trained instead.
    """
    size = product(kernel)
    rank = lora_rank_arg(call)
    if rank is None:
        return size, 0
    return product(kernel[:-1]) * rank + rank * kernel[-1], size


# ------------------------------------------------------------------------------ sliding windows


def window_dims(
    call: LayerCall,
    shape: Shape,
    first_axis: int,
    window: tuple[int, ...],
    strides: tuple[int, ...],
    padding: str,
    *,
    dilation: tuple[int, ...] | None = None,
    window_arg: str = "kernel_size",
) -> tuple[int | None, ...]:
    """Output sizes of the spatial axes ``shape[first_axis:first_axis + len(window)]``.

    Mirrors Keras: ``valid`` gives ``floor((n - eff) / s) + 1`` with ``eff = (k - 1) * d + 1``;
    ``same`` and ``causal`` give ``ceil(n / s)``. Unknown sizes stay unknown; a size below 1
    is a fault naming ``window_arg``.
    """
    dilation = dilation or (1,) * len(window)
    out: list[int | None] = []
    for i, (k, s, d) in enumerate(zip(window, strides, dilation, strict=True)):
        size = shape[first_axis + i]
        if size is None:
            out.append(None)
            continue
        new = (size - ((k - 1) * d + 1)) // s + 1 if padding == "valid" else (size - 1) // s + 1
        if new < 1:
            raise _shrink_fault(
                call,
                size,
                max(new, 0),
                first_axis + i,
                window_arg,
                window,
                strides,
                padding,
                dilation,
            )
        out.append(new)
    return tuple(out)


def _shrink_fault(
    call: LayerCall,
    size: int,
    new: int,
    axis: int,
    window_arg: str,
    window: tuple[int, ...],
    strides: tuple[int, ...],
    padding: str,
    dilation: tuple[int, ...],
) -> ShapeFault:
    """The fault for a window that does not fit in its input."""
    dilated = "" if set(dilation) == {1} else f", dilation_rate {dilation}"
    return ShapeFault(
        f"{call.type} with {window_arg} {window}, strides {strides}, padding '{padding}'"
        f"{dilated} shrinks dimension {axis} from {size} to {new}",
        hint=f"use padding: same or a smaller {window_arg}, or feed a larger input",
        arg=window_arg,
    )
