"""Tests for the memo keys (base.memo) and the checks that use them: a repeated layer is checked
once, but every node that is wrong is still reported, each at its own place."""

from __future__ import annotations

import pytest

from graphspec.base import limits as _limits
from graphspec.base.memo import freeze
from graphspec.ir.graph import Graph, IRNode, NodeKind
from tests._util import by_code, check_text


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (1, True),
        (1, 1.0),
        (0.0, -0.0),
        ("1", 1),
        ([1, 2], (1, 2)),
        ([1, 2], [2, 1]),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
        ({"a": [1]}, {"a": [True]}),
        (None, "null"),
        (float("inf"), "inf"),
    ],
)
def test_values_that_differ_for_a_check_have_different_keys(a: object, b: object) -> None:
    assert freeze(a) != freeze(b)


@pytest.mark.parametrize(
    "value",
    [3, "same", 1.001e-05, None, [3, 3], [[3, 3], [3, 3]], {"type": "Dense", "units": 4}],
)
def test_equal_values_have_equal_keys(value: object) -> None:
    copy = eval(repr(value))  # a new object of the same value
    assert freeze(value) == freeze(copy) and hash(freeze(value)) == hash(freeze(copy))


def test_long_lists_and_other_objects_are_never_shared() -> None:
    big = list(range(_limits.MAX_STRING_LENGTH))
    assert freeze(big) != freeze(list(big))
    marker = object()
    assert freeze(marker) != freeze(marker)


TWINS = """
inputs: {x: {shape: [8]}}
nodes:
  a: {type: Dense, units: {units}, activation: {act}}
  b: {type: Dense, units: {units}, activation: {act}}
"""


def test_every_twin_with_a_bad_argument_is_reported() -> None:
    result = check_text(TWINS.replace("{units}", "'4'").replace("{act}", "relu"))
    assert [(d.node, d.line) for d in by_code(result, "E203")] == [("a", 4), ("b", 5)]


def test_every_twin_with_a_bad_name_is_reported() -> None:
    result = check_text(TWINS.replace("{units}", "4").replace("{act}", "rleu"))
    assert [(d.node, d.line) for d in by_code(result, "E208")] == [("a", 4), ("b", 5)]


def test_a_yaml_surprise_is_reported_where_it_was_written() -> None:
    text = "inputs: {x: {shape: [8]}}\nnodes:\n  a: {type: Dropout, rate: 0.5}\n"
    text += "  b: {type: Dropout, rate: 1e-1}\n  c: {type: Dropout, rate: 0.5}\n"
    result = check_text(text)
    assert [(d.node, d.line) for d in by_code(result, "E106")] == [("b", 4)]


def test_every_twin_too_large_is_reported() -> None:
    rows, units = 2**20, 2**21  # (rows, units) outputs hold twice the limit per sample
    text = f"""
    inputs: {{x: {{shape: [{rows}, 2]}}}}
    nodes:
      a: {{type: Dense, units: {units}, inputs: x}}
      b: {{type: Dense, units: {units}, inputs: x}}
      out: {{type: Add, inputs: [a, b]}}
    """
    assert rows * units > _limits.MAX_TENSOR_ELEMENTS
    result = check_text(text)
    assert [d.node for d in by_code(result, "E504")] == ["a", "b"]


def test_every_twin_with_a_shape_fault_is_reported() -> None:
    text = """
    inputs: {x: {shape: [8]}}
    nodes:
      a: {type: Conv2D, filters: 4, kernel_size: 3, inputs: x}
      b: {type: Conv2D, filters: 4, kernel_size: 3, inputs: x}
      out: {type: Add, inputs: [a, b]}
    """
    result = check_text(text)
    assert [d.node for d in by_code(result, "E501")] == ["a", "b"]


def test_twins_get_the_same_shapes_and_parameters() -> None:
    text = """
    inputs: {x: {shape: [8]}}
    nodes:
      a: {type: Dense, units: 4, inputs: x}
      b: {type: Dense, units: 4, inputs: x}
      c: {type: Dense, units: 4, inputs: a}
      out: {type: Add, inputs: [b, c]}
    """
    result = check_text(text)
    assert result.ok and result.shapes is not None
    a, b, c = (result.shapes[n] for n in "abc")
    assert (a.outputs, a.trainable) == (b.outputs, b.trainable)
    assert a.outputs == c.outputs and a.trainable != c.trainable  # other inputs: other weights


def test_the_topological_order_is_made_again_after_build_dag() -> None:
    graph = Graph("m", "<spec>")
    graph.nodes = {"x": IRNode("x", NodeKind.INPUT), "a": IRNode("a", NodeKind.LAYER, inputs=["x"])}
    assert graph.topological_order() == ["x", "a"]
    graph.nodes = {"b": IRNode("b", NodeKind.LAYER, inputs=["x"]), **graph.nodes}
    graph.build_dag()
    assert graph.topological_order() == ["x", "b", "a"]
    graph.topological_order().clear()  # a copy: the kept order is not the caller's
    assert graph.topological_order() == ["x", "b", "a"]
