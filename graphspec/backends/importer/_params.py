"""Block params of an import: argument values that differ between instances, their defaults,
and values that are multiples of other params."""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any, Final

from graphspec.base.catalog import layer_signature

__all__ = ["ABSENT", "block_params", "layer_defaults"]


_MISSING: Final = "\x00missing"
"""An argument left out that has no known default (its runs cannot share a block)."""


def block_params(
    types: list[str],
    locals_: tuple[str, ...],
    per_group: list[list[dict[str, Any] | None]],
) -> tuple[dict[str, Any], dict[tuple[int, str], Any], list[dict[str, Any]]]:
    """Params for the argument values that differ between instances.

    An argument one instance leaves out has its Keras default there (``strides: 1``); a node an
    instance does not have (``None``: left out by ``when:``) matches any value. Returns the
    block's params (with defaults), each argument's value or ``${...}`` template, and each
    instance's given params.
    """
    templates: dict[tuple[int, str], Any] = {}
    vectors: dict[str, list[Any]] = {}
    arg_names: list[tuple[int, str, list[Any]]] = []
    for i, type_name in enumerate(types):
        present = [args for g in per_group if (args := g[i]) is not None]
        keys = list(dict.fromkeys(k for args in present for k in args))
        defaults = layer_defaults(type_name)
        templates.update({(i, k): None for k in keys})  # the arguments in their written order
        for k in keys:
            default = _like(defaults.get(k, _MISSING), [a[k] for a in present if k in a])
            column = [_value(g[i], k, default) for g in per_group]
            known = [v for v in column if v is not ABSENT]
            if all(v == known[0] for v in known):
                templates[(i, k)] = known[0]
                continue
            arg_names.append((i, k, column))
    counts = Counter(k for _, k, column in arg_names)
    for i, k, column in arg_names:
        same = next((p for p, v in vectors.items() if _agree(v, column)), None)
        if same is not None:
            vectors[same] = [
                c if v is ABSENT else v for v, c in zip(vectors[same], column, strict=True)
            ]
            templates[(i, k)] = f"${{{same}}}"
            continue
        multiple = _multiple_of(column, vectors)
        if multiple is not None:
            templates[(i, k)] = multiple
            continue
        pname = k if counts[k] == 1 or k not in vectors else _param_name(k, locals_[i])
        while pname in vectors:
            pname += "_"
        vectors[pname] = column
        templates[(i, k)] = f"${{{pname}}}"
    params: dict[str, Any] = {}
    for pname, column in vectors.items():
        known = [v for v in column if v is not ABSENT]
        texts = Counter(json.dumps(v, sort_keys=True) for v in known)
        common, count = max(texts.items(), key=lambda kv: (kv[1], -known.index(json.loads(kv[0]))))
        default = json.loads(common)
        majority = count * 2 > len(known)
        params[pname] = default if majority and not isinstance(default, dict) else None
    given = [
        {
            p: column[g]
            for p, column in vectors.items()
            if column[g] is not ABSENT and (params[p] is None or column[g] != params[p])
        }
        for g in range(len(per_group))
    ]
    for g, args in enumerate(given):  # a required param is given even where it goes unused
        for p, column in vectors.items():
            if params[p] is None and column[g] is ABSENT:
                args[p] = next(v for v in column if v is not ABSENT)
    return params, templates, given


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
"""A value of a node an instance does not have (left out by ``when:``): it matches any."""


def _value(args: dict[str, Any] | None, key: str, default: Any) -> Any:
    """An argument's value in one instance (its default when left out; absent node: any)."""
    return ABSENT if args is None else args.get(key, default)


def _agree(a: list[Any], b: list[Any]) -> bool:
    """Equal wherever both are known."""
    return all(x == y or x is ABSENT or y is ABSENT for x, y in zip(a, b, strict=True))


def _like(default: Any, given: list[Any]) -> Any:
    """A default written like the given values: ``1`` for ``[1, 1]`` beside ``strides: 2``."""
    if (
        isinstance(default, list)
        and default
        and all(v == default[0] and type(v) is int for v in default)
        and all(type(v) is int for v in given)
    ):
        return default[0]
    return default


_BASE_DEFAULTS: Final = {"trainable": True}
"""Arguments of every layer (``keras.layers.Layer``'s own) and their defaults."""


@functools.cache
def layer_defaults(type_name: str) -> dict[str, Any]:
    """The layer's constructor defaults (JSON form), from the catalog."""
    sig = layer_signature(type_name)
    if sig is None:
        return {}
    own = {name: info.default for name, info in sig.args.items() if not info.required}
    return {**_BASE_DEFAULTS, **own}


def _param_name(arg: str, local: str) -> str:
    """``filters_expand`` for the second param made from ``filters`` (at node ``expand``)."""
    suffix = re.sub(r"\W+", "_", local).strip("_")
    return f"{arg}_{suffix}" if suffix else arg


def _multiple_of(column: list[Any], vectors: Mapping[str, list[Any]]) -> str | None:
    """``${p * k}`` when every value is ``k`` times param ``p``'s (integers, ``k`` ≥ 2)."""
    for pname, other in vectors.items():
        pairs = [(v, o) for v, o in zip(column, other, strict=True) if v is not ABSENT]
        if not pairs or any(o is ABSENT for _, o in pairs):
            continue
        if not all(type(v) is int and type(o) is int and o > 0 for v, o in pairs):
            continue
        factor = pairs[0][0] // pairs[0][1]
        if factor >= 2 and all(v == o * factor for v, o in pairs):
            return f"${{{pname} * {factor}}}"
    return None
