"""The registry, the dispatcher, argument helpers and robustness of every rule (no Keras)."""

from __future__ import annotations

import doctest
import importlib
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphspec.passes.shapes
from graphspec.passes.shapes import (
    SHAPE_RULES,
    LayerCall,
    Shape,
    ShapeFault,
    ShapeResult,
    has_rule,
    infer_layer,
    shape_rule,
)
from graphspec.passes.shapes import registry as _registry
from graphspec.passes.shapes.registry import (
    data_format_arg,
    padding_arg,
    tuple_arg,
    window_dims,
)

RULE_MODULES = sorted(
    {fn.__module__ for fn in SHAPE_RULES.values() if fn.__module__.startswith("graphspec.")}
)
"""Every module that registers a rule (found from the registry, so none is forgotten)."""


def test_import_does_not_load_tensorflow() -> None:
    code = (
        "import graphspec.passes.shapes, sys; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, "
        "sorted(m for m in sys.modules if m.startswith(('tensorflow', 'keras')))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_names() -> None:
    assert set(graphspec.passes.shapes.__all__) == {
        "RULE_MODULES",
        "SHAPE_RULES",
        "shape_rule",
        "infer_layer",
        "has_rule",
        "LayerCall",
        "Shape",
        "ShapeResult",
        "ShapeFault",
        "format_shape",
    }


@pytest.mark.parametrize("name", RULE_MODULES)
def test_rule_modules_are_documented(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__ and "\n" not in module.__doc__.strip()
    assert module.__all__
    for public in module.__all__:
        assert getattr(module, public).__doc__


def test_registry_doctests() -> None:
    failures, tried = doctest.testmod(_registry)
    assert tried and not failures


def test_expected_layers_are_registered() -> None:
    for name in [
        "Input",
        "InputLayer",
        "Dense",
        "EinsumDense",
        "Activation",
        "ReLU",
        "LeakyReLU",
        "PReLU",
        "ELU",
        "Softmax",
        "Identity",
        "Rescaling",
        "Dropout",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "SpatialDropout3D",
        "GaussianDropout",
        "GaussianNoise",
        "AlphaDropout",
        "ActivityRegularization",
        "Masking",
        "Embedding",
        "Conv1D",
        "Conv2D",
        "Conv3D",
        "Conv1DTranspose",
        "Conv2DTranspose",
        "Conv3DTranspose",
        "DepthwiseConv1D",
        "DepthwiseConv2D",
        "SeparableConv1D",
        "SeparableConv2D",
        "MaxPooling1D",
        "MaxPooling2D",
        "MaxPooling3D",
        "AveragePooling1D",
        "AveragePooling2D",
        "AveragePooling3D",
        "GlobalMaxPooling1D",
        "GlobalMaxPooling2D",
        "GlobalMaxPooling3D",
        "GlobalAveragePooling1D",
        "GlobalAveragePooling2D",
        "GlobalAveragePooling3D",
        "Flatten",
        "Reshape",
        "Permute",
        "RepeatVector",
        "ZeroPadding1D",
        "ZeroPadding2D",
        "ZeroPadding3D",
        "Cropping1D",
        "Cropping2D",
        "Cropping3D",
        "UpSampling1D",
        "UpSampling2D",
        "UpSampling3D",
        "BatchNormalization",
        "LayerNormalization",
        "GroupNormalization",
        "UnitNormalization",
        "Add",
        "Subtract",
        "Multiply",
        "Average",
        "Maximum",
        "Minimum",
        "Concatenate",
        "Dot",
        "SimpleRNN",
        "LSTM",
        "GRU",
        "Bidirectional",
        "MultiHeadAttention",
        "Attention",
        "AdditiveAttention",
    ]:
        assert has_rule(name), name
    assert not has_rule("Conv4D")


def test_infer_layer_unknown_type_is_none() -> None:
    assert infer_layer(LayerCall("NotALayer"), [(None, 3)]) is None


def test_shape_result_helpers() -> None:
    res = infer_layer(LayerCall("BatchNormalization"), [(None, 4)])
    assert isinstance(res, ShapeResult)
    assert (res.output, res.trainable, res.non_trainable, res.params) == ((None, 4), 8, 8, 16)


def test_shape_rule_registers_guarded_function() -> None:
    name = "_TestOnlyLayer"

    @shape_rule(name)
    def broken(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
        """Crashes on purpose."""
        return {}["missing"]  # type: ignore[no-any-return]

    try:
        assert has_rule(name)
        with pytest.raises(ShapeFault, match="_TestOnlyLayer cannot be applied") as info:
            infer_layer(LayerCall(name), [(None, 1)])
        assert isinstance(info.value.__cause__, KeyError)
        with pytest.raises(ValueError, match="already registered"):
            shape_rule(name)(lambda call, inputs: ShapeResult(((None,),)))
    finally:
        del SHAPE_RULES[name]


def test_shape_rule_needs_a_name() -> None:
    with pytest.raises(ValueError):
        shape_rule()


def test_argument_helpers() -> None:
    call = LayerCall(
        "Conv2D",
        {"kernel_size": 3, "strides": [1, 2], "padding": "SAME", "data_format": "Channels_First"},
    )
    assert tuple_arg(call, "kernel_size", None, 2) == (3, 3)
    assert tuple_arg(call, "strides", 1, 2) == (1, 2)
    assert tuple_arg(call, "dilation_rate", 1, 2) == (1, 1)
    assert padding_arg(call) == "same"
    assert data_format_arg(call) == "channels_first"
    assert data_format_arg(LayerCall("Conv2D")) == "channels_last"
    with pytest.raises(ShapeFault) as info:
        tuple_arg(LayerCall("Conv2D", {"strides": [1, 0]}), "strides", 1, 2)
    assert info.value.arg == "strides"


def test_window_dims() -> None:
    call = LayerCall("MaxPooling2D")
    assert window_dims(call, (None, 7, None, 3), 1, (2, 2), (2, 2), "valid") == (3, None)
    assert window_dims(call, (None, 7, 8, 3), 1, (2, 2), (2, 2), "same") == (4, 4)
    assert window_dims(call, (None, 7, 3), 1, (3,), (1,), "valid", dilation=(3,)) == (1,)


# ---------------------------------------------------------------------------- robustness

junk = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 9),
        st.floats(allow_nan=True),
        st.text(max_size=4),
        st.sampled_from(
            [
                "same",
                "valid",
                "causal",
                "channels_first",
                "concat",
                "ab,bc->ac",
                "...b,bc->...c",
                "LSTM",
                "LSTMCell",
                "StackedRNNCells",
                "Dense",
                "multi_hot",
                "one_hot",
            ]
        ),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["type", "units", "return_state", "cells", "filters"]),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=6,
)
ARG_NAMES = [
    "units",
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "dilation_rate",
    "groups",
    "use_bias",
    "data_format",
    "pool_size",
    "keepdims",
    "axis",
    "axes",
    "target_shape",
    "dims",
    "n",
    "cropping",
    "size",
    "rate",
    "stddev",
    "shape",
    "batch_shape",
    "batch_size",
    "layer",
    "merge_mode",
    "num_heads",
    "key_dim",
    "value_dim",
    "output_shape",
    "equation",
    "bias_axes",
    "return_sequences",
    "return_state",
    "groups",
    "center",
    "scale",
    "depth_multiplier",
    "output_padding",
    "shared_axes",
    "input_dim",
    "output_dim",
    "lora_rank",
    "attention_axes",
    "score_mode",
    "use_scale",
    "reset_after",
    "negative_slope",
    "max_value",
    "threshold",
    "height",
    "width",
    "output_mode",
    "vocabulary",
    "num_oov_indices",
    "mask_token",
    "max_tokens",
    "pad_to_max_tokens",
    "idf_weights",
    "output_sequence_length",
    "split",
    "num_bins",
    "bin_boundaries",
    "num_tokens",
    "output_size",
    "cell",
    "cells",
    "head_dim",
    "num_query_heads",
    "num_key_value_heads",
    "frame_length",
    "frame_step",
    "fft_length",
    "sequence_stride",
    "num_mel_bins",
    "mean",
    "variance",
    "tie_weights",
    "power_iterations",
]
shapes = st.lists(st.one_of(st.integers(-1, 6), st.none()), min_size=0, max_size=5).map(
    lambda dims: (None, *dims)
)


@settings(max_examples=int(os.environ.get("GRAPHSPEC_FUZZ_EXAMPLES", "300")), deadline=None)
@given(
    type_=st.sampled_from(sorted(n for n in SHAPE_RULES if not n.startswith("_"))),
    args=st.dictionaries(st.sampled_from(ARG_NAMES), junk, max_size=5),
    inputs=st.lists(shapes, max_size=3),
)
def test_rules_only_raise_shape_fault(type_: str, args: dict[str, Any], inputs: list[Any]) -> None:
    try:
        res = infer_layer(LayerCall(type_, args), inputs)
    except ShapeFault as fault:
        assert fault.message
        return
    assert isinstance(res, ShapeResult)
    assert res.trainable >= 0 and res.non_trainable >= 0
