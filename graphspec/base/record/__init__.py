"""Typed records: plain data checked against annotated classes, pydantic's rules, no pydantic import.

A :class:`Record` subclass declares its fields as annotated class attributes (with
:func:`Field` for defaults, descriptions and bounds), as a pydantic model would. Validation
follows pydantic 2's lax mode and "smart" unions, and reports the same errors (``type``,
``loc``, ``msg``, ``input``) — tests hold it to a pydantic twin of every record
(:func:`pydantic_twin`), which also writes the JSON Schema. Importing this package costs a few
milliseconds; pydantic itself (about 100 ms) is imported only by the twin.

>>> from graphspec.errors import RecordError
>>> class Point(Record):
...     x: int
...     label: str | None = Field(None, description="What the point marks.")
>>> Point.model_validate({"x": 2.0}).x
2
>>> try:
...     Point.model_validate({"x": "two", "y": 1})
... except RecordError as err:
...     [(e["type"], e["loc"]) for e in err.errors()]
[('int_parsing', ('x',)), ('extra_forbidden', ('y',))]
"""

from __future__ import annotations

from graphspec.base.record.fields import STRICT, Field, FieldInfo, PrivateAttr, StrictInt
from graphspec.base.record.model import Record
from graphspec.base.record.twin import pydantic_twin

__all__ = ["STRICT", "Field", "FieldInfo", "PrivateAttr", "Record", "StrictInt", "pydantic_twin"]
