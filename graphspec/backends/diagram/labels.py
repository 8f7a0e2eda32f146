"""Box text: a node's name, layer type, key arguments, output shape and parameter count."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from graphspec.base.registry import Registry

__all__ = [
    "ARG_FORMATTERS",
    "MAX_LABEL",
    "clean",
    "compact_shape",
    "escape_html",
    "format_params",
    "key_args",
    "truncate",
    "wrap",
]

MAX_LABEL: Final = 40
"""Longest text on one line of a box; longer text is cut with an ellipsis (full text in tooltip)."""

ArgFormatter = Callable[[Any, str], str | None]
"""Formats one argument value (given the layer type) as short box text, or ``None`` to hide it."""

ARG_FORMATTERS: Registry[str, ArgFormatter] = Registry("argument formatter")
"""Argument name -> its formatter, in the order arguments appear in a box. Filled by decorator."""

_DIMS = re.compile(r"([123])D")


def _arg(*names: str) -> Callable[[ArgFormatter], ArgFormatter]:
    return ARG_FORMATTERS.register(*names)


def clean(text: object) -> str:
    """Text with control and non-characters replaced, safe in XML, DOT and Mermaid.

    >>> clean("a\\nb\\x00c")
    'a↵b\\ufffdc'
    """
    out = []
    for ch in str(text):
        if ch == "\n":
            out.append("↵")
        elif unicodedata.category(ch) in {"Cc", "Cs", "Co", "Cn"} or ch in "\ufffe\uffff":
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def truncate(text: str, limit: int = MAX_LABEL) -> str:
    """Cut ``text`` to ``limit`` characters, ending in an ellipsis when cut.

    >>> truncate("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_html(text: object, limit: int | None = MAX_LABEL) -> str:
    """Cleaned, truncated (unless ``limit`` is None) and HTML-escaped text for a label.

    >>> escape_html('<b>&"x"')
    '&lt;b&gt;&amp;&quot;x&quot;'
    """
    value = clean(text)
    if limit is not None:
        value = truncate(value, limit)
    # Graphviz 2.43's HTML lexer fails on some text made of brackets (e.g. a lone "]").
    return html.escape(value, quote=True).replace("[", "&#91;").replace("]", "&#93;")


def wrap(parts: Sequence[str], width: int = MAX_LABEL) -> list[str]:
    """Join short parts with `` · `` into lines of at most ``width`` characters.

    >>> wrap(["32 filters", "3×3", "relu"], 20)
    ['32 filters · 3×3', 'relu']
    """
    lines: list[str] = []
    for part in parts:
        part = truncate(part, width)
        if lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


def compact_shape(shape: Sequence[int | None] | None) -> str:
    """A shape without the batch dimension, as ``28×28×32`` (``?`` unknown, ``·`` variable).

    >>> compact_shape((None, 28, 28, 32)), compact_shape((None, None, 16)), compact_shape(None)
    ('28×28×32', '·×16', '?')
    """
    if shape is None:
        return "?"
    dims = shape[1:]
    if not dims:
        return "scalar"
    return "×".join("·" if d is None else str(d) for d in dims)


def format_params(count: int | None) -> str:
    """A parameter count for a box: ``1,234 params``, ``? params`` when unknown.

    >>> format_params(1234), format_params(1), format_params(None)
    ('1,234 params', '1 param', '? params')
    """
    if count is None:
        return "? params"
    return f"{count:,} param{'s' * (count != 1)}"


def key_args(layer_type: str | None, args: Mapping[str, Any]) -> list[str]:
    """The arguments worth showing in a box, formatted short, in registry order.

    >>> key_args("Conv2D", {"filters": 32, "kernel_size": 3, "activation": "relu"})
    ['32 filters', '3×3', 'relu']
    """
    shown: list[str] = []
    if "height" in args and "width" in args:  # Resizing, CenterCrop, RandomCrop: one size
        shown.append(clean(f"{_short(args['height'])}×{_short(args['width'])}"))
    for name, fmt in ARG_FORMATTERS.items():
        if name not in args:
            continue
        try:
            text = fmt(args[name], layer_type or "")
        except (TypeError, ValueError):
            text = None
        if text:
            shown.append(clean(text))
    return shown


def _short(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "×".join(_short(v) for v in value)
    if isinstance(value, Mapping):
        kind = value.get("type")
        return str(kind) if kind is not None else "{…}"
    return str(value)


def _pairs(value: Any) -> str:
    """Padding or cropping amounts: ``1``, ``1×2`` or ``(1,1)×(2,2)`` for per-side pairs."""
    if isinstance(value, list | tuple) and any(isinstance(v, list | tuple) for v in value):
        return "×".join(
            "(" + ",".join(map(str, v)) + ")" if isinstance(v, list | tuple) else str(v)
            for v in value
        )
    return _short(value)


def _count(value: Any, noun: str) -> str:
    return f"{_short(value)} {noun}{'' if value == 1 else 's'}"


def _window(value: Any, layer_type: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        match = _DIMS.search(layer_type)
        rank = int(match.group(1)) if match else 1
        return "×".join([str(value)] * rank)
    return _short(value)


def _not_one(value: Any) -> bool:
    return value not in (1, [1], [1, 1], [1, 1, 1], (1,), (1, 1), (1, 1, 1))


@_arg("filters")
def _filters(value: Any, _: str) -> str:
    return _count(value, "filter")


@_arg("units")
def _units(value: Any, _: str) -> str:
    return _count(value, "unit")


@_arg("output_dim")
def _output_dim(value: Any, _: str) -> str:
    return f"dim {_short(value)}"


@_arg("input_dim")
def _input_dim(value: Any, _: str) -> str:
    return f"vocab {_short(value)}"


@_arg("num_heads")
def _heads(value: Any, _: str) -> str:
    return _count(value, "head")


@_arg("key_dim")
def _key_dim(value: Any, _: str) -> str:
    return f"key {_short(value)}"


@_arg("kernel_size")
def _kernel(value: Any, layer_type: str) -> str:
    return _window(value, layer_type)


@_arg("pool_size")
def _pool(value: Any, layer_type: str) -> str:
    return f"pool {_window(value, layer_type)}"


@_arg("size")
def _size(value: Any, layer_type: str) -> str:
    if isinstance(value, list | tuple) and len(set(map(str, value))) == 1:
        value = value[0]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"up ×{value}"
    return f"up {_short(value)}"


@_arg("interpolation")
def _interpolation(value: Any, layer_type: str) -> str | None:
    default = "nearest" if layer_type.startswith("UpSampling") else "bilinear"
    return None if value in (default, None) else _short(value)


@_arg("axes")
def _axes(value: Any, _: str) -> str:
    if isinstance(value, list | tuple):
        return "axes (" + ", ".join(map(str, value)) + ")"
    return f"axes {_short(value)}"


@_arg("mask_value")
def _mask_value(value: Any, _: str) -> str:
    return f"mask {_short(value)}"


@_arg("crop_to_aspect_ratio")
def _crop_ratio(value: Any, _: str) -> str | None:
    return "keep aspect" if value is True else None


@_arg("depth_multiplier")
def _depth_multiplier(value: Any, _: str) -> str | None:
    return None if value == 1 else f"depth ×{_short(value)}"


@_arg("cropping")
def _cropping(value: Any, _: str) -> str:
    return f"crop {_pairs(value)}"


@_arg("negative_slope", "alpha")
def _slope(value: Any, layer_type: str) -> str | None:
    return f"slope {_short(value)}" if layer_type in ("LeakyReLU", "ELU") else None


@_arg("stddev")
def _stddev(value: Any, _: str) -> str:
    return f"σ {_short(value)}"


@_arg("scale")
def _scale(value: Any, layer_type: str) -> str | None:
    return f"×{_short(value)}" if layer_type == "Rescaling" else None


@_arg("offset")
def _offset(value: Any, layer_type: str) -> str | None:
    if layer_type != "Rescaling" or value in (0, 0.0):
        return None
    return f"+{_short(value)}" if not str(value).startswith("-") else _short(value)


@_arg("strides")
def _strides(value: Any, layer_type: str) -> str | None:
    return f"stride {_window(value, layer_type)}" if _not_one(value) else None


@_arg("dilation_rate")
def _dilation(value: Any, layer_type: str) -> str | None:
    return f"dilation {_window(value, layer_type)}" if _not_one(value) else None


@_arg("padding")
def _padding(value: Any, _: str) -> str | None:
    if value == "valid":
        return None
    if isinstance(value, str):
        return value
    return f"pad {_pairs(value)}"


@_arg("activation")
def _activation(value: Any, _: str) -> str | None:
    return None if value in (None, "linear") else _short(value)


@_arg("rate")
def _rate(value: Any, _: str) -> str:
    return f"rate {_short(value)}"


@_arg("axis")
def _axis(value: Any, _: str) -> str | None:
    return None if value == -1 else f"axis {_short(value)}"


@_arg("target_shape")
def _target(value: Any, _: str) -> str:
    return f"→ {_short(value)}"


@_arg("dims")
def _dims(value: Any, _: str) -> str:
    if isinstance(value, list | tuple):
        return "perm (" + ", ".join(map(str, value)) + ")"
    return f"perm {_short(value)}"


@_arg("n")
def _repeat(value: Any, _: str) -> str:
    return f"×{_short(value)}"


@_arg("return_sequences")
def _sequences(value: Any, _: str) -> str | None:
    return "sequences" if value is True else None


@_arg("layer")
def _wrapped(value: Any, _: str) -> str:
    if isinstance(value, Mapping) and isinstance(value.get("type"), str):
        inner = [a for a in key_args(value["type"], value) if a != "sequences"]
        return f"{value['type']}({', '.join(inner)})" if inner else value["type"]
    return _short(value)


@_arg("use_bias")
def _bias(value: Any, _: str) -> str | None:
    return "no bias" if value is False else None
