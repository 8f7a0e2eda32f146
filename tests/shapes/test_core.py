"""Core layer rules (Input, Dense, EinsumDense, activations, noise, Embedding) against Keras."""

from __future__ import annotations

from typing import Any

import pytest

from graphspec.passes.shapes import LayerCall, ShapeFault, infer_layer

pytestmark = pytest.mark.keras


@pytest.mark.parametrize(
    ("args", "inputs"),
    [
        ({"units": 10}, [(None, 784)]),
        ({"units": 3, "use_bias": False}, [(None, 5)]),
        ({"units": 4}, [(None, 7, 6)]),
        ({"units": 4}, [(None, None, 6)]),
        ({"units": 4}, [(None, 2, 3, 5)]),
        ({"units": 8, "lora_rank": 2}, [(None, 16)]),
        ({"units": 8, "lora_rank": 3, "use_bias": False}, [(None, 4, 16)]),
        ({"units": 4}, [(None, None)]),
        ({"units": 4}, [(None,)]),
        ({"units": 0}, [(None, 3)]),
        ({"units": -2}, [(None, 3)]),
        ({}, [(None, 3)]),
    ],
)
def test_dense(oracle: Any, args: dict[str, Any], inputs: list[Any]) -> None:
    oracle.check(LayerCall("Dense", args), inputs)


@pytest.mark.parametrize(
    ("args", "inputs"),
    [
        ({"equation": "ab,bc->ac", "output_shape": 8}, [(None, 5)]),
        ({"equation": "ab,bc->ac", "output_shape": 8, "bias_axes": "c"}, [(None, 5)]),
        ({"equation": "abc,cd->abd", "output_shape": [None, 6], "bias_axes": "d"}, [(None, 3, 5)]),
        (
            {"equation": "abc,cde->abde", "output_shape": [4, 2, 3], "bias_axes": "de"},
            [(None, 4, 5)],
        ),
        ({"equation": "...b,bc->...c", "output_shape": 7, "bias_axes": "c"}, [(None, 2, 3, 4)]),
        ({"equation": "abc,cd->abd", "output_shape": [None, 6], "bias_axes": "bd"}, [(None, 3, 5)]),
        ({"equation": "ab...,bc->ac...", "output_shape": [6, 3]}, [(None, 4, 3)]),
        ({"equation": "abc,cd->abd", "output_shape": [9, 6]}, [(None, 3, 5)]),
        ({"equation": "ab,bc->ac", "output_shape": 8, "lora_rank": 2}, [(None, 5)]),
        ({"equation": "ab,bc->ac", "output_shape": 8, "bias_axes": "x"}, [(None, 5)]),
        ({"equation": "ab,cd->ad", "output_shape": 8}, [(None, 5)]),
        ({"equation": "bogus", "output_shape": 8}, [(None, 5)]),
    ],
)
def test_einsum_dense(oracle: Any, args: dict[str, Any], inputs: list[Any]) -> None:
    oracle.check(LayerCall("EinsumDense", args), inputs)


@pytest.mark.parametrize(
    ("type_", "args"),
    [
        ("Activation", {"activation": "relu"}),
        ("ELU", {}),
        ("Softmax", {"axis": 1}),
        ("Identity", {}),
        ("Rescaling", {"scale": 1 / 255}),
        ("Masking", {"mask_value": 0.0}),
        ("ActivityRegularization", {"l1": 0.01}),
        ("ReLU", {"max_value": 6.0}),
        ("ReLU", {"max_value": -1.0}),
        ("ReLU", {"negative_slope": -0.5}),
        ("ReLU", {"threshold": -0.5}),
        ("LeakyReLU", {"negative_slope": 0.2}),
        ("LeakyReLU", {"negative_slope": -0.2}),
        ("Dropout", {"rate": 0.5}),
        ("Dropout", {"rate": 1.5}),
        ("GaussianDropout", {"rate": 0.1}),
        ("AlphaDropout", {"rate": 0.1}),
        ("GaussianNoise", {"stddev": 0.1}),
        ("GaussianNoise", {"stddev": 2.0}),
        ("SpatialDropout1D", {"rate": 0.2}),
        ("SpatialDropout2D", {"rate": 0.2}),
        ("SpatialDropout3D", {"rate": 0.2}),
    ],
)
@pytest.mark.parametrize("shape", [(None, 8, 6, 4), (None, 5, 3), (None, 4, 3, 2, 2)])
def test_shape_preserving(oracle: Any, type_: str, args: dict[str, Any], shape: Any) -> None:
    oracle.check(LayerCall(type_, args), [shape])


@pytest.mark.parametrize(
    ("args", "shape"),
    [
        ({}, (None, 10)),
        ({}, (None, 4, 5, 3)),
        ({"shared_axes": [1, 2]}, (None, 4, 5, 3)),
        ({"shared_axes": 1}, (None, 4, 5)),
        ({"shared_axes": [1]}, (None, None, 5)),
        ({}, (None, None, 5)),
    ],
)
def test_prelu(oracle: Any, args: dict[str, Any], shape: Any) -> None:
    oracle.check(LayerCall("PReLU", args), [shape])


@pytest.mark.parametrize(
    ("args", "shape"),
    [
        ({"input_dim": 1000, "output_dim": 64}, (None, 20)),
        ({"input_dim": 50, "output_dim": 8}, (None, None)),
        ({"input_dim": 50, "output_dim": 8, "lora_rank": 4}, (None, 3)),
        ({"input_dim": 50, "output_dim": 8, "mask_zero": True}, (None, 3, 2)),
        ({"input_dim": 0, "output_dim": 8}, (None, 3)),
    ],
)
def test_embedding(oracle: Any, args: dict[str, Any], shape: Any) -> None:
    oracle.check(LayerCall("Embedding", args), [shape])


@pytest.mark.parametrize(
    ("type_", "args"),
    [
        ("Input", {"shape": [28, 28, 1]}),
        ("Input", {"shape": [None, 3], "batch_size": 8}),
        ("Input", {"batch_shape": [4, 10]}),
        ("InputLayer", {"shape": [5]}),
        ("InputLayer", {"batch_shape": [None, 7, 2]}),
    ],
)
def test_input(oracle: Any, type_: str, args: dict[str, Any]) -> None:
    oracle.check(LayerCall(type_, args), [])


def test_input_faults() -> None:
    with pytest.raises(ShapeFault, match="needs the argument 'shape'") as info:
        infer_layer(LayerCall("Input", {}), [])
    assert info.value.arg == "shape"
    with pytest.raises(ShapeFault, match="positive integers or nulls"):
        infer_layer(LayerCall("Input", {"shape": [0, 3]}), [])
    with pytest.raises(ShapeFault, match="takes 0 input"):
        infer_layer(LayerCall("Input", {"shape": [3]}), [(None, 3)])


def test_dense_faults() -> None:
    with pytest.raises(ShapeFault, match="Dense needs a known last") as info:
        infer_layer(LayerCall("Dense", {"units": 3}), [(None, None)])
    assert info.value.hint
    with pytest.raises(ShapeFault, match="'units' must be an integer >= 1; got 0") as info:
        infer_layer(LayerCall("Dense", {"units": 0}), [(None, 3)])
    assert info.value.arg == "units"
    with pytest.raises(ShapeFault, match="'units' must be an integer") as info:
        infer_layer(LayerCall("Dense", {"units": "ten"}), [(None, 3)])
    with pytest.raises(ShapeFault, match="'use_bias' must be true or false"):
        infer_layer(LayerCall("Dense", {"units": 2, "use_bias": "yes"}), [(None, 3)])
    with pytest.raises(ShapeFault, match="takes 1 input"):
        infer_layer(LayerCall("Dense", {"units": 2}), [(None, 3), (None, 3)])


def test_spatial_dropout_rank_fault() -> None:
    with pytest.raises(ShapeFault, match=r"SpatialDropout2D expects a rank-4 input") as info:
        infer_layer(LayerCall("SpatialDropout2D", {"rate": 0.1}), [(None, 5, 3)])
    assert "SpatialDropout1D" in (info.value.hint or "")
