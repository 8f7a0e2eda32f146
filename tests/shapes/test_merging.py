"""Merge rules (element-wise merges, Concatenate, Dot) against Keras."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphspec.shapes import LayerCall, ShapeFault, infer_layer

from ._settings import FEW

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


# ---------------------------------------------------------------------------- property tests

maybe_dim = st.one_of(st.integers(1, 4), st.none())


@st.composite
def elementwise_cases(draw: st.DrawFn) -> tuple[LayerCall, list[Any]]:
    kind = draw(st.sampled_from(ELEMENTWISE))
    count = 2 if kind == "Subtract" else draw(st.integers(1, 4))
    base = draw(st.lists(maybe_dim, min_size=1, max_size=3))
    inputs = []
    for _ in range(count):
        dims = [draw(st.sampled_from([d, 1, None, 3])) if draw(st.booleans()) else d for d in base]
        dims = dims[draw(st.integers(0, len(dims) - 1)) :] if draw(st.booleans()) else dims
        inputs.append((None, *dims))
    return LayerCall(kind), inputs


@FEW
@given(elementwise_cases())
def test_elementwise_property(oracle: Any, case: tuple[LayerCall, list[Any]]) -> None:
    oracle.check(*case)


@st.composite
def concatenate_cases(draw: st.DrawFn) -> tuple[LayerCall, list[Any]]:
    rank = draw(st.integers(2, 4))
    # Axis 0 (batch) is excluded: Keras concatenates batches but graphspec shapes keep the
    # batch dimension unknown; and ranks always agree (Keras' rank check is exercised above).
    axis = draw(st.sampled_from([a for a in range(-rank + 1, rank) if a != 0]))
    base = draw(st.lists(maybe_dim, min_size=rank - 1, max_size=rank - 1))
    inputs = []
    for _ in range(draw(st.integers(1, 3))):
        dims = [draw(maybe_dim) if draw(st.integers(0, 3)) == 0 else d for d in base]
        inputs.append((None, *dims))
    return LayerCall("Concatenate", {"axis": axis}), inputs


@FEW
@given(concatenate_cases())
def test_concatenate_property(oracle: Any, case: tuple[LayerCall, list[Any]]) -> None:
    oracle.check(*case)


@st.composite
def dot_cases(draw: st.DrawFn) -> tuple[LayerCall, list[Any]]:
    a = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=2)))
    b = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=2)))
    # Only non-batch axes are drawn: Keras lets axes=0 through its shape computation and then
    # produces shapes that do not describe a batch; graphspec rejects axis 0.
    ax = draw(st.integers(1, len(a) - 1))
    bx = draw(st.integers(1, len(b) - 1))
    if draw(st.booleans()):
        axes: Any = [ax - len(a) if draw(st.booleans()) else ax, bx]
    elif len(a) == len(b):
        axes = draw(st.sampled_from([ax, -1]))
    else:
        axes = -1
    args: dict[str, Any] = {"axes": axes}
    if draw(st.booleans()):
        args["normalize"] = draw(st.booleans())
    return LayerCall("Dot", args), [a, b]


@FEW
@given(dot_cases())
def test_dot_property(oracle: Any, case: tuple[LayerCall, list[Any]]) -> None:
    oracle.check(*case)
