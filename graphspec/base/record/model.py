"""The record base class: annotated fields validated on the way in, read as attributes, dumped and copied."""

from __future__ import annotations

import copy
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final, Literal, NamedTuple, Self, cast

from graphspec.base.record import validators as _v
from graphspec.base.record.fields import MISSING, STRICT, FieldInfo, PrivateInfo
from graphspec.base.record.validators import Invalid, Validator, invalid, prefixed
from graphspec.errors import RecordError

__all__ = ["Record", "compile_type"]

_SIMPLE: Final[dict[Any, tuple[str, Validator]]] = {
    str: ("str", _v.string),
    int: ("int", _v.integer),
    float: ("float", _v.number),
    bool: ("bool", _v.boolean),
    Any: ("any", _v.any_value),
    type(None): ("none", _v.no_value),
}


def compile_type(annotation: Any) -> tuple[str, Validator]:
    """The union tag and the validator of a resolved annotation."""
    simple = _SIMPLE.get(annotation)
    if simple is not None:
        return simple
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        tag, inner = compile_type(args[0])
        if args[0] is int and STRICT in args[1:]:
            return tag, _v.strict_integer
        return tag, inner
    if origin is Literal:
        values = ", ".join(repr(a) for a in args)
        return f"literal[{values}]", _v.literal(args)
    if origin is list:
        tag, item = compile_type(args[0] if args else Any)
        return f"list[{tag}]", _v.list_of(item)
    if origin is dict:
        key_tag, key = compile_type(args[0] if args else Any)
        value_tag, value = compile_type(args[1] if args else Any)
        return f"dict[{key_tag},{value_tag}]", _v.dict_of(key, value)
    if origin is typing.Union or origin is types.UnionType:
        members = [a for a in args if a is not type(None)]
        compiled = [compile_type(a) for a in members]
        tag = compiled[0][0] if len(compiled) == 1 else f"union[{','.join(t for t, _ in compiled)}]"
        inner = compiled[0][1] if len(compiled) == 1 else _v.union(compiled)
        return (
            (f"nullable[{tag}]", _v.nullable(inner)) if len(members) < len(args) else (tag, inner)
        )
    if isinstance(annotation, type) and issubclass(annotation, Record):
        return annotation.__name__, annotation._validate
    raise TypeError(f"a record field cannot be of type {annotation!r}")


class _Plan(NamedTuple):
    validators: dict[str, Validator]
    factories: dict[str, Callable[[], Any]]
    required: frozenset[str]
    extra: str
    allow: bool
    private: tuple[tuple[str, PrivateInfo], ...]


class Record:
    """A class of plain data checked on the way in, read as attributes.

    Subclasses set ``model_config = {"extra": "forbid"}`` (the default), ``"allow"`` (other keys
    kept, read with :attr:`model_extra` or as attributes) or ``"ignore"``.
    """

    model_config: ClassVar[dict[str, Any]] = {"extra": "forbid"}
    model_fields: ClassVar[dict[str, FieldInfo]] = {}
    __private_attributes__: ClassVar[dict[str, PrivateInfo]] = {}
    __validators__: ClassVar[dict[str, Validator] | None] = None
    __plan__: ClassVar[_Plan | None] = None

    model_extra: dict[str, Any] | None
    model_fields_set: set[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: dict[str, FieldInfo] = {}
        private: dict[str, PrivateInfo] = {}
        for base in reversed(cls.__mro__[1:]):
            if issubclass(base, Record):
                fields.update(base.model_fields)
                private.update(base.__private_attributes__)
        annotations = inspect.get_annotations(cls)
        for name, annotation in annotations.items():
            value = cls.__dict__.get(name, MISSING)
            if name.startswith("_"):
                if isinstance(value, PrivateInfo):
                    private[name] = value
                    delattr(cls, name)
                continue
            if name.startswith("model_") or str(annotation).startswith("ClassVar"):
                continue
            info = value if isinstance(value, FieldInfo) else FieldInfo(value)
            if info.default is not MISSING:
                setattr(cls, name, info.default)  # read from the class until set
            elif value is not MISSING:
                delattr(cls, name)
            fields[name] = info
        cls.model_fields = fields
        cls.__private_attributes__ = private
        cls.__validators__ = None
        cls.__plan__ = None

    def __init__(self, **data: Any) -> None:
        built = type(self).model_validate(data)
        self.__dict__.update(built.__dict__)

    # validation

    @classmethod
    def _field_validators(cls) -> dict[str, Validator]:
        """Each field's validator, compiled from its annotation on first use."""
        found = cls.__dict__.get("__validators__")
        if found is not None:
            return cast(dict[str, Validator], found)
        hints = typing.get_type_hints(cls, include_extras=True)
        validators: dict[str, Validator] = {}
        for name, info in cls.model_fields.items():
            info.annotation = hints[name]
            _, check = compile_type(hints[name])
            if info.gt is not None:
                check = _v.greater_than(check, info.gt)
            validators[name] = check
        cls.__validators__ = validators
        return validators

    @classmethod
    def _plan(cls) -> _Plan:
        """What validating one mapping needs, worked out once per class."""
        found = cls.__dict__.get("__plan__")
        if found is not None:
            return cast(_Plan, found)
        validators = cls._field_validators()
        fields = cls.model_fields
        plan = _Plan(
            validators,
            {n: f.default_factory for n, f in fields.items() if f.default_factory is not None},
            frozenset(n for n, f in fields.items() if f.is_required()),
            cls.model_config.get("extra", "forbid"),
            cls.model_config.get("extra") == "allow",
            tuple(cls.__private_attributes__.items()),
        )
        cls.__plan__ = plan
        return plan

    @classmethod
    def _validate(cls, value: Any, strict: bool = False) -> Any:
        if type(value) is dict:  # the usual case: quick when nothing is wrong
            validators, factories, required, _, allow, private = cls.__plan__ or cls._plan()
            record = object.__new__(cls)
            state = record.__dict__  # fields left out keep the class's constant default
            extra: dict[str, Any] | None = {} if allow else None
            try:
                for key, item in value.items():
                    check = validators.get(key)
                    if check is not None:
                        state[key] = check(item, strict)
                    elif extra is not None and type(key) is str:
                        extra[key] = item
                    else:
                        return cls._validate_in_order(value, strict)
            except Invalid:
                return cls._validate_in_order(value, strict)
            given = set(state)  # only the fields read so far
            if required and not required <= given:
                return cls._validate_in_order(value, strict)
            if factories:
                for name, factory in factories.items():
                    if name not in given:
                        state[name] = factory()
            state["model_extra"] = extra
            state["model_fields_set"] = given
            for name, info in private:
                state[name] = info.make()
            return record
        if isinstance(value, cls):
            return value
        if not isinstance(value, Mapping):
            name = cls.__name__
            raise invalid(
                "model_type",
                f"Input should be a valid dictionary or instance of {name}",
                value,
                {"class_name": name},
            )
        return cls._validate_in_order(value, strict)

    @classmethod
    def _validate_in_order(cls, value: Mapping[Any, Any], strict: bool) -> Any:
        """Fields in declaration order, then the other keys in input order: errors come in
        pydantic's order."""
        plan = cls._plan()
        validators = plan.validators
        values: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for name, check in validators.items():
            if name in value:
                try:
                    values[name] = check(value[name], strict)
                except Invalid as bad:
                    errors += prefixed(bad.errors, name)
            elif name in plan.required:
                errors.append(
                    {"type": "missing", "loc": (name,), "msg": "Field required", "input": value}
                )
        extra: dict[str, Any] | None = {} if plan.extra == "allow" else None
        for key, item in value.items():
            if key in validators:
                continue
            if not isinstance(key, str):
                errors.append(
                    {
                        "type": "invalid_key",
                        "loc": (key,),
                        "msg": "Keys should be strings",
                        "input": key,
                    }
                )
            elif plan.extra == "forbid":
                errors.append(
                    {
                        "type": "extra_forbidden",
                        "loc": (key,),
                        "msg": "Extra inputs are not permitted",
                        "input": item,
                    }
                )
            elif extra is not None:
                extra[key] = item
        if errors:
            raise Invalid(errors)
        given = set(values)
        for name, factory in plan.factories.items():
            if name not in values:
                values[name] = factory()
        return cls._made(values, extra, given, plan)

    @classmethod
    def _made(
        cls, values: dict[str, Any], extra: dict[str, Any] | None, given: set[str], plan: _Plan
    ) -> Any:
        record = object.__new__(cls)
        state = record.__dict__
        state.update(values)
        state["model_extra"] = extra
        state["model_fields_set"] = given
        for name, info in plan.private:
            state[name] = info.make()
        return record

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        """A record from plain data; :class:`RecordError` lists every error (pydantic's form)."""
        try:
            return cast(Self, cls._validate(data))
        except Invalid as bad:
            raise RecordError(cls.__name__, bad.errors) from None

    # reading

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__.get("model_extra")
        if extra is not None and name in extra:
            return extra[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in type(self).model_fields or name.startswith("_"):
            self.__dict__[name] = value
            if not name.startswith("_"):
                self.model_fields_set.add(name)
            return
        extra = self.__dict__.get("model_extra")
        if extra is None:
            raise ValueError(f'"{type(self).__name__}" object has no field "{name}"')
        extra[name] = value

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        names = [*type(self).model_fields, "model_extra", *type(self).__private_attributes__]
        return all(getattr(self, n) == getattr(other, n) for n in names)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        shown = [f"{name}={getattr(self, name)!r}" for name in type(self).model_fields]
        shown += [f"{k}={v!r}" for k, v in (self.model_extra or {}).items()]
        return f"{type(self).__name__}({', '.join(shown)})"

    def __iter__(self) -> typing.Iterator[tuple[str, Any]]:
        for name in type(self).model_fields:
            yield name, getattr(self, name)
        yield from (self.model_extra or {}).items()

    # writing out

    def model_dump(
        self,
        *,
        mode: str = "python",
        exclude: set[str] | None = None,
        exclude_none: bool = False,
        exclude_defaults: bool = False,
        by_alias: bool = False,
    ) -> dict[str, Any]:
        """The record as plain data (nested records too), fields first, then extra keys."""
        settings = (exclude_none, exclude_defaults)
        out: dict[str, Any] = {}
        fields = type(self).model_fields
        for name, value in self:
            if exclude and name in exclude:
                continue
            if exclude_none and value is None:
                continue
            info = fields.get(name)
            if (
                exclude_defaults
                and info is not None
                and not info.is_required()
                and value == info.get_default()
            ):
                continue
            out[name] = _dumped(value, settings)
        return out

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy (``deep``: nothing shared), with ``update`` set without validation."""
        made = type(self).__new__(type(self))
        state = copy.deepcopy(self.__dict__) if deep else dict(self.__dict__)
        if not deep:
            if state.get("model_extra") is not None:
                state["model_extra"] = dict(state["model_extra"])
            state["model_fields_set"] = set(state["model_fields_set"])
        made.__dict__.update(state)
        for key, value in (update or {}).items():
            setattr(made, key, value)
        return made


def _dumped(value: Any, settings: tuple[bool, bool]) -> Any:
    if isinstance(value, Record):
        return value.model_dump(exclude_none=settings[0], exclude_defaults=settings[1])
    if isinstance(value, list):
        return [_dumped(v, settings) for v in value]
    if isinstance(value, tuple):
        return tuple(_dumped(v, settings) for v in value)
    if isinstance(value, dict):
        return {k: _dumped(v, settings) for k, v in value.items()}
    return value
