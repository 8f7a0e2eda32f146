"""The closed sets of values some Keras layer arguments take (offered by completion)."""

from __future__ import annotations

from typing import Final

from graphspec.base.catalog import layer_signature

__all__ = ["CHOICES", "choices_for"]

CHOICES: Final[dict[str, tuple[str, ...]]] = {
    "padding": ("valid", "same"),
    "data_format": ("channels_last", "channels_first"),
    "interpolation": ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"),
    "merge_mode": ("concat", "sum", "mul", "ave"),
}
"""String-valued arguments with a closed set of values, as Keras documents them."""

_CAUSAL: Final = frozenset({"Conv1D"})
"""Layers whose ``padding`` also takes ``causal``."""


def choices_for(type_name: str | None, key: str) -> list[str] | None:
    """The values ``key`` takes for a layer type (any type when ``None``), or ``None``.

    >>> choices_for("Conv1D", "padding")
    ['valid', 'same', 'causal']
    >>> choices_for("ZeroPadding2D", "padding") is None
    True
    """
    values = CHOICES.get(key)
    if values is None:
        return None
    if type_name is not None:
        sig = layer_signature(type_name)
        info = sig.arg(key) if sig is not None else None
        if info is None or not (info.default is None or isinstance(info.default, str)):
            return None
    out = list(values)
    if key == "padding" and type_name in _CAUSAL:
        out.append("causal")
    return out
