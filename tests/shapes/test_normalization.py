"""Normalization rules (batch, layer, group, unit) against Keras."""

from __future__ import annotations

from typing import Any

import pytest

from graphspec.passes.shapes import LayerCall, ShapeFault, infer_layer

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
