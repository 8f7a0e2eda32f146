"""Pooling rules (windowed and global) against Keras."""

from __future__ import annotations

from typing import Any

import pytest

from graphspec.passes.shapes import LayerCall, ShapeFault, infer_layer

pytestmark = pytest.mark.keras


@pytest.mark.parametrize(
    ("type_", "args", "shape"),
    [
        ("MaxPooling2D", {}, (None, 28, 28, 8)),
        ("MaxPooling2D", {"pool_size": 3, "strides": 1}, (None, 28, 28, 8)),
        ("MaxPooling2D", {"pool_size": [2, 3], "padding": "same"}, (None, 7, 7, 8)),
        ("MaxPooling2D", {"pool_size": 2, "strides": None}, (None, 7, None, 8)),
        ("MaxPooling2D", {"data_format": "channels_first"}, (None, 3, 8, 9)),
        ("MaxPooling2D", {}, (None, 1, 8, 3)),
        ("MaxPooling2D", {}, (None, 8, 3)),
        ("AveragePooling1D", {"pool_size": 3, "strides": 2}, (None, 10, 4)),
        ("AveragePooling1D", {"pool_size": 4}, (None, 3, 4)),
        ("AveragePooling3D", {"pool_size": [1, 2, 2]}, (None, 4, 6, 6, 2)),
        ("MaxPooling3D", {"padding": "same", "strides": [1, 2, 3]}, (None, 4, 6, 7, 2)),
        ("GlobalAveragePooling2D", {}, (None, 7, 7, 64)),
        ("GlobalAveragePooling2D", {"keepdims": True}, (None, 7, 7, 64)),
        (
            "GlobalMaxPooling2D",
            {"keepdims": True, "data_format": "channels_first"},
            (None, 64, 7, 7),
        ),
        ("GlobalMaxPooling1D", {}, (None, None, 16)),
        ("GlobalAveragePooling1D", {"data_format": "channels_first"}, (None, 16, 5)),
        ("GlobalMaxPooling3D", {"keepdims": True}, (None, 2, 3, 4, 5)),
        ("GlobalAveragePooling3D", {}, (None, 2, 3, 4)),
    ],
)
def test_pooling_examples(oracle: Any, type_: str, args: dict[str, Any], shape: Any) -> None:
    oracle.check(LayerCall(type_, args), [shape])


def test_pooling_shrink_fault_message() -> None:
    call = LayerCall("MaxPooling2D", {"pool_size": 2})
    with pytest.raises(
        ShapeFault,
        match=r"MaxPooling2D with pool_size \(2, 2\), strides \(2, 2\), padding 'valid' shrinks "
        r"dimension 1 from 1 to 0",
    ) as info:
        infer_layer(call, [(None, 1, 8, 3)])
    assert info.value.arg == "pool_size"
    assert "padding: same" in (info.value.hint or "")


def test_pooling_rank_fault_message() -> None:
    with pytest.raises(
        ShapeFault,
        match=r"GlobalAveragePooling2D expects a rank-4 input \(batch, height, width, channels\)",
    ) as info:
        infer_layer(LayerCall("GlobalAveragePooling2D"), [(None, 10, 3)])
    assert "GlobalAveragePooling1D" in (info.value.hint or "")


def test_pooling_uppercase_padding_is_accepted() -> None:
    # Keras' pooling layers compare padding case-sensitively; graphspec lowercases it, like the
    # convolution layers do.
    res = infer_layer(LayerCall("MaxPooling1D", {"padding": "SAME"}), [(None, 5, 2)])
    assert res is not None and res.output == (None, 3, 2)
