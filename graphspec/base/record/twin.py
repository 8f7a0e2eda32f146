"""The pydantic twin of a record: the same fields as a pydantic model, for the JSON Schema and as a test oracle."""

from __future__ import annotations

import types
import typing
from typing import Any

from graphspec.base.record.fields import MISSING, STRICT
from graphspec.base.record.model import Record

__all__ = ["pydantic_twin"]

_TWINS: dict[type[Record], Any] = {}


def pydantic_twin(cls: type[Record]) -> Any:
    """The pydantic model declaring the same fields as ``cls`` (its docstring, bounds,
    descriptions, strict integers, extra-key policy): the JSON Schema's author and, in tests,
    the oracle the record's validation is held to. Imports pydantic."""
    found = _TWINS.get(cls)
    if found is not None:
        return found
    import pydantic

    cls._field_validators()  # resolves the annotations
    definitions: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        settings: dict[str, Any] = {
            "description": info.description,
            "examples": info.examples,
            "json_schema_extra": info.json_schema_extra,
            "gt": info.gt,
        }
        if info.default_factory is not None:
            settings["default_factory"] = info.default_factory
        elif info.default is not MISSING:
            settings["default"] = info.default
        kept = {k: v for k, v in settings.items() if v is not None or k == "default"}
        definitions[name] = (_twin_type(info.annotation), pydantic.Field(**kept))
    config = pydantic.ConfigDict(extra=cls.model_config.get("extra", "forbid"))
    twin = pydantic.create_model(
        cls.__name__,
        __config__=config,
        __doc__=cls.__doc__,
        __module__=cls.__module__,
        **definitions,
    )
    _TWINS[cls] = twin
    return twin


def _twin_type(annotation: Any) -> Any:
    """``annotation`` with records replaced by their pydantic twins and STRICT by pydantic's."""
    if isinstance(annotation, type) and issubclass(annotation, Record):
        return pydantic_twin(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        import pydantic

        marks = [pydantic.Strict() if a is STRICT else a for a in args[1:]]
        return typing.Annotated[(_twin_type(args[0]), *marks)]
    if origin is list:
        return list[_twin_type(args[0])]  # type: ignore[misc]  # built at run time
    if origin is dict:
        return dict[_twin_type(args[0]), _twin_type(args[1])]  # type: ignore[misc]  # built at run time
    if origin is typing.Union or origin is types.UnionType:
        return typing.Union[tuple(_twin_type(a) for a in args)]  # noqa: UP007 - built from a tuple
    return annotation
