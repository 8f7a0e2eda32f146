"""Normalization rules (batch, layer, group, unit) against Keras."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphspec.shapes import LayerCall, ShapeFault, infer_layer

from ._settings import FEW

pytestmark = pytest.mark.keras


@pytest.mark.parametrize(
    ("type_", "args", "shape"),
    [
        ("Normalization", {}, (None, 28, 28, 3)),
        ("Normalization", {"axis": None}, (None, 28, 28, 3)),
        ("Normalization", {"axis": [1, 2]}, (None, 5, 6, 3)),
        ("Normalization", {"axis": 1}, (None, 5, 6, 3)),
        ("Normalization", {"mean": 0.5, "variance": 2.0}, (None, 8)),
        ("BatchNormalization", {}, (None, 28, 28, 32)),
        ("BatchNormalization", {"axis": 1}, (None, 32, 28, 28)),
        ("BatchNormalization", {"center": False}, (None, 10)),
        ("BatchNormalization", {"scale": False, "center": False}, (None, 10)),
        ("BatchNormalization", {"renorm": True}, (None, 10)),
        ("BatchNormalization", {}, (None, None)),
        ("BatchNormalization", {"axis": 3}, (None, 4, 5)),
        ("LayerNormalization", {}, (None, 7, 16)),
        ("LayerNormalization", {"axis": [1, 2]}, (None, 7, 16)),
        ("LayerNormalization", {"axis": [-1, -2], "center": False}, (None, 3, 7, 16)),
        ("LayerNormalization", {"rms_scaling": True}, (None, 16)),
        ("LayerNormalization", {"scale": False}, (None, 16)),
        ("LayerNormalization", {"axis": 1}, (None, None, 16)),
        ("LayerNormalization", {"axis": 5}, (None, 16)),
        ("GroupNormalization", {"groups": 4}, (None, 8, 8, 16)),
        ("GroupNormalization", {"groups": -1}, (None, 8, 8, 16)),
        ("GroupNormalization", {"groups": 3}, (None, 8, 8, 16)),
        ("GroupNormalization", {}, (None, 8, 8, 64)),
        ("GroupNormalization", {}, (None, 8, 8, 16)),
        ("GroupNormalization", {"groups": 2, "axis": 1, "scale": False}, (None, 4, 5)),
        ("UnitNormalization", {}, (None, 4, 5)),
        ("UnitNormalization", {"axis": [1, 2]}, (None, 4, 5)),
        ("UnitNormalization", {"axis": 3}, (None, 4, 5)),
    ],
)
def test_normalization_examples(oracle: Any, type_: str, args: dict[str, Any], shape: Any) -> None:
    oracle.check(LayerCall(type_, args), [shape])


def test_group_normalization_fault_message() -> None:
    with pytest.raises(
        ShapeFault, match=r"GroupNormalization groups \(3\) must divide the 16 channels"
    ) as info:
        infer_layer(LayerCall("GroupNormalization", {"groups": 3}), [(None, 8, 8, 16)])
    assert info.value.arg == "groups"
    assert "[1, 2, 4, 8, 16]" in (info.value.hint or "")


def test_batch_normalization_unknown_axis() -> None:
    with pytest.raises(ShapeFault, match="needs a known size on axis 1"):
        infer_layer(LayerCall("BatchNormalization"), [(None, None)])


# ---------------------------------------------------------------------------- property tests

maybe_dim = st.one_of(st.integers(1, 8), st.none())


@st.composite
def normalization_cases(draw: st.DrawFn) -> tuple[LayerCall, list[Any]]:
    kind = draw(
        st.sampled_from(
            ["BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization"]
        )
    )
    shape = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=3)))
    rank = len(shape)
    args: dict[str, Any] = {}
    if draw(st.booleans()):
        axis = st.integers(-rank - 1, rank)
        if kind in ("LayerNormalization", "UnitNormalization") and draw(st.booleans()):
            # Keras would build a weight with a repeated axis; only distinct axes are drawn.
            picked = draw(st.lists(st.integers(1, rank - 1), min_size=1, unique=True))
            args["axis"] = [a - rank if draw(st.booleans()) else a for a in picked]
        else:
            args["axis"] = draw(axis)
    for flag in ("center", "scale"):
        if kind != "UnitNormalization" and draw(st.booleans()):
            args[flag] = draw(st.booleans())
    if kind == "BatchNormalization" and draw(st.booleans()):
        args["renorm"] = draw(st.booleans())
    if kind == "LayerNormalization" and draw(st.booleans()):
        args["rms_scaling"] = draw(st.booleans())
    if kind == "GroupNormalization":
        args["groups"] = draw(st.sampled_from([-1, 1, 2, 3, 4, 8]))
    return LayerCall(kind, args), [shape]


@FEW
@given(normalization_cases())
def test_normalization_property(oracle: Any, case: tuple[LayerCall, list[Any]]) -> None:
    oracle.check(*case)
