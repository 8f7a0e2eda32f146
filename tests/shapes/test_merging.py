"""Merge rules (element-wise merges, Concatenate, Dot) against Keras."""

from __future__ import annotations

from typing import Any

import pytest

from graphspec.passes.shapes import LayerCall, ShapeFault, infer_layer

pytestmark = pytest.mark.keras

ELEMENTWISE = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]


@pytest.mark.parametrize("type_", ELEMENTWISE)
@pytest.mark.parametrize(
    "inputs",
    [
        [(None, 14, 14, 64), (None, 14, 14, 64)],
        [(None, 14, 14, 64), (None, 14, 14, 32)],
        [(None, 1, 64), (None, 5, 64)],
        [(None, 5, 64), (None, 64)],
        [(None, None, 8), (None, 7, 8)],
        [(None, None, 8), (None, 7, 1)],
        [(None, 3), (None, 3), (None, 3)],
        [(None, 3), (None, 3), (None, 4)],
        [(4, 3), (5, 3)],
        [(4, 3), (None, 3)],
        [(None, 3)],
    ],
)
def test_elementwise_examples(oracle: Any, type_: str, inputs: list[Any]) -> None:
    oracle.check(LayerCall(type_), inputs)


@pytest.mark.parametrize(
    ("args", "inputs"),
    [
        ({}, [(None, 4, 5), (None, 4, 6)]),
        ({"axis": 1}, [(None, 4, 5), (None, 2, 5), (None, 1, 5)]),
        ({"axis": 1}, [(None, 4, 5), (None, 2, 6)]),
        ({"axis": -2}, [(None, None, 5), (None, 2, 5)]),
        ({}, [(None, 4, 5), (None, None, 6)]),
        ({}, [(None, 4, 5), (None, 3, 6)]),
        ({}, [(None, 4, 5), (None, 6)]),
        ({"axis": 3}, [(None, 4, 5), (None, 4, 5)]),
    ],
)
def test_concatenate_examples(oracle: Any, args: dict[str, Any], inputs: list[Any]) -> None:
    oracle.check(LayerCall("Concatenate", args), inputs)


@pytest.mark.parametrize(
    ("args", "inputs"),
    [
        ({"axes": 1}, [(None, 5), (None, 5)]),
        ({"axes": 1, "normalize": True}, [(None, 5), (None, 5)]),
        ({"axes": -1}, [(None, 3, 5), (None, 4, 5)]),
        ({"axes": [2, 2]}, [(None, 3, 5), (None, 4, 5)]),
        ({"axes": [1, 2]}, [(None, 3, 5), (None, 4, 3)]),
        ({"axes": [2, 1]}, [(None, 3, 5), (None, 5, 7)]),
        ({"axes": 1}, [(None, 5), (None, 6)]),
        ({"axes": 1}, [(None, None), (None, None)]),
        ({"axes": 1}, [(None, None), (None, 4)]),
    ],
)
def test_dot_examples(oracle: Any, args: dict[str, Any], inputs: list[Any]) -> None:
    oracle.check(LayerCall("Dot", args), inputs)


def test_add_mismatch_message() -> None:
    with pytest.raises(
        ShapeFault,
        match=r"Add needs inputs of the same shape; input 0 has \(None, 14, 14, 64\) but input 1 "
        r"has \(None, 14, 14, 32\)",
    ) as info:
        infer_layer(LayerCall("Add"), [(None, 14, 14, 64), (None, 14, 14, 32)])
    assert info.value.input_index == 1
    assert info.value.hint


def test_add_mismatch_names_first_disagreeing_input() -> None:
    with pytest.raises(ShapeFault, match=r"input 1 has \(None, 4\) but input 2 has") as info:
        infer_layer(LayerCall("Add"), [(None, 1), (None, 4), (None, 5)])
    assert info.value.input_index == 2


def test_concatenate_mismatch_message() -> None:
    with pytest.raises(
        ShapeFault,
        match=r"Concatenate on axis 2 needs all other dimensions to match; input 0 has "
        r"\(None, 4, 5\) but input 1 has \(None, 3, 6\) \(dimension 1: 4 vs 3\)",
    ) as info:
        infer_layer(LayerCall("Concatenate"), [(None, 4, 5), (None, 3, 6)])
    assert info.value.input_index == 1


def test_dot_mismatch_message() -> None:
    with pytest.raises(ShapeFault, match="Dot contracts axis 1 of input 0 with axis 1") as info:
        infer_layer(LayerCall("Dot", {"axes": 1}), [(None, 5), (None, 6)])
    assert info.value.arg == "axes"


def test_subtract_needs_two_inputs() -> None:
    with pytest.raises(ShapeFault, match="Subtract takes 2 input"):
        infer_layer(LayerCall("Subtract"), [(None, 3)] * 3)
