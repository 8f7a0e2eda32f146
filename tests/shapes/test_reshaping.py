"""Reshaping rules (Flatten, Reshape, Permute, RepeatVector, padding, cropping, upsampling)."""

from __future__ import annotations

from typing import Any

import pytest

from graphspec.passes.shapes import LayerCall, ShapeFault, infer_layer

pytestmark = pytest.mark.keras


@pytest.mark.parametrize(
    ("type_", "args", "shape"),
    [
        ("Flatten", {}, (None, 7, 7, 64)),
        ("Flatten", {}, (None, 5)),
        ("Flatten", {"data_format": "channels_first"}, (None, 3, 4, 5)),
        ("Reshape", {"target_shape": [7, 7, 16]}, (None, 784)),
        ("Reshape", {"target_shape": [-1, 4]}, (None, 8, 6)),
        ("Reshape", {"target_shape": [4, -1]}, (None, None, 6)),
        ("Reshape", {"target_shape": [5, 5]}, (None, 24)),
        ("Reshape", {"target_shape": [5, -1]}, (None, 24)),
        ("Reshape", {"target_shape": [-1, -1]}, (None, 24)),
        ("Permute", {"dims": [2, 1]}, (None, 3, 5)),
        ("Permute", {"dims": [3, 1, 2]}, (None, 3, None, 4)),
        ("Permute", {"dims": [0, 1]}, (None, 3, 5)),
        ("RepeatVector", {"n": 3}, (None, 5)),
        ("RepeatVector", {"n": 3}, (None, 5, 2)),
        ("RepeatVector", {"n": 0}, (None, 5)),
        ("ZeroPadding1D", {}, (None, 5, 2)),
        ("ZeroPadding1D", {"padding": [2, 0]}, (None, None, 2)),
        ("ZeroPadding2D", {"padding": [[1, 2], 3]}, (None, 5, 5, 2)),
        ("ZeroPadding2D", {"padding": 2, "data_format": "channels_first"}, (None, 2, 5, 5)),
        ("ZeroPadding3D", {"padding": [1, [0, 2], 3]}, (None, 2, 3, 4, 1)),
        ("Cropping1D", {}, (None, 5, 2)),
        ("Cropping1D", {"cropping": [3, 2]}, (None, 5, 2)),
        ("Cropping2D", {"cropping": [[1, 1], [2, 0]]}, (None, 5, 5, 2)),
        ("Cropping2D", {"cropping": 2, "data_format": "channels_first"}, (None, 2, 5, 5)),
        ("Cropping2D", {"cropping": 3}, (None, 5, 5, 2)),
        ("Cropping3D", {}, (None, 3, 4, None, 1)),
        ("UpSampling1D", {"size": 3}, (None, 5, 2)),
        ("UpSampling2D", {}, (None, 5, None, 2)),
        ("UpSampling2D", {"size": [2, 3], "data_format": "channels_first"}, (None, 2, 5, 4)),
        ("UpSampling3D", {"size": 2}, (None, 1, 2, 3, 4)),
    ],
)
def test_reshaping_examples(oracle: Any, type_: str, args: dict[str, Any], shape: Any) -> None:
    oracle.check(LayerCall(type_, args), [shape])


def test_flatten_of_unknown_dimension_is_a_fault() -> None:
    # Keras would give (None, None), which no following Dense can consume; graphspec reports it
    # at the Flatten.
    with pytest.raises(
        ShapeFault,
        match=r"Flatten needs every non-batch dimension to be known; "
        r"got \(None, None, 8\)",
    ) as info:
        infer_layer(LayerCall("Flatten"), [(None, None, 8)])
    assert "GlobalAveragePooling" in (info.value.hint or "")


def test_reshape_count_fault() -> None:
    with pytest.raises(
        ShapeFault,
        match=r"Reshape must keep the number of elements: input "
        r"\(None, 24\) has 24; target_shape \(5, 5\) holds 25",
    ) as info:
        infer_layer(LayerCall("Reshape", {"target_shape": [5, 5]}), [(None, 24)])
    assert info.value.arg == "target_shape"
    with pytest.raises(ShapeFault, match="at most one -1"):
        infer_layer(LayerCall("Reshape", {"target_shape": [-1, -1]}), [(None, 24)])


def test_cropping_fault() -> None:
    with pytest.raises(
        ShapeFault,
        match=r"Cropping2D cropping \(3, 3\) removes all of "
        r"dimension 1",
    ) as info:
        infer_layer(LayerCall("Cropping2D", {"cropping": 3}), [(None, 5, 5, 2)])
    assert info.value.arg == "cropping"
