"""Argument value rules: the type, allowed words and Keras-enforced range of each layer argument.

Rules are registered by argument name with :func:`value_rule`; an argument without a rule is
checked against the type of its Keras default (a boolean default wants ``true``/``false``, a
string default a string, a number default a number). Each rule looks at one value of one
layer and nothing else — not at shapes, not at other nodes — so every wrong value of a spec is
reported in one run, whatever else is wrong with it.

>>> check_arg_value("Conv2D", "padding", "smae", "valid")
Problem(expected="one of 'valid', 'same'", hint='did you mean `same`?')
>>> check_arg_value("Dense", "units", "16", None) is not None
True
>>> check_arg_value("Conv1D", "padding", "causal", "valid") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeGuard

from graphspec.base.registry import Registry
from graphspec.base.suggest import did_you_mean

__all__ = ["VALUE_RULES", "Arg", "Problem", "ValueRule", "check_arg_value", "value_rule"]


@dataclass(frozen=True)
class Arg:
    """One argument as written: the layer class, the argument's name, its value and default."""

    layer: str
    name: str
    value: Any
    default: Any = None
    required: bool = False


@dataclass(frozen=True)
class Problem:
    """What a value should have been (``expected`` completes "must be ..."), and a fix."""

    expected: str
    hint: str | None = None


ValueRule = Callable[[Arg], Problem | None]
VALUE_RULES: Registry[str, ValueRule] = Registry("value rule")
"""Argument name -> its rule (filled by :func:`value_rule`)."""


def value_rule(*names: str) -> Callable[[ValueRule], ValueRule]:
    """Register the decorated function as the value rule of the arguments ``names``."""

    return VALUE_RULES.register(*names)


def check_arg_value(
    layer: str, name: str, value: Any, default: Any = None, *, required: bool = False
) -> Problem | None:
    """Check one argument value of one layer; ``None`` when Keras would accept it.

    ``default`` is the Keras default (``None`` also when there is none); ``required`` says the
    argument has no default, so ``null`` is not a value for it.
    """
    rule = VALUE_RULES.get(name, _by_default)
    return rule(Arg(layer, name, value, default, required))


# -- helpers --------------------------------------------------------------------------------

_RANK: Final = re.compile(r"([123])D(?:$|[A-Z])")
CAUSAL_LAYERS: Final = frozenset({"Conv1D"})
"""Layers whose ``padding`` may also be ``causal`` (Keras: convolutions of rank 1)."""
INTERPOLATIONS: Final = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")
FILL_MODES: Final = ("reflect", "wrap", "constant", "nearest")


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unquote_hint(value: object) -> str | None:
    """``write 16 without quotes`` for a number written as a string."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return None
        return f"write `{value}` without quotes: a quoted number is a string"
    return None


def _optional(arg: Arg) -> bool:
    """A ``null`` value is fine where the Keras default is ``None`` itself."""
    return arg.value is None and arg.default is None and not arg.required


def _spatial_rank(arg: Arg) -> int | None:
    """How many spatial axes a windowed layer has: from its name (Conv2D) or default."""
    found = _RANK.search(arg.layer)
    if found:
        return int(found.group(1))
    if isinstance(arg.default, list):
        return len(arg.default)
    return None


def _choice(arg: Arg, choices: Sequence[Any], *, fold_case: bool = True) -> Problem | None:
    value = arg.value
    word = value.lower() if fold_case and isinstance(value, str) else value
    if any(word == c and type(word) is type(c) for c in choices):
        return None
    shown = ", ".join(repr(c) if c is not None else "null" for c in choices)
    words = [c for c in choices if isinstance(c, str)]
    hint = did_you_mean(value, words) if isinstance(value, str) else None
    return Problem(f"one of {shown}", hint)


# -- rules ----------------------------------------------------------------------------------

_POSITIVE: Final = (
    "units",
    "filters",
    "num_heads",
    "key_dim",
    "value_dim",
    "head_dim",
    "num_query_heads",
    "num_key_value_heads",
    "input_dim",
    "output_dim",
    "n",
    "groups",
    "depth_multiplier",
    "sliding_window",
    "lora_rank",
)


_ALSO_ALLOWED: Final = {("GroupNormalization", "groups"): -1}
"""Values Keras accepts besides positive integers (-1 groups: instance normalization)."""


@value_rule(*_POSITIVE)
def _positive_int(arg: Arg) -> Problem | None:
    if _optional(arg) or (_is_int(arg.value) and arg.value >= 1):
        return None
    special = _ALSO_ALLOWED.get((arg.layer, arg.name))
    if special is not None and arg.value == special and _is_int(arg.value):
        return None
    optional = arg.default is None and not arg.required
    expected = "a positive integer" + (" or null" if optional else "")
    hint = _unquote_hint(arg.value)
    if hint is None and isinstance(arg.value, float) and arg.value.is_integer():
        hint = f"write `{int(arg.value)}`: Keras wants an integer, not a float"
    return Problem(expected, hint)


@value_rule("kernel_size", "strides", "pool_size", "dilation_rate", "size")
def _window(arg: Arg) -> Problem | None:
    n = _spatial_rank(arg)
    value = arg.value
    if _optional(arg) and arg.name in ("strides", "pool_size"):
        return None
    many = f"a list of {n} such integers" if n else "a list of such integers"
    expected = f"a positive integer or {many}"
    if _is_int(value) and value >= 1:
        return None
    if (
        isinstance(value, list)
        and (n is None or len(value) == n)
        and value
        and all(_is_int(v) and v >= 1 for v in value)
    ):
        return None
    hint = _unquote_hint(value)
    if isinstance(value, list) and n is not None and len(value) != n:
        hint = f"{arg.layer} has {n} spatial axes: give {n} numbers, or one for all"
    return Problem(expected, hint)


@value_rule("padding", "cropping")
def _padding(arg: Arg) -> Problem | None:
    if arg.name == "padding" and (isinstance(arg.default, str) or arg.default is None):
        choices = ("valid", "same", "causal") if arg.layer in CAUSAL_LAYERS else ("valid", "same")
        return _choice(arg, choices)
    n = _spatial_rank(arg)
    value = arg.value

    def amount(v: object) -> bool:
        if _is_int(v):
            return v >= 0
        return isinstance(v, list) and len(v) == 2 and all(_is_int(x) and x >= 0 for x in v)

    if _is_int(value) and value >= 0:
        return None
    if isinstance(value, list) and (n is None or len(value) == n) and all(map(amount, value)):
        return None
    axes = f"{n} " if n else ""
    return Problem(
        f"an integer >= 0, or a list of {axes}integers or [before, after] pairs",
        _unquote_hint(value),
    )


@value_rule("data_format")
def _data_format(arg: Arg) -> Problem | None:
    if arg.value is None:
        return None
    return _choice(arg, ("channels_last", "channels_first"))


@value_rule("interpolation")
def _interpolation(arg: Arg) -> Problem | None:
    return _choice(arg, INTERPOLATIONS)


@value_rule("fill_mode")
def _fill_mode(arg: Arg) -> Problem | None:
    return _choice(arg, FILL_MODES)


@value_rule("merge_mode")
def _merge_mode(arg: Arg) -> Problem | None:
    return _choice(arg, ("concat", "sum", "mul", "ave", None), fold_case=False)


@value_rule("score_mode")
def _score_mode(arg: Arg) -> Problem | None:
    return _choice(arg, ("dot", "concat"), fold_case=False)


@value_rule("use_cudnn")
def _use_cudnn(arg: Arg) -> Problem | None:
    return _choice(arg, ("auto", True, False), fold_case=False)


_FRACTIONS: Final = frozenset(
    {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout"}
)


@value_rule("rate", "stddev")
def _fraction(arg: Arg) -> Problem | None:
    """Keras refuses a dropout rate (and GaussianNoise's stddev) outside [0, 1]."""
    value = arg.value
    bounded = arg.layer in _FRACTIONS or arg.name == "stddev" or arg.layer == "AlphaDropout"
    if _is_number(value) and (not bounded or 0 <= value <= 1):
        return None
    if not bounded:
        return _by_default(arg)
    return Problem("a number between 0 and 1", _unquote_hint(value))


@value_rule("axis")
def _axis(arg: Arg) -> Problem | None:
    value = arg.value
    if _optional(arg) or _is_int(value):
        return None
    if isinstance(value, list) and value and all(_is_int(v) for v in value):
        return None
    return Problem("an integer axis (or a list of them)", _unquote_hint(value))


@value_rule("target_shape")
def _target_shape(arg: Arg) -> Problem | None:
    value = arg.value
    ok = isinstance(value, list) and all(_is_int(v) and (v >= 1 or v == -1) for v in value)
    if ok and value.count(-1) <= 1:
        return None
    return Problem(
        "a list of positive integers, with at most one -1 (a dimension Keras infers)",
        "e.g. `target_shape: [7, 7, 64]`",
    )


@value_rule("dims")
def _dims(arg: Arg) -> Problem | None:
    value = arg.value
    if (
        isinstance(value, list)
        and all(_is_int(v) for v in value)
        and sorted(value) == list(range(1, len(value) + 1))
    ):
        return None
    return Problem(
        "a permutation of 1..k over the non-batch axes",
        "e.g. `dims: [2, 1]` swaps the two axes of a (batch, a, b) input",
    )


@value_rule("noise_shape")
def _noise_shape(arg: Arg) -> Problem | None:
    value = arg.value
    if value is None:
        return None
    if isinstance(value, list) and all(v is None or (_is_int(v) and v >= 1) for v in value):
        return None
    return Problem("null or a list of positive integers and nulls (one per axis, batch included)")


def _by_default(arg: Arg) -> Problem | None:
    """No rule of its own: the value must have the type of the Keras default."""
    value, default = arg.value, arg.default
    expected = None
    if isinstance(default, bool) and not isinstance(value, bool):
        expected = "true or false"
    elif isinstance(default, str) and value is not None and not isinstance(value, str):
        expected = "a string"
    elif _is_number(default) and isinstance(value, str | bool | dict):
        expected = "a number"
    elif isinstance(default, list) and isinstance(value, str | bool):
        expected = "a number or a list"
    if expected is None:
        return None
    return Problem(expected, _unquote_hint(value) or f"the Keras default is `{yaml_text(default)}`")


def yaml_text(value: Any) -> str:
    """A value as it is written in YAML: ``null``, ``true``, ``'16'``, ``[3, 3]``.

    >>> yaml_text(None), yaml_text(False), yaml_text([1, "a"]), yaml_text("16")
    ('null', 'false', "[1, 'a']", "'16'")
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_text(v) for v in value) + "]"
    return repr(value)


def rule_names() -> Collection[str]:
    """Every argument name with a rule of its own (for documentation and tests)."""
    return sorted(VALUE_RULES)


__all__ += ["CAUSAL_LAYERS", "FILL_MODES", "INTERPOLATIONS", "rule_names", "yaml_text"]
