"""Typed records (graphspec.base.record) held to pydantic: the same values, the same errors.

Every spec record (Spec, NodeSpec, InputSpec, BlockSpec, TrainSpec) has a pydantic twin built
from the same field declarations; for data drawn from everything a YAML document (or a Python
caller) can hold, the record and its twin must accept the same inputs, produce the same values
and report the same errors (type, location, message) in the same order.
"""

from __future__ import annotations

import datetime
import pickle
import subprocess
import sys
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphspec.base.record import Field, Record, StrictInt, pydantic_twin
from graphspec.errors import RecordError
from graphspec.frontend.spec import BlockSpec, InputSpec, NodeSpec, Spec, TrainSpec

RECORDS = [Spec, NodeSpec, InputSpec, BlockSpec, TrainSpec]

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 1.0, 2.0, 1.1, 28.0, -1.0]),
    st.text(max_size=6),
    st.sampled_from(
        [
            "1",
            "32",
            " 32 ",
            "+5",
            "5.0",
            "5.5",
            "1_000",
            "yes",
            "off",
            "x",
            "auto",
            "sequential",
            "Dense",
            "a -> b",
            "1.1",
            "true",
            "0",
        ]
    ),
    st.binary(max_size=4),
    st.sampled_from([datetime.date(2020, 1, 2), b"\xff", b"3", b"auto"]),
)
_keys = st.one_of(
    st.sampled_from(
        [
            "graphspec",
            "name",
            "api",
            "inputs",
            "nodes",
            "edges",
            "outputs",
            "params",
            "blocks",
            "train",
            "include",
            "search",
            "constraints",
            "scales",
            "description",
            "shape",
            "dtype",
            "type",
            "units",
            "share",
            "block",
            "repeat",
            "expr",
            "call",
            "model",
            "weight",
            "when",
            "names",
            "optimizer",
            "loss",
            "metrics",
            "batch_size",
            "epochs",
            "x",
            "y",
            "zz",
        ]
    ),
    st.integers(0, 3),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(_keys, inner, max_size=5),
    ),
    max_leaves=25,
)


def _node() -> st.SearchStrategy[dict[Any, Any]]:
    return st.dictionaries(_keys, _values, max_size=6)


_spec_like = st.fixed_dictionaries(
    {},
    optional={
        "graphspec": _values,
        "api": _values,
        "inputs": st.one_of(_values, st.dictionaries(_keys, _node(), max_size=3)),
        "nodes": st.one_of(_values, st.dictionaries(_keys, _node(), max_size=4)),
        "edges": _values,
        "outputs": _values,
        "params": _values,
        "blocks": st.one_of(
            _values,
            st.dictionaries(
                _keys,
                st.fixed_dictionaries(
                    {"nodes": st.dictionaries(_keys, _node(), max_size=3)},
                    optional={
                        "params": _values,
                        "inputs": _values,
                        "edges": _values,
                        "outputs": _values,
                        "names": _values,
                    },
                ),
                max_size=2,
            ),
        ),
        "train": st.one_of(_values, _node()),
        "zz": _values,
    },
)


def _outcome(model: Any, data: Any) -> tuple[str, Any]:
    """("ok", dumped value) or ("error", [(type, loc, msg)]), from a record or a pydantic model."""
    try:
        made = model.model_validate(data)
    except (RecordError, pydantic.ValidationError) as err:
        return "error", [(e["type"], e["loc"], e["msg"]) for e in err.errors()]
    return "ok", made.model_dump()


def _same(record: type[Record], data: Any) -> None:
    ours, theirs = _outcome(record, data), _outcome(pydantic_twin(record), data)
    assert ours == theirs, f"{record.__name__} differs from pydantic on {data!r}"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_spec_like)
def test_spec_validates_as_pydantic_does(data: dict[str, Any]) -> None:
    _same(Spec, data)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.__name__)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(_node(), _values))
def test_each_record_validates_as_pydantic_does(record: type[Record], data: Any) -> None:
    _same(record, data)


@pytest.mark.parametrize(
    "data",
    [
        {"shape": [28.0, True, "28", None, b"x"]},
        {"shape": [28.5]},
        {"shape": [float("nan")]},
        {"shape": (1, 2)},
        {"shape": "28"},
        {"shape": [1], "dtype": 3},
    ],
)
def test_input_spec_corner_cases(data: dict[str, Any]) -> None:
    _same(InputSpec, data)


@pytest.mark.parametrize(
    "batch",
    [
        "32",
        " 32 ",
        "1_000",
        "+5",
        "5.0",
        "5.5",
        32.0,
        32.5,
        True,
        False,
        0,
        -1,
        "x",
        None,
        float("inf"),
        2**70,
        b"3",
        [1],
    ],
)
def test_train_integers_convert_as_pydantic(batch: Any) -> None:
    _same(TrainSpec, {"batch_size": batch})


@pytest.mark.parametrize("version", [1, 1.0, 1.1, True, "1", "1.1", 2, None, 1.10000001, False])
def test_format_literal_as_pydantic(version: Any) -> None:
    _same(Spec, {"graphspec": version, "inputs": {}, "nodes": {}})


def test_checking_never_imports_pydantic() -> None:
    """pydantic (about 100 ms of start-up) is imported for the JSON Schema only."""
    code = (
        "import sys, graphspec\n"
        "assert graphspec.check('inputs: {x: {shape: [3]}}\\nnodes: {d: {type: Dense, units: 1}}').ok\n"
        "try:\n"
        "    graphspec.check('inputs: {x: {shape: [3]}}\\nnodes: {d: {type: 1}}\\nzz: 1')\n"
        "except graphspec.SpecError as err:\n"
        "    assert err.codes == ['E103', 'E101'], err.codes\n"
        "else:\n"
        "    raise AssertionError('the faulty spec passed')\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported by a check'\n"
        "from graphspec.frontend.schema import json_schema\n"
        "json_schema()\n"
        "assert 'pydantic' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_errors_are_located_and_counted() -> None:
    with pytest.raises(RecordError, match=r"3 validation errors for Spec\ngraphspec\n") as info:
        Spec.model_validate({"graphspec": 3})
    assert [e["loc"] for e in info.value.errors()] == [("graphspec",), ("inputs",), ("nodes",)]
    assert info.value.error_count() == 3


def test_extra_keys_are_attributes_and_arguments() -> None:
    node = NodeSpec.model_validate({"type": "Dense", "units": 4, "activation": "relu"})
    assert node.args == {"units": 4, "activation": "relu"}
    assert node.units == 4
    node.units = 8
    assert node.args["units"] == 8
    with pytest.raises(AttributeError, match="no attribute 'filters'"):
        _ = node.filters


def test_forbidden_extra_cannot_be_set() -> None:
    train = TrainSpec()
    with pytest.raises(ValueError, match='"TrainSpec" object has no field "speed"'):
        train.speed = 2  # type: ignore[attr-defined]  # the point of the test


def test_dump_copy_equality_and_pickle() -> None:
    data = {"inputs": {"x": {"shape": [3]}}, "nodes": {"d": {"type": "Dense", "units": 2}}}
    spec = Spec.model_validate(data)
    twin = pydantic_twin(Spec).model_validate(data)
    assert spec.model_dump() == twin.model_dump()
    assert spec.model_dump(exclude_none=True) == twin.model_dump(exclude_none=True)
    assert spec.model_dump(exclude_defaults=True) == twin.model_dump(exclude_defaults=True)
    assert spec.model_fields_set == twin.model_fields_set == {"inputs", "nodes"}
    deep = spec.model_copy(deep=True)
    assert deep == spec and deep.nodes["d"] is not spec.nodes["d"]
    shallow = spec.model_copy(update={"name": "other"})
    assert shallow.name == "other" and spec.name is None and shallow.nodes is spec.nodes
    assert pickle.loads(pickle.dumps(deep)).model_dump() == spec.model_dump()
    assert repr(spec.nodes["d"]).startswith("NodeSpec(type='Dense', inputs=None,")
    assert repr(spec.nodes["d"]).endswith("units=2)")


def test_a_record_of_its_own() -> None:
    class Point(Record):
        """A point."""

        x: int
        y: StrictInt = Field(0, gt=-1)
        tags: list[str] = Field(default_factory=list)

    assert Point(x="3").x == 3
    with pytest.raises(RecordError, match="greater_than"):
        Point(x=1, y=-1)
    with pytest.raises(RecordError, match="int_type"):
        Point(x=1, y=1.0)
    for data in ({"x": 1}, {"x": 1, "y": True}, {"x": [1]}, {"tags": ["a", 1]}, {"x": 2, "y": 3}):
        _same(Point, data)
