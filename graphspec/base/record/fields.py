"""A record's fields: defaults, factories, descriptions, bounds, strict integers, private attributes."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, Final

__all__ = ["MISSING", "STRICT", "Field", "FieldInfo", "PrivateAttr", "PrivateInfo", "StrictInt"]

MISSING: Final[Any] = object()
"""The default of a field that has none (a required field)."""


class _Strict:
    """The marker of a strict type (``Annotated[int, STRICT]``): no lax conversion."""

    def __repr__(self) -> str:
        return "STRICT"


STRICT: Final = _Strict()
StrictInt = typing.Annotated[int, STRICT]
"""An integer that refuses floats, strings and booleans (pydantic's ``StrictInt``)."""


class FieldInfo:
    """One field of a record: its default (or factory), bound and documentation."""

    __slots__ = (
        "annotation",
        "default",
        "default_factory",
        "description",
        "examples",
        "gt",
        "json_schema_extra",
    )

    def __init__(
        self,
        default: Any = MISSING,
        *,
        default_factory: Callable[[], Any] | None = None,
        description: str | None = None,
        examples: list[Any] | None = None,
        json_schema_extra: dict[str, Any] | None = None,
        gt: int | float | None = None,
    ) -> None:
        self.annotation: Any = None
        self.default = default
        self.default_factory = default_factory
        self.description = description
        self.examples = examples
        self.json_schema_extra = json_schema_extra
        self.gt = gt

    def is_required(self) -> bool:
        """True when the field has neither a default nor a factory."""
        return self.default is MISSING and self.default_factory is None

    def get_default(self) -> Any:
        """The default value (a fresh one from the factory)."""
        return self.default_factory() if self.default_factory is not None else self.default

    def __repr__(self) -> str:
        shown = "required" if self.is_required() else f"default={self.get_default()!r}"
        return f"FieldInfo({shown})"


def Field(
    default: Any = MISSING,
    *,
    default_factory: Callable[[], Any] | None = None,
    description: str | None = None,
    examples: list[Any] | None = None,
    json_schema_extra: dict[str, Any] | None = None,
    gt: int | float | None = None,
) -> Any:
    """A field's default, factory, description, examples and lower bound (``gt``)."""
    return FieldInfo(
        default,
        default_factory=default_factory,
        description=description,
        examples=examples,
        json_schema_extra=json_schema_extra,
        gt=gt,
    )


class PrivateInfo:
    """A private attribute's default or factory."""

    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any, default_factory: Callable[[], Any] | None) -> None:
        self.default = default
        self.default_factory = default_factory

    def make(self) -> Any:
        """The attribute's first value."""
        return self.default_factory() if self.default_factory is not None else self.default


def PrivateAttr(default: Any = None, *, default_factory: Callable[[], Any] | None = None) -> Any:
    """A private attribute (a name starting with ``_``): not a field, never validated."""
    return PrivateInfo(default, default_factory)
