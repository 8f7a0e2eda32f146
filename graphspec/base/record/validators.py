"""Validators of plain values, as pydantic 2 validates them in lax mode (smart unions, the same errors)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

__all__ = [
    "STRICT_KINDS",
    "Invalid",
    "Validator",
    "any_value",
    "boolean",
    "dict_of",
    "greater_than",
    "integer",
    "invalid",
    "list_of",
    "literal",
    "no_value",
    "nullable",
    "number",
    "prefixed",
    "strict_integer",
    "string",
    "union",
]

Validator = Callable[[Any, bool], Any]
"""``validate(value, strict) -> value``; raises :class:`Invalid` (locations relative)."""


class Invalid(Exception):
    """Errors found below one value, with locations relative to it."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def invalid(kind: str, msg: str, value: Any, ctx: dict[str, Any] | None = None) -> Invalid:
    error: dict[str, Any] = {"type": kind, "loc": (), "msg": msg, "input": value}
    if ctx is not None:
        error["ctx"] = ctx
    return Invalid([error])


def prefixed(errors: list[dict[str, Any]], *keys: Any) -> list[dict[str, Any]]:
    for error in errors:
        error["loc"] = (*keys, *error["loc"])
    return errors


_STRING = "Input should be a valid string"
_TRUE: Final = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE: Final = frozenset({"0", "off", "f", "false", "n", "no"})
_LISTS: Final = (list, tuple, set, frozenset)
_I64: Final = 2.0**63


def _text(value: Any) -> str | None:
    """``value`` as text for a lax number or boolean (bytes decoded, bad bytes replaced, so
    they fail to parse), else ``None``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode(errors="replace")
    return None


def string(value: Any, strict: bool) -> Any:
    if isinstance(value, str):
        return value
    if not strict and isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode()
        except UnicodeDecodeError:
            pass
        raise invalid(
            "string_unicode", f"{_STRING}, unable to parse raw data as a unicode string", value
        )
    raise invalid("string_type", _STRING, value)


def _int_from_text(text: str, value: Any) -> int:
    stripped = text.strip()
    if stripped.isascii():
        try:
            return int(stripped)
        except ValueError:
            pass
    head, dot, tail = stripped.partition(".")
    if dot and head.lstrip("+-").isdigit() and tail and set(tail) == {"0"}:
        return int(head)
    raise invalid(
        "int_parsing",
        "Input should be a valid integer, unable to parse string as an integer",
        value,
    )


def integer(value: Any, strict: bool) -> Any:
    kind = type(value)
    if kind is int:
        return value
    if kind is bool or isinstance(value, bool):
        if strict:
            raise invalid("int_type", "Input should be a valid integer", value)
        return int(value)
    if isinstance(value, int):
        return int(value)
    if strict:
        raise invalid("int_type", "Input should be a valid integer", value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise invalid("finite_number", "Input should be a finite number", value)
        if not value.is_integer():
            raise invalid(
                "int_from_float",
                "Input should be a valid integer, got a number with a fractional part",
                value,
            )
        if not -_I64 < value < _I64:
            raise invalid(
                "int_parsing_size",
                "Unable to parse input string as an integer, exceeded maximum size",
                value,
            )
        return int(value)
    text = _text(value)
    if text is not None:
        return _int_from_text(text, value)
    raise invalid("int_type", "Input should be a valid integer", value)


def strict_integer(value: Any, strict: bool) -> Any:
    return integer(value, True)


def number(value: Any, strict: bool) -> Any:
    if isinstance(value, float):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if strict:
        raise invalid("float_type", "Input should be a valid number", value)
    if isinstance(value, bool):
        return float(value)
    text = _text(value)
    if text is not None:
        try:
            if not text.isascii():
                raise ValueError(text)
            return float(text.strip())
        except ValueError:
            raise invalid(
                "float_parsing",
                "Input should be a valid number, unable to parse string as a number",
                value,
            ) from None
    raise invalid("float_type", "Input should be a valid number", value)


def boolean(value: Any, strict: bool) -> Any:
    if isinstance(value, bool):
        return value
    if strict:
        raise invalid("bool_type", "Input should be a valid boolean", value)
    parsing = "Input should be a valid boolean, unable to interpret input"
    if (
        isinstance(value, float)
        and math.isfinite(value)
        and value.is_integer()
        and -_I64 < value < _I64
    ):
        value = int(value)  # pydantic reads a whole float as the integer
    if isinstance(value, int) and -(2**63) <= value < 2**63:
        if value == 0 or value == 1:
            return bool(value)
        raise invalid("bool_parsing", parsing, value)
    text = _text(value)
    if text is not None:
        word = text.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise invalid("bool_parsing", parsing, value)
    raise invalid("bool_type", "Input should be a valid boolean", value)


def any_value(value: Any, strict: bool) -> Any:
    return value


def no_value(value: Any, strict: bool) -> Any:
    if value is None:
        return None
    raise invalid("none_required", "Input should be None", value)


def literal(expected: tuple[Any, ...]) -> Validator:
    shown = [repr(e) for e in expected]
    words = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"

    def check(value: Any, strict: bool) -> Any:
        for want in expected:
            if isinstance(want, str):
                if isinstance(value, str) and value == want:
                    return want
            elif (
                isinstance(value, int | float)
                and (not strict or not isinstance(value, bool))
                and value == want
            ):
                return want
        raise invalid("literal_error", f"Input should be {words}", value, {"expected": words})

    return check


def list_of(item: Validator) -> Validator:
    def check(value: Any, strict: bool) -> Any:
        if not isinstance(value, list if strict else _LISTS):
            raise invalid("list_type", "Input should be a valid list", value)
        out = []
        errors: list[dict[str, Any]] = []
        for index, element in enumerate(value):
            try:
                out.append(item(element, strict))
            except Invalid as bad:
                errors += prefixed(bad.errors, index)
        if errors:
            raise Invalid(errors)
        return out

    STRICT_KINDS[check] = list
    return check


def dict_of(key: Validator, item: Validator) -> Validator:
    plain_keys = key is string  # a str key is kept as it is

    def check(value: Any, strict: bool) -> Any:
        if not isinstance(value, dict if strict else Mapping):
            raise invalid("dict_type", "Input should be a valid dictionary", value)
        out = {}
        errors: list[dict[str, Any]] = []
        for name, element in value.items():
            name_out = name
            if not (plain_keys and type(name) is str):
                try:
                    name_out = key(name, strict)
                except Invalid as bad:
                    errors += prefixed(bad.errors, name, "[key]")
            try:
                out[name_out] = item(element, strict)
            except Invalid as bad:
                errors += prefixed(bad.errors, name)
        if errors:
            raise Invalid(errors)
        return out

    STRICT_KINDS[check] = dict
    return check


def _optional_str(value: Any, strict: bool) -> Any:
    if value is None or type(value) is str:
        return value
    return string(value, strict)


def nullable(inner: Validator) -> Validator:
    if inner is string:
        return _optional_str

    def check(value: Any, strict: bool) -> Any:
        return None if value is None else inner(value, strict)

    return check


STRICT_KINDS: dict[Validator, type | tuple[type, ...]] = {}
"""The types a validator may take in strict mode (anything else it refuses): a union skips a
member that would refuse a value without calling it."""


def union(members: list[tuple[str, Validator]]) -> Validator:
    """pydantic's smart union: the first member that takes the value strictly, else the first
    that takes it laxly; every member's errors (tagged with its name) when none does."""

    kinds = [STRICT_KINDS.get(member) for _, member in members]

    def check(value: Any, strict: bool) -> Any:
        for (_, member), kind in zip(members, kinds, strict=True):
            if kind is not None and not isinstance(value, kind):
                continue  # the member would refuse it strictly: skip the exception
            try:
                return member(value, True)
            except Invalid:
                continue
        errors: list[dict[str, Any]] = []
        if not strict:
            for tag, member in members:
                try:
                    return member(value, False)
                except Invalid as bad:
                    errors += prefixed(bad.errors, tag)
        else:
            for tag, member in members:
                try:
                    member(value, True)
                except Invalid as bad:
                    errors += prefixed(bad.errors, tag)
        raise Invalid(errors)

    return check


def greater_than(inner: Validator, bound: int | float) -> Validator:
    def check(value: Any, strict: bool) -> Any:
        out = inner(value, strict)
        if not out > bound:
            raise invalid(
                "greater_than", f"Input should be greater than {bound}", out, {"gt": bound}
            )
        return out

    return check


STRICT_KINDS.update(
    {string: str, integer: int, strict_integer: int, number: (float, int), boolean: bool}
)
