"""Convolution rules (plain, transposed, depthwise, separable) against Keras."""

from __future__ import annotations

from typing import Any

import pytest

from graphspec.passes.shapes import LayerCall, ShapeFault, infer_layer

pytestmark = pytest.mark.keras


@pytest.mark.parametrize(
    ("type_", "args", "shape"),
    [
        ("Conv2D", {"filters": 32, "kernel_size": 3}, (None, 28, 28, 1)),
        ("Conv2D", {"filters": 8, "kernel_size": [3, 5], "padding": "same"}, (None, 9, 11, 3)),
        (
            "Conv2D",
            {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "SAME"},
            (None, 9, 11, 3),
        ),
        ("Conv2D", {"filters": 8, "kernel_size": 3, "dilation_rate": 2}, (None, 9, 11, 3)),
        ("Conv2D", {"filters": 8, "kernel_size": 3, "groups": 2}, (None, 9, 11, 4)),
        ("Conv2D", {"filters": 6, "kernel_size": 3, "groups": 4}, (None, 9, 11, 4)),
        ("Conv2D", {"filters": 8, "kernel_size": 3, "groups": 3}, (None, 9, 11, 4)),
        ("Conv2D", {"filters": 8, "kernel_size": 3, "use_bias": False}, (None, None, None, 3)),
        (
            "Conv2D",
            {"filters": 8, "kernel_size": 3, "data_format": "channels_first"},
            (None, 3, 10, 12),
        ),
        ("Conv2D", {"filters": 8, "kernel_size": 3, "lora_rank": 2}, (None, 10, 10, 3)),
        ("Conv2D", {"filters": 8, "kernel_size": 3}, (None, 10)),
        ("Conv2D", {"filters": 8, "kernel_size": 5}, (None, 4, 10, 3)),
        ("Conv2D", {"filters": 8, "kernel_size": 3}, (None, 10, 10, None)),
        (
            "Conv2D",
            {"filters": 8, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
            (None, 10, 10, 3),
        ),
        ("Conv2D", {"filters": 0, "kernel_size": 3}, (None, 10, 10, 3)),
        ("Conv2D", {"filters": 4, "kernel_size": [3, 3, 3]}, (None, 10, 10, 3)),
        ("Conv2D", {"filters": 4, "kernel_size": 3, "padding": "causal"}, (None, 10, 10, 3)),
        ("Conv1D", {"filters": 4, "kernel_size": 3, "padding": "causal"}, (None, 10, 3)),
        (
            "Conv1D",
            {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 4},
            (None, 10, 3),
        ),
        ("Conv1D", {"filters": 4, "kernel_size": 3, "strides": 3}, (None, None, 3)),
        ("Conv3D", {"filters": 4, "kernel_size": 3}, (None, 8, 8, 8, 2)),
        (
            "Conv3D",
            {"filters": 4, "kernel_size": [1, 2, 3], "strides": [1, 2, 3], "padding": "same"},
            (None, 7, 8, 9, 2),
        ),
        ("Conv2DTranspose", {"filters": 8, "kernel_size": 3, "strides": 2}, (None, 7, 7, 16)),
        (
            "Conv2DTranspose",
            {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"},
            (None, 7, 7, 16),
        ),
        (
            "Conv2DTranspose",
            {"filters": 8, "kernel_size": 4, "strides": 2, "padding": "same", "output_padding": 1},
            (None, 7, 7, 16),
        ),
        (
            "Conv2DTranspose",
            {"filters": 8, "kernel_size": 2, "strides": 3, "output_padding": [2, 0]},
            (None, 7, 5, 16),
        ),
        (
            "Conv2DTranspose",
            {"filters": 8, "kernel_size": 2, "strides": 1, "output_padding": 1},
            (None, 7, 5, 16),
        ),
        (
            "Conv2DTranspose",
            {"filters": 8, "kernel_size": 3, "data_format": "channels_first"},
            (None, 4, 7, 5),
        ),
        ("Conv1DTranspose", {"filters": 8, "kernel_size": 3, "strides": 2}, (None, None, 4)),
        (
            "Conv3DTranspose",
            {"filters": 2, "kernel_size": 3, "dilation_rate": 2},
            (None, 3, 4, 5, 2),
        ),
        ("DepthwiseConv2D", {"kernel_size": 3}, (None, 10, 10, 8)),
        (
            "DepthwiseConv2D",
            {"kernel_size": 3, "depth_multiplier": 3, "strides": 2},
            (None, 10, 10, 8),
        ),
        (
            "DepthwiseConv2D",
            {
                "kernel_size": 3,
                "use_bias": False,
                "padding": "same",
                "data_format": "channels_first",
            },
            (None, 4, 10, 10),
        ),
        ("DepthwiseConv1D", {"kernel_size": 5, "depth_multiplier": 2}, (None, 12, 3)),
        ("DepthwiseConv1D", {"kernel_size": 5}, (None, 4, 3)),
        ("SeparableConv2D", {"filters": 16, "kernel_size": 3}, (None, 10, 10, 8)),
        (
            "SeparableConv2D",
            {
                "filters": 16,
                "kernel_size": 3,
                "depth_multiplier": 2,
                "padding": "same",
                "use_bias": False,
            },
            (None, 10, 10, 8),
        ),
        ("SeparableConv1D", {"filters": 5, "kernel_size": 2, "strides": 2}, (None, 9, 3)),
    ],
)
def test_conv_examples(oracle: Any, type_: str, args: dict[str, Any], shape: Any) -> None:
    oracle.check(LayerCall(type_, args), [shape])


def test_conv_rank_fault_message() -> None:
    call = LayerCall("Conv2D", {"filters": 8, "kernel_size": 3})
    with pytest.raises(
        ShapeFault,
        match=r"Conv2D expects a rank-4 input \(batch, height, width, channels\); got \(None, 10\)",
    ) as info:
        infer_layer(call, [(None, 10)])
    assert "Reshape" in (info.value.hint or "")
    with pytest.raises(ShapeFault) as info:
        infer_layer(call, [(None, 10, 3)])
    assert "Conv1D" in (info.value.hint or "")


def test_conv_shrink_fault_message() -> None:
    call = LayerCall("Conv2D", {"filters": 8, "kernel_size": 5})
    with pytest.raises(
        ShapeFault,
        match=r"Conv2D with kernel_size \(5, 5\), strides \(1, 1\), padding 'valid' shrinks "
        r"dimension 1 from 4 to 0",
    ) as info:
        infer_layer(call, [(None, 4, 10, 3)])
    assert info.value.arg == "kernel_size"
    assert "padding: same" in (info.value.hint or "")


def test_conv_argument_faults() -> None:
    with pytest.raises(ShapeFault, match="divisible by groups") as info:
        infer_layer(
            LayerCall("Conv2D", {"filters": 8, "kernel_size": 3, "groups": 3}), [(None, 9, 9, 3)]
        )
    assert info.value.arg == "groups"
    with pytest.raises(ShapeFault, match="'kernel_size' must be") as info:
        infer_layer(LayerCall("Conv2D", {"filters": 8, "kernel_size": [3]}), [(None, 9, 9, 3)])
    assert info.value.arg == "kernel_size"
    with pytest.raises(ShapeFault, match="'padding' must be one of") as info:
        infer_layer(
            LayerCall("Conv2D", {"filters": 8, "kernel_size": 3, "padding": "causal"}),
            [(None, 9, 9, 3)],
        )
    with pytest.raises(ShapeFault, match="needs the argument 'filters'"):
        infer_layer(LayerCall("Conv2D", {"kernel_size": 3}), [(None, 9, 9, 3)])
    with pytest.raises(ShapeFault, match="output_padding"):
        infer_layer(
            LayerCall("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "output_padding": 1}),
            [(None, 9, 9, 3)],
        )
